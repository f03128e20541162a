import type { EnvironmentRecord, FlowRecord } from '../domain/flows.js';
import { flowRecord, guidKey } from './flow-record.js';
import type { PowerPlatformHttp } from './power-platform-http.js';
import { readAllPages } from './read-all-pages.js';
import {
  CLOUD_FLOW_CATEGORY,
  DATAVERSE_WEB_API,
  LOOKUP_LOGICAL_NAME,
  SYSTEM_USER_COLUMNS,
  WORKFLOW_COLUMNS,
  systemUserRow,
  workflowRow,
} from './wire.js';

/** Dataverse's largest (and default) page for standard tables. */
export const MAX_PAGE_SIZE = 5000;

/**
 * Every cloud flow of one organization with its owner resolved: all systemusers and all category-5 workflows, each
 * paged with `Prefer: odata.maxpagesize`, read side by side. Warden's application user needs prvReadUser and
 * prvReadWorkflow; without them Dataverse answers 403 and this throws the PowerPlatformError.
 */
export async function readFlows(
  http: PowerPlatformHttp,
  environment: EnvironmentRecord & { instanceApiUrl: string },
  pageSize: number,
): Promise<FlowRecord[]> {
  const api = `${environment.instanceApiUrl}${DATAVERSE_WEB_API}`;
  // The organization's URL is the token audience: a token for one environment is refused by every other.
  const scope = `${environment.instanceApiUrl}/.default`;
  const paged = `odata.maxpagesize=${pageSize}`;
  // When one table fails the other stops too, and nothing is still running for this environment once this returns.
  const stop = new AbortController();
  let failure: { error: unknown } | undefined;
  const settle = <T>(read: Promise<T[]>): Promise<T[]> =>
    read.catch((error: unknown) => {
      failure ??= { error };
      stop.abort();
      return [];
    });
  const [users, workflows] = await Promise.all([
    settle(
      readAllPages(
        http,
        `${api}/systemusers?$select=${SYSTEM_USER_COLUMNS.join(',')}`,
        { scope, headers: { Prefer: paged }, signal: stop.signal },
        systemUserRow,
        '@odata.nextLink',
      ),
    ),
    settle(
      readAllPages(
        http,
        `${api}/workflows?$filter=${encodeURIComponent(`category eq ${CLOUD_FLOW_CATEGORY}`)}&$select=${WORKFLOW_COLUMNS.join(',')}`,
        // Only the lookup's table is asked for: it tells a team owner from a systemuser; formatted values go unused.
        {
          scope,
          headers: { Prefer: `odata.include-annotations="${LOOKUP_LOGICAL_NAME}",${paged}` },
          signal: stop.signal,
        },
        workflowRow,
        '@odata.nextLink',
      ),
    ),
  ]);
  if (failure) throw failure.error;
  const byId = new Map(users.map((user) => [guidKey(user.systemuserid), user]));
  return workflows.map((row) => flowRecord(row, environment, byId));
}
