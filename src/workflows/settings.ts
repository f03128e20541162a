import { z } from 'zod';
import type { Store } from './ports.js';

/**
 * Warden's small pieces of state kept as settings, each with its schema: a value written by an older release
 * or by hand is treated as absent, never trusted blindly.
 */

const scanSummary = z.object({
  kind: z.enum(['full', 'incremental']),
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['completed', 'failed']),
  pages: z.number(),
  usersSeen: z.number(),
  mailboxesChecked: z.number(),
  newFindings: z.number(),
  resolvedFindings: z.number(),
  error: z.string().optional(),
});
export type ScanSummary = z.infer<typeof scanSummary>;

const inventorySummary = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['completed', 'failed']),
  environmentsTotal: z.number(),
  environmentsDone: z.number(),
  flowsSeen: z.number(),
  newFindings: z.number(),
  resolvedFindings: z.number(),
  notInventoried: z.array(z.object({ environment: z.string(), reason: z.string(), detail: z.string() })),
  error: z.string().optional(),
});
export type InventorySummary = z.infer<typeof inventorySummary>;

const permissionHealth = z.object({
  checkedAt: z.string(),
  missing: z.array(z.object({ permission: z.string(), ifMissing: z.string() })),
});
export type PermissionHealth = z.infer<typeof permissionHealth>;

const subscription = z.object({ id: z.string(), expiresAt: z.string(), clientState: z.string() });
export type SubscriptionState = z.infer<typeof subscription>;

const SETTINGS = {
  alertsChannel: z.object({
    conversationId: z.string(),
    setBy: z.string(),
    setByName: z.string().optional(),
    setAt: z.string(),
  }),
  lastScan: scanSummary,
  nextScanAt: z.string(),
  lastInventory: inventorySummary,
  nextInventoryAt: z.string(),
  nextExceptionSweepAt: z.string(),
  permissionHealth,
  subscription,
} as const;

type Settings = { [K in keyof typeof SETTINGS]: z.infer<(typeof SETTINGS)[K]> };
export type SettingKey = keyof Settings;

export async function readSetting<K extends SettingKey>(
  store: Pick<Store, 'getSetting'>,
  key: K,
): Promise<Settings[K] | undefined> {
  const parsed = SETTINGS[key].safeParse(await store.getSetting(key));
  return parsed.success ? (parsed.data as Settings[K]) : undefined;
}

export async function writeSetting<K extends SettingKey>(
  store: Pick<Store, 'setSetting'>,
  key: K,
  value: Settings[K],
): Promise<void> {
  await store.setSetting(key, SETTINGS[key].parse(value));
}
