import { SimHttpError } from '../http/errors.js';
import type { SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimEnvironment } from '../state/model.js';
import { authorize, dataverseError, webApiUrl, type Privilege } from './dataverse-core.js';
import { parseFilter, selected, type Predicate } from './odata.js';

/**
 * Reading a Dataverse table through the Web API: $select, $filter, $top, $count, server-driven paging with
 * `Prefer: odata.maxpagesize` and a paging-cookie $skiptoken, and the annotations `odata.include-annotations` asks for.
 */

/** Dataverse's default and largest page for standard tables. */
export const DATAVERSE_MAX_PAGE_SIZE = 5000;

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const NAVIGATION = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

export interface ColumnAnnotation {
  formatted?: string | undefined;
  /** For lookup columns (`_x_value`): the table the id points into, and the navigation property behind it. */
  lookup?: { logicalName: string; navigation: string };
}

/** A table the simulator serves: how its records look on the wire and what may be selected and filtered. */
export interface EntitySpec<T> {
  setName: string;
  logicalName: string;
  key: string;
  readPrivilege: Privilege;
  /** Every column the simulator knows, in wire order. */
  columns: readonly string[];
  /** Edm.Guid columns: compared with bare GUID literals, never quoted strings. */
  guidColumns: readonly string[];
  rows: (env: SimEnvironment) => Iterable<T>;
  find: (env: SimEnvironment, key: string) => T | undefined;
  toRow: (item: T, env: SimEnvironment) => Record<string, unknown>;
  annotations: (item: T, env: SimEnvironment) => Record<string, ColumnAnnotation>;
  /** The row version, sent as `@odata.etag` and compared with If-Match. */
  version: (item: T) => string;
}

export interface Preferences {
  maxPageSize: number;
  includes: (term: string) => boolean;
  returnRepresentation: boolean;
  /** What to echo in Preference-Applied. */
  applied: string[];
}

/** Reads the Prefer header the way Dataverse does; unknown preferences are ignored. */
export function preferences(req: SimRequest): Preferences {
  const header = req.headers['prefer'] ?? '';
  const result: Preferences = {
    maxPageSize: DATAVERSE_MAX_PAGE_SIZE,
    includes: () => false,
    returnRepresentation: false,
    applied: [],
  };
  for (const match of header.matchAll(/([\w.-]+)\s*(?:=\s*("[^"]*"|[^,;\s]*))?/g)) {
    const name = (match[1] ?? '').toLowerCase();
    const value = (match[2] ?? '').replace(/^"(.*)"$/, '$1');
    if (name === 'odata.maxpagesize' && /^\d+$/.test(value) && Number(value) > 0) {
      result.maxPageSize = Math.min(Number(value), DATAVERSE_MAX_PAGE_SIZE);
      result.applied.push(`odata.maxpagesize=${result.maxPageSize}`);
    } else if (name === 'odata.include-annotations') {
      result.includes = annotationFilter(value);
      result.applied.push(`odata.include-annotations="${value}"`);
    } else if (name === 'return' && value === 'representation') {
      result.returnRepresentation = true;
      result.applied.push('return=representation');
    }
  }
  return result;
}

/** OData's annotation filter: `*`, `Namespace.*`, exact terms, and `-term` to exclude. */
function annotationFilter(list: string): (term: string) => boolean {
  const patterns = list
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const matches = (pattern: string, term: string): boolean =>
    pattern === '*' || pattern === term || (pattern.endsWith('.*') && term.startsWith(pattern.slice(0, -1)));
  const include = patterns.filter((p) => !p.startsWith('-'));
  const exclude = patterns.filter((p) => p.startsWith('-')).map((p) => p.slice(1));
  return (term) => include.some((p) => matches(p, term)) && !exclude.some((p) => matches(p, term));
}

function unknownProperty<T>(spec: EntitySpec<T>, name: string): SimHttpError {
  return dataverseError(
    400,
    '0x80060888',
    `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${spec.logicalName}'.`,
  );
}

export function columnsOf<T>(spec: EntitySpec<T>, req: SimRequest): string[] | undefined {
  const select = selected(req);
  if (!select) return undefined;
  for (const name of select) if (!spec.columns.includes(name)) throw unknownProperty(spec, name);
  return select;
}

function rejectUnsupported(req: SimRequest): void {
  for (const option of ['$orderby', '$expand', '$apply', 'fetchXml', '$skip']) {
    if (req.query.has(option))
      throw dataverseError(400, '0x80060888', `The simulator does not support ${option} on this table.`);
  }
}

function filterOf<T>(spec: EntitySpec<T>, req: SimRequest): Predicate {
  const text = req.query.get('$filter');
  if (!text) return () => true;
  for (const column of spec.guidColumns) {
    const quoted = new RegExp(`\\b${column}\\s+(eq|ne)\\s+'`, 'i').exec(text);
    if (quoted) {
      const kind = quoted[1]?.toLowerCase() === 'eq' ? 'Equal' : 'NotEqual';
      throw dataverseError(
        400,
        '0x80060888',
        `A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator kind '${kind}'.`,
      );
    }
  }
  try {
    return parseFilter(text, spec.columns);
  } catch (error) {
    if (!(error instanceof SimHttpError)) throw error;
    const unknown = /property '([^']+)' cannot be filtered on/.exec(error.message)?.[1];
    throw unknown ? unknownProperty(spec, unknown) : dataverseError(400, '0x80060888', error.message);
  }
}

