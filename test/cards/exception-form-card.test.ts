import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { exceptionFormCard, type ExceptionFormView } from '../../src/cards/exception-form-card.js';
import { EXCEPTION_CANCEL_VERB, EXCEPTION_REQUEST_VERB } from '../../src/cards/exception-verbs.js';
import type { AdaptiveCard, JsonObject } from '../../src/cards/template.js';
import {
  ATTESTATIONS,
  ATTESTATION_TEXT,
  DURABLE_FIX,
  HONEST_SCOPE,
  checkExceptionForm,
} from '../../src/domain/exceptions.js';
import { ENVELOPE, cardStrings, textBlock, textBlocks } from './card-json.js';
import { cardBytes, cardProblems, inputsIn } from './card-shape.js';
import {
  CA_NOT_PREMIUM,
  CA_NO_PERMISSION,
  CA_NO_POLICY,
  CA_WITH_POLICIES,
  MARKUP,
  caWith,
} from './exception-fixtures.js';
import { hostile, huge, liveMarkup } from './hostile.js';

const FINDING_ID = 'NHI-002:7c9e6679-7425-40de-944b-e07fc1f90ae7';

function view(overrides: Partial<ExceptionFormView> = {}): ExceptionFormView {
  return {
    findingId: FINDING_ID,
    ruleId: 'NHI-002',
    subject: { displayName: 'Flow Service', userPrincipalName: 'flow.service@contoso.com' },
    maxDays: 90,
    defaultDays: 30,
    ca: CA_WITH_POLICIES,
    onBehalf: false,
    ...overrides,
  };
}

const input = (card: AdaptiveCard, id: string) => inputsIn(card).find((i) => i.id === id);
const caText = (card: AdaptiveCard) => textBlock(card, (t) => t.startsWith('**Conditional Access:**'))?.text;

/** Every string a reader sees rendered as markdown: all but the values inside the inputs, which show as typed. */
function renderedStrings(card: AdaptiveCard): AdaptiveCard {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    const node = value as JsonObject;
    const entries = Object.entries(node).filter(
      ([key]) => !(key === 'value' && typeof node.type === 'string' && node.type.startsWith('Input.')),
    );
    return Object.fromEntries(entries.map(([key, child]) => [key, strip(child)]));
  };
  return strip(card) as AdaptiveCard;
}

