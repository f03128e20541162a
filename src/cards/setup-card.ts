import { MODE_LABEL, MODE_MEANING, cardDateTime, countOf } from './card-text.js';
import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';
import type { WardenMode } from './welcome-card.js';

/** The confirmation after an approver types `setup` in a channel. */
export interface SetupCardView {
  /** Display name of the approver who ran setup, from the tenant. */
  readonly setBy: string;
  /** ISO 8601. */
  readonly at: string;
  /** Findings that were waiting for an alerts channel and are being posted to this one now. */
  readonly findingsPosting: number;
  readonly mode: WardenMode;
}

interface SetupCardData {
  readonly setBy: string;
  readonly posting: string;
  readonly mode: string;
}

const template = cardTemplate([
  {
    type: 'TextBlock',
    text: "This channel is now Warden's alerts channel",
    size: 'Large',
    weight: 'Bolder',
    wrap: true,
  },
  { type: 'TextBlock', text: '${setBy}', spacing: 'None', isSubtle: true, wrap: true },
  { type: 'TextBlock', text: '${posting}', wrap: true },
  { type: 'TextBlock', text: '${mode}', wrap: true },
  {
    type: 'TextBlock',
    text: 'To move the alerts, an approver types **@Warden setup** in another channel.',
    isSubtle: true,
    wrap: true,
  },
]);

const expand: (data: SetupCardData) => AdaptiveCard = compileCard(template);

/** Confirms the alerts channel: who set it, when, and how many waiting findings are being posted to it now. */
export function setupCard(view: SetupCardView): AdaptiveCard {
  const when = cardDateTime(view.at);
  const who = inert(view.setBy) || 'an approver';
  return expand({
    setBy: `Set up by ${who}${when ? ` on ${when}` : ''}.`,
    posting: postingLine(view.findingsPosting),
    mode: `**${MODE_LABEL[view.mode]}**: ${MODE_MEANING[view.mode]}`,
  });
}

function postingLine(waiting: number): string {
  if (waiting === 1) return 'Posting the finding that was waiting here now.';
  if (waiting > 1)
    return `Posting the ${countOf(waiting, 'finding')} that were waiting here now, one thread each.`;
  return 'No findings are waiting. New ones are posted here, one thread each, as scans find them.';
}
