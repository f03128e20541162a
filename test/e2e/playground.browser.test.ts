import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/processes.js';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

// Debian's Chromium, never a downloaded browser; the flags keep it off the (closed) network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'warden-browser-')),
    wardenPort: await freePort(),
    playgroundPort: await freePort(),
    logLevel: 'warn',
  });
  await stack.client.install(stack.ids.personalChat);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser.close();
  await stack.stop();
});

describe('Warden in the Agents Playground web page', () => {
  it('when a person types help in the personal chat, then the help card is rendered with its commands', async () => {
    await page.goto(stack.client.url);
    await page.getByText('Personal Chat').first().click();
    await expect.poll(() => page.getByText("Hi, I'm Warden").count(), { timeout: 30_000 }).toBeGreaterThan(0);

    const box = page.getByRole('textbox').last();
    await box.click();
    await box.fill('help');
    await box.press('Enter');

    const helpCard = page.locator('.ac-adaptiveCard').filter({ hasText: 'What Warden can do' });
    await expect.poll(() => helpCard.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => helpCard.last().innerText()).toMatch(/help/);
    await page.screenshot({ path: join(tmpdir(), 'warden-help-card.png') });
  });

  it('when an approver asks for the digest, then the digest card is rendered with its charts', async () => {
    const box = page.getByRole('textbox').last();
    await box.click();
    await box.fill('digest');
    await box.press('Enter');

    const digest = page.locator('.ac-adaptiveCard').filter({ hasText: 'Warden weekly digest' });
    await expect.poll(() => digest.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The charts are drawn (SVG or canvas), not their text fallbacks.
    await expect
      .poll(() => digest.last().locator('svg, canvas').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(tmpdir(), 'warden-digest-card.png') });
  });
});
