/**
 * How long a Retry-After header asks to wait, in seconds: delta-seconds (Dataverse and the simulator may send
 * fractions) or an HTTP date, measured against `now`. Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  // Every HTTP date form starts with the day's name; Date.parse would also read "-3" as a year.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
