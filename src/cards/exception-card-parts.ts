import {
  ATTESTATIONS,
  ATTESTATION_TEXT,
  JUSTIFICATION_MAX,
  exceptionExpiry,
  exceptionPayload,
  type ExceptionPayload,
  type ExceptionStatus,
  type FindingExceptions,
} from '../domain/exceptions.js';
import type { FindingState } from '../domain/records.js';
import { cardDate, cardDateTime } from './card-text.js';
import { inert } from './escape.js';
import {
  SCOPE_NOTE,
  claimLine,
  conditionalAccessText,
  days,
  line,
  membershipLine,
  type CardLine,
  type ConditionalAccessText,
} from './exception-text.js';
import { COMMENT_MAX_LENGTH } from './exception-verbs.js';

/**
 * The MFA exception section of the NHI-001 and NHI-002 alert cards: the request waiting for approvers with its
 * claims as Warden checked them, the exception in force and its group membership, or how the last one ended; and
 * which of its actions show (exception-section-template.ts). Shown to everyone in the thread; the server decides
 * who may click.
 */

/** What the section reads from an alert card's view. Names and UPNs come from the tenant, raw. */
export interface ExceptionSectionView {
  readonly findingId: string;
  readonly state: FindingState;
  readonly subject: { readonly displayName: string; readonly userPrincipalName: string };
  readonly exceptions?: FindingExceptions | undefined;
}

interface ExceptionPart {
  readonly heading: string;
  readonly hasFacts: boolean;
  readonly facts: readonly { readonly title: string; readonly value: string }[];
  readonly lines: readonly CardLine[];
  readonly hasCa: boolean;
  readonly caStyle: ConditionalAccessText['style'];
  readonly caText: string;
  readonly hasScope: boolean;
  readonly scope: string;
  readonly hasNote: boolean;
  readonly note: string;
}

/** The template fields the section and its actions read. */
export interface ExceptionSectionData {
  readonly exceptionParts: readonly ExceptionPart[];
  /** The section says what no exception covers, so a card need not say it again. */
  readonly saysScope: boolean;
  readonly offerRequest: boolean;
  readonly canDecide: boolean;
  readonly pendingRequestId: string;
  readonly canRevoke: boolean;
  readonly activeRequestId: string;
}

const DECIDE_NOTE =
  'Approving and rejecting are for approvers other than the requester: Warden checks who clicks, and anyone ' +
  'else gets an answer only they can see.';
const ACTIVE_NOTE =
  'Revoking is for approvers; the owners, or an approver on their behalf, can request a renewal. Warden checks ' +
  'who clicks.';

/** States in which a decision or a revocation can still apply; in any other the buttons would only be refused. */
const EXCEPTION_STATES: readonly FindingState[] = ['exception-requested', 'exception-active'];

/** The section's data for an alert card's view: no parts and no actions when the view carries no exceptions. */
export function exceptionSection(view: ExceptionSectionView): ExceptionSectionData {
  const { active, pending, last } = view.exceptions ?? {};
  const account = inert(view.subject.userPrincipalName) || inert(view.subject.displayName) || 'the account';
  const parts = [
    ...(active ? [activePart(active, account, pending !== undefined)] : []),
    ...(pending ? [pendingPart(pending, active)] : []),
    ...(!active && !pending && last ? [lastPart(last)] : []),
  ];
  const deciding = EXCEPTION_STATES.includes(view.state);
  return {
    exceptionParts: parts,
    saysScope: parts.some((p) => p.hasScope),
    offerRequest: view.state === 'open' && !active && !pending,
    canDecide: deciding && pending !== undefined,
    pendingRequestId: pending?.request.id ?? '',
    canRevoke: deciding && active !== undefined && pending === undefined,
    activeRequestId: active?.request.id ?? '',
  };
}

function part(
  heading: string,
  lines: readonly CardLine[],
  more: { facts?: ExceptionPart['facts']; ca?: ExceptionPayload['ca']; note?: string } = {},
): ExceptionPart {
  const ca = more.ca ? conditionalAccessText(more.ca) : undefined;
  return {
    heading,
    hasFacts: (more.facts?.length ?? 0) > 0,
    facts: more.facts ?? [],
    lines,
    hasCa: ca !== undefined,
    caStyle: ca?.style ?? 'emphasis',
    caText: ca?.text ?? '',
    // What no exception covers belongs beside a request or an exception in force, not beside a closed one.
    hasScope: ca !== undefined,
    scope: SCOPE_NOTE,
    hasNote: more.note !== undefined,
    note: more.note ?? '',
  };
}

