import { randomBytes } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import type { ChangeSubscriptions } from '../workflows/directory-port.js';
import type { Store } from '../workflows/ports.js';
import { readSetting, writeSetting } from '../workflows/settings.js';

const RENEW_EVERY_MS = 12 * 3600_000;
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** Another instance is creating or renewing it: look again soon, to renew the one it stored. */
const RETRY_WHILE_HELD_MS = 30_000;
const LEASE = 'subscription:users';
const LEASE_MS = 2 * 60_000;

/**
 * Keeps one Graph change-notification subscription on users alive: created at start, renewed twice a day (Graph
 * allows under 29 days). The periodic scan remains the safety net: Graph sends no "missed" signal for users.
 */
export class SubscriptionKeeper {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      subscriptions: ChangeSubscriptions;
      store: Pick<Store, 'getSetting' | 'setSetting' | 'acquireLease' | 'releaseLease'>;
      clock: Clock;
      logger: Logger;
      /** This instance's lease holder: instances starting together create one subscription, not one each. */
      holder: string;
      notificationUrl: string;
    },
  ) {}

  start(): void {
    void this.keep();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async keep(): Promise<void> {
    const { store, clock, holder } = this.deps;
    let next = RENEW_EVERY_MS;
    try {
      if (!(await store.acquireLease(LEASE, holder, clock.now().toISOString(), LEASE_MS))) {
        this.schedule(RETRY_WHILE_HELD_MS);
        return;
      }
      try {
        await this.createOrRenew();
      } finally {
        await store.releaseLease(LEASE, holder);
      }
    } catch (error) {
      next = RETRY_AFTER_FAILURE_MS;
      this.deps.logger.warn(
        { err: error },
        'could not create or renew the change-notification subscription; scans still run on schedule',
      );
    }
    this.schedule(next);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.keep(), ms);
    this.timer.unref();
  }

  private async createOrRenew(): Promise<void> {
    const stored = await readSetting(this.deps.store, 'subscription');
    // The clientState is a secret shared with Graph: a notification without it is refused as forged.
    const clientState = stored?.clientState ?? randomBytes(24).toString('base64url');
    const result = await this.deps.subscriptions.ensure({
      ...(stored ? { existingId: stored.id } : {}),
      notificationUrl: this.deps.notificationUrl,
      clientState,
    });
    await writeSetting(this.deps.store, 'subscription', {
      id: result.id,
      expiresAt: result.expiresAt,
      clientState,
    });
    this.deps.logger.info(
      { subscriptionId: result.id, expiresAt: result.expiresAt },
      'change notifications on users are active',
    );
  }
}
