import type { Finding } from './records.js';

/** The flagged account's UPN as its rule's evidence records it (every rule stores `upn`), or '' when absent. */
export function subjectUpn(finding: Finding): string {
  const upn = (finding.evidence as { upn?: unknown }).upn;
  return typeof upn === 'string' ? upn : '';
}
