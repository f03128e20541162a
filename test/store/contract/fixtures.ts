import { afterEach, beforeEach, expect } from 'vitest';
import { StoreError, type StoreErrorReason } from '../../../src/store/errors.js';
import type { NewFinding, NewJob, NewRequest, Store } from '../../../src/workflows/ports.js';

export type OpenStore = () => Promise<Store> | Store;
export type CloseStore = (store: Store) => Promise<void> | void;

/** Opens a fresh store before each test and closes it after; call the result inside a test. */
export function useStore(open: OpenStore, close: CloseStore): () => Store {
  let current: Store | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    if (current !== undefined) await close(current);
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new StoreError('closed', 'the test store is not open');
    return current;
  };
}

const BASE = Date.parse('2025-01-06T09:00:00.000Z');

/** A fixed clock: `at(0)` is the base instant, `at(5)` five minutes later, in canonical ISO form. */
export function at(minutes: number): string {
  return new Date(BASE + minutes * 60_000).toISOString();
}

export function newFinding(overrides: Partial<NewFinding> = {}): NewFinding {
  const ruleId = overrides.ruleId ?? 'NHI-001';
  const subjectId = overrides.subjectId ?? 'user-1';
  return {
    id: `${ruleId}:${subjectId}`,
    ruleId,
    subjectId,
    subjectDisplayName: 'Reception mailbox',
    severity: 'high',
    evidence: { upn: 'reception@contoso.example', accountEnabled: true },
    ownerIds: ['owner-1'],
    seenAt: at(0),
    ...overrides,
  };
}

export function newRequest(findingId: string, overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: 'request-1',
    findingId,
    kind: 'remediation',
    action: 'block-sign-in',
    requestedBy: 'owner-1',
    payload: { reason: 'shared mailbox' },
    createdAt: at(1),
    ...overrides,
  };
}

export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  const id = overrides.id ?? 'job-1';
  return {
    id,
    idempotencyKey: `key-${id}`,
    kind: 'block-sign-in',
    payload: { userId: 'user-1' },
    runAfter: at(0),
    createdAt: at(0),
    ...overrides,
  };
}

/** Asserts that the promise rejects with a StoreError of this reason. */
export async function expectStoreError(promise: Promise<unknown>, reason: StoreErrorReason): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(StoreError);
  await expect(promise).rejects.toMatchObject({ reason });
}
