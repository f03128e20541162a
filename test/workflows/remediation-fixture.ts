import type { Client } from '@microsoft/microsoft-graph-client';
import { expect } from 'vitest';
import { createFindingPresenter } from '../../src/cards/finding-presenter.js';
import { findingId } from '../../src/domain/finding-id.js';
import type {
  ApprovalRequest,
  AuditEntry,
  ConversationRecord,
  Finding,
  Job,
} from '../../src/domain/records.js';
import type { FindingRemediation } from '../../src/domain/remediation.js';
import { GraphAccountWriter } from '../../src/graph/account-writer.js';
import { GraphExceptionGroup } from '../../src/graph/exception-group.js';
import { GraphFlowOwnerEvidenceReader } from '../../src/graph/flow-owner-evidence.js';
import { GraphDirectoryObjects } from '../../src/graph/object-resolver.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { DataverseFlowOwnerWriter } from '../../src/powerplatform/flow-owner-writer.js';
import { PowerPlatformApiReader } from '../../src/powerplatform/power-platform-api-reader.js';
import { findingRemediation } from '../../src/workflows/remediation/card-context.js';
import { decideRemediation, type RemediationOutcome } from '../../src/workflows/remediation/decide.js';
import {
  REMEDIATION_JOB,
  type RemediationDeps,
  type RemediationSettings,
} from '../../src/workflows/remediation/deps.js';
import { remediationHandler } from '../../src/workflows/remediation/run.js';
import { runInventory, type RunInventoryDeps } from '../../src/workflows/run-inventory.js';
import { runScan } from '../../src/workflows/run-scan.js';
import type { SimHarness } from '../sim/harness.js';
import { useAlertsChannel, workflows, type WorkflowDeps, type Workflows } from './workflow-fixture.js';

/**
 * The remediation use cases wired to real adapters on the simulator (Graph account writes, Dataverse flow owners,
 * the approver check, directory roles), SQLite in memory, the real finding presenter, a clock the test moves, and
 * outbox workers the test drains by hand.
 */

export const DAY_MS = 86_400_000;
const BAP_SCOPE = 'https://service.powerapps.com/.default';

/** What the automatic-remediation notice was asked to render, and a small card that names it. */
export class RecordingRemediationNotices {
  readonly automaticCalls: { findingId: string; why: string; undoUntil: string }[] = [];

  automatic(finding: Finding, why: string, undoUntil: Date): object {
    this.automaticCalls.push({ findingId: finding.id, why, undoUntil: undoUntil.toISOString() });
    return { type: 'AdaptiveCard', notice: 'automatic-remediation', findingId: finding.id };
  }
}

export type RemediationWorldDeps = RemediationDeps & WorkflowDeps & RunInventoryDeps;

export interface RemediationWorld extends Workflows {
  deps: RemediationWorldDeps;
  notices: RecordingRemediationNotices;
  channel: ConversationRecord;
  /** Runs every due outbox job with worker `w1`, as it would after a kick; how many ran. */
  drain(): Promise<number>;
  /** Another worker process over the same store, e.g. the one that starts after a crash. */
  worker(id: string): OutboxWorker;
  /** How often a use case woke the worker. */
  kicks(): number;
}

export interface RemediationWorldOptions {
  mode?: RemediationSettings['mode'];
  protectedAccounts?: string[];
  autoBlockDormantDays?: number;
  /** The Graph client accounts are written with (no SDK retries, or tokens carrying other roles). */
  accountsGraph?: Client;
}

