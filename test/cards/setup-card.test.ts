import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { setupCard } from '../../src/cards/setup-card.js';
import { ENVELOPE, textBlocks } from './card-json.js';
import { actionsIn, cardProblems } from './card-shape.js';
import { hostile, liveMarkup } from './hostile.js';

const at = '2025-06-01T10:00:00Z';

describe('setupCard', () => {
  it('when an approver sets the channel up with findings waiting, then it confirms, names them and counts the findings', () => {
    const card = setupCard({ setBy: 'Ada Admin', at, findingsPosting: 3, mode: 'report-only' });
    expect(card).toMatchObject(ENVELOPE);
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)).toEqual([
      "This channel is now Warden's alerts channel",
      'Set up by Ada Admin on {{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}.',
      'Posting the 3 findings that were waiting here now, one thread each.',
      '**Report-only**: Warden records and alerts, and changes nothing in the tenant.',
      'To move the alerts, an approver types **@Warden setup** in another channel.',
    ]);
    expect(actionsIn(card)).toEqual([]);
  });

  it('when one finding or none is waiting, then the line says so', () => {
    expect(textBlocks(setupCard({ setBy: 'Ada', at, findingsPosting: 1, mode: 'enforce' }))[2]).toBe(
      'Posting the finding that was waiting here now.',
    );
    expect(textBlocks(setupCard({ setBy: 'Ada', at, findingsPosting: 0, mode: 'enforce' }))[2]).toBe(
      'No findings are waiting. New ones are posted here, one thread each, as scans find them.',
    );
  });

  it('when the approver name is hostile or blank, then it appears inert or as "an approver"', () => {
    const card = setupCard({ setBy: hostile('by'), at, findingsPosting: 0, mode: 'enforce' });
    expect(liveMarkup(card)).toEqual([]);
    expect(textBlocks(card)[1]).toBe(
      `Set up by ${inert(hostile('by'))} on {{DATE(2025-06-01T10:00:00Z, SHORT)}} {{TIME(2025-06-01T10:00:00Z)}}.`,
    );
    expect(
      textBlocks(setupCard({ setBy: '\u202e', at: 'bad', findingsPosting: 0, mode: 'enforce' }))[1],
    ).toBe('Set up by an approver.');
  });
});
