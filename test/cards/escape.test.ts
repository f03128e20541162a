import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LENGTH, inert } from '../../src/cards/escape.js';

describe('inert', () => {
  it('when the value is null, undefined or an object, then it is the empty string', () => {
    expect(inert(null)).toBe('');
    expect(inert(undefined)).toBe('');
    expect(inert({ toString: () => '[evil](https://evil.example)' })).toBe('');
  });

  it('when the value is a number or a boolean, then it is its text', () => {
    expect(inert(42)).toBe('42');
    expect(inert(1.5)).toBe('1\\.5');
    expect(inert(true)).toBe('true');
  });

  it('when the text is plain, then it is unchanged', () => {
    expect(inert('Reception Desk')).toBe('Reception Desk');
    expect(inert('Zoë Ångström 山田')).toBe('Zoë Ångström 山田');
  });

  it('when a display name holds a markdown link, then brackets and parentheses are escaped', () => {
    expect(inert('[Click to verify](https://evil.example/login)')).toBe(
      '\\[Click to verify\\]\\(https://evil\\.example/login\\)',
    );
  });

  it('when a name holds a javascript: link or an autolink, then neither can form', () => {
    expect(inert('[x](javascript:alert(1))')).toBe('\\[x\\]\\(javascript:alert\\(1\\)\\)');
    expect(inert('<javascript:alert(1)>')).toBe('\\<javascript:alert\\(1\\)\\>');
  });

  it('when a name holds **bold**, _italic_, `code`, ~~strike~~ or an image, then every marker is escaped', () => {
    expect(inert('**Admin**')).toBe('\\*\\*Admin\\*\\*');
    expect(inert('_x_ `y` ~~z~~ ![i](u)')).toBe('\\_x\\_ \\`y\\` \\~\\~z\\~\\~ \\!\\[i\\]\\(u\\)');
  });

  it('when a name starts like a heading, a list, a quote or a table, then that markup is escaped', () => {
    expect(inert('# Title')).toBe('\\# Title');
    expect(inert('- item')).toBe('\\- item');
    expect(inert('+ item')).toBe('\\+ item');
    expect(inert('1. item')).toBe('1\\. item');
    expect(inert('> quote')).toBe('\\> quote');
    expect(inert('a | b')).toBe('a \\| b');
  });

  it('when a name holds an <at> mention or HTML, then < and > are escaped', () => {
    expect(inert('<at>Global Admin</at>')).toBe('\\<at\\>Global Admin\\</at\\>');
    expect(inert('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert\\(1\\)\\>');
  });

  it('when a name holds an HTML entity, then the ampersand is escaped so it stays text', () => {
    expect(inert('&lt;at&gt;x&lt;/at&gt;')).toBe('\\&lt;at\\&gt;x\\&lt;/at\\&gt;');
  });

  it('when a name holds a template expression, then it can no longer be one', () => {
    expect(inert('${title}')).toBe('$\\{title\\}');
    expect(inert('${title}')).not.toContain('${');
  });

  it('when a name holds backslashes, then they are escaped first and cannot cancel an escape', () => {
    expect(inert('\\[x\\](y)')).toBe('\\\\\\[x\\\\\\]\\(y\\)');
  });

  it('when a name holds CR, LF or other line breaks, then each becomes a space', () => {
    expect(inert('line one\r\nline two\nthree\rfour')).toBe('line one line two three four');
    expect(inert('a\u2028b\u2029c\u0085d\te')).toBe('a b c d e');
  });

  it('when a name holds control characters, then they are removed', () => {
    expect(inert('a\u0000b\u0007c\u001bd\u007fe\u009bf')).toBe('abcdef');
  });

  it('when a name uses bidi overrides, isolates or marks, then they are removed', () => {
    // "moc.live" shown reversed would read "evil.com": the override is dropped, the text stays in logical order.
    expect(inert('admin\u202emoc.live')).toBe('adminmoc\\.live');
    const bidi = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
    expect(inert(`x${bidi}y`)).toBe('xy');
  });

  it('when a name is padded with spaces or line breaks, then it is trimmed', () => {
    expect(inert('\n  Reception  \r\n')).toBe('Reception');
  });

  it('when a string has 10,000 characters, then it is cut to the default maximum with an ellipsis', () => {
    const result = inert('a'.repeat(10_000));
    expect(Array.from(result)).toHaveLength(DEFAULT_MAX_LENGTH);
    expect(result).toBe(`${'a'.repeat(DEFAULT_MAX_LENGTH - 1)}…`);
  });

  it('when a string is exactly the maximum, then it is not cut', () => {
    expect(inert('abcde', 5)).toBe('abcde');
    expect(inert('abcdef', 5)).toBe('abcd…');
  });

  it('when an emoji falls on the cut, then the surrogate pair is kept whole or dropped whole', () => {
    expect(inert('abc😀😀', 5)).toBe('abc😀😀');
    expect(inert('abc😀😀d', 5)).toBe('abc😀…');
    expect(inert('abcd😀😀', 5)).toBe('abcd…');
    expect(inert('😀'.repeat(5000), 3)).toBe('😀😀…');
  });

  it('when the cut falls after a space, then no space is left before the ellipsis', () => {
    expect(inert('abc defg', 5)).toBe('abc…');
  });

  it('when the cut text ends in punctuation, then the count is of characters shown, not of escapes', () => {
    expect(inert('a.b.c.d', 4)).toBe('a\\.b…');
  });

  it('when a string holds a lone surrogate, then it is replaced, so the card is valid UTF-16', () => {
    expect(inert('a\ud83db')).toBe('a\ufffdb');
    expect(inert('a\ude00b')).toBe('a\ufffdb');
  });

  it('when max is not a positive integer, then it is a RangeError', () => {
    expect(() => inert('x', 0)).toThrow(RangeError);
    expect(() => inert('x', 2.5)).toThrow(RangeError);
  });
});
