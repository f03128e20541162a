import { GRAPH_RESOURCE } from '../auth/tokens.js';
import { SimHttpError } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimApp } from '../state/model.js';

/**
 * The Entra endpoints @azure/identity calls: the OpenID configuration MSAL reads, the client-credentials token
 * endpoint, the signing keys, and the App Service managed-identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER).
 */

function entraError(status: number, error: string, aadsts: string): SimHttpError {
  return new SimHttpError(status, error, aadsts);
}

function tenantMatches(req: SimRequest, ctx: SimContext): boolean {
  const tenant = req.params['tenant'] ?? '';
  return tenant === ctx.tenant.id || tenant.toLowerCase() === ctx.tenant.domain || tenant === 'organizations';
}

/** Maps a requested scope or resource to the token audience: Graph, BAP, or a Dataverse environment URL. */
export function audienceFor(scopeOrResource: string): string {
  const resource =
    scopeOrResource
      .split(' ')[0]
      ?.replace(/\/\.default$/, '')
      .replace(/\/$/, '') ?? '';
  return resource === '00000003-0000-0000-c000-000000000000' ? GRAPH_RESOURCE : resource;
}

async function issue(
  ctx: SimContext,
  app: SimApp,
  audience: string,
): Promise<{ token: string; expiresIn: number }> {
  const isGraph = audience === GRAPH_RESOURCE;
  const token = await ctx.tokens.sign(
    {
      aud: audience,
      iss: `https://sts.windows.net/${ctx.tenant.id}/`,
      tid: ctx.tenant.id,
      appid: app.clientId,
      azp: app.clientId,
      oid: app.servicePrincipalId,
      // App roles are Graph permissions; other resources authorise the app by their own rules.
      roles: isGraph ? [...app.roles] : [],
      idtyp: 'app',
    },
    ctx.tenant.clock.now(),
    ctx.tokenLifetimeSeconds,
  );
  return { token, expiresIn: ctx.tokenLifetimeSeconds };
}

function openIdConfiguration(req: SimRequest, ctx: SimContext): SimResponse {
  if (!tenantMatches(req, ctx))
    throw entraError(400, 'invalid_tenant', `AADSTS90002: Tenant '${req.params['tenant'] ?? ''}' not found.`);
  const base = `${ctx.baseUrl}/${ctx.tenant.id}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${ctx.baseUrl}/${ctx.tenant.id}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${ctx.baseUrl}/${ctx.tenant.id}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ctx.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    },
  };
}

async function token(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  if (!tenantMatches(req, ctx))
    throw entraError(400, 'invalid_tenant', `AADSTS90002: Tenant '${req.params['tenant'] ?? ''}' not found.`);
  const form = (req.body ?? {}) as Record<string, string | undefined>;
  if (form['grant_type'] !== 'client_credentials') {
    throw entraError(
      400,
      'unsupported_grant_type',
      'AADSTS70003: The app requested an unsupported grant type. The simulator supports client_credentials only.',
    );
  }
  const clientId = form['client_id'] ?? '';
  const app = ctx.tenant.findApp(clientId);
  if (!app) {
    throw entraError(
      400,
      'unauthorized_client',
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${ctx.tenant.id}'.`,
    );
  }
  if (form['client_assertion']) {
    // Certificate credentials: the simulator accepts any well-formed assertion for a known client.
    if (form['client_assertion_type'] !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      throw entraError(400, 'invalid_request', 'AADSTS50027: Invalid client assertion type.');
    }
  } else if (form['client_secret'] !== app.clientSecret) {
    throw entraError(
      401,
      'invalid_client',
      `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    );
  }
  const scope = form['scope'] ?? '';
  if (!scope.endsWith('/.default')) {
    throw entraError(
      400,
      'invalid_scope',
      `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const issued = await issue(ctx, app, audienceFor(scope));
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.token,
    },
  };
}

async function managedIdentity(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  if (req.headers['x-identity-header'] !== ctx.identityHeader) {
    throw new SimHttpError(401, 'invalid_request', 'The X-IDENTITY-HEADER is missing or wrong.');
  }
  const resource = req.query.get('resource');
  if (!resource)
    throw new SimHttpError(400, 'invalid_request', 'Required query parameter resource is missing.');
  const clientId = req.query.get('client_id') ?? req.query.get('clientid');
  const app = clientId
    ? ctx.tenant.findApp(clientId)
    : [...ctx.tenant.apps.values()].find((a) => a.displayName === 'Warden');
  if (!app)
    throw new SimHttpError(
      400,
      'invalid_request',
      `No managed identity with client id '${clientId ?? ''}' is assigned to this app.`,
    );
  const audience = audienceFor(resource);
  const issued = await issue(ctx, app, audience);
  return {
    status: 200,
    body: {
      access_token: issued.token,
      expires_on: String(Math.floor(ctx.tenant.clock.now() / 1000) + issued.expiresIn),
      resource,
      token_type: 'Bearer',
      client_id: app.clientId,
    },
  };
}

export const entraRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/:tenant/v2.0/.well-known/openid-configuration',
    family: 'entra',
    handler: openIdConfiguration,
  },
  { method: 'POST', path: '/:tenant/oauth2/v2.0/token', family: 'entra', records: false, handler: token },
  {
    method: 'GET',
    path: '/:tenant/discovery/v2.0/keys',
    family: 'entra',
    handler: (_req, ctx) => ({ status: 200, body: { keys: [ctx.tokens.jwk] } }),
  },
  { method: 'GET', path: '/msi/token', family: 'entra', handler: managedIdentity },
];
