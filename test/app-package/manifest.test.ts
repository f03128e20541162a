import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppManifestUtils, type TeamsManifestLatest } from '@microsoft/app-manifest';
import { describe, expect, it } from 'vitest';
import { availableCommands } from '../../src/domain/commands.js';
import { decodePng, readHeader } from './png.js';

const appPackage = (file: string) => fileURLToPath(new URL(`../../appPackage/${file}`, import.meta.url));
const template = readFileSync(appPackage('manifest.json'), 'utf8');

/** What the Agents Toolkit substitutes from env/.env.<env> when it zips the package. */
const SAMPLE_ENV: Readonly<Record<string, string>> = {
  TEAMS_APP_ID: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  BOT_ID: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d',
  BOT_DOMAIN: 'warden-dev.azurewebsites.net',
};

function substitute(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{(\w+)\}\}/g, (placeholder, name: string) => env[name] ?? placeholder);
}

function parse(text: string): TeamsManifestLatest {
  return JSON.parse(text) as TeamsManifestLatest;
}

const manifest = parse(substitute(template, SAMPLE_ENV));

describe('the Teams app manifest', () => {
  it('when it names placeholders, then they are exactly the ones the toolkit provides', () => {
    const names = [...template.matchAll(/\$\{\{(\w+)\}\}/g)].map((m) => m[1]);
    expect(new Set(names)).toEqual(new Set(Object.keys(SAMPLE_ENV)));
  });

  it('when its placeholders are substituted, then it validates against the newest bundled schema (offline)', async () => {
    expect(manifest.$schema).toBe(
      'https://developer.microsoft.com/en-us/json-schemas/teams/v1.30/MicrosoftTeams.schema.json',
    );
    expect(manifest.manifestVersion).toBe('1.30');
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
  });

  it('when a placeholder is left unsubstituted, then validation fails, which proves the validator runs', async () => {
    const errors = await AppManifestUtils.validateAgainstSchema(parse(template));
    expect(errors.some((e) => e.startsWith('/id ') && e.includes('pattern'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/bots/0/botId ') && e.includes('pattern'))).toBe(true);
  });

  it('when read, then the bot serves team and personal scopes, takes no files and converses', () => {
    const bot = manifest.bots?.[0];
    expect(manifest.bots).toHaveLength(1);
    expect(bot?.botId).toBe(SAMPLE_ENV.BOT_ID);
    expect(bot?.scopes).toEqual(['team', 'personal']);
    expect(bot?.supportsFiles).toBe(false);
    expect(bot?.isNotificationOnly).toBe(false);
    expect(manifest.validDomains).toEqual([SAMPLE_ENV.BOT_DOMAIN]);
    expect(manifest.name).toEqual({ short: 'Warden', full: 'Warden – non-human identity guard' });
  });

  it('when its command lists are read, then each scope lists exactly the available commands of the catalogue', () => {
    const expected = availableCommands().map((c) => ({ title: c.name, description: c.description }));
    const lists = manifest.bots?.[0]?.commandLists ?? [];
    expect(lists.flatMap((list) => list.scopes).sort()).toEqual(['personal', 'team']);
    for (const list of lists) expect(list.commands).toEqual(expected);
  });

  it('when its developer links are read, then they are https', () => {
    const { websiteUrl, privacyUrl, termsOfUseUrl } = manifest.developer;
    for (const url of [websiteUrl, privacyUrl, termsOfUseUrl]) expect(url).toMatch(/^https:\/\//);
  });
});

describe('the app icons', () => {
  it('when the colour icon is read, then it is a 192x192 PNG', async () => {
    expect(manifest.icons.color).toBe('color.png');
    const header = readHeader(await readFile(appPackage(manifest.icons.color)));
    expect([header.width, header.height]).toEqual([192, 192]);
  });

  it('when the colour icon is decoded, then it is opaque and its corner is the accent colour', async () => {
    const png = decodePng(await readFile(appPackage(manifest.icons.color)));
    const hex = `#${[...png.rgba.subarray(0, 3)].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
    expect(hex.toUpperCase()).toBe(manifest.accentColor.toUpperCase());
    expect(png.rgba.filter((_, i) => i % 4 === 3).every((alpha) => alpha === 255)).toBe(true);
  });

  it('when the outline icon is read, then it is a 32x32 PNG with transparency', async () => {
    expect(manifest.icons.outline).toBe('outline.png');
    const header = readHeader(await readFile(appPackage(manifest.icons.outline)));
    expect([header.width, header.height, header.colorType]).toEqual([32, 32, 6]);
  });

  it('when the outline icon is decoded, then every pixel is white or fully transparent, as Teams requires', async () => {
    const { rgba } = decodePng(await readFile(appPackage(manifest.icons.outline)));
    const pixels = Array.from({ length: rgba.length / 4 }, (_, i) => [...rgba.subarray(i * 4, i * 4 + 4)]);
    const offending = pixels.filter(([r, g, b, a]) => a !== 0 && (r !== 255 || g !== 255 || b !== 255));
    expect(offending).toEqual([]);
    expect(pixels.some(([, , , a]) => a === 255)).toBe(true);
    expect(pixels.some(([, , , a]) => a === 0)).toBe(true);
  });
});
