import { SimHttpError, badRequest } from '../http/errors.js';
import type { SimRequest } from '../http/types.js';

/**
 * OData query handling shared by the Graph, BAP and Dataverse routes: $select, $filter, $top, Graph's
 * @odata.context and $skiptoken paging.
 */

/** The $select list, or undefined when the caller did not select. */
export function selected(req: SimRequest): string[] | undefined {
  const select = req.query.get('$select');
  if (!select) return undefined;
  return select
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Keeps only the selected properties (and always the key), like Graph does. */
export function project<T extends object>(item: T, select: string[] | undefined, key = 'id'): Partial<T> {
  if (!select) return item;
  const out: Record<string, unknown> = {};
  const source = item as Record<string, unknown>;
  if (key in source) out[key] = source[key];
  for (const name of select) if (name in source) out[name] = source[name];
  return out as Partial<T>;
}

/** `<base>/v1.0/$metadata#users(a,b)` (plus `/$entity` for a single object), as Graph writes @odata.context. */
export function graphContext(
  baseUrl: string,
  entitySet: string,
  select?: readonly string[],
  entity = false,
): string {
  return `${baseUrl}/v1.0/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}${entity ? '/$entity' : ''}`;
}

/** $top as a number within [1, max], or the default when absent; a bad value is Graph's 400. */
export function topOf(req: SimRequest, fallback: number, max: number): number {
  const text = req.query.get('$top');
  if (text === null) return fallback;
  const top = Number(text);
  if (!Number.isInteger(top) || top < 1)
    throw badRequest(`Invalid value '${text}' for $top.`, 'Request_BadRequest');
  if (top > max)
    throw badRequest(
      `Invalid page size specified: '${top}'. Must be between 1 and ${max} inclusive.`,
      'Request_UnsupportedQuery',
    );
  return top;
}

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names what it encoded
export function decodeToken<T>(text: string): T {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString()) as T;
  } catch {
    throw badRequest('The $skiptoken is invalid.', 'Request_BadRequest');
  }
}

// ---- paging ----------------------------------------------------------------------------------------------------

/** What a $skiptoken carries: the position to resume at and, for scans of tenant.userOrder, the id served last. */
export interface Cursor {
  o: number;
  l?: string;
}

export function readCursor(text: string): Cursor {
  const cursor = decodeToken<Partial<Cursor>>(text);
  if (typeof cursor.o !== 'number' || cursor.o < 0)
    throw badRequest('The $skiptoken is invalid.', 'Request_BadRequest');
  return typeof cursor.l === 'string' ? { o: cursor.o, l: cursor.l } : { o: cursor.o };
}

/** A query string the way Graph writes its links: `$`, `,`, `(`, `)` and `'` inside names and values left readable. */
function graphQueryString(params: URLSearchParams): string {
  const encode = (text: string): string =>
    encodeURIComponent(text)
      .replace(/%24/g, '$')
      .replace(/%2C/gi, ',')
      .replace(/%28/g, '(')
      .replace(/%29/g, ')')
      .replace(/%27/g, "'");
  return [...params].map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
}

/**
 * The link to the next page: every original query parameter plus a $skiptoken holding `cursor`, the way Graph
 * builds its links (callers must follow the link as given, never rebuild it).
 */
export function nextLinkWith(req: SimRequest, baseUrl: string, cursor: Cursor): string {
  const next = new URLSearchParams(req.query);
  next.set('$skiptoken', encodeToken(cursor));
  return `${baseUrl}${req.path}?${graphQueryString(next)}`;
}

/**
 * One page of an in-memory list and the link to the next one (undefined on the last page). The route names the
 * link's property: `@odata.nextLink` on Graph, `nextLink` on BAP.
 */
export function page<T>(
  items: readonly T[],
  req: SimRequest,
  baseUrl: string,
  size: number,
): { value: T[]; nextLink?: string } {
  const token = req.query.get('$skiptoken');
  const start = token ? readCursor(token).o : 0;
  const value = items.slice(start, start + size);
  if (start + size >= items.length) return { value };
  return { value, nextLink: nextLinkWith(req, baseUrl, { o: start + size }) };
}

// ---- $filter -------------------------------------------------------------------------------------------------

