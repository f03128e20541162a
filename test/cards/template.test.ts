import { describe, expect, it } from 'vitest';
import { CardTemplateError, cardTemplate, compileCard, type AdaptiveCard } from '../../src/cards/template.js';
import { inert } from '../../src/cards/escape.js';
import { ENVELOPE } from './card-json.js';

describe('compileCard', () => {
  const greet: (data: { name: string; items: { label: string }[] }) => AdaptiveCard = compileCard(
    cardTemplate([
      { type: 'TextBlock', text: 'Hello **${name}**' },
      { type: 'TextBlock', $data: '${items}', text: '${label}' },
    ]),
  );

  it('when bound to a complete view model, then it returns a 1.5 card with every value in place', () => {
    const card = greet({ name: 'Ada', items: [{ label: 'one' }, { label: 'two' }] });
    expect(card).toMatchObject(ENVELOPE);
    expect(card.body).toEqual([
      { type: 'TextBlock', text: 'Hello **Ada**' },
      { type: 'TextBlock', text: 'one' },
      { type: 'TextBlock', text: 'two' },
    ]);
  });

  it('when a value holds markdown, then templating inserts it verbatim, which is why inert comes first', () => {
    const card = greet({ name: '[x](https://evil.example)', items: [] });
    expect(card.body[0]?.text).toBe('Hello **[x](https://evil.example)**');
    expect(greet({ name: inert('[x](https://evil.example)'), items: [] }).body[0]?.text).toBe(
      'Hello **\\[x\\]\\(https://evil\\.example\\)**',
    );
  });

  it('when the view model lacks a field, then it refuses with unbound-placeholder instead of showing ${…}', () => {
    const bind = compileCard(cardTemplate([{ type: 'TextBlock', text: 'Account: ${upn}' }]));
    expect(() => bind({})).toThrow(CardTemplateError);
    expect(() => bind({})).toThrow(
      expect.objectContaining({ reason: 'unbound-placeholder', details: '$.body[0].text: Account: ${upn}' }),
    );
  });

  it('when a value that skipped inert holds ${…}, then the card is refused rather than sent', () => {
    expect(() => greet({ name: '${title}', items: [] })).toThrow(CardTemplateError);
    expect(greet({ name: inert('${title}'), items: [] }).body[0]?.text).toBe('Hello **$\\{title\\}**');
  });

  it('when the same compiled card is bound twice, then the results are independent', () => {
    const first = greet({ name: 'A', items: [{ label: 'x' }] });
    const second = greet({ name: 'B', items: [] });
    expect(first.body).toHaveLength(2);
    expect(second.body).toHaveLength(1);
    expect(first.body[0]?.text).toBe('Hello **A**');
  });
});
