import { describe, expect, it } from 'vitest';
import type { PersonRef } from '../../src/domain/directory.js';
import { resolveOwners } from '../../src/domain/owners.js';

const sponsor: PersonRef = { id: 'a1', displayName: 'Lee Gu' };
const sponsor2: PersonRef = { id: 'a2', displayName: 'Nestor Wilke' };
const manager: PersonRef = { id: 'b1', displayName: 'Alex Wilber' };
const assigned: PersonRef = { id: 'c1', displayName: 'Megan Bowen' };

describe('resolveOwners', () => {
  it('when an approver assigned an owner, then that owner wins over sponsors and manager', () => {
    expect(resolveOwners({ sponsors: [sponsor], manager, assigned })).toEqual({
      source: 'assigned',
      people: [assigned],
    });
  });

  it('when nobody is assigned and the account has sponsors, then the sponsors own it', () => {
    expect(resolveOwners({ sponsors: [sponsor, sponsor2], manager })).toEqual({
      source: 'sponsor',
      people: [sponsor, sponsor2],
    });
  });

  it('when a sponsor is listed twice, then they appear once', () => {
    const again = { ...sponsor, id: sponsor.id.toUpperCase() };
    expect(resolveOwners({ sponsors: [sponsor, again], manager: null }).people).toEqual([sponsor]);
  });

  it('when there are no sponsors, then the manager owns it', () => {
    expect(resolveOwners({ sponsors: [], manager, assigned: null })).toEqual({
      source: 'manager',
      people: [manager],
    });
  });

  it('when there is nobody at all, then the finding is unassigned', () => {
    expect(resolveOwners({ sponsors: [], manager: null })).toEqual({ source: 'none', people: [] });
  });
});
