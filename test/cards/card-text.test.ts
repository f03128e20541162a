import { describe, expect, it } from 'vitest';
import { cardDate, cardDateTime, countOf, missingPermissionLine } from '../../src/cards/card-text.js';
import { hostile } from './hostile.js';

describe('card text', () => {
  it('when a time has milliseconds or an offset, then it becomes the UTC second that DATE() and TIME() accept', () => {
    expect(cardDate('2025-06-01T10:00:00.123Z')).toBe('{{DATE(2025-06-01T10:00:00Z, SHORT)}}');
    expect(cardDateTime('2025-06-01T12:00:00+02:00')).toBe(
      '{{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}',
    );
  });

  it('when a time is missing, not ISO 8601 or out of range, then it is null so the card can say unknown', () => {
    for (const value of [
      null,
      undefined,
      '',
      'yesterday',
      'June 1, 2025',
      '2025-13-45T99:00:00Z',
      '+010000-01-01T00:00:00Z',
    ])
      expect(cardDateTime(value), String(value)).toBeNull();
  });

  it('when a "time" carries markup, then no part of it reaches the card', () => {
    expect(cardDate(`2025-06-01T10:00:00Z${hostile('t')}`)).toBeNull();
  });

  it('when counting, then numbers get separators and the noun agrees', () => {
    expect(countOf(1, 'finding')).toBe('1 finding');
    expect(countOf(0, 'finding')).toBe('0 findings');
    expect(countOf(12345, 'mailbox', 'mailboxes')).toBe('12,345 mailboxes');
  });

  it('when a permission line is built, then both the permission and its impact are inert', () => {
    expect(
      missingPermissionLine({ permission: 'AuditLog.Read.All', ifMissing: '[x](https://evil.example)' }),
    ).toBe('**AuditLog\\.Read\\.All**: \\[x\\]\\(https://evil\\.example\\)');
  });
});
