import { describe, expect, it } from 'vitest';
import { unknownCommandHint } from '../../src/cards/hint.js';

describe('unknownCommandHint', () => {
  it('when the word is ordinary, then it is echoed and help is suggested', () => {
    expect(unknownCommandHint('helpdesk')).toBe('I don\'t know "helpdesk". Type help to see what I can do.');
  });

  it('when the word is hostile, then it is echoed escaped', () => {
    expect(unknownCommandHint('[x](https://evil.example)')).toBe(
      'I don\'t know "\\[x\\]\\(https://evil\\.example\\)". Type help to see what I can do.',
    );
    expect(unknownCommandHint('<at>Admin</at>')).toContain('"\\<at\\>Admin\\</at\\>"');
  });

  it('when the word is long, then the echo is cut short', () => {
    const hint = unknownCommandHint('a'.repeat(1_000));
    expect(hint).toContain(`"${'a'.repeat(39)}…"`);
  });

  it('when there is no word, then only the nudge remains', () => {
    expect(unknownCommandHint('')).toBe('Type help to see what I can do.');
  });
});
