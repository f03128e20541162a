import type { PersonRef } from './directory.js';

/**
 * Who owns a finding, i.e. who is asked to act on it and may request an exception or propose a remediation.
 *
 * DESIGN ("Roles") reads "its sponsors, else its manager, else whoever an approver assigns". That order is the
 * fallback for what the directory says; an approver's assignment is placed first here on purpose. It is a later,
 * deliberate decision about this one finding by someone entitled to make it, and usually made because the
 * directory is wrong (the sponsor left, the manager is a placeholder). If sponsors or manager outranked it, the
 * next rescan would silently undo the approver's choice. Changing an assignment takes another approver action.
 */

export type OwnerSource = 'assigned' | 'sponsor' | 'manager' | 'none';

export interface OwnerResolution {
  readonly source: OwnerSource;
  /** Empty exactly when `source` is `none`: the finding is unassigned and the card asks an approver to assign. */
  readonly people: readonly PersonRef[];
}

export interface OwnerInputs {
  readonly sponsors: readonly PersonRef[];
  readonly manager: PersonRef | null;
  /** The owner an approver assigned to this finding, if any. */
  readonly assigned?: PersonRef | null;
}

/** Resolves a finding's owners: an approver's assignment, else the sponsors, else the manager, else none. */
export function resolveOwners({ sponsors, manager, assigned }: OwnerInputs): OwnerResolution {
  if (assigned) return { source: 'assigned', people: [assigned] };
  const distinct = uniqueById(sponsors);
  if (distinct.length > 0) return { source: 'sponsor', people: distinct };
  if (manager) return { source: 'manager', people: [manager] };
  return { source: 'none', people: [] };
}

/** First occurrence wins; object ids compare case-insensitively, as Entra treats them. */
function uniqueById(people: readonly PersonRef[]): PersonRef[] {
  const seen = new Set<string>();
  return people.filter((person) => {
    const key = person.id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