/** A fresh Warden over the harness's tenant, with its alerts channel set up (no scan yet). */
export async function remediationWorld(
  h: SimHarness,
  options: RemediationWorldOptions = {},
): Promise<RemediationWorld> {
  const w = workflows(h);
  const graph = h.graph();
  const info = h.sim.info();
  const mode = options.mode ?? 'enforce';
  const protectedAccounts = (options.protectedAccounts ?? []).map((p) => p.toLowerCase());
  const notices = new RecordingRemediationNotices();
  const bap = { bapBaseUrl: info.urls.bap, bapScope: BAP_SCOPE };
  let kicks = 0;
  const deps: RemediationWorldDeps = {
    ...w.deps,
    presenter: createFindingPresenter(mode, w.clock),
    powerPlatform: new PowerPlatformApiReader(h.credential, bap),
    objects: new GraphDirectoryObjects(graph),
    ownerEvidence: new GraphFlowOwnerEvidenceReader(graph),
    roles: new GraphFlowOwnerEvidenceReader(graph),
    accounts: new GraphAccountWriter(options.accountsGraph ?? graph),
    flows: new DataverseFlowOwnerWriter(h.credential, { ...bap, flowAppId: info.wellKnown.flowAppId }),
    exceptionGroup: new GraphExceptionGroup(graph, {
      groupId: info.wellKnown.exceptionGroupId,
      graphBaseUrl: info.urls.graph,
    }),
    remediationNotices: notices,
    remediation: {
      mode,
      protectedAccounts,
      ...(options.autoBlockDormantDays === undefined
        ? {}
        : { autoBlockDormantDays: options.autoBlockDormantDays }),
    },
    protectedAccounts,
    kick: () => {
      kicks++;
    },
  };
  const world = { ...w, deps };
  const channel = await useAlertsChannel(world);
  const worker = (id: string) =>
    new OutboxWorker({
      store: w.store,
      clock: w.clock,
      logger: deps.logger,
      handlers: { [REMEDIATION_JOB]: remediationHandler(deps) },
      workerId: id,
    });
  const first = worker('w1');
  return { ...world, notices, channel, drain: () => first.drainOnce(), worker, kicks: () => kicks };
}

/**
 * Faster report, sign-in activity and Conditional Access reads than the real limits, so a test never waits on
 * Retry-After: every approval reads the account's evidence for its directory roles.
 */
export async function relaxLimits(h: SimHarness): Promise<void> {
  await h.control('POST', '/limits', {
    conditionalAccessPerSecond: 1000,
    reportsPer10s: 1000,
    signInActivityPerMinute: 10_000,
  });
}

/** A well-known person of the seeded tenant, with the name Teams would give. */
export function person(h: SimHarness, key: string): { id: string; displayName: string } {
  const id = h.sim.info().wellKnown.people[key] ?? expect.fail(`no well-known person ${key}`);
  return { id, displayName: h.sim.tenant().users.get(id)?.displayName ?? key };
}

/** The object id of the seeded user with this display name. */
export function userNamed(h: SimHarness, displayName: string): string {
  const user = [...h.sim.tenant().users.values()].find((u) => u.displayName === displayName);
  return user?.id ?? expect.fail(`no user ${displayName}`);
}

/** Scans, so that every NHI-001 finding is open and has its card; returns the one about the named mailbox. */
export async function scannedFinding(w: RemediationWorld, mailbox = 'Finance'): Promise<Finding> {
  await runScan(w.deps);
  const finding = (await w.store.listFindings({ ruleId: 'NHI-001' })).find(
    (f) => f.subjectDisplayName === mailbox,
  );
  return finding?.card ? finding : expect.fail(`the scan posted no finding about ${mailbox}`);
}

/** Runs the flow inventory; returns the NHI-002 finding about the named technical account. */
export async function inventoriedFinding(
  h: SimHarness,
  w: RemediationWorld,
  account: string,
): Promise<Finding> {
  const report = await runInventory(w.deps);
  expect(report.error).toBeUndefined();
  const finding = await w.store.getFinding(findingId('NHI-002', userNamed(h, account)));
  return finding?.card ? finding : expect.fail(`the inventory posted no finding about ${account}`);
}

export async function findingNow(w: RemediationWorld, id: string): Promise<Finding> {
  return (await w.store.getFinding(id)) ?? expect.fail(`no finding ${id}`);
}

/** What the finding's card shows of its remediations now. */
export async function remediationNow(w: RemediationWorld, id: string): Promise<FindingRemediation> {
  return findingRemediation(
    w.store,
    await findingNow(w, id),
    w.deps.remediation.protectedAccounts,
    w.clock.now(),
  );
}

/** An approver's direct approval of an action on a finding. */
export function approve(
  h: SimHarness,
  w: RemediationWorld,
  finding: Finding,
  who: string,
  action = 'block-sign-in',
): Promise<RemediationOutcome> {
  return decideRemediation(w.deps, {
    findingId: finding.id,
    action,
    actor: person(h, who),
    verdict: 'approve',
    comment: '',
  });
}

