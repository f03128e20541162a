import {
  DURABLE_FIX,
  HONEST_SCOPE,
  type CaCheck,
  type ClaimCheck,
  type ClaimKind,
  type ClaimStatus,
  type MembershipState,
  type WriteFailureView,
} from '../domain/exceptions.js';
import { cardDateTime, cardNumber } from './card-text.js';
import { inert } from './escape.js';

/**
 * What the request form, the alert card's exception section and the notices say alike: the Conditional Access
 * check, each claim Warden checked, where the group membership stands and what no exception covers. Each function
 * escapes the tenant strings it is given, exactly once.
 */

export type TextColor = 'Default' | 'Good' | 'Warning' | 'Attention';

/** One line of a section: its text, its colour, and whether it is a side note. */
export interface CardLine {
  readonly text: string;
  readonly color: TextColor;
  readonly subtle: boolean;
}

export function line(text: string, color: TextColor = 'Default', subtle = false): CardLine {
  return { text, color, subtle };
}

/** What no exception covers, and the durable fix, as one side note. Warden's own words: nothing to escape. */
export const SCOPE_NOTE = `${HONEST_SCOPE} ${DURABLE_FIX}`;

/** Enough policy names to check the right ones are there; the rest are counted. */
const MAX_POLICIES_SHOWN = 5;

export interface ConditionalAccessText {
  /** `warning` when the exception would have no effect, or nobody could check whether it would. */
  readonly style: 'emphasis' | 'warning';
  readonly text: string;
}

/** Which enabled Conditional Access policies exclude the exception group, or why Warden could not tell. */
export function conditionalAccessText(ca: CaCheck): ConditionalAccessText {
  const checked = cardDateTime(ca.checkedAt);
  const when = checked ? ` (checked ${checked})` : '';
  if (!ca.available) {
    return {
      style: 'warning',
      text:
        `**Conditional Access:** Warden could not check which policies exclude the exception group${when}: ` +
        `${caGap(ca)} Approvers decide without this check.`,
    };
  }
  if (ca.policies.length === 0) {
    return {
      style: 'warning',
      text:
        `**Conditional Access:** no enabled policy excludes the exception group${when}, so this exception ` +
        'would have no effect until an administrator excludes the group from the MFA policy.',
    };
  }
  const names = ca.policies
    .slice(0, MAX_POLICIES_SHOWN)
    .map(
      (p) => `${inert(p.displayName, 120) || 'an unnamed policy'}${p.requiresMfa ? ' (requires MFA)' : ''}`,
    );
  const more = ca.policies.length - MAX_POLICIES_SHOWN;
  const list = `${names.join(', ')}${more > 0 ? ` and ${cardNumber(more)} more` : ''}`;
  const label = ca.policies.length === 1 ? 'enabled policy' : 'enabled policies';
  const text = `**Conditional Access:** ${label} that exclude${ca.policies.length === 1 ? 's' : ''} the exception group${when}: ${list}.`;
  if (ca.policies.some((p) => p.requiresMfa)) return { style: 'emphasis', text };
  return {
    style: 'warning',
    text: `${text} None of them requires MFA, so this exception would change nothing about MFA until an administrator excludes the group from the MFA policy.`,
  };
}

function caGap(ca: Extract<CaCheck, { available: false }>): string {
  switch (ca.reason) {
    case 'permission-missing':
      return `Warden lacks ${inert(ca.permission, 80)}, which an administrator can grant.`;
    case 'not-premium':
      return 'the tenant has no Microsoft Entra ID P1 licence, which Conditional Access needs.';
    case 'unavailable':
      return `Microsoft Graph did not answer (${inert(ca.detail, 200) || 'no detail'}).`;
  }
}

const CLAIM_STATUS: Readonly<Record<ClaimStatus, { readonly label: string; readonly color: TextColor }>> = {
  verified: { label: '✅ **Verified**', color: 'Good' },
  contradicted: { label: '❌ **Contradicted**', color: 'Attention' },
  unknown: { label: '❔ **Unknown**', color: 'Default' },
};

const CLAIM_KIND: Readonly<Record<ClaimKind, string>> = {
  'interactive-sign-ins': 'Interactive sign-ins',
  'directory-roles': 'Directory roles',
  'mfa-registration': 'MFA registration',
  'flows-owned': 'Flows owned',
};

/** `✅ Verified · Directory roles: Holds no directory role.`, coloured by the status; the detail made inert. */
export function claimLine(claim: ClaimCheck): CardLine {
  const status = CLAIM_STATUS[claim.status];
  // The domain starts an unknown claim's detail with "Unknown:", which the label already says.
  const detail = claim.detail.replace(/^Unknown:\s*/, '');
  return line(`${status.label} · ${CLAIM_KIND[claim.kind]}: ${inert(detail, 400)}`, status.color);
}

/** `code (request-id …). What to do next.`, every part inert: they come from Graph and the workflow. */
export function writeFailureText(error: WriteFailureView | undefined): string {
  if (!error) return 'Microsoft Graph refused the change.';
  const code = inert(error.code, 80) || 'an error';
  const requestId = error.requestId ? ` (request-id ${inert(error.requestId, 80)})` : '';
  const next = inert(error.next, 300);
  return `${code}${requestId}.${next ? ` ${next}` : ''}`;
}

/** Where adding the account to the exception group stands; `account` is already inert. */
export function membershipLine(
  state: MembershipState,
  account: string,
  error: WriteFailureView | undefined,
): CardLine {
  switch (state) {
    case 'queued':
      return line(`Adding ${account} to the exception group…`);
    case 'added':
      return line('Added to the exception group ✓', 'Good');
    case 'already-member':
      return line('Added to the exception group ✓ (it was already a member)', 'Good');
    case 'failed':
      return line(`Adding to the exception group failed: ${writeFailureText(error)}`, 'Attention');
    case 'report-only':
      return line(
        'Report-only mode: Warden recorded the approval and changed nothing. In enforce mode it would have ' +
          `added ${account} to the exception group.`,
        'Default',
        true,
      );
  }
}

/** `1 day`, `30 days`. */
export function days(n: number): string {
  return `${cardNumber(n)} ${n === 1 ? 'day' : 'days'}`;
}
