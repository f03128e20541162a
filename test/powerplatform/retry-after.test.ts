import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/powerplatform/retry-after.js';

const NOW = Date.parse('2026-10-21T07:28:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['5', 5],
    ['0', 0],
    ['0.25', 0.25],
    [' 12 ', 12],
    ['Wed, 21 Oct 2026 07:28:30 GMT', 30],
    ['Wed, 21 Oct 2026 07:27:00 GMT', 0],
  ] as const)('when the header is "%s", then the wait is %s s', (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it.each([null, '', 'soon', '-3'])('when the header is %j, then there is no wait to honour', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});
