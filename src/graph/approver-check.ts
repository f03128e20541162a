import type { Client } from '@microsoft/microsoft-graph-client';
import { systemClock, type Clock } from '../domain/clock.js';
import type { ApproverCheck } from '../workflows/directory-port.js';
import { toGraphError } from './errors.js';

/**
 * Approver = transitive member of the approvers group, asked of Graph (POST /users/{id}/checkMemberGroups,
 * GroupMember.Read.All or User.Read.All). A removal from the group takes effect within the cache's minute.
 */

const DEFAULT_TTL_MS = 60_000;

export interface ApproverCheckOptions {
  approversGroupId: string;
  clock?: Clock;
  /** How long an answer is reused; at most a minute. */
  ttlMs?: number;
}

interface Cached {
  at: number;
  answer: Promise<boolean>;
}

export class GraphApproverCheck implements ApproverCheck {
  private readonly cache = new Map<string, Cached>();
  private readonly groupId: string;
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(
    private readonly client: Client,
    options: ApproverCheckOptions,
  ) {
    this.groupId = options.approversGroupId.toLowerCase();
    this.clock = options.clock ?? systemClock;
    this.ttlMs = Math.min(options.ttlMs ?? DEFAULT_TTL_MS, DEFAULT_TTL_MS);
  }

  /** Whether the user is an approver; a user Graph does not know is not. Failures reject (callers refuse). */
  isApprover(userAadObjectId: string): Promise<boolean> {
    const key = userAadObjectId.toLowerCase();
    const now = this.clock.now().getTime();
    const cached = this.cache.get(key);
    if (cached && now - cached.at < this.ttlMs) return cached.answer;
    this.forgetExpired(now);
    // The promise is cached, so that two clicks at once ask Graph once; a failure is never cached.
    const answer = this.ask(userAadObjectId);
    const entry = { at: now, answer };
    this.cache.set(key, entry);
    answer.catch(() => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    });
    return answer;
  }

  private async ask(userId: string): Promise<boolean> {
    let result: { value?: unknown };
    try {
      result = (await this.client
        .api(`/users/${encodeURIComponent(userId)}/checkMemberGroups`)
        .post({ groupIds: [this.groupId] })) as { value?: unknown };
    } catch (error) {
      const failure = toGraphError(error);
      if (failure.status === 404) return false;
      throw failure;
    }
    const ids = Array.isArray(result.value) ? result.value : [];
    return ids.some((id) => typeof id === 'string' && id.toLowerCase() === this.groupId);
  }

  private forgetExpired(now: number): void {
    for (const [key, entry] of this.cache) if (now - entry.at >= this.ttlMs) this.cache.delete(key);
  }
}