/** One record as Dataverse sends it: etag, then (if asked) each column's annotations, then the columns. */
function render<T>(
  spec: EntitySpec<T>,
  item: T,
  env: SimEnvironment,
  columns: string[] | undefined,
  prefs: Preferences,
): Record<string, unknown> {
  const row = spec.toRow(item, env);
  const notes = spec.annotations(item, env);
  const out: Record<string, unknown> = { '@odata.etag': `W/"${spec.version(item)}"` };
  const wanted = columns ? [spec.key, ...columns.filter((c) => c !== spec.key)] : spec.columns;
  for (const column of wanted) {
    const note = notes[column];
    if (note?.formatted !== undefined && prefs.includes(FORMATTED))
      out[`${column}@${FORMATTED}`] = note.formatted;
    if (note?.lookup && row[column] !== null) {
      if (prefs.includes(NAVIGATION)) out[`${column}@${NAVIGATION}`] = note.lookup.navigation;
      if (prefs.includes(LOOKUP)) out[`${column}@${LOOKUP}`] = note.lookup.logicalName;
    }
    out[column] = row[column] ?? null;
  }
  return out;
}

function contextUrl<T>(
  spec: EntitySpec<T>,
  ctx: SimContext,
  env: SimEnvironment,
  columns: string[] | undefined,
  entity: boolean,
): string {
  const shape = columns ? `(${[...new Set([spec.key, ...columns])].join(',')})` : '';
  return `${webApiUrl(ctx.baseUrl, env)}/$metadata#${spec.setName}${shape}${entity ? '/$entity' : ''}`;
}

function responseHeaders(prefs: Preferences): Record<string, string> {
  return prefs.applied.length > 0 ? { 'Preference-Applied': prefs.applied.join(',') } : {};
}

/**
 * Dataverse's $skiptoken is a paging cookie naming the last key of the page; the simulator writes the same shape.
 * Resuming after a key rather than an offset keeps paging exact when records are added or removed meanwhile.
 */
