import { setTimeout as sleep } from 'node:timers/promises';
import type { SimContext } from './http/types.js';
import type { SimSubscription } from './state/model.js';
import type { Tenant } from './state/tenant.js';

/**
 * Delivery of Graph change notifications for users. A change is never delivered inside the request that made it:
 * it is queued, changes within BATCH_WINDOW_MS to the same notificationUrl go out in one POST, and a failed POST is
 * retried with backoff and then counted as failed (Graph retries for hours; the simulator compresses that).
 */

const BATCH_WINDOW_MS = 50;
const POST_TIMEOUT_MS = 3_000;
const RETRY_DELAYS_MS = [100, 300, 900];
const VALIDATION_TIMEOUT_MS = 10_000;

type ChangeType = 'created' | 'updated' | 'deleted';

export interface ChangeNotification {
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  changeType: ChangeType;
  resource: string;
  resourceData: {
    '@odata.type': '#Microsoft.Graph.User';
    '@odata.id': string;
    id: string;
    organizationId: string;
  };
  clientState: string | null;
  tenantId: string;
}

export interface DeliveryStats {
  /** Notifications the receiver accepted with a 2xx. */
  delivered: number;
  /** Notifications given up on after every retry. */
  failed: number;
  /** POSTs that succeeded (each may carry several notifications). */
  posts: number;
  retries: number;
  /** Notifications queued or in flight. */
  pending: number;
  lastError: { message: string; url: string; at: string } | null;
  lastDeliveredAt: string | null;
}

const emptyStats = (): DeliveryStats => ({
  delivered: 0,
  failed: 0,
  posts: 0,
  retries: 0,
  pending: 0,
  lastError: null,
  lastDeliveredAt: null,
});

/** The subscription's change types, e.g. "created,updated" → ['created', 'updated']. */
export function changeTypesOf(sub: Pick<SimSubscription, 'changeType'>): string[] {
  return sub.changeType.split(',').map((c) => c.trim().toLowerCase());
}

/** The user id a "users/{id}" resource targets, or undefined for the whole "users" collection. */
export function targetOf(resource: string): string | undefined {
  const parts = resource.replace(/^\//, '').split('/');
  return parts.length > 1 ? (parts[1] ?? '').toLowerCase() : undefined;
}

class Notifier {
  stats = emptyStats();
  private listening = false;
  private tenant: Tenant | undefined;
  /** Bumped on reset, so that deliveries started for the old tenant do not touch the new counters. */
  private generation = 0;
  private readonly queues = new Map<string, ChangeNotification[]>();

  constructor(private readonly ctx: SimContext) {}

  /** Registers the user listener once per simulator; ctx.reset() carries listeners over to the fresh tenant. */
  listen(): void {
    this.sync();
    if (this.listening) return;
    this.listening = true;
    this.ctx.tenant.userListeners.push((userId, changeType) => {
      this.onUserChange(userId, changeType);
    });
  }

  snapshot(): DeliveryStats {
    this.sync();
    return { ...this.stats };
  }

  private sync(): void {
    if (this.tenant === this.ctx.tenant) return;
    this.tenant = this.ctx.tenant;
    this.generation++;
    this.stats = emptyStats();
    this.queues.clear();
  }

  private onUserChange(userId: string, changeType: ChangeType): void {
    this.sync();
    const tenant = this.ctx.tenant;
    const now = tenant.clock.now();
    for (const sub of tenant.subscriptions.values()) {
      if (Date.parse(sub.expirationDateTime) <= now) continue;
      // Directory objects report a creation to an "updated" subscription as an update (a new user is a change).
      const types = changeTypesOf(sub);
      const delivered: ChangeType | undefined = types.includes(changeType)
        ? changeType
        : changeType === 'created' && types.includes('updated')
          ? 'updated'
          : undefined;
      if (!delivered) continue;
      const target = targetOf(sub.resource);
      if (target !== undefined && target !== userId.toLowerCase()) continue;
      this.enqueue(sub.notificationUrl, {
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: sub.expirationDateTime,
        changeType: delivered,
        resource: `Users/${userId}`,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.User',
          '@odata.id': `Users/${userId}`,
          id: userId,
          organizationId: tenant.id,
        },
        clientState: sub.clientState,
        tenantId: tenant.id,
      });
    }
  }

  private enqueue(url: string, notification: ChangeNotification): void {
    this.stats.pending++;
    const queue = this.queues.get(url);
    if (queue) {
      queue.push(notification);
      return;
    }
    this.queues.set(url, [notification]);
    const generation = this.generation;
    setTimeout(() => {
      if (generation !== this.generation) return;
      const batch = this.queues.get(url) ?? [];
      this.queues.delete(url);
      void this.deliver(url, batch, generation);
    }, BATCH_WINDOW_MS).unref();
  }

  private async deliver(url: string, value: ChangeNotification[], generation: number): Promise<void> {
    let lastError = '';
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0) {
        if (generation === this.generation) this.stats.retries++;
        await sleep(RETRY_DELAYS_MS[attempt - 1] ?? 1_000, undefined, { ref: false });
      }
      if (generation !== this.generation) return;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ value }),
          signal: AbortSignal.timeout(POST_TIMEOUT_MS),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          if (generation !== this.generation) return;
          this.stats.delivered += value.length;
          this.stats.posts++;
          this.stats.pending -= value.length;
          this.stats.lastDeliveredAt = this.ctx.tenant.clock.iso();
          return;
        }
        lastError = `The receiver answered ${response.status}.`;
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    if (generation !== this.generation) return;
    this.stats.failed += value.length;
    this.stats.pending -= value.length;
    this.stats.lastError = { message: lastError, url, at: this.ctx.tenant.clock.iso() };
  }
}

const notifiers = new WeakMap<SimContext, Notifier>();

/** The delivery state of one simulator, kept per context so that it survives a reset of the tenant. */
export function notifierFor(ctx: SimContext): Notifier {
  let notifier = notifiers.get(ctx);
  if (!notifier) {
    notifier = new Notifier(ctx);
    notifiers.set(ctx, notifier);
  }
  return notifier;
}

/** A token like Graph's: it contains spaces and colons, so a receiver that echoes it without URL-decoding fails. */
export function validationToken(requestId: string): string {
  return `Validation: Testing client application reachability for subscription Request-Id: ${requestId}`;
}

/**
 * Graph's validation handshake: POST {url}?validationToken=… (text/plain) and expect, within 10 seconds, 200 with the
 * decoded token as a text/plain body. Returns why it failed, or undefined when the endpoint passed.
 */
export async function validateEndpoint(url: string, token: string): Promise<string | undefined> {
  const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status !== 200) return `the endpoint answered ${response.status}`;
    if (!(response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain'))
      return 'the answer was not text/plain';
    if (text !== token) return 'the answer did not echo the decoded validation token';
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
