import {
  ATTESTATIONS,
  ATTESTATION_TEXT,
  JUSTIFICATION_MAX,
  JUSTIFICATION_MIN,
  type Attestation,
  type CaCheck,
  type FormProblem,
  type FormValues,
} from '../domain/exceptions.js';
import { cardDate, cardNumber } from './card-text.js';
import { inert } from './escape.js';
import { SCOPE_NOTE, conditionalAccessText, type ConditionalAccessText } from './exception-text.js';
import { EXCEPTION_CANCEL_VERB, EXCEPTION_REQUEST_VERB } from './exception-verbs.js';
import {
  cardTemplate,
  compileCard,
  withInputValues,
  type AdaptiveCard,
  type InputValue,
  type JsonObject,
} from './template.js';

/** The MFA exception request form. Names and UPNs come from the tenant, raw; `values` as the person typed them. */
export interface ExceptionFormView {
  readonly findingId: string;
  readonly ruleId: 'NHI-001' | 'NHI-002';
  readonly subject: { readonly displayName: string; readonly userPrincipalName: string };
  readonly maxDays: number;
  readonly defaultDays: number;
  /** What the form held when the server refused it, so that nothing typed is lost. */
  readonly values?: FormValues | undefined;
  readonly problems?: readonly FormProblem[] | undefined;
  readonly ca: CaCheck;
  /** The exception in force that this request would renew. */
  readonly renewal?: { readonly requestId: string; readonly expiresAt: string } | undefined;
  /** An approver requests on the owners' behalf. */
  readonly onBehalf: boolean;
}

interface FormData {
  readonly title: string;
  readonly subject: string;
  readonly isRenewal: boolean;
  readonly renewal: string;
  readonly onBehalf: boolean;
  readonly hasProblems: boolean;
  readonly problems: readonly { readonly message: string }[];
  readonly maxDays: number;
  readonly durationLabel: string;
  readonly durationError: string;
  readonly caStyle: ConditionalAccessText['style'];
  readonly caText: string;
  readonly submitData: { readonly findingId: string; readonly renewalOf?: string };
  readonly findingId: string;
}

const ATTESTATION_LABEL: Readonly<Record<Attestation, string>> = {
  nonInteractiveOnly: 'Non-interactive use only',
  minimalPermissions: 'Minimal permissions',
  noWorkloadIdentityYet: 'No workload identity yet',
};

/** The longest justification the form hands back: the server keeps twice the maximum, to say how far over it is. */
const MAX_JUSTIFICATION_KEPT = JUSTIFICATION_MAX * 2;

const attestationToggles: JsonObject[] = ATTESTATIONS.map((attestation) => ({
  type: 'Input.Toggle',
  id: attestation,
  label: ATTESTATION_LABEL[attestation],
  title: ATTESTATION_TEXT[attestation],
  valueOn: 'true',
  valueOff: 'false',
  // The client refuses an unticked required toggle; the server checks all three again whatever it sends.
  isRequired: true,
  errorMessage:
    'An exception needs this attestation; if it is not true, the account needs a remediation instead.',
  wrap: true,
}));

