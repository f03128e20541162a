import { PERMISSIONS } from '../domain/permissions.js';
import type { FindingState } from '../domain/records.js';
import type { Store } from './ports.js';
import { readSetting } from './settings.js';

export interface StatusReport {
  alertsChannel: { setBy: string; setAt: string } | null;
  lastScan: { finishedAt: string; outcome: 'completed' | 'failed'; error?: string } | null;
  nextScanAt: string | null;
  lastInventory: { finishedAt: string; outcome: 'completed' | 'failed'; error?: string } | null;
  nextInventoryAt: string | null;
  findingsByState: Partial<Record<FindingState, number>>;
  permissions: { permission: string; ifMissing: string; granted: boolean }[];
  permissionsCheckedAt: string | null;
}

/** What `status` shows: the alerts channel, the last and next scans, counts by state, permission health. */
export async function readStatus(store: Store): Promise<StatusReport> {
  const [channel, lastScan, nextScanAt, lastInventory, nextInventoryAt, health, counts] = await Promise.all([
    readSetting(store, 'alertsChannel'),
    readSetting(store, 'lastScan'),
    readSetting(store, 'nextScanAt'),
    readSetting(store, 'lastInventory'),
    readSetting(store, 'nextInventoryAt'),
    readSetting(store, 'permissionHealth'),
    store.countFindings(),
  ]);
  const findingsByState: Partial<Record<FindingState, number>> = {};
  for (const row of counts) findingsByState[row.state] = (findingsByState[row.state] ?? 0) + row.count;
  const missing = new Set(health?.missing.map((m) => m.permission) ?? []);
  return {
    alertsChannel: channel ? { setBy: channel.setByName ?? channel.setBy, setAt: channel.setAt } : null,
    lastScan: lastScan
      ? {
          finishedAt: lastScan.finishedAt,
          outcome: lastScan.outcome,
          ...(lastScan.error ? { error: lastScan.error } : {}),
        }
      : null,
    nextScanAt: nextScanAt ?? null,
    lastInventory: lastInventory
      ? {
          finishedAt: lastInventory.finishedAt,
          outcome: lastInventory.outcome,
          ...(lastInventory.error ? { error: lastInventory.error } : {}),
        }
      : null,
    nextInventoryAt: nextInventoryAt ?? null,
    findingsByState,
    permissions: PERMISSIONS.filter((p) =>
      [
        'User.Read.All',
        'MailboxSettings.Read',
        'AuditLog.Read.All',
        'GroupMember.Read.All',
        'Directory.Read.All',
      ].includes(p.permission),
    ).map((p) => ({
      permission: p.permission,
      ifMissing: p.ifMissing,
      granted: !missing.has(p.permission),
    })),
    permissionsCheckedAt: health?.checkedAt ?? null,
  };
}