function pagingCookie(page: number, lastKey: string, keyName: string): string {
  const inner = `<cookie page="${page}"><${keyName} last="{${lastKey.toUpperCase()}}" /></cookie>`;
  return `<cookie pagenumber="${page + 1}" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
}

function readCookie(token: string): { page: number; lastKey: string } {
  const outer = /pagenumber="(\d+)"\s+pagingcookie="([^"]*)"/.exec(token);
  const inner = outer?.[2] ? decodeURIComponent(decodeURIComponent(outer[2])) : '';
  const last = /last="\{([0-9a-fA-F-]{36})\}"/.exec(inner);
  if (!outer?.[1] || !last?.[1])
    throw dataverseError(400, '0x80040203', 'Invalid $skiptoken: the paging cookie is malformed.');
  return { page: Number(outer[1]) - 1, lastKey: last[1].toLowerCase() };
}

function topOf(req: SimRequest): number | undefined {
  const text = req.query.get('$top');
  if (text === null) return undefined;
  const top = Number(text);
  if (!Number.isInteger(top) || top < 1)
    throw dataverseError(400, '0x80060888', `Invalid value '${text}' for $top query option.`);
  return top;
}

/** `GET <set>`: filter, then either $top (no paging) or pages of odata.maxpagesize ordered by the primary key. */
export function listEntity<T>(spec: EntitySpec<T>, req: SimRequest, ctx: SimContext): SimResponse {
  const { env } = authorize(req, ctx, spec.readPrivilege);
  rejectUnsupported(req);
  const prefs = preferences(req);
  const columns = columnsOf(spec, req);
  const predicate = filterOf(spec, req);
  const entries = [...spec.rows(env)]
    .map((item) => ({ item, row: spec.toRow(item, env) }))
    .filter((entry) => predicate(entry.row))
    .map((entry) => ({ item: entry.item, key: String(entry.row[spec.key]) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const top = topOf(req);
  let page: typeof entries;
  let nextLink: string | undefined;
  if (top !== undefined) {
    page = entries.slice(0, top);
  } else {
    const token = req.query.get('$skiptoken');
    const cookie = token ? readCookie(token) : { page: 0, lastKey: '' };
    const rest = cookie.lastKey ? entries.filter((entry) => entry.key > cookie.lastKey) : entries;
    page = rest.slice(0, prefs.maxPageSize);
    const last = page[page.length - 1];
    if (rest.length > page.length && last !== undefined) {
      const next = new URLSearchParams(req.query);
      next.set('$skiptoken', pagingCookie(cookie.page + 1, last.key, spec.key));
      nextLink = `${ctx.baseUrl}${req.path}?${next.toString()}`;
    }
  }
  const body: Record<string, unknown> = { '@odata.context': contextUrl(spec, ctx, env, columns, false) };
  if (req.query.get('$count') === 'true')
    body['@odata.count'] = Math.min(entries.length, DATAVERSE_MAX_PAGE_SIZE);
  body['value'] = page.map((entry) => render(spec, entry.item, env, columns, prefs));
  if (nextLink) body['@odata.nextLink'] = nextLink;
  return { status: 200, headers: responseHeaders(prefs), body };
}

/** The 404 Dataverse gives for a key that names no record. */
export function recordNotFound(logicalName: string, key: string): SimHttpError {
  return dataverseError(404, '0x80040217', `${logicalName} With Id = ${key} Does Not Exist`);
}

/** `GET <set>(<id>)`. */
export function getEntity<T>(
  spec: EntitySpec<T>,
  req: SimRequest,
  ctx: SimContext,
  key: string,
): SimResponse {
  const { env } = authorize(req, ctx, spec.readPrivilege);
  rejectUnsupported(req);
  const prefs = preferences(req);
  const columns = columnsOf(spec, req);
  const item = spec.find(env, key);
  if (item === undefined) throw recordNotFound(spec.logicalName, key);
  return {
    status: 200,
    headers: responseHeaders(prefs),
    body: renderEntity(spec, item, env, ctx, columns, prefs),
  };
}

/** A single record with its @odata.context, as `GET <set>(<id>)` and `Prefer: return=representation` answer. */
export function renderEntity<T>(
  spec: EntitySpec<T>,
  item: T,
  env: SimEnvironment,
  ctx: SimContext,
  columns: string[] | undefined,
  prefs: Preferences,
): Record<string, unknown> {
  return {
    '@odata.context': contextUrl(spec, ctx, env, columns, true),
    ...render(spec, item, env, columns, prefs),
  };
}
