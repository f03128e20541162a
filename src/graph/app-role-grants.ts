import { AzureCliCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { OperatorSettings } from '../config.js';
import { toGraphError } from './errors.js';

/*
 * Granting Warden's managed identity its Microsoft Graph application permissions (app role assignments on Graph's
 * service principal). Read, compare with the documented list, add what is missing; what is extra is reported,
 * and removed only when asked.
 */

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';

interface AppRole {
  id: string;
  value: string;
}
interface Assignment {
  id: string;
  appRoleId: string;
  resourceId: string;
}

export interface GrantPlan {
  identity: { id: string; displayName: string };
  graphServicePrincipalId: string;
  /** Documented and held. */
  held: string[];
  /** Documented and missing: to grant. */
  missing: { value: string; appRoleId: string }[];
  /** Held on Graph but not documented: reported; removed only with prune. */
  extra: { value: string; assignmentId: string }[];
}

export type GrantOutcome =
  { role: string; outcome: 'granted' | 'already granted' | 'removed' } | { role: string; outcome: 'extra' };

/** Why the grant cannot go on, said to the person running it, with what to do. */
export class GrantError extends Error {
  override readonly name = 'GrantError';
}

async function allPages<T>(client: Client, path: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  while (next) {
    const page = (await client.api(next).get()) as { value?: T[]; '@odata.nextLink'?: string };
    out.push(...(page.value ?? []));
    next = page['@odata.nextLink'];
  }
  return out;
}

function explain(error: unknown, identityId: string): never {
  const graph = toGraphError(error);
  if (graph.status === 403) {
    throw new GrantError(
      'Graph refused: granting application permissions needs Privileged Role Administrator or Global Administrator ' +
        '(AppRoleAssignment.ReadWrite.All and Application.Read.All). Sign in as such an administrator with ' +
        `"az login --tenant <tenant id>" and run this again. (${graph.code}, request-id ${graph.requestId ?? 'none'})`,
    );
  }
  if (graph.status === 404) {
    throw new GrantError(
      `No service principal ${identityId} in this tenant. Check --identity: it is the managed identity's ` +
        'principal (object) id, the Bicep output MANAGED_IDENTITY_PRINCIPAL_ID, not its client id.',
    );
  }
  throw new GrantError(
    `Graph failed: ${graph.message} (${graph.code}, request-id ${graph.requestId ?? 'none'})`,
  );
}

/** Reads what the identity holds on Graph and compares it with `documented`. Writes nothing. */
export async function planGrants(
  client: Client,
  identityId: string,
  documented: readonly string[],
): Promise<GrantPlan> {
  try {
    const identity = (await client
      .api(`/servicePrincipals/${identityId}`)
      .select('id,displayName')
      .get()) as {
      id: string;
      displayName: string;
    };
    const [graph] = await allPages<{ id: string; appRoles: AppRole[] }>(
      client,
      `/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'&$select=id,appRoles`,
    );
    if (!graph) throw new GrantError("Microsoft Graph's service principal was not found in this tenant.");
    const byId = new Map(graph.appRoles.map((r) => [r.id, r.value]));
    const byValue = new Map(graph.appRoles.map((r) => [r.value, r.id]));
    const onGraph = (
      await allPages<Assignment>(client, `/servicePrincipals/${identityId}/appRoleAssignments`)
    ).filter((a) => a.resourceId === graph.id);
    const heldValues = new Map(onGraph.map((a) => [byId.get(a.appRoleId) ?? a.appRoleId, a.id]));
    const missing = documented.filter((v) => !heldValues.has(v));
    const unknown = missing.filter((v) => !byValue.has(v));
    if (unknown.length > 0)
      throw new GrantError(`Microsoft Graph offers no permission named ${unknown.join(', ')}.`);
    return {
      identity: { id: identity.id, displayName: identity.displayName },
      graphServicePrincipalId: graph.id,
      held: documented.filter((v) => heldValues.has(v)),
      missing: missing.map((value) => ({ value, appRoleId: byValue.get(value) ?? '' })),
      extra: [...heldValues]
        .filter(([value]) => !documented.includes(value))
        .map(([value, assignmentId]) => ({ value, assignmentId })),
    };
  } catch (error) {
    if (error instanceof GrantError) throw error;
    explain(error, identityId);
  }
}

/** Grants what is missing; removes what is extra only with `prune`. One line per role. */
export async function applyGrants(client: Client, plan: GrantPlan, prune: boolean): Promise<GrantOutcome[]> {
  const outcomes: GrantOutcome[] = plan.held.map((role) => ({ role, outcome: 'already granted' }));
  try {
    for (const role of plan.missing) {
      try {
        await client.api(`/servicePrincipals/${plan.graphServicePrincipalId}/appRoleAssignedTo`).post({
          principalId: plan.identity.id,
          resourceId: plan.graphServicePrincipalId,
          appRoleId: role.appRoleId,
        });
        outcomes.push({ role: role.value, outcome: 'granted' });
      } catch (error) {
        // Granted meanwhile (another run): Graph says it exists, which is what was wanted.
        if (!/already exists/i.test(toGraphError(error).message)) throw error;
        outcomes.push({ role: role.value, outcome: 'already granted' });
      }
    }
    for (const role of plan.extra) {
      if (!prune) {
        outcomes.push({ role: role.value, outcome: 'extra' });
        continue;
      }
      await client
        .api(`/servicePrincipals/${plan.graphServicePrincipalId}/appRoleAssignedTo/${role.assignmentId}`)
        .delete();
      outcomes.push({ role: role.value, outcome: 'removed' });
    }
  } catch (error) {
    explain(error, plan.identity.id);
  }
  return outcomes;
}

/**
 * Who runs the grant: an administrator signed in with the Azure CLI; or, for the simulator and automation, an app
 * whose secret is in AZURE_CLIENT_SECRET (never a command-line flag).
 */
export function operatorCredential(
  operator: OperatorSettings,
  options: { tenantId?: string; authorityHost: string },
): TokenCredential {
  const tenantId = options.tenantId ?? operator.tenantId;
  const { clientId, clientSecret: secret } = operator;
  if (tenantId && clientId && secret) {
    return new ClientSecretCredential(tenantId, clientId, secret, {
      authorityHost: options.authorityHost,
      disableInstanceDiscovery: options.authorityHost !== PUBLIC_AUTHORITY,
    });
  }
  return new AzureCliCredential(tenantId ? { tenantId } : {});
}
