import { nhi001AlertCard } from '../../src/cards/nhi-001-alert-card.js';
import { nhi002AlertCard, type FlowOwnerAlertView } from '../../src/cards/nhi-002-alert-card.js';
import { nhi003AlertCard } from '../../src/cards/nhi-003-alert-card.js';
import type { CurrentRemediation, RemediationView } from '../../src/cards/remediation-view.js';
import type { AdaptiveCard, JsonObject } from '../../src/cards/template.js';
import type { FindingExceptions } from '../../src/domain/exceptions.js';
import type { FindingState } from '../../src/domain/records.js';
import type { RemediationOption } from '../../src/domain/remediation.js';
import { alertViewBase } from './alert-card-fixtures.js';
import { textBlocks } from './card-json.js';

// The remediation section is shared by the three alert cards; most of its tests go through NHI-001.
export const MAILBOX_ID = 'NHI-001:m1';
export const FLOWS_ID = 'NHI-002:u1';
export const DRIFT_ID = 'NHI-003:u9';

export const BLOCK: RemediationOption = { action: 'block-sign-in', available: true };

/** A remediation approved by Adele Vance on 1 June, its two steps as given. */
export function current(overrides: Partial<CurrentRemediation> = {}): CurrentRemediation {
  return {
    requestId: 'rem-1',
    action: 'block-sign-in',
    isUndo: false,
    state: 'queued',
    steps: [
      { step: 'disable', label: 'Sign-in blocked', status: 'pending' },
      { step: 'revoke-sessions', label: 'Sessions revoked', status: 'pending' },
    ],
    approvedBy: ['Adele Vance'],
    approvedAt: '2025-06-01T10:00:00Z',
    ...overrides,
  };
}

/** Lee Gu's proposal to block sign-in, waiting for one approver. */
export function pending(overrides: Partial<NonNullable<RemediationView['pending']>> = {}) {
  return {
    requestId: 'rem-2',
    action: 'block-sign-in',
    proposedByName: 'Lee Gu',
    approvedBy: [],
    approvalsNeeded: 1,
    directoryRoles: [],
    ...overrides,
  } satisfies NonNullable<RemediationView['pending']>;
}

/** The NHI-001 card of Reception Desk in `state`, with this remediation view and these exceptions. */
export function mailboxCard(
  state: FindingState,
  remediation?: RemediationView,
  exceptions?: FindingExceptions,
): AdaptiveCard {
  return nhi001AlertCard({
    ...alertViewBase(MAILBOX_ID),
    state,
    owner: { source: 'sponsor', people: [{ displayName: 'Lee Gu' }] },
    subject: {
      displayName: 'Reception Desk',
      userPrincipalName: 'reception@contoso.com',
      objectId: 'm1',
      kind: 'shared',
    },
    evidence: {
      created: null,
      signIn: { available: true, lastSuccessful: null, lastInteractive: null, lastNonInteractive: null },
      licensed: false,
      licenseCount: 0,
      passwordLastSet: null,
    },
    ...(remediation ? { remediation } : {}),
    ...(exceptions ? { exceptions } : {}),
  });
}

/** The NHI-002 card of Flow Service (one flow on in a solution, one off outside) in `state`. */
export function flowsCard(
  state: FindingState,
  remediation?: RemediationView,
  exceptions?: FindingExceptions,
): AdaptiveCard {
  const view: FlowOwnerAlertView = {
    ...alertViewBase(FLOWS_ID),
    state,
    owner: { source: 'manager', people: [{ displayName: 'Lee Gu' }] },
    subject: { displayName: 'Flow Service', userPrincipalName: 'flow.service@contoso.com', objectId: 'u1' },
    evidence: {
      flows: [
        { environmentDisplayName: 'Contoso', name: 'Copy invoices', state: 'on', solutionAware: true },
        { environmentDisplayName: 'Finance', name: 'Month end', state: 'off', solutionAware: false },
      ],
      signIn: { available: true, lastSuccessful: null, lastInteractive: null, lastNonInteractive: null },
      nonInteractiveOnly: null,
      mfa: { available: true, registered: false, capable: false, methods: [] },
      directoryRoles: [],
      licensed: false,
      licenseCount: 0,
    },
    ...(remediation ? { remediation } : {}),
    ...(exceptions ? { exceptions } : {}),
  };
  return nhi002AlertCard(view);
}

/** The NHI-003 card of Print Robot in the group MFA exceptions, in `state`. */
export function driftCard(state: FindingState, remediation?: RemediationView): AdaptiveCard {
  return nhi003AlertCard({
    ...alertViewBase(DRIFT_ID),
    state,
    owner: { source: 'none', people: [] },
    subject: {
      displayName: 'Print Robot',
      userPrincipalName: 'print.robot@contoso.com',
      objectId: 'u9',
      kind: 'user',
    },
    evidence: { groupId: 'g1', groupDisplayName: 'MFA exceptions', seenAt: '2025-05-31T22:00:00Z' },
    ...(remediation ? { remediation } : {}),
  });
}

export type ShowCard = JsonObject & { card: AdaptiveCard & { actions: JsonObject[] } };

/** The titles of the card's top-level actions. */
export const titles = (card: AdaptiveCard) => ((card.actions ?? []) as JsonObject[]).map((a) => a.title);

/** The top-level action titled `title`. */
export const topAction = (card: AdaptiveCard, title: string) =>
  ((card.actions ?? []) as JsonObject[]).find((a) => a.title === title) as ShowCard | undefined;

/** The lines of the remediation section: the TextBlocks after its heading, up to the owner line. */
export function sectionLines(card: AdaptiveCard): string[] {
  const texts = textBlocks(card);
  const start = texts.indexOf('Remediation');
  if (start < 0) return [];
  const end = texts.findIndex((t, i) => i > start && /^Owners?: /.test(t));
  return texts.slice(start + 1, end < 0 ? undefined : end);
}