/** The message of a refused use case; the test fails if it was not refused. */
export function refusal(result: RemediationOutcome): string {
  if (result.ok) throw new Error('expected a refusal, but the use case succeeded');
  return result.message;
}

/** The remediation requests of a finding, oldest first. */
export function requestsOf(w: RemediationWorld, id: string): Promise<ApprovalRequest[]> {
  return w.store.listRequests({ findingId: id, kind: 'remediation' });
}

/** The only remediation request of a finding; the test fails unless there is exactly one. */
export async function onlyRequest(w: RemediationWorld, id: string): Promise<ApprovalRequest> {
  const requests = await requestsOf(w, id);
  expect(requests).toHaveLength(1);
  return requests[0] ?? expect.fail('no request');
}

/** The outbox jobs of one request, oldest first. */
export async function jobsOf(w: RemediationWorld, requestId: string): Promise<Job[]> {
  const jobs = await w.store.listJobs({ kind: REMEDIATION_JOB });
  return jobs.filter((j) => (j.payload as { requestId?: string }).requestId === requestId);
}

export interface WriteRecord {
  method: string;
  path: string;
  status: number;
  requestId: string;
}

/** The simulator's write log, filtered by a fragment of the path. */
export async function writesTo(h: SimHarness, pathFragment: string): Promise<WriteRecord[]> {
  const query = `?path=${encodeURIComponent(pathFragment)}`;
  return (await h.control<{ value: WriteRecord[] }>('GET', `/writes${query}`)).value;
}

/** What Warden wrote to one account: `PATCH` (accountEnabled) and `revoke`, with status and request-id. */
export async function accountWrites(
  h: SimHarness,
  userId: string,
): Promise<{ kind: 'PATCH' | 'revoke'; status: number; requestId: string }[]> {
  return (await writesTo(h, `/v1.0/users/${userId}`)).map((write) => ({
    kind: write.path.endsWith('/revokeSignInSessions') ? 'revoke' : 'PATCH',
    status: write.status,
    requestId: write.requestId,
  }));
}

/** Whether the simulated account can sign in. */
export function isEnabled(h: SimHarness, userId: string): boolean {
  return h.sim.tenant().users.get(userId)?.accountEnabled ?? expect.fail(`no user ${userId}`);
}

/** Adds the account to a directory role of the simulated tenant. */
export async function grantDirectoryRole(h: SimHarness, userId: string, templateId: string): Promise<void> {
  await h.control('POST', `/roles/${templateId}/members`, { id: userId });
}

/** Audit lines of one action, oldest first. */
export async function auditOf(
  w: RemediationWorld,
  action: string,
  findingId?: string,
): Promise<AuditEntry[]> {
  const entries = await w.store.listAudit(findingId ? { findingId } : {});
  return entries.filter((e) => e.action === action);
}

/** The cards that replaced the finding's card in place, oldest first. */
export function cardUpdates(w: RemediationWorld, finding: Finding): object[] {
  const where = finding.card ?? expect.fail('the finding has no card');
  return w.notifier.updates
    .filter((u) => u.where.conversationId === where.conversationId && u.where.activityId === where.activityId)
    .map((u) => u.card);
}

/**
 * Drains until no job is left to retry, moving the clock past each retry time as the worker's poll would find it;
 * returns how many rounds it took. Fails the test after `rounds` rounds.
 */
export async function drainUntilSettled(w: RemediationWorld, rounds = 30): Promise<number> {
  for (let round = 1; round <= rounds; round++) {
    await w.drain();
    const waiting = (await w.store.listJobs({ kind: REMEDIATION_JOB })).filter(
      (j) => j.state === 'failed' || j.state === 'pending',
    );
    if (waiting.length === 0) return round;
    const next = Math.min(...waiting.map((j) => Date.parse(j.runAfter)));
    w.clock.advance(Math.max(0, next - w.clock.now().getTime()) + 1);
  }
  return expect.fail(`the outbox had jobs left after ${rounds} rounds`);
}
