import { nhi001AlertCard, type MailboxAlertView } from '../../src/cards/nhi-001-alert-card.js';
import type { AdaptiveCard, JsonObject } from '../../src/cards/template.js';
import type { FindingExceptions } from '../../src/domain/exceptions.js';
import type { FindingState } from '../../src/domain/records.js';
import { alertViewBase } from './alert-card-fixtures.js';
import { textBlocks } from './card-json.js';

// The exception section is shared by the NHI-001 and NHI-002 cards; its tests exercise it through NHI-001.
export const SECTION_FINDING_ID = 'NHI-001:m1';

/** The NHI-001 card of Reception Desk (reception@contoso.com) in `state`, with these exceptions. */
export function sectionCard(
  state: FindingState,
  exceptions?: FindingExceptions,
  mode: MailboxAlertView['mode'] = 'enforce',
): AdaptiveCard {
  return nhi001AlertCard({
    ...alertViewBase(SECTION_FINDING_ID),
    state,
    mode,
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
    ...(exceptions ? { exceptions } : {}),
  });
}

/** The titles of the card's top-level actions. */
export const actionTitles = (card: AdaptiveCard) =>
  ((card.actions ?? []) as JsonObject[]).map((a) => a.title);

/** The top-level action titled `title`, with the card it shows, if any. */
export const action = (card: AdaptiveCard, title: string) =>
  ((card.actions ?? []) as JsonObject[]).find((a) => a.title === title) as
    (JsonObject & { card: AdaptiveCard & { actions: JsonObject[] } }) | undefined;

/** Whether a TextBlock anywhere in the card reads exactly `text`. */
export const has = (card: AdaptiveCard, text: string) => textBlocks(card).includes(text);
