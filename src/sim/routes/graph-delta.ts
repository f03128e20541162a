import { SimHttpError, badRequest } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimUser } from '../state/model.js';
import type { RemovedUser } from '../state/tenant.js';
import {
  DEFAULT_USER_PROPERTIES,
  USER_READ_ROLES,
  resumeIndex,
  scanUsers,
  sourcesOf,
  userJson,
  userSelect,
} from './graph-user-view.js';
import { decodeToken, encodeToken, graphContext, parseFilter, type Predicate } from './odata.js';

/**
 * GET /v1.0/users/delta. Tokens are stateless: each carries the change sequence it starts from, the $select and
 * $filter of the original request, the tenant's delta generation and when it was issued, so that expiry (7 days),
 * a forced invalidation (/_sim/delta/expire) and a forced reset (/_sim/delta/reset, 410) can be decided from it.
 */

/** Objects per delta page; Graph does not document it and is observed to send up to 200 users. */
export const DELTA_PAGE_SIZE = 200;
/** How long a directory-object delta token stays valid. */
export const DELTA_TOKEN_LIFETIME_MS = 7 * 24 * 3600_000;

interface DeltaState {
  /** i: a page of the initial round; c: a page of a change round; d: a deltaLink (the next change round). */
  k: 'i' | 'c' | 'd';
  /** The original $select, resolved; absent for the default property set. */
  s?: string[];
  /** The original $filter text. */
  f?: string;
  /** tenant.deltaGeneration when issued. */
  g: number;
  /** Issued at, by the simulator clock (ms). */
  t: number;
  /** Changes with a sequence number above this are reported. */
  since: number;
  /** c: the tenant's sequence number when the change round started; its deltaLink resumes from there. */
  until?: number;
  /** c: position in tenant.removed. */
  r?: number;
  /** Position in tenant.userOrder and the last id served there. */
  o?: number;
  l?: string;
}

function syncStateNotFound(): SimHttpError {
  return badRequest(
    'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
    'syncStateNotFound',
  );
}

function readState(ctx: SimContext, text: string): DeltaState {
  const state = decodeToken<Partial<DeltaState>>(text);
  if (
    !['i', 'c', 'd'].includes(state.k ?? '') ||
    typeof state.g !== 'number' ||
    typeof state.t !== 'number' ||
    typeof state.since !== 'number'
  ) {
    throw badRequest('The delta token is invalid.', 'Request_BadRequest');
  }
  if (state.g !== ctx.tenant.deltaGeneration || ctx.tenant.clock.now() - state.t > DELTA_TOKEN_LIFETIME_MS) {
    throw syncStateNotFound();
  }
  return state as DeltaState;
}

/** $select and $filter of a request that starts a round; delta accepts only `id` in $filter and no signInActivity. */
function startQuery(req: SimRequest): Pick<DeltaState, 's' | 'f'> {
  if (req.query.get('$expand') !== null) {
    throw badRequest(
      'Invalid request for delta query: the simulator does not support $expand on users/delta.',
    );
  }
  if (req.query.get('$orderby') !== null) {
    throw new SimHttpError(400, 'Request_UnsupportedQuery', '$orderby is not supported with delta query.');
  }
  const select = userSelect(req);
  if (select?.includes('signInActivity')) {
    throw badRequest(
      'Invalid request for delta query: for this entity set, $expand/$select is not supported for the following properties: signInActivity',
    );
  }
  const filter = req.query.get('$filter') ?? undefined;
  if (filter) parseFilter(filter, ['id']);
  return { ...(select ? { s: select } : {}), ...(filter ? { f: filter } : {}) };
}

function predicateOf(state: DeltaState): Predicate | undefined {
  return state.f ? parseFilter(state.f, ['id']) : undefined;
}

/** The tracked properties' SimUser fields: the selected properties, or Graph's default set. */
function trackedSources(state: DeltaState): (keyof SimUser)[] {
  return sourcesOf(state.s ?? [...DEFAULT_USER_PROPERTIES]);
}

function userItem(u: SimUser, state: DeltaState, minimalSince?: number): Record<string, unknown> {
  let props = state.s ?? [...DEFAULT_USER_PROPERTIES];
  if (minimalSince !== undefined) {
    props = props.filter((p) => sourcesOf([p]).some((key) => (u.changed[key] ?? 0) > minimalSince));
  }
  return { ...userJson(u, props), id: u.id };
}

/** Index of the first removal after `since` (tenant.removed is in sequence order). */
function firstRemovedAfter(removed: readonly RemovedUser[], since: number): number {
  let lo = 0;
  let hi = removed.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((removed[mid]?.seq ?? 0) > since) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function respond(
  req: SimRequest,
  ctx: SimContext,
  state: DeltaState,
  value: unknown[],
  next: DeltaState,
  minimal: boolean,
): SimResponse {
  const link = next.k === 'd' ? '@odata.deltaLink' : '@odata.nextLink';
  const param = next.k === 'd' ? '$deltatoken' : '$skiptoken';
  return {
    status: 200,
    headers: minimal ? { 'Preference-Applied': 'return=minimal' } : {},
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'users', state.s),
      value,
      [link]: `${ctx.baseUrl}${req.path}?${param}=${encodeToken(next)}`,
    },
  };
}

