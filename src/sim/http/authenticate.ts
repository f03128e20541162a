import { BAP_RESOURCES, GRAPH_RESOURCE } from '../auth/tokens.js';
import { errorResponse } from './errors.js';
import type { Family, SimContext, SimRequest, SimResponse } from './types.js';

const GRAPH_AUDIENCES = new Set([
  GRAPH_RESOURCE,
  `${GRAPH_RESOURCE}/`,
  '00000003-0000-0000-c000-000000000000',
]);

/**
 * Checks the bearer token of a Graph, BAP or Dataverse request: signature and lifetime, audience, tenant.
 * Sets `req.auth` when it passes and returns undefined; otherwise returns the 401 to send. Other families
 * pass without a token.
 */
export async function authenticate(
  ctx: SimContext,
  family: Family,
  req: SimRequest,
): Promise<SimResponse | undefined> {
  if (family === 'graph' || family === 'bap' || family === 'dataverse') {
    const header = req.headers['authorization'] ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1]) return unauthorized(ctx, family, 'Access token is empty.', req);
    const verified = await ctx.tokens.verify(match[1], ctx.tenant.clock.now());
    if (!verified.ok) return unauthorized(ctx, family, verified.message, req);
    const aud = verified.claims.aud.replace(/\/$/, '');
    const audienceOk =
      family === 'graph'
        ? GRAPH_AUDIENCES.has(verified.claims.aud)
        : family === 'bap'
          ? BAP_RESOURCES.includes(aud)
          : aud.toLowerCase() === `${ctx.baseUrl}/orgs/${req.path.split('/')[2] ?? ''}`.toLowerCase();
    if (!audienceOk)
      return unauthorized(ctx, family, 'Access token validation failure. Invalid audience.', req);
    if (verified.claims.tid !== ctx.tenant.id)
      return unauthorized(ctx, family, 'The token was issued for another tenant.', req);
    req.auth = verified.claims;
  }
  return undefined;
}

function unauthorized(ctx: SimContext, family: Family, message: string, req: SimRequest): SimResponse {
  ctx.recorder.request(`401 ${family}`, 401);
  const code = family === 'dataverse' ? '0x80072560' : 'InvalidAuthenticationToken';
  return errorResponse(family, 401, code, message, req, {
    'WWW-Authenticate': `Bearer realm="", error="invalid_token"`,
  });
}
