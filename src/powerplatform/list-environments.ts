import type { EnvironmentRecord } from '../domain/flows.js';
import type { PowerPlatformHttp } from './power-platform-http.js';
import { readAllPages } from './read-all-pages.js';
import { BAP_ADMIN_ENVIRONMENTS, BAP_API_VERSION, bapEnvironment, type BapEnvironment } from './wire.js';

export interface BapSettings {
  bapBaseUrl: string;
  bapScope: string;
}

/**
 * Every environment of the tenant from BAP's admin API. Needs Warden's app registered as a Power Platform
 * management application (`pac admin application register`); BAP answers 403 Forbidden otherwise.
 */
export async function listEnvironments(
  http: PowerPlatformHttp,
  settings: BapSettings,
): Promise<EnvironmentRecord[]> {
  const base = settings.bapBaseUrl.replace(/\/+$/, '');
  const url = `${base}${BAP_ADMIN_ENVIRONMENTS}?api-version=${BAP_API_VERSION}`;
  const environments = await readAllPages(
    http,
    url,
    { scope: settings.bapScope },
    bapEnvironment,
    'nextLink',
  );
  return environments.map(environmentRecord);
}

/** An environment without Dataverse has no linkedEnvironmentMetadata, so no Web API URL. */
export function environmentRecord(environment: BapEnvironment): EnvironmentRecord {
  const apiUrl = environment.properties?.linkedEnvironmentMetadata?.instanceApiUrl;
  return {
    name: environment.name,
    displayName: environment.properties?.displayName ?? environment.name,
    instanceApiUrl: apiUrl ? apiUrl.replace(/\/+$/, '') : null,
  };
}
