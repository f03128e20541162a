import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryRole, User } from '@microsoft/microsoft-graph-types';
import {
  ADMIN_TARGET_REFUSED,
  type AccountWriter,
  type WriteReceipt,
} from '../workflows/remediation-port.js';
import { GraphError, toGraphError } from './errors.js';
import { requestIdOfWrite } from './write-receipt.js';

/**
 * Blocking and unblocking sign-in, and revoking sessions, over Microsoft Graph. Permissions: PATCH accountEnabled
 * needs User.EnableDisableAccount.All with User.Read.All; revokeSignInSessions needs User.RevokeSessions.All.
 *
 * Graph answers 403 Authorization_RequestDenied alike for a missing permission and for an account that holds an
 * admin role (app-only callers then also need a privileged Entra role). After such a refusal the writer reads the
 * account's directory roles: when it holds one, the failure's code is ADMIN_TARGET_REFUSED; otherwise it is Graph's.
 */

interface RolePage {
  value?: DirectoryRole[];
}

export class GraphAccountWriter implements AccountWriter {
  constructor(private readonly client: Client) {}

  async accountState(
    userId: string,
  ): Promise<{ accountEnabled: boolean; signInSessionsValidFrom: string | null }> {
    let user: User;
    try {
      user = (await this.client
        .api(userPath(userId))
        .select(['accountEnabled', 'signInSessionsValidFromDateTime'])
        .get()) as User;
    } catch (error) {
      throw toGraphError(error);
    }
    return {
      // Only an explicit false counts as blocked: an account of unknown state must still be written.
      accountEnabled: user.accountEnabled !== false,
      signInSessionsValidFrom: user.signInSessionsValidFromDateTime ?? null,
    };
  }

  async setAccountEnabled(userId: string, enabled: boolean): Promise<WriteReceipt> {
    try {
      const requestId = await requestIdOfWrite(() =>
        this.client.api(userPath(userId)).responseType(ResponseType.RAW).patch({ accountEnabled: enabled }),
      );
      return { requestId };
    } catch (error) {
      const failure = toGraphError(error);
      if (failure.status !== 403 || failure.code !== 'Authorization_RequestDenied') throw failure;
      throw await this.explainRefusal(userId, enabled, failure);
    }
  }

  async revokeSessions(userId: string): Promise<WriteReceipt> {
    const requestId = await requestIdOfWrite(() =>
      this.client
        .api(`${userPath(userId)}/revokeSignInSessions`)
        .responseType(ResponseType.RAW)
        .post(undefined),
    );
    return { requestId };
  }

  /**
   * The refusal to return for a 403 on accountEnabled: marked ADMIN_TARGET_REFUSED when the account holds a
   * directory role (app-only callers then also need a privileged Entra role), else Graph's own error.
   */
  private async explainRefusal(userId: string, enabled: boolean, refusal: GraphError): Promise<GraphError> {
    let roles: string[];
    try {
      roles = await this.directoryRoles(userId);
    } catch {
      // The roles could not be read (the lookup's own 403 says no more than the first): Graph's refusal stands.
      return refusal;
    }
    if (roles.length === 0) return refusal;
    return new GraphError(
      'forbidden',
      refusal.status,
      ADMIN_TARGET_REFUSED,
      `Graph refused to ${enabled ? 'enable' : 'disable'} the account (${refusal.code}: ${refusal.message}). ` +
        `It holds the admin role${roles.length > 1 ? 's' : ''} ${roles.join(', ')}: to change whether an administrator can sign in, Warden's ` +
        'identity also needs a privileged Entra role, such as Privileged Authentication Administrator.',
      refusal.requestId,
      undefined,
    );
  }

  /** Display names of the directory roles the user holds, directly or through a role-assignable group. */
  private async directoryRoles(userId: string): Promise<string[]> {
    const page = (await this.client
      .api(`${userPath(userId)}/transitiveMemberOf/microsoft.graph.directoryRole`)
      .select(['displayName', 'roleTemplateId'])
      .get()) as RolePage;
    return (page.value ?? [])
      .map((role) => role.displayName ?? role.roleTemplateId ?? '')
      .filter((name) => name !== '');
  }
}

function userPath(userId: string): string {
  return `/users/${encodeURIComponent(userId)}`;
}