type Token = { kind: 'ident' | 'string' | 'number' | 'datetime' | 'op' | 'paren' | 'comma'; text: string };
type Value = string | number | boolean | null;
export type Predicate = (item: Record<string, unknown>) => boolean;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  // An unquoted GUID (Dataverse writes Edm.Guid literals bare) may start with a digit, so it is matched as a word.
  const re =
    /\s*(?:(')((?:[^']|'')*)'|(\()|(\))|(,)|(-?\d+(?:\.\d+)?(?![\w-]))|([A-Za-z_$][\w$/.-]*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])))/iy;
  // Edm.DateTimeOffset literals are unquoted (createdDateTime ge 2024-01-01T00:00:00Z).
  const dateTime = /\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))/iy;
  let pos = 0;
  while (pos < input.length) {
    if (/^\s*$/.test(input.slice(pos))) break;
    dateTime.lastIndex = pos;
    const d = dateTime.exec(input);
    if (d?.[1]) {
      tokens.push({ kind: 'datetime', text: d[1] });
      pos = dateTime.lastIndex;
      continue;
    }
    re.lastIndex = pos;
    const m = re.exec(input);
    if (!m) throw unsupported(`Syntax error at position ${pos} in '${input}'.`);
    pos = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'string', text: (m[2] ?? '').replace(/''/g, "'") });
    else if (m[3]) tokens.push({ kind: 'paren', text: '(' });
    else if (m[4]) tokens.push({ kind: 'paren', text: ')' });
    else if (m[5]) tokens.push({ kind: 'comma', text: ',' });
    else if (m[6]) tokens.push({ kind: 'number', text: m[6] });
    else if (m[7]) {
      const word = m[7];
      tokens.push({
        kind: ['eq', 'ne', 'and', 'or', 'not', 'in', 'ge', 'le', 'gt', 'lt'].includes(word.toLowerCase())
          ? 'op'
          : 'ident',
        text: word,
      });
    }
  }
  return tokens;
}

function unsupported(message: string): SimHttpError {
  return new SimHttpError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified: ${message}`,
  );
}

/**
 * Parses the small $filter dialect Graph supports on the simulated collections: eq, ne, ge, le, gt, lt, in,
 * startswith(), and, or, not, parentheses. Only the listed properties may be filtered on.
 */
export function parseFilter(text: string, allowed: readonly string[]): Predicate {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const take = (): Token => {
    const t = tokens[i++];
    if (!t) throw unsupported(`unexpected end of '${text}'.`);
    return t;
  };
  const expect = (text2: string): void => {
    const t = take();
    if (t.text !== text2) throw unsupported(`expected '${text2}' but found '${t.text}'.`);
  };
  const property = (name: string): string => {
    if (!allowed.includes(name)) throw unsupported(`property '${name}' cannot be filtered on.`);
    return name;
  };
  const literal = (): Value => {
    const t = take();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    // Normalised to toISOString() form, so that it compares as a string with the stored timestamps.
    if (t.kind === 'datetime') {
      const ms = Date.parse(t.text);
      if (Number.isNaN(ms)) throw unsupported(`'${t.text}' is not a valid DateTimeOffset.`);
      return new Date(ms).toISOString();
    }
    if (t.kind === 'ident' && ['true', 'false', 'null'].includes(t.text))
      return t.text === 'null' ? null : t.text === 'true';
    if (t.kind === 'ident' && /^[0-9a-f-]{36}$/i.test(t.text)) return t.text;
    throw unsupported(`'${t.text}' is not a literal.`);
  };
  const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);
  const primary = (): Predicate => {
    const t = take();
    if (t.text === '(') {
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (t.kind === 'op' && t.text.toLowerCase() === 'not') {
      const inner = primary();
      return (item) => !inner(item);
    }
    if (t.kind === 'ident' && t.text.toLowerCase() === 'startswith') {
      expect('(');
      const name = property(take().text);
      expect(',');
      const prefix = String(literal()).toLowerCase();
      expect(')');
      return (item) => {
        const value = item[name];
        return typeof value === 'string' && value.toLowerCase().startsWith(prefix);
      };
    }
    if (t.kind !== 'ident') throw unsupported(`unexpected '${t.text}'.`);
    const name = property(t.text);
    const op = take().text.toLowerCase();
    if (op === 'in') {
      expect('(');
      const values: Value[] = [literal()];
      while (peek()?.kind === 'comma') {
        take();
        values.push(literal());
      }
      expect(')');
      const set = new Set(values.map(norm));
      return (item) => set.has(norm(item[name]));
    }
    const value = literal();
    const compare = (item: Record<string, unknown>): number => {
      const a = norm(item[name]) as string | number;
      const b = norm(value) as string | number;
      return a < b ? -1 : a > b ? 1 : 0;
    };
    switch (op) {
      case 'eq':
        return (item) => norm(item[name] ?? null) === norm(value);
      case 'ne':
        return (item) => norm(item[name] ?? null) !== norm(value);
      case 'ge':
        return (item) => item[name] != null && compare(item) >= 0;
      case 'le':
        return (item) => item[name] != null && compare(item) <= 0;
      case 'gt':
        return (item) => item[name] != null && compare(item) > 0;
      case 'lt':
        return (item) => item[name] != null && compare(item) < 0;
      default:
        throw unsupported(`operator '${op}' is not supported.`);
    }
  };
  const andExpr = (): Predicate => {
    let left = primary();
    while (peek()?.text.toLowerCase() === 'and') {
      take();
      const l = left;
      const r = primary();
      left = (item) => l(item) && r(item);
    }
    return left;
  };
  const orExpr = (): Predicate => {
    let left = andExpr();
    while (peek()?.text.toLowerCase() === 'or') {
      take();
      const l = left;
      const r = andExpr();
      left = (item) => l(item) || r(item);
    }
    return left;
  };
  const predicate = orExpr();
  if (i < tokens.length) throw unsupported(`unexpected '${tokens[i]?.text ?? ''}'.`);
  return predicate;
}
