import type { Client } from '@microsoft/microsoft-graph-client';
import { expect } from 'vitest';
import { createFindingPresenter } from '../../src/cards/finding-presenter.js';
import {
  exceptionPayload,
  type ExceptionPayload,
  type RawExceptionForm,
} from '../../src/domain/exceptions.js';
import type { ApprovalRequest, AuditEntry, ConversationRecord, Finding } from '../../src/domain/records.js';
import { GraphConditionalAccess } from '../../src/graph/conditional-access.js';
import { GraphExceptionGroup } from '../../src/graph/exception-group.js';
import { GraphFlowOwnerEvidenceReader } from '../../src/graph/flow-owner-evidence.js';
import { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import { decideException } from '../../src/workflows/exceptions/decide.js';
import type {
  ExceptionDeps,
  ExceptionNotices,
  ExceptionOutcome,
  ExceptionSettings,
  RemovalOutcome,
} from '../../src/workflows/exceptions/deps.js';
import { REMEDIATION_JOB, type RemediationDeps } from '../../src/workflows/remediation/deps.js';
import { remediationHandler } from '../../src/workflows/remediation/run.js';
import { exceptionJobHandlers } from '../../src/workflows/exceptions/jobs.js';
import { requestException, type RequestOutcome } from '../../src/workflows/exceptions/request.js';
import { runScan } from '../../src/workflows/run-scan.js';
import type { SimHarness } from '../sim/harness.js';
import { useAlertsChannel, workflows, type WorkflowDeps, type Workflows } from './workflow-fixture.js';

/**
 * The MFA exception use cases wired to real adapters on the simulator (approver check, evidence, Conditional
 * Access, the exception group), SQLite in memory, the real finding presenter, a clock the test moves, and an
 * outbox worker the test drains by hand.
 */

export const DAY_MS = 86_400_000;

export const GOOD_JUSTIFICATION =
  'The Finance mailbox feeds the invoicing connector every night; it has no person behind it.';

/** A form as Teams sends it: toggles as "true"/"false" strings, the duration as typed. */
export function form(overrides: RawExceptionForm = {}): RawExceptionForm {
  return {
    justification: GOOD_JUSTIFICATION,
    durationDays: '30',
    nonInteractiveOnly: 'true',
    minimalPermissions: 'true',
    noWorkloadIdentityYet: 'true',
    ...overrides,
  };
}

/** What the exception notices were asked to render, and small cards that name what they are. */
export class RecordingNotices implements ExceptionNotices {
  readonly reminderCalls: { findingId: string; requestId: string; expiresAt: string }[] = [];
  readonly endedCalls: { findingId: string; requestId: string; removal: RemovalOutcome }[] = [];

  reminder(finding: Finding, request: ApprovalRequest, expiresAt: Date): object {
    this.reminderCalls.push({
      findingId: finding.id,
      requestId: request.id,
      expiresAt: expiresAt.toISOString(),
    });
    return { type: 'AdaptiveCard', notice: 'reminder', requestId: request.id };
  }

  ended(finding: Finding, request: ApprovalRequest, removal: RemovalOutcome): object {
    this.endedCalls.push({ findingId: finding.id, requestId: request.id, removal });
    return { type: 'AdaptiveCard', notice: 'ended', requestId: request.id, removal };
  }
}

export interface ExceptionWorld extends Workflows {
  deps: ExceptionDeps & WorkflowDeps & RemediationDeps;
  notices: RecordingNotices;
  channel: ConversationRecord;
  /** Runs every due outbox job, as the worker would after a kick; how many ran. */
  drain(): Promise<number>;
  /** How often a use case woke the worker. */
  kicks(): number;
}

export interface WorldOptions {
  mode?: ExceptionSettings['mode'];
  protectedAccounts?: string[];
  /** The Graph client the exception group is written with (one whose tokens carry other roles). */
  groupGraph?: Client;
}

/** A fresh Warden over the harness's tenant, with its alerts channel set up (no scan yet). */
export async function exceptionWorld(h: SimHarness, options: WorldOptions = {}): Promise<ExceptionWorld> {
  const w = workflows(h);
  const graph = h.graph();
  const info = h.sim.info();
  const mode = options.mode ?? 'enforce';
  const notices = new RecordingNotices();
  let kicks = 0;
  const unused = (): never => {
    throw new Error('these tests make no account or flow writes');
  };
  const deps: ExceptionDeps & WorkflowDeps & RemediationDeps = {
    ...w.deps,
    presenter: createFindingPresenter(mode, w.clock),
    ownerEvidence: new GraphFlowOwnerEvidenceReader(graph),
    roles: new GraphFlowOwnerEvidenceReader(graph),
    conditionalAccess: new GraphConditionalAccess(graph, { clock: w.clock }),
    exceptionGroup: new GraphExceptionGroup(options.groupGraph ?? graph, {
      groupId: info.wellKnown.exceptionGroupId,
      graphBaseUrl: info.urls.graph,
    }),
    notices,
    settings: {
      mode,
      exceptionGroupId: info.wellKnown.exceptionGroupId,
      maxDays: 90,
      protectedAccounts: options.protectedAccounts ?? [],
    },
    kick: () => {
      kicks++;
    },
    accounts: { accountState: unused, setAccountEnabled: unused, revokeSessions: unused },
    flows: { flowOwner: unused, setFlowOwner: unused, applicationUser: unused },
    remediationNotices: { automatic: unused },
    remediation: { mode, protectedAccounts: options.protectedAccounts ?? [] },
    protectedAccounts: options.protectedAccounts ?? [],
  };
  const world = { ...w, deps };
  const channel = await useAlertsChannel(world);
  const worker = new OutboxWorker({
    store: w.store,
    clock: w.clock,
    logger: deps.logger,
    handlers: { ...exceptionJobHandlers(deps), [REMEDIATION_JOB]: remediationHandler(deps) },
    workerId: 'w1',
  });
  return { ...world, notices, channel, drain: () => worker.drainOnce(), kicks: () => kicks };
}

/** Faster Conditional Access and report reads than the real limits, so a test never waits on Retry-After. */
export async function relaxLimits(h: SimHarness): Promise<void> {
  await h.control('POST', '/limits', { conditionalAccessPerSecond: 1000, reportsPer10s: 1000 });
}

/** A well-known person of the seeded tenant, with the name Teams would give. */
export function person(h: SimHarness, key: string): { id: string; displayName: string } {
  const id = h.sim.info().wellKnown.people[key] ?? expect.fail(`no well-known person ${key}`);
  return { id, displayName: h.sim.tenant().users.get(id)?.displayName ?? key };
}

/** Scans, so that every finding is open and has its card; returns the NHI-001 finding about the named mailbox. */
export async function scannedFinding(w: ExceptionWorld, mailbox = 'Finance'): Promise<Finding> {
  await runScan(w.deps);
  const finding = (await w.store.listFindings({ ruleId: 'NHI-001' })).find(
    (f) => f.subjectDisplayName === mailbox,
  );
  if (!finding?.card) throw new Error(`the scan posted no finding about ${mailbox}`);
  return finding;
}

export async function findingNow(w: ExceptionWorld, id: string): Promise<Finding> {
  return (await w.store.getFinding(id)) ?? expect.fail(`no finding ${id}`);
}

export async function requestNow(w: ExceptionWorld, id: string): Promise<ApprovalRequest> {
  return (await w.store.getRequest(id)) ?? expect.fail(`no request ${id}`);
}

export function payloadOf(request: ApprovalRequest): ExceptionPayload {
  return exceptionPayload(request);
}

/** The message of a refused use case; the test fails if it was not refused. */
export function refusal(result: ExceptionOutcome | RequestOutcome): string {
  if (result.ok !== false) throw new Error(`expected a refusal, got ${JSON.stringify(result.ok)}`);
  return result.message;
}

/** The one exception request of a finding in a state; the test fails unless there is exactly one. */
export async function onlyRequest(
  w: ExceptionWorld,
  findingId: string,
  state: ApprovalRequest['state'] = 'pending',
): Promise<ApprovalRequest> {
  const requests = await w.store.listRequests({ findingId, kind: 'exception', states: [state] });
  expect(requests).toHaveLength(1);
  return requests[0] ?? expect.fail('no request');
}

/** An owner's request, approved by an approver; the add-member job has run when `drain` is set. */
export async function approvedException(
  h: SimHarness,
  w: ExceptionWorld,
  finding: Finding,
  options: { durationDays?: number; drain?: boolean } = {},
): Promise<ApprovalRequest> {
  const requested = await requestException(w.deps, {
    findingId: finding.id,
    actor: person(h, 'owner'),
    form: form({ durationDays: String(options.durationDays ?? 30) }),
  });
  expect(requested.ok).toBe(true);
  const request = await onlyRequest(w, finding.id);
  const decided = await decideException(w.deps, {
    requestId: request.id,
    actor: person(h, 'approver'),
    verdict: 'approve',
    comment: '',
  });
  expect(decided.ok).toBe(true);
  if (options.drain !== false) await w.drain();
  return requestNow(w, request.id);
}

export interface GroupWriteRecord {
  method: string;
  path: string;
  status: number;
  requestId: string;
}

/** What Warden wrote to the exception group's members, from the simulator's write log. */
export async function memberWrites(h: SimHarness): Promise<GroupWriteRecord[]> {
  const groupId = h.sim.info().wellKnown.exceptionGroupId;
  const { value } = await h.control<{ value: GroupWriteRecord[] }>('GET', '/writes?path=members');
  return value.filter((write) => write.path.includes(groupId));
}

export function isMember(h: SimHarness, objectId: string): boolean {
  const group = h.sim.tenant().groups.get(h.sim.info().wellKnown.exceptionGroupId);
  return group?.members.has(objectId) ?? false;
}

/** Audit lines of one action, oldest first. */
export async function auditOf(w: ExceptionWorld, action: string, findingId?: string): Promise<AuditEntry[]> {
  const entries = await w.store.listAudit(findingId ? { findingId } : {});
  return entries.filter((e) => e.action === action);
}

/** A personal chat with the user, as the bot would have saved it when they first wrote to it. */
export async function personalChat(w: ExceptionWorld, userId: string): Promise<ConversationRecord> {
  const chat: ConversationRecord = {
    id: `a:personal-${userId}`,
    kind: 'personal',
    tenantId: 'tenant',
    userAadObjectId: userId,
    reference: { conversation: { id: `a:personal-${userId}` } },
    updatedAt: w.clock.now().toISOString(),
  };
  await w.store.saveConversation(chat);
  return chat;
}

/** The cards that replaced the finding's card in place, oldest first. */
export function cardUpdates(w: ExceptionWorld, finding: Finding): object[] {
  const where = finding.card ?? expect.fail('the finding has no card');
  return w.notifier.updates
    .filter((u) => u.where.conversationId === where.conversationId && u.where.activityId === where.activityId)
    .map((u) => u.card);
}
