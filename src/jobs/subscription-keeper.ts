import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { ChangeSubscriptions } from '../workflows/directory-port.js';
import type { Store } from '../workflows/ports.js';
import { readSetting, writeSetting } from '../workflows/settings.js';

const RENEW_EVERY_MS = 12 * 3600_000;
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;

/**
 * Keeps one Graph change-notification subscription on users alive: created at start, renewed twice a day (Graph
 * allows under 29 days). The periodic scan remains the safety net: Graph sends no "missed" signal for users.
 */
export class SubscriptionKeeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      subscriptions: ChangeSubscriptions;
      store: Pick<Store, 'getSetting' | 'setSetting'>;
      logger: Logger;
      notificationUrl: string;
    },
  ) {}

  start(): void {
    void this.keep();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private async keep(): Promise<void> {
    let next = RENEW_EVERY_MS;
    try {
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
    } catch (error) {
      next = RETRY_AFTER_FAILURE_MS;
      this.deps.logger.warn(
        { err: error },
        'could not create or renew the change-notification subscription; scans still run on schedule',
      );
    }
    this.timer = setTimeout(() => void this.keep(), next);
    this.timer.unref();
  }
}
