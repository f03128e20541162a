import { cardDateTime, cardNumber } from './card-text.js';
import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

/** A flow inventory in progress or finished. Environment names and details come from the tenant. */
export interface InventoryCardView {
  readonly state: 'running' | 'done' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly environmentsDone: number;
  readonly environmentsTotal: number;
  readonly flowsSeen: number;
  readonly newFindings: number;
  readonly resolvedFindings: number;
  readonly notInventoried: readonly {
    readonly environment: string;
    readonly reason: string;
    readonly detail: string;
  }[];
  readonly error?: { readonly message: string; readonly next: string } | undefined;
}

interface InventoryCardData {
  readonly title: string;
  readonly facts: readonly { readonly title: string; readonly value: string }[];
  readonly hasSkipped: boolean;
  readonly skipped: readonly { readonly line: string }[];
  readonly hasError: boolean;
  readonly error: string;
  readonly next: string;
}

const template = cardTemplate([
  { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
  { type: 'FactSet', facts: [{ $data: '${facts}', title: '${title}', value: '${value}' }] },
  {
    // $when sits on the container: inside a $data item the scope is the item, where hasSkipped does not exist.
    type: 'Container',
    $when: '${hasSkipped}',
    items: [
      { type: 'TextBlock', text: 'Environments not inventoried', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', $data: '${skipped}', text: '${line}', wrap: true },
    ],
  },
  { type: 'TextBlock', $when: '${hasError}', text: '${error}', color: 'Attention', wrap: true },
  { type: 'TextBlock', $when: '${hasError}', text: '${next}', isSubtle: true, wrap: true },
]);
const expand: (data: InventoryCardData) => AdaptiveCard = compileCard(template);

const TITLE = {
  running: 'Inventorying Power Automate flows…',
  done: 'Flow inventory finished',
  failed: 'Flow inventory failed',
};

/** The `scan flows` card: environments done, flows seen, findings, and every environment that could not be read. */
export function inventoryCard(view: InventoryCardView): AdaptiveCard {
  const started = cardDateTime(view.startedAt) ?? 'unknown';
  const finished = cardDateTime(view.finishedAt);
  return expand({
    title: TITLE[view.state],
    facts: [
      { title: 'Started', value: started },
      ...(finished ? [{ title: 'Finished', value: finished }] : []),
      {
        title: 'Environments',
        value: `${cardNumber(view.environmentsDone)} of ${cardNumber(view.environmentsTotal)}`,
      },
      { title: 'Cloud flows read', value: cardNumber(view.flowsSeen) },
      { title: 'New findings', value: cardNumber(view.newFindings) },
      { title: 'Resolved findings', value: cardNumber(view.resolvedFindings) },
    ],
    hasSkipped: view.notInventoried.length > 0,
    skipped: view.notInventoried.slice(0, 20).map((s) => ({
      line: `**${inert(s.environment, 120)}** (${inert(s.reason, 40)}): ${inert(s.detail, 400)}`,
    })),
    hasError: view.error !== undefined,
    error: inert(view.error?.message ?? '', 500),
    next: inert(view.error?.next ?? '', 500),
  });
}