describe('exceptionFormCard', () => {
  it('when an owner opens the form, then it is a well-formed card titled for the account, with every input and its bounds', () => {
    const card = exceptionFormCard(view());
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    const texts = textBlocks(card);
    expect(texts[0]).toBe('Request an MFA exception');
    expect(texts[1]).toBe('NHI-002 finding for **Flow Service** (flow\\.service@contoso\\.com)');
    expect(inputsIn(card).map((i) => i.id)).toEqual(['justification', 'durationDays', ...ATTESTATIONS]);

    const justification = input(card, 'justification')!;
    expect(justification).toMatchObject({
      type: 'Input.Text',
      isMultiline: true,
      isRequired: true,
      maxLength: 1000,
    });
    expect(justification.label).toContain('what uses this account');
    expect(justification.value).toBeUndefined();
    const regex = new RegExp(justification.regex as string);
    expect(regex.test('x'.repeat(19))).toBe(false);
    expect(regex.test('Nightly invoice import\nfrom SharePoint')).toBe(true);
    expect(regex.test('x'.repeat(1000))).toBe(true);
    expect(regex.test('x'.repeat(1001))).toBe(false);

    expect(input(card, 'durationDays')).toMatchObject({
      type: 'Input.Number',
      min: 1,
      max: 90,
      value: 30,
      isRequired: true,
      label: 'Duration in days (1 to 90)',
    });
  });

  it('when the form opens, then the three attestations are toggles worded as the domain words them, off', () => {
    const card = exceptionFormCard(view());
    for (const attestation of ATTESTATIONS) {
      expect(input(card, attestation)).toMatchObject({
        type: 'Input.Toggle',
        title: ATTESTATION_TEXT[attestation],
        valueOn: 'true',
        valueOff: 'false',
        value: 'false',
        isRequired: true,
      });
    }
  });

  it('when submitted or cancelled, then the actions carry the verbs, the finding and which inputs to send', () => {
    const card = exceptionFormCard(view());
    expect(card.actions).toEqual([
      {
        type: 'Action.Execute',
        title: 'Submit request',
        verb: EXCEPTION_REQUEST_VERB,
        data: { findingId: FINDING_ID },
        associatedInputs: 'auto',
      },
      {
        type: 'Action.Execute',
        title: 'Cancel',
        verb: EXCEPTION_CANCEL_VERB,
        data: { findingId: FINDING_ID },
        associatedInputs: 'none',
      },
    ]);
    expect([EXCEPTION_REQUEST_VERB, EXCEPTION_CANCEL_VERB]).toEqual([
      'exception.request',
      'exception.cancel',
    ]);
  });

  it('when renewing, then the title, a line on the current end and the data name the exception renewed', () => {
    const card = exceptionFormCard(
      view({ renewal: { requestId: 'req-1', expiresAt: '2025-07-02T10:00:00.000Z' } }),
    );
    const texts = textBlocks(card);
    expect(texts[0]).toBe('Renew the MFA exception');
    expect(texts).toContain(
      'This renews the exception that ends on {{DATE(2025-07-02T10:00:00Z, SHORT)}}. Approvers see the request ' +
        "and Warden's checks again; the new period starts when it is approved.",
    );
    expect((card.actions as JsonObject[])[0]!.data).toEqual({ findingId: FINDING_ID, renewalOf: 'req-1' });
    expect(textBlocks(exceptionFormCard(view())).some((t) => t.startsWith('This renews'))).toBe(false);
  });

  it('when an approver asks on the owners’ behalf, then a line says another approver decides', () => {
    const line = "You are asking as an approver, on the owners' behalf: another approver decides.";
    expect(textBlocks(exceptionFormCard(view({ onBehalf: true })))).toContain(line);
    expect(textBlocks(exceptionFormCard(view()))).not.toContain(line);
  });

  it('when the server refused the form, then its problems head the card and every input keeps what was typed', () => {
    const check = checkExceptionForm(
      {
        justification: 'too short',
        durationDays: '120',
        nonInteractiveOnly: 'true',
        minimalPermissions: 'false',
      },
      90,
    );
    if (check.ok) throw new Error('the form should be refused');
    const card = exceptionFormCard(view({ problems: check.problems, values: check.values }));
    expect(cardProblems(card)).toEqual([]);
    const problems = card.body.find((e) => e.type === 'Container' && e.style === 'attention');
    expect(card.body.indexOf(problems!)).toBeLessThan(card.body.findIndex((e) => e.type === 'Input.Text'));
    const texts = textBlocks(card);
    expect(texts).toContain('**Fix these and submit again:**');
    for (const problem of check.problems) expect(texts).toContain(`• ${inert(problem.message, 500)}`);
    expect(check.problems.map((p) => p.field)).toEqual([
      'justification',
      'durationDays',
      'minimalPermissions',
      'noWorkloadIdentityYet',
    ]);
    expect(input(card, 'justification')!.value).toBe('too short');
    expect(input(card, 'durationDays')!.value).toBe(120);
    expect(input(card, 'nonInteractiveOnly')!.value).toBe('true');
    expect(input(card, 'minimalPermissions')!.value).toBe('false');
  });

  it('when the typed duration is not a number, then the default shows instead, since a number input cannot hold it', () => {
    const values = {
      justification: '',
      durationDays: 'ninety',
      nonInteractiveOnly: false,
      minimalPermissions: false,
      noWorkloadIdentityYet: false,
    };
    expect(input(exceptionFormCard(view({ values })), 'durationDays')!.value).toBe(30);
  });

  it('when there are no problems, then no attention container shows', () => {
    expect(
      exceptionFormCard(view()).body.some((e) => e.type === 'Container' && e.style === 'attention'),
    ).toBe(false);
  });

  it('when enabled policies exclude the group, then they are named and those requiring MFA are marked', () => {
    const card = exceptionFormCard(view());
    expect(caText(card)).toContain(
      ': Require MFA for all users (requires MFA), Block legacy authentication.',
    );
    expect(card.body.find((e) => e.type === 'Container')).toMatchObject({ style: 'emphasis' });
  });

  it('when no enabled policy excludes the group, then a warning says the exception would have no effect', () => {
    const card = exceptionFormCard(view({ ca: CA_NO_POLICY }));
    expect(card.body.find((e) => e.type === 'Container')).toMatchObject({ style: 'warning' });
    expect(caText(card)).toBe(
      '**Conditional Access:** no enabled policy excludes the exception group (checked ' +
        '{{DATE(2025-06-01T08:59:00Z, SHORT)}} {{TIME(2025-06-01T08:59:00Z)}}), so this exception would have no ' +
        'effect until an administrator excludes the group from the MFA policy.',
    );
  });

  it('when only policies without MFA exclude the group, then the warning says the exception changes nothing about MFA', () => {
    const card = exceptionFormCard(
      view({
        ca: caWith([{ id: 'p', displayName: 'Block legacy', requiresMfa: false }]),
      }),
    );
    expect(card.body.find((e) => e.type === 'Container')).toMatchObject({ style: 'warning' });
    expect(caText(card)).toContain('None of them requires MFA');
  });

  it('when Conditional Access could not be checked, then the form says why and that approvers decide without it', () => {
    expect(caText(exceptionFormCard(view({ ca: CA_NO_PERMISSION })))).toContain(
      'Warden lacks Policy\\.Read\\.All, which an administrator can grant. Approvers decide without this check.',
    );
    expect(caText(exceptionFormCard(view({ ca: CA_NOT_PREMIUM })))).toContain(
      'the tenant has no Microsoft Entra ID P1 licence, which Conditional Access needs. Approvers decide without this check.',
    );
  });

  it('when shown, then it says what no exception covers and what the durable fix is', () => {
    const note = textBlock(exceptionFormCard(view()), (t) => t.startsWith(HONEST_SCOPE));
    expect(note).toMatchObject({ text: `${HONEST_SCOPE} ${DURABLE_FIX}`, isSubtle: true });
  });

  it('when names and the typed justification hold markup, then the card shows them inert and the input gives back exactly what was typed', () => {
    const card = exceptionFormCard(
      view({
        subject: { displayName: MARKUP, userPrincipalName: hostile('upn') },
        ca: caWith([{ id: 'p', displayName: hostile('policy'), requiresMfa: true }]),
        problems: [{ field: 'justification', message: hostile('problem') }],
        values: {
          justification: MARKUP,
          durationDays: '30',
          nonInteractiveOnly: true,
          minimalPermissions: true,
          noWorkloadIdentityYet: true,
        },
      }),
    );
    expect(liveMarkup(renderedStrings(card))).toEqual([]);
    expect(cardStrings(renderedStrings(card)).join('\n')).not.toContain('${');
    const texts = textBlocks(card);
    expect(texts[1]).toBe(`NHI-002 finding for **${inert(MARKUP)}** (${inert(hostile('upn'))})`);
    expect(texts).toContain(`• ${inert(hostile('problem'), 500)}`);
    expect(caText(card)).toContain(inert(hostile('policy'), 120));
    expect(input(card, 'justification')!.value).toBe(MARKUP);
  });

  it('when the typed justification is 5,000 characters, then the card hands back at most 2,000 and stays small', () => {
    const card = exceptionFormCard(
      view({
        values: {
          justification: huge('j'),
          durationDays: '30',
          nonInteractiveOnly: true,
          minimalPermissions: true,
          noWorkloadIdentityYet: true,
        },
        subject: { displayName: huge('n'), userPrincipalName: huge('u') },
      }),
    );
    expect((input(card, 'justification')!.value as string).length).toBe(2000);
    expect(cardBytes(card)).toBeLessThan(40_000);
  });
});
