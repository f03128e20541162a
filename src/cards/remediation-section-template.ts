import { commentShowCard } from './comment-action.js';
import {
  PENDING_COMMENT_ID,
  REMEDIATION_APPROVE_VERB,
  REMEDIATION_PROPOSE_VERB,
  REMEDIATION_REJECT_VERB,
  REMEDIATION_RETRY_VERB,
  REMEDIATION_UNDO_VERB,
  UNDO_COMMENT_ID,
} from './remediation-verbs.js';
import type { JsonObject } from './template.js';

/**
 * The template of the remediation section on the NHI-001, NHI-002 and NHI-003 alert cards, and of its actions; the
 * data they read comes from `remediationSection` (remediation-section.ts).
 */

/** The section's body: a heading and its lines (what was done or waits, what is not available, manual work). */
export const REMEDIATION_SECTION: readonly JsonObject[] = [
  {
    type: 'Container',
    $when: '${hasRemediation}',
    separator: true,
    spacing: 'Medium',
    items: [
      { type: 'TextBlock', text: 'Remediation', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        $data: '${remediationLines}',
        text: '${text}',
        color: '${color}',
        isSubtle: '${subtle}',
        spacing: 'Small',
        wrap: true,
      },
    ],
  },
];

const COMMENT_LABEL = 'Comment (optional): kept in the audit log';

/** A warning above a comment box, shown when `when` holds. */
function warning(when: string, text: string): JsonObject {
  return {
    type: 'Container',
    $when: when,
    style: 'warning',
    items: [{ type: 'TextBlock', text, wrap: true }],
  };
}

/**
 * The section's actions, before the MFA exception's and the shared ones: a ShowCard per available action, the
 * decision on a waiting proposal, Retry and Undo…. Each comment box has its own id (remediation-verbs.ts).
 */
export const REMEDIATION_ACTIONS: readonly JsonObject[] = [
  {
    $data: '${remediationOptions}',
    ...commentShowCard({
      title: '${title}',
      label: COMMENT_LABEL,
      inputId: '${inputId}',
      before: [warning('${hasWarning}', '${warning}')],
      actions: [
        {
          type: 'Action.Execute',
          title: 'Approve',
          verb: REMEDIATION_APPROVE_VERB,
          data: { findingId: '${findingId}', action: '${action}' },
        },
        {
          type: 'Action.Execute',
          title: 'Propose',
          verb: REMEDIATION_PROPOSE_VERB,
          data: { findingId: '${findingId}', action: '${action}' },
        },
      ],
    }),
  },
  commentShowCard({
    when: '${canDecideRemediation}',
    title: 'Approve or reject…',
    label: COMMENT_LABEL,
    inputId: PENDING_COMMENT_ID,
    before: [warning('${hasPendingWarning}', '${pendingWarning}')],
    actions: [
      {
        type: 'Action.Execute',
        title: 'Approve',
        verb: REMEDIATION_APPROVE_VERB,
        data: { requestId: '${pendingRemediationId}' },
      },
      {
        type: 'Action.Execute',
        title: 'Reject',
        verb: REMEDIATION_REJECT_VERB,
        data: { requestId: '${pendingRemediationId}' },
      },
    ],
  }),
  {
    type: 'Action.Execute',
    $when: '${canRetryRemediation}',
    title: 'Retry',
    verb: REMEDIATION_RETRY_VERB,
    data: { requestId: '${currentRemediationId}' },
  },
  commentShowCard({
    when: '${canUndoRemediation}',
    title: 'Undo…',
    label: 'Why undo it? (optional): kept in the audit log',
    inputId: UNDO_COMMENT_ID,
    actions: [
      {
        type: 'Action.Execute',
        title: 'Undo',
        verb: REMEDIATION_UNDO_VERB,
        data: { requestId: '${currentRemediationId}' },
      },
    ],
  }),
];
