import { describe, expect, it } from 'vitest';
import { inert } from '../../src/cards/escape.js';
import { cardTemplate, type AdaptiveCard } from '../../src/cards/template.js';
import { cardProblems } from './card-shape.js';
import { hostile, liveMarkup } from './hostile.js';

// The checks other card tests rely on must themselves catch what they claim to catch.
describe('test helpers for cards', () => {
  const textCard = (text: string): AdaptiveCard => cardTemplate([{ type: 'TextBlock', text }]);

  it('when a hostile string went in raw, then liveMarkup reports the link, bold, mention, bidi, line break and ${', () => {
    const found = liveMarkup(textCard(hostile('x'))).map((problem) => problem.split(':')[0]);
    expect(found).toEqual([
      'link',
      'bold from the tenant',
      'mention',
      'bidi control',
      'line break',
      'template expression',
    ]);
  });

  it('when a hostile string passed inert once, then liveMarkup reports nothing; twice, it reports the double escape', () => {
    expect(liveMarkup(textCard(inert(hostile('x'))))).toEqual([]);
    expect(liveMarkup(textCard(inert(inert(hostile('x')))))).toEqual([
      expect.stringMatching(/^escaped twice/) as unknown as string,
    ]);
  });

  it('when a card has an unknown element, duplicate input ids, an unlabelled required input or a bad date, then each is reported', () => {
    const card = cardTemplate(
      [
        { type: 'Chart.Donut' },
        { type: 'TextBlock', text: '{{DATE(2025-06-01T10:00:00.123Z, SHORT)}}' },
        { type: 'FactSet', facts: [] },
      ],
      [
        {
          type: 'Action.ShowCard',
          title: 'x',
          card: {
            type: 'AdaptiveCard',
            body: [
              { type: 'Input.Text', id: 'a', isRequired: true },
              { type: 'Input.Text', id: 'a', label: 'A', regex: '(', errorMessage: 'e' },
            ],
            actions: [{ type: 'Action.Execute', title: 'Go' }],
          },
        },
      ],
    );
    expect(cardProblems(card)).toEqual([
      '$.body[0]: unknown element "Chart.Donut"',
      '$.body[1]: a {{…}} Teams will not format: {{DATE(2025-06-01T10:00:00.123Z, SHORT)}}',
      '$.body[2]: an empty FactSet',
      '$.actions[0].card.body[0]: a required input without a label',
      '$.actions[0].card.body[0]: a validated input without an errorMessage',
      '$.actions[0].card.body[1]: duplicate input id a',
      '$.actions[0].card.body[1]: regex does not compile',
      '$.actions[0].card.actions[0]: Action.Execute without a verb',
    ]);
  });
});
