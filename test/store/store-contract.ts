import { describe } from 'vitest';
import type { Store } from '../../src/workflows/ports.js';
import { auditAndLeaseContract } from './contract/audit-and-leases.js';
import { decisionContract } from './contract/decisions.js';
import { findingRecordContract } from './contract/finding-records.js';
import { findingContract } from './contract/findings.js';
import { useStore, type CloseStore, type OpenStore } from './contract/fixtures.js';
import { jobContract } from './contract/jobs.js';
import { conversationAndSettingContract } from './contract/records.js';
import { requestContract } from './contract/requests.js';

/**
 * The behaviour every Store implementation must show. Each test gets a fresh, empty store from `open` and
 * hands it to `close` afterwards (default: `store.close()`); a test may close the store itself first.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<Store> | Store,
  close: (s: Store) => Promise<void> | void = (s) => s.close(),
): void {
  describe(`Store contract: ${name}`, () => {
    const store = useStore(open satisfies OpenStore, close satisfies CloseStore);
    conversationAndSettingContract(store);
    findingContract(store);
    findingRecordContract(store);
    requestContract(store);
    decisionContract(store);
    jobContract(store);
    auditAndLeaseContract(store);
  });
}
