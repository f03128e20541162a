import type { SignInEvidence } from '../domain/directory.js';
import type { MfaEvidence } from '../domain/flow-owner.js';
import { cardDateTime, cardNumber } from './card-text.js';
import { inert } from './escape.js';
import type { Fact } from './finding-card-parts.js';

/** Evidence facts that more than one alert card shows: sign-ins, the gaps in Graph's evidence, licences. */

/** The sign-in facts; `nonInteractiveOnly` adds the sign-in pattern line when true. */
export function signInFacts(signIn: SignInEvidence, nonInteractiveOnly: boolean | null = null): Fact[] {
  if (!signIn.available)
    return [
      { title: 'Sign-ins', value: `Sign-in evidence unavailable: ${gapText(signIn, 'sign-in activity')}` },
    ];
  const when = (iso: string | null) => cardDateTime(iso) ?? 'none recorded';
  return [
    ...(nonInteractiveOnly === true
      ? [
          {
            title: 'Sign-in pattern',
            value: 'Non-interactive only (none interactive for 90 days): a sign of a technical account',
          },
        ]
      : []),
    { title: 'Last successful sign-in', value: when(signIn.lastSuccessful) },
    { title: 'Last interactive sign-in', value: when(signIn.lastInteractive) },
    { title: 'Last non-interactive sign-in', value: when(signIn.lastNonInteractive) },
  ];
}

/** Why Graph gave no evidence of `what` (sign-in activity, MFA registration), with the tenant's detail inert. */
export function gapText(
  gap: Extract<SignInEvidence, { available: false }> | Extract<MfaEvidence, { available: false }>,
  what: string,
): string {
  switch (gap.reason) {
    case 'not-premium':
      return `the tenant has no Microsoft Entra ID P1 licence, which Graph needs to report ${what}.`;
    case 'permission-missing':
      return `Warden lacks ${inert(gap.permission, 80)}; an administrator can grant it.`;
    case 'unavailable':
      return inert(gap.detail, 200) || 'Microsoft Graph did not return it.';
  }
}

export function licences(licensed: boolean, count: number): string {
  if (!licensed) return 'none';
  return count > 0 ? `${cardNumber(count)} assigned` : 'assigned';
}