const template = cardTemplate(
  [
    { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${subject}', spacing: 'None', wrap: true },
    { type: 'TextBlock', $when: '${isRenewal}', text: '${renewal}', wrap: true },
    {
      type: 'TextBlock',
      $when: '${onBehalf}',
      text: "You are asking as an approver, on the owners' behalf: another approver decides.",
      isSubtle: true,
      wrap: true,
    },
    {
      type: 'Container',
      $when: '${hasProblems}',
      style: 'attention',
      items: [
        { type: 'TextBlock', text: '**Fix these and submit again:**', wrap: true },
        { type: 'TextBlock', $data: '${problems}', text: '${message}', spacing: 'Small', wrap: true },
      ],
    },
    {
      type: 'Input.Text',
      id: 'justification',
      label:
        'Justification: what uses this account, and why it cannot do MFA or move to a service principal yet ' +
        `(${JUSTIFICATION_MIN} to ${cardNumber(JUSTIFICATION_MAX)} characters)`,
      placeholder:
        'For example: the invoice flows sign in to SharePoint with this account until they move to the app user.',
      isMultiline: true,
      isRequired: true,
      maxLength: JUSTIFICATION_MAX,
      regex: `^[\\s\\S]{${JUSTIFICATION_MIN},${JUSTIFICATION_MAX}}$`,
      errorMessage: `Give a justification of ${JUSTIFICATION_MIN} to ${cardNumber(JUSTIFICATION_MAX)} characters.`,
    },
    {
      type: 'Input.Number',
      id: 'durationDays',
      label: '${durationLabel}',
      min: 1,
      max: '${maxDays}',
      isRequired: true,
      errorMessage: '${durationError}',
    },
    {
      type: 'TextBlock',
      text: 'Attest to all three. If one is not true, the account needs a remediation, not an exception.',
      weight: 'Bolder',
      wrap: true,
    },
    ...attestationToggles,
    {
      type: 'Container',
      style: '${caStyle}',
      items: [{ type: 'TextBlock', text: '${caText}', wrap: true }],
    },
    { type: 'TextBlock', text: SCOPE_NOTE, isSubtle: true, wrap: true },
  ],
  [
    {
      type: 'Action.Execute',
      title: 'Submit request',
      verb: EXCEPTION_REQUEST_VERB,
      data: '${submitData}',
      associatedInputs: 'auto',
    },
    {
      type: 'Action.Execute',
      title: 'Cancel',
      verb: EXCEPTION_CANCEL_VERB,
      data: { findingId: '${findingId}' },
      associatedInputs: 'none',
    },
  ],
);

const expand: (data: FormData) => AdaptiveCard = compileCard(template);

/**
 * The form an owner (or an approver on their behalf) fills in to request an MFA exception or renew one: the
 * justification, the duration and the three attestations, with what Conditional Access would make of it and what
 * no exception covers. Shown again with the server's problems at the top when it refused the form, holding what
 * the person typed.
 */
export function exceptionFormCard(view: ExceptionFormView): AdaptiveCard {
  const name = inert(view.subject.displayName);
  const upn = inert(view.subject.userPrincipalName);
  const ca = conditionalAccessText(view.ca);
  const problems = view.problems ?? [];
  const card = expand({
    title: view.renewal ? 'Renew the MFA exception' : 'Request an MFA exception',
    subject: `${view.ruleId} finding for **${name || upn || 'this account'}**${name && upn ? ` (${upn})` : ''}`,
    isRenewal: view.renewal !== undefined,
    renewal:
      `This renews the exception that ends on ${cardDate(view.renewal?.expiresAt) ?? 'an unknown date'}. ` +
      "Approvers see the request and Warden's checks again; the new period starts when it is approved.",
    onBehalf: view.onBehalf,
    hasProblems: problems.length > 0,
    problems: problems.map((p) => ({ message: `• ${inert(p.message, 500)}` })),
    maxDays: view.maxDays,
    durationLabel: `Duration in days (1 to ${cardNumber(view.maxDays)})`,
    durationError: `Choose 1 to ${cardNumber(view.maxDays)} days, in whole days.`,
    caStyle: ca.style,
    caText: ca.text,
    submitData: {
      findingId: view.findingId,
      ...(view.renewal ? { renewalOf: view.renewal.requestId } : {}),
    },
    findingId: view.findingId,
  });
  return withInputValues(card, inputValues(view));
}

/** What the inputs show: what the person typed, else the defaults (an empty justification, no attestation). */
function inputValues(view: ExceptionFormView): Record<string, InputValue> {
  const values = view.values;
  const typedDays = values?.durationDays.trim() ?? '';
  const days = /^\d{1,6}$/.test(typedDays) ? Number(typedDays) : view.defaultDays;
  const result: Record<string, InputValue> = { durationDays: days };
  if (values?.justification) result.justification = values.justification.slice(0, MAX_JUSTIFICATION_KEPT);
  for (const attestation of ATTESTATIONS) result[attestation] = values?.[attestation] ? 'true' : 'false';
  return result;
}
