import { describe, expect, it } from 'vitest';
import { FINDING_ID_LENGTH, findingId, parseFindingId } from '../../src/domain/finding-id.js';

const SUBJECT = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('findingId', () => {
  it('when built twice from the same rule and subject, then it is the same id', () => {
    expect(findingId('NHI-001', SUBJECT)).toBe(`nhi-001:${SUBJECT}`);
    expect(findingId('NHI-001', SUBJECT.toUpperCase())).toBe(findingId('NHI-001', SUBJECT));
  });

  it('when the rule differs, then the id differs', () => {
    expect(findingId('NHI-002', SUBJECT)).not.toBe(findingId('NHI-001', SUBJECT));
  });

  it('when the subject is not a GUID, then it throws instead of minting an id the parser would refuse', () => {
    expect(() => findingId('NHI-001', 'reception@contoso.com')).toThrow(RangeError);
  });
});

describe('parseFindingId', () => {
  it('when given an id findingId wrote, then it round-trips to the same rule and subject', () => {
    const id = findingId('NHI-003', SUBJECT);
    expect(id.length).toBe(FINDING_ID_LENGTH);
    expect(parseFindingId(id)).toEqual({ id, ruleId: 'NHI-003', subjectId: SUBJECT });
  });

  it('when retyped in upper case, then it parses to the canonical id', () => {
    expect(parseFindingId(`NHI-001:${SUBJECT.toUpperCase()}`)).toEqual({
      id: `nhi-001:${SUBJECT}`,
      ruleId: 'NHI-001',
      subjectId: SUBJECT,
    });
  });

  it.each([
    ['path traversal', `nhi-001:../../${SUBJECT.slice(6)}`],
    ['path traversal in place of the GUID', 'nhi-001:../../../../../../../../etc/passwd'],
    ['a markdown link', `nhi-001:[x](https://evil.example)${SUBJECT.slice(33)}`],
    ['an unknown rule', `nhi-999:${SUBJECT}`],
    ['a retired-looking rule number', `nhi-000:${SUBJECT}`],
    ['a too long id', `nhi-001:${SUBJECT}${'0'.repeat(10_000)}`],
    ['a trailing newline', `nhi-001:${SUBJECT}\n`],
    ['a leading space', ` nhi-001:${SUBJECT}`],
    ['a missing separator', `nhi-001${SUBJECT}`],
    ['a GUID in braces', `nhi-001:{${SUBJECT.slice(1, -1)}}`],
    ['a non-hex GUID', `nhi-001:${SUBJECT.replace(/f/g, 'g')}`],
    ['the empty string', ''],
  ])('when given %s, then it is rejected', (_what, value) => {
    expect(parseFindingId(value)).toBeUndefined();
  });

  it.each([[undefined], [null], [42], [{ id: `nhi-001:${SUBJECT}` }], [[`nhi-001:${SUBJECT}`]]])(
    'when given %j instead of a string, then it is rejected',
    (value) => {
      expect(parseFindingId(value)).toBeUndefined();
    },
  );
});
