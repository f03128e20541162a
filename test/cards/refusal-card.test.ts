import { describe, expect, it } from 'vitest';
import { refusalCard } from '../../src/cards/refusal-card.js';

describe('refusal card', () => {
  it('when the refusal quotes what a client sent, then markdown, links and mentions in it are inert', () => {
    const card = refusalCard({
      title: 'Refused',
      reason: 'Unknown action "[Approve](https://evil.example) <at>Megan</at> **now**"',
      next: 'Type help.',
    });
    const json = JSON.stringify(card);
    expect(json).not.toContain('[Approve](https://evil.example)');
    expect(json).not.toContain('<at>');
    expect(json).not.toContain('**now**');
    expect(card.version).toBe('1.5');
    expect(json).not.toContain('${');
  });
});
