import { exceptionPayload, type CaCheck, type FormProblem, type FormValues } from '../domain/exceptions.js';
import type { ApprovalRequest, Finding } from '../domain/records.js';
import type { ExceptionFormView } from './exception-form-card.js';
import {
  exceptionEndedCard,
  exceptionReminderCard,
  type ExceptionNoticeSubject,
  type RemovalOutcome,
} from './exception-notices.js';
import type { AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

/**
 * Views of the MFA exception cards built from stored records, for the workflows' ExceptionNotices port and the
 * Teams layer's form: the subject's UPN lives in the finding's evidence, which only the cards know how to read.
 */

/** The account a finding is about: its name, and the UPN its rule's evidence recorded ('' when none). */
export function exceptionSubject(finding: Finding): ExceptionNoticeSubject {
  const evidence = finding.evidence as { readonly upn?: unknown } | null;
  const upn = evidence?.upn;
  return { displayName: finding.subjectDisplayName, userPrincipalName: typeof upn === 'string' ? upn : '' };
}

/** What the form needs beside the finding; the workflow's FormContext has this shape. */
export interface ExceptionFormContext {
  readonly ca: CaCheck;
  readonly maxDays: number;
  readonly defaultDays: number;
  readonly renewal?: { readonly requestId: string; readonly expiresAt: string } | undefined;
  readonly onBehalf: boolean;
}

/** The form's view for a finding, with the server's problems and the typed values when it refused the form. */
export function exceptionFormView(
  finding: Finding,
  context: ExceptionFormContext,
  refused?: { readonly problems: readonly FormProblem[]; readonly values: FormValues },
): ExceptionFormView {
  return {
    findingId: finding.id,
    ruleId: finding.ruleId === 'NHI-002' ? 'NHI-002' : 'NHI-001',
    subject: exceptionSubject(finding),
    maxDays: context.maxDays,
    defaultDays: context.defaultDays,
    ca: context.ca,
    onBehalf: context.onBehalf,
    ...(context.renewal ? { renewal: context.renewal } : {}),
    ...(refused ? { problems: refused.problems, values: refused.values } : {}),
  };
}

/** Renders the exception notices (the workflows' ExceptionNotices); the mode and clock come from the composition root. */
export function createExceptionNotices(
  mode: WardenMode,
  clock: { now(): Date },
): {
  reminder(finding: Finding, request: ApprovalRequest, expiresAt: Date): AdaptiveCard;
  ended(finding: Finding, request: ApprovalRequest, removal: RemovalOutcome): AdaptiveCard;
} {
  return {
    reminder: (finding, _request, expiresAt) =>
      exceptionReminderCard({
        subject: exceptionSubject(finding),
        findingId: finding.id,
        expiresAt: expiresAt.toISOString(),
        now: clock.now().toISOString(),
        mode,
      }),
    ended: (finding, request, removal) => {
      const end = exceptionPayload(request).end;
      return exceptionEndedCard({
        subject: exceptionSubject(finding),
        findingId: finding.id,
        end: end
          ? {
              reason: end.reason,
              at: end.at,
              ...(end.byDisplayName ? { byDisplayName: end.byDisplayName } : {}),
              ...(end.comment ? { comment: end.comment } : {}),
            }
          : { reason: 'expired', at: clock.now().toISOString() },
        removal,
      });
    },
  };
}
