import type { Client } from '@microsoft/microsoft-graph-client';
import type { Subscription } from '@microsoft/microsoft-graph-types';
import { systemClock, type Clock } from '../domain/clock.js';
import type { ChangeSubscriptions } from '../workflows/directory-port.js';
import { GraphError, toGraphError } from './errors.js';

/**
 * Graph change notifications on users (User.Read.All). Notifications only hint that something changed (their
 * latency for users is undocumented and there is no "missed" signal), so the delta scan stays the source of truth.
 */

/** Directory resources allow at most 41,760 minutes; a margin keeps clock skew from making Graph refuse. */
const LIFETIME_MINUTES = 41_000;

export class GraphChangeSubscriptions implements ChangeSubscriptions {
  constructor(
    private readonly client: Client,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Renews the subscription `existingId`, or creates one when there is none or Graph has forgotten it. */
  async ensure(input: {
    existingId?: string;
    notificationUrl: string;
    clientState: string;
  }): Promise<{ id: string; expiresAt: string }> {
    if (input.existingId) {
      try {
        return view(
          (await this.client
            .api(`/subscriptions/${encodeURIComponent(input.existingId)}`)
            .patch({ expirationDateTime: this.expiry() })) as Subscription,
        );
      } catch (error) {
        const failure = toGraphError(error);
        // Graph drops a subscription once it expires; anything else is a real failure.
        if (failure.status !== 404) throw failure;
      }
    }
    try {
      return view(
        (await this.client.api('/subscriptions').post({
          changeType: 'updated,deleted',
          notificationUrl: input.notificationUrl,
          resource: 'users',
          expirationDateTime: this.expiry(),
          clientState: input.clientState,
        })) as Subscription,
      );
    } catch (error) {
      throw toGraphError(error);
    }
  }

  private expiry(): string {
    return new Date(this.clock.now().getTime() + LIFETIME_MINUTES * 60_000).toISOString();
  }
}

function view(subscription: Subscription): { id: string; expiresAt: string } {
  const { id, expirationDateTime } = subscription;
  if (typeof id !== 'string' || typeof expirationDateTime !== 'string') {
    throw new GraphError(
      'server',
      200,
      'UnexpectedResponse',
      'The subscription answer had no id or expirationDateTime.',
      undefined,
      undefined,
    );
  }
  return { id, expiresAt: expirationDateTime };
}
