import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

/** Why Warden refused a button click; each says what to do next. */
export interface RefusalCardView {
  readonly title: string;
  readonly reason: string;
  readonly next: string;
}

const template = cardTemplate([
  { type: 'TextBlock', text: '${title}', size: 'Medium', weight: 'Bolder', wrap: true },
  { type: 'TextBlock', text: '${reason}', wrap: true },
  { type: 'TextBlock', text: '${next}', isSubtle: true, wrap: true },
]);

const expand: (data: RefusalCardView) => AdaptiveCard = compileCard(template);

/**
 * The card returned to the person who clicked, and to them alone, when Warden refuses an action. The shared card
 * stays as it was. Every field may quote something the client sent, so every field is made inert.
 */
export function refusalCard(view: RefusalCardView): AdaptiveCard {
  return expand({ title: inert(view.title), reason: inert(view.reason, 512), next: inert(view.next, 512) });
}

/** The refusal for a button whose data Warden cannot read (a card from an older release, or a crafted invoke). */
export function unreadableCard(
  next = 'Nothing was changed. Look for the current card in the alerts channel, or type help.',
): AdaptiveCard {
  return refusalCard({
    title: 'This card could not be read',
    reason: 'The button sent data Warden does not recognise. The card may be out of date.',
    next,
  });
}