function deltaLinkState(state: DeltaState, since: number, now: number): DeltaState {
  return {
    k: 'd',
    ...(state.s ? { s: state.s } : {}),
    ...(state.f ? { f: state.f } : {}),
    g: state.g,
    t: now,
    since,
  };
}

function initialPage(req: SimRequest, ctx: SimContext, state: DeltaState): SimResponse {
  const tenant = ctx.tenant;
  const now = tenant.clock.now();
  const predicate = predicateOf(state);
  const start = resumeIndex(tenant.userOrder, { o: state.o ?? 0, ...(state.l ? { l: state.l } : {}) });
  const { users, next } = scanUsers(
    tenant,
    start,
    DELTA_PAGE_SIZE,
    predicate ? (u) => predicate(u as unknown as Record<string, unknown>) : undefined,
  );
  const value = users.map((u) => userItem(u, state));
  const following: DeltaState = next
    ? { ...state, t: now, o: next.o, ...(next.l ? { l: next.l } : {}) }
    : deltaLinkState(state, state.since, now);
  return respond(req, ctx, state, value, following, false);
}

function changePage(req: SimRequest, ctx: SimContext, state: DeltaState): SimResponse {
  const tenant = ctx.tenant;
  const now = tenant.clock.now();
  const predicate = predicateOf(state);
  const minimal = /return=minimal/i.test(req.headers['prefer'] ?? '');
  const value: unknown[] = [];
  let r = state.r ?? firstRemovedAfter(tenant.removed, state.since);
  for (; r < tenant.removed.length && value.length < DELTA_PAGE_SIZE; r++) {
    const entry = tenant.removed[r];
    if (!entry || entry.seq <= state.since || (predicate && !predicate({ id: entry.id }))) continue;
    value.push({ id: entry.id, '@removed': { reason: entry.reason } });
  }
  let cursor = { o: state.o ?? 0, ...(state.l ? { l: state.l } : {}) };
  let more = r < tenant.removed.length;
  if (!more) {
    const sources = trackedSources(state);
    const keep = (u: SimUser): boolean =>
      sources.some((key) => (u.changed[key] ?? 0) > state.since) &&
      (!predicate || predicate(u as unknown as Record<string, unknown>));
    const start = resumeIndex(tenant.userOrder, cursor);
    const { users, next } = scanUsers(tenant, start, DELTA_PAGE_SIZE - value.length, keep);
    value.push(...users.map((u) => userItem(u, state, minimal ? state.since : undefined)));
    if (next) {
      cursor = { o: next.o, ...(next.l ? { l: next.l } : {}) };
      more = true;
    }
  }
  const following: DeltaState = more
    ? { ...state, t: now, r, ...cursor }
    : deltaLinkState(state, state.until ?? state.since, now);
  return respond(req, ctx, state, value, following, minimal);
}

/** The select of whatever the request carries, for the Location of a forced reset; unreadable tokens give none. */
function originalSelect(req: SimRequest): string[] | undefined {
  const text = req.query.get('$deltatoken') || req.query.get('$skiptoken');
  if (!text || text === 'latest') return userSelect(req);
  try {
    return decodeToken<Partial<DeltaState>>(text).s;
  } catch {
    return undefined;
  }
}

function delta(req: SimRequest, ctx: SimContext): SimResponse {
  const tenant = ctx.tenant;
  const deltaToken = req.query.get('$deltatoken');
  const skipToken = req.query.get('$skiptoken');
  // `$deltatoken=` (empty) is where a reset sends the caller: it starts a fresh round.
  if (tenant.deltaResetPending && deltaToken !== '') {
    tenant.deltaResetPending = false;
    const select = originalSelect(req);
    const location = `${ctx.baseUrl}/v1.0/users/delta?$deltatoken=${select ? `&$select=${select.join(',')}` : ''}`;
    throw new SimHttpError(
      410,
      'resyncRequired',
      'The delta token is no longer valid; a full synchronization is required.',
      {
        Location: location,
      },
    );
  }
  const now = tenant.clock.now();
  if (deltaToken === 'latest') {
    const state: DeltaState = {
      k: 'd',
      ...startQuery(req),
      g: tenant.deltaGeneration,
      t: now,
      since: tenant.seq,
    };
    return respond(req, ctx, state, [], state, false);
  }
  if (deltaToken) {
    const link = readState(ctx, deltaToken);
    if (link.k !== 'd') throw badRequest('The $deltatoken is invalid.', 'Request_BadRequest');
    const { o: _o, l: _l, r: _r, ...rest } = link;
    return changePage(req, ctx, { ...rest, k: 'c', until: tenant.seq });
  }
  if (skipToken) {
    const state = readState(ctx, skipToken);
    if (state.k === 'i') return initialPage(req, ctx, state);
    if (state.k === 'c') return changePage(req, ctx, state);
    throw badRequest('The $skiptoken is invalid.', 'Request_BadRequest');
  }
  return initialPage(req, ctx, {
    k: 'i',
    ...startQuery(req),
    g: tenant.deltaGeneration,
    t: now,
    since: tenant.seq,
    o: 0,
  });
}

const route = (path: string): RouteDef => ({
  method: 'GET',
  path,
  family: 'graph',
  roles: USER_READ_ROLES,
  cost: () => ({ service: 'identity', ru: 1 }),
  handler: delta,
});

export const graphDeltaRoutes: RouteDef[] = [route('/v1.0/users/delta'), route('/v1.0/users/delta()')];