function pendingPart(pending: ExceptionStatus, active: ExceptionStatus | undefined): ExceptionPart {
  const { request } = pending;
  const payload = exceptionPayload(request);
  const by = inert(payload.requestedByName);
  const renews = payload.renewalOf
    ? ` to renew the exception ending ${cardDate(active?.expiresAt) ?? 'soon'}`
    : '';
  const heading = `MFA exception requested${by ? ` by ${by}` : ''} on ${cardDate(request.createdAt) ?? 'an unknown date'}${renews}`;
  const justification = inert(payload.justification, JUSTIFICATION_MAX) || 'none given';
  return part(heading, [line(`**Justification:** ${justification}`), ...attestationLines(payload)], {
    facts: [
      { title: 'Duration', value: days(payload.durationDays) },
      { title: 'Evidence as of', value: cardDateTime(payload.evidenceAt) ?? 'unknown' },
    ],
    ca: payload.ca,
    note: DECIDE_NOTE,
  });
}

/**
 * Each attestation, followed by what Warden's evidence says about it. A request holds all three (the form is
 * refused without them), so each reads as attested.
 */
function attestationLines(payload: ExceptionPayload): CardLine[] {
  return ATTESTATIONS.flatMap((attestation) => [
    line(`☑ **Attested:** ${ATTESTATION_TEXT[attestation]}`),
    ...payload.claims.filter((claim) => claim.attestation === attestation).map(claimLine),
  ]);
}

function activePart(active: ExceptionStatus, account: string, renewalPending: boolean): ExceptionPart {
  const { request } = active;
  const payload = exceptionPayload(request);
  const until = cardDate(active.expiresAt ?? exceptionExpiry(request)?.toISOString()) ?? 'an unknown date';
  const approval = request.decisions.find((d) => d.verdict === 'approve');
  const by = inert(active.deciderName) || 'an approver';
  const comment = inert(approval?.comment, COMMENT_MAX_LENGTH);
  const approved = `Approved by ${by} on ${cardDate(approval?.at) ?? 'an unknown date'}${comment ? `: ${comment}` : '.'}`;
  return part(
    `MFA exception active until ${until}`,
    [
      line(approved),
      line(`**Justification:** ${inert(payload.justification, 300) || 'none given'}`),
      ...(active.membership ? [membershipLine(active.membership, account, active.membershipError)] : []),
    ],
    {
      facts: [{ title: 'Duration', value: days(payload.durationDays) }],
      ca: payload.caAtApproval ?? payload.ca,
      ...(renewalPending ? {} : { note: ACTIVE_NOTE }),
    },
  );
}

function lastPart(last: ExceptionStatus): ExceptionPart {
  const { request } = last;
  const { end } = exceptionPayload(request);
  const comment = (text: string | undefined) => {
    const shown = inert(text, COMMENT_MAX_LENGTH);
    return shown ? [line(`Comment: ${shown}`)] : [];
  };
  if (end) {
    const how =
      end.reason === 'expired'
        ? 'it expired'
        : end.reason === 'revoked'
          ? `revoked by ${inert(end.byDisplayName) || 'an approver'}`
          : 'its renewal took over';
    return part(
      `The MFA exception ended on ${cardDate(end.at) ?? 'an unknown date'}: ${how}`,
      comment(end.comment),
    );
  }
  switch (request.state) {
    case 'rejected': {
      const rejection = request.decisions.find((d) => d.verdict === 'reject');
      const on = cardDate(rejection?.at ?? request.updatedAt) ?? 'an unknown date';
      const by = inert(last.deciderName) || 'an approver';
      return part(`MFA exception request rejected by ${by} on ${on}`, comment(rejection?.comment));
    }
    case 'cancelled':
      return part(
        `MFA exception request cancelled on ${cardDate(request.updatedAt) ?? 'an unknown date'}`,
        [],
      );
    case 'expired':
      return part(
        `MFA exception request expired on ${cardDate(request.updatedAt) ?? 'an unknown date'} without a decision`,
        [],
      );
    default:
      return part(`MFA exception request ${request.state}`, []);
  }
}
