import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryObject, Group, User } from '@microsoft/microsoft-graph-types';
import type { ExceptionGroupMember, GroupMemberKind } from '../domain/rules/nhi-003-exception-group-drift.js';
import type { ExceptionGroup, GroupWrite } from '../workflows/exception-port.js';
import { toGraphError, type GraphError } from './errors.js';
import { requestIdOfWrite } from './write-receipt.js';

/**
 * The MFA exception group over Microsoft Graph: members added and removed by reference ($ref), never the member
 * object itself (GroupMember.ReadWrite.All), and read with their type (GroupMember.Read.All is enough for that).
 */

/** Where `@odata.id` references point when no Graph base URL is configured. */
const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

export interface ExceptionGroupOptions {
  groupId: string;
  /** Graph's base URL (config GRAPH_BASE_URL): a national cloud expects references on its own host. */
  graphBaseUrl?: string;
}

type WireMember = DirectoryObject &
  Pick<User, 'displayName' | 'userPrincipalName'> & { '@odata.type'?: string };

interface MemberPage {
  value?: WireMember[];
  '@odata.nextLink'?: string;
}

const KINDS: Readonly<Record<string, GroupMemberKind>> = {
  '#microsoft.graph.user': 'user',
  '#microsoft.graph.group': 'group',
  '#microsoft.graph.servicePrincipal': 'servicePrincipal',
};

function memberOf(item: WireMember): ExceptionGroupMember | undefined {
  if (typeof item.id !== 'string') return undefined;
  return {
    id: item.id,
    displayName: item.displayName ?? '',
    userPrincipalName: typeof item.userPrincipalName === 'string' ? item.userPrincipalName : null,
    kind: KINDS[item['@odata.type'] ?? ''] ?? 'other',
  };
}

/**
 * Graph refuses a duplicate add with 400 Request_BadRequest, the same code as for a malformed reference; only its
 * documented message tells the two apart.
 */
function isDuplicateAdd(failure: GraphError): boolean {
  return (
    failure.status === 400 &&
    failure.code === 'Request_BadRequest' &&
    /added object references already exist/i.test(failure.message)
  );
}

export class GraphExceptionGroup implements ExceptionGroup {
  private readonly groupId: string;
  private readonly groupPath: string;
  private readonly graphBaseUrl: string;

  constructor(
    private readonly client: Client,
    options: ExceptionGroupOptions,
  ) {
    this.groupId = options.groupId;
    this.groupPath = `/groups/${encodeURIComponent(options.groupId)}`;
    this.graphBaseUrl = (options.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
  }

  async addMember(memberId: string): Promise<GroupWrite<'added' | 'already-member'>> {
    const reference = {
      '@odata.id': `${this.graphBaseUrl}/directoryObjects/${encodeURIComponent(memberId)}`,
    };
    try {
      const requestId = await requestIdOfWrite(() =>
        this.client.api(`${this.groupPath}/members/$ref`).responseType(ResponseType.RAW).post(reference),
      );
      return { outcome: 'added', requestId };
    } catch (error) {
      const failure = toGraphError(error);
      if (isDuplicateAdd(failure)) return { outcome: 'already-member', requestId: failure.requestId };
      throw failure;
    }
  }

  async removeMember(memberId: string): Promise<GroupWrite<'removed' | 'not-a-member'>> {
    try {
      const requestId = await requestIdOfWrite(() =>
        this.client
          .api(`${this.groupPath}/members/${encodeURIComponent(memberId)}/$ref`)
          .responseType(ResponseType.RAW)
          .delete(),
      );
      return { outcome: 'removed', requestId };
    } catch (error) {
      const failure = toGraphError(error);
      // Graph answers 404 Request_ResourceNotFound both for a member who is not there and for a group that is not:
      // only the first is done. Asking for the group tells them apart without reading the message.
      if (failure.status !== 404 || !(await this.groupExists())) throw failure;
      return { outcome: 'not-a-member', requestId: failure.requestId };
    }
  }

  async members(): Promise<{ group: { id: string; displayName: string }; members: ExceptionGroupMember[] }> {
    try {
      const group = (await this.client.api(`${this.groupPath}?$select=id,displayName`).get()) as Group;
      let page = (await this.client
        .api(`${this.groupPath}/members?$select=id,displayName,userPrincipalName&$top=999`)
        .get()) as MemberPage;
      const members = (page.value ?? []).map(memberOf).filter((m) => m !== undefined);
      for (let next = page['@odata.nextLink']; next; next = page['@odata.nextLink']) {
        page = (await this.client.api(next).get()) as MemberPage;
        members.push(...(page.value ?? []).map(memberOf).filter((m) => m !== undefined));
      }
      return { group: { id: group.id ?? this.groupId, displayName: group.displayName ?? '' }, members };
    } catch (error) {
      throw toGraphError(error);
    }
  }

  private async groupExists(): Promise<boolean> {
    try {
      await this.client.api(`${this.groupPath}?$select=id`).get();
      return true;
    } catch (error) {
      const failure = toGraphError(error);
      if (failure.status === 404) return false;
      throw failure;
    }
  }
}
