import type { TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import type { Config } from '../config.js';

const PUBLIC_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/**
 * The one factory for Warden's Graph client. The base URL comes from configuration; a host that is not a
 * Microsoft Graph host (the simulator) is declared as a custom host, or the SDK would never attach the token.
 */
export function createGraphClient(config: Readonly<Config>, credential: TokenCredential): Client {
  const url = new URL(config.graph.baseUrl);
  const version = url.pathname.replace(/^\/+|\/+$/g, '') || 'v1.0';
  const authProvider = new TokenCredentialAuthenticationProvider(credential, {
    scopes: [config.graph.scope],
  });
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: `${url.origin}/`,
    defaultVersion: version,
    ...(PUBLIC_GRAPH_HOSTS.has(url.hostname) ? {} : { customHosts: new Set([url.hostname]) }),
  });
}
