import { commentShowCard } from './comment-action.js';
import {
  EXCEPTION_APPROVE_VERB,
  EXCEPTION_FORM_VERB,
  EXCEPTION_REJECT_VERB,
  EXCEPTION_REVOKE_VERB,
} from './exception-verbs.js';
import type { JsonObject } from './template.js';

/**
 * The template of the MFA exception section on the NHI-001 and NHI-002 alert cards, and of its actions; the data
 * they read comes from `exceptionSection` (exception-card-parts.ts).
 */

/** The section's body elements; a part per exception (in force, then waiting, or else the last one). */
export const EXCEPTION_SECTION: readonly JsonObject[] = [
  {
    type: 'Container',
    $data: '${exceptionParts}',
    separator: true,
    spacing: 'Medium',
    items: [
      { type: 'TextBlock', text: '${heading}', weight: 'Bolder', wrap: true },
      {
        type: 'FactSet',
        $when: '${hasFacts}',
        facts: [{ $data: '${facts}', title: '${title}', value: '${value}' }],
      },
      {
        type: 'TextBlock',
        $data: '${lines}',
        text: '${text}',
        color: '${color}',
        isSubtle: '${subtle}',
        spacing: 'Small',
        wrap: true,
      },
      {
        type: 'Container',
        $when: '${hasCa}',
        style: '${caStyle}',
        items: [{ type: 'TextBlock', text: '${caText}', wrap: true }],
      },
      { type: 'TextBlock', $when: '${hasScope}', text: '${scope}', isSubtle: true, wrap: true },
      { type: 'TextBlock', $when: '${hasNote}', text: '${note}', isSubtle: true, wrap: true },
    ],
  },
];

/**
 * The section's actions, before the shared Assign owner… and Dismiss…. Approve and Reject share one comment box:
 * two ShowCards would hold two inputs with the id `comment`, which Adaptive Cards forbids.
 */
export const EXCEPTION_ACTIONS: readonly JsonObject[] = [
  {
    type: 'Action.Execute',
    $when: '${offerRequest}',
    title: 'Request MFA exception',
    verb: EXCEPTION_FORM_VERB,
    data: { findingId: '${findingId}' },
  },
  commentShowCard({
    when: '${canDecide}',
    title: 'Approve or reject…',
    label: 'Comment (optional): shown on the card and kept in the audit log',
    actions: [
      {
        type: 'Action.Execute',
        title: 'Approve',
        verb: EXCEPTION_APPROVE_VERB,
        data: { requestId: '${pendingRequestId}' },
      },
      {
        type: 'Action.Execute',
        title: 'Reject',
        verb: EXCEPTION_REJECT_VERB,
        data: { requestId: '${pendingRequestId}' },
      },
    ],
  }),
  commentShowCard({
    when: '${canRevoke}',
    title: 'Revoke exception…',
    label: 'Why revoke it? (optional): shown in the thread and kept in the audit log',
    actions: [
      {
        type: 'Action.Execute',
        title: 'Revoke',
        verb: EXCEPTION_REVOKE_VERB,
        data: { requestId: '${activeRequestId}' },
      },
    ],
  }),
  {
    type: 'Action.Execute',
    $when: '${canRevoke}',
    title: 'Request renewal',
    verb: EXCEPTION_FORM_VERB,
    data: { findingId: '${findingId}', renewal: true },
  },
];
