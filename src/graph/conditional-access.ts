import type { Client } from '@microsoft/microsoft-graph-client';
import type { ConditionalAccessPolicy } from '@microsoft/microsoft-graph-types';
import { systemClock, type Clock } from '../domain/clock.js';
import type { CaCheck } from '../domain/exceptions.js';
import type { ConditionalAccessReader } from '../workflows/exception-port.js';
import { toGraphError } from './errors.js';

/**
 * Which Conditional Access policies leave the exception group out (Policy.Read.All, Entra ID P1): what an MFA
 * exception actually changes, as the request and approval cards show it.
 */

const POLICY_PERMISSION = 'Policy.Read.All';

export interface ConditionalAccessOptions {
  clock?: Clock;
  /**
   * How long one read of the policies answers for. Graph allows 1 request a second per tenant here, and sends no
   * Retry-After: without sharing, ten people opening exception forms at once would wait ten seconds. The card
   * shows when the policies were read.
   */
  maxAgeMs?: number;
}

/** Policies change rarely, and the card says when they were read: a minute old is fresh enough. */
export const POLICY_MAX_AGE_MS = 60_000;

interface PolicyPage {
  value?: ConditionalAccessPolicy[];
  '@odata.nextLink'?: string;
}

type ExcludingPolicy = Extract<CaCheck, { available: true }>['policies'][number];

function excludes(policy: ConditionalAccessPolicy, groupId: string): boolean {
  const wanted = groupId.toLowerCase();
  return (policy.conditions?.users?.excludeGroups ?? []).some((id) => id.toLowerCase() === wanted);
}

/** A policy requires MFA by the built-in control or by an authentication strength (which always includes MFA). */
function requiresMfa(policy: ConditionalAccessPolicy): boolean {
  const grant = policy.grantControls;
  if (!grant) return false;
  return (grant.builtInControls ?? []).includes('mfa') || Boolean(grant.authenticationStrength);
}

export class GraphConditionalAccess implements ConditionalAccessReader {
  private readonly clock: Clock;
  private readonly maxAgeMs: number;
  /** The latest read (or the one in flight), shared by every caller until it is maxAgeMs old. */
  private cached:
    { at: number; read: Promise<{ policies: ConditionalAccessPolicy[]; checkedAt: string }> } | undefined;

  constructor(
    private readonly client: Client,
    options: ConditionalAccessOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxAgeMs = options.maxAgeMs ?? POLICY_MAX_AGE_MS;
  }

  async policiesExcluding(groupId: string): Promise<CaCheck> {
    let policies: ConditionalAccessPolicy[];
    let checkedAt: string;
    try {
      ({ policies, checkedAt } = await this.sharedRead());
    } catch (error) {
      const failure = toGraphError(error);
      const checkedAt = this.clock.now().toISOString();
      if (failure.reason === 'not-premium')
        return { available: false, reason: 'not-premium', detail: failure.message, checkedAt };
      if (failure.reason === 'forbidden') {
        return {
          available: false,
          reason: 'permission-missing',
          permission: POLICY_PERMISSION,
          detail: failure.message,
          checkedAt,
        };
      }
      throw failure;
    }
    // Report-only policies are left out: they log what they would do and enforce nothing.
    const excluding: ExcludingPolicy[] = policies
      .flatMap((p) =>
        p.state === 'enabled' && typeof p.id === 'string' && excludes(p, groupId)
          ? [{ id: p.id, displayName: p.displayName ?? '', requiresMfa: requiresMfa(p) }]
          : [],
      )
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { available: true, policies: excluding, checkedAt };
  }

  /** One read of the policies for every caller within maxAgeMs; a failed read is not kept, so the next one asks. */
  private sharedRead(): Promise<{ policies: ConditionalAccessPolicy[]; checkedAt: string }> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < this.maxAgeMs) return this.cached.read;
    const read = this.allPolicies().then((policies) => ({
      policies,
      checkedAt: this.clock.now().toISOString(),
    }));
    const entry = { at: now, read };
    this.cached = entry;
    read.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return read;
  }

  private async allPolicies(): Promise<ConditionalAccessPolicy[]> {
    let page = (await this.client.api('/identity/conditionalAccess/policies').get()) as PolicyPage;
    const policies = [...(page.value ?? [])];
    for (let next = page['@odata.nextLink']; next; next = page['@odata.nextLink']) {
      page = (await this.client.api(next).get()) as PolicyPage;
      policies.push(...(page.value ?? []));
    }
    return policies;
  }
}
