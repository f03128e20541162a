import type { EnvironmentInventory, EnvironmentRecord } from '../domain/flows.js';
import { PowerPlatformError } from './power-platform-error.js';

/** Dataverse's code when the caller is no (enabled) user of the organization; 0x80040220 is a missing privilege. */
const NOT_A_MEMBER = '0x80072560';
const PRIVILEGES = 'a security role that can read workflows and systemusers (prvReadWorkflow, prvReadUser)';
const WHERE =
  'Assign it in the Power Platform admin center (the environment > Settings > Users + permissions > Application users), then scan again.';

type NotInventoried = Extract<EnvironmentInventory, { status: 'not-inventoried' }>;

const label = (environment: EnvironmentRecord): string => `${environment.displayName} (${environment.name})`;

/** The environment Warden could not read, and what an administrator can do about it. */
export function notInventoried(environment: EnvironmentRecord, error: unknown): NotInventoried {
  if (error instanceof PowerPlatformError && error.reason === 'forbidden') {
    const guidance =
      error.code === NOT_A_MEMBER
        ? `Warden is not an enabled application user in ${label(environment)}: add Warden's app as an application user with ${PRIVILEGES}.`
        : `Warden's application user in ${label(environment)} needs ${PRIVILEGES}.`;
    return {
      environment,
      status: 'not-inventoried',
      reason: 'forbidden',
      detail: `${guidance} ${WHERE} Dataverse said: ${error.message} ${evidence(error)}`,
    };
  }
  const why = error instanceof PowerPlatformError ? `${error.message} ${evidence(error)}` : String(error);
  return {
    environment,
    status: 'not-inventoried',
    reason: 'failed',
    detail: `Reading the flows of ${label(environment)} failed: ${why}`,
  };
}

/** The status, service code and request id, for whoever takes this to Microsoft support. */
function evidence(error: PowerPlatformError): string {
  const parts = [error.status > 0 ? `HTTP ${error.status}` : undefined, error.code];
  if (error.requestId) parts.push(`request-id ${error.requestId}`);
  return `(${parts.filter((p) => p !== undefined).join(', ')})`;
}

export const NO_DATAVERSE_DETAIL =
  'The environment has no Dataverse database, so its flows cannot be read through the supported API.';
