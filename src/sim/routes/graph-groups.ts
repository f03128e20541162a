import { SimHttpError, badRequest, notFound, resourceNotFound } from '../http/errors.js';
import type { RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimGroup } from '../state/model.js';
import { directoryObject } from './graph-directory.js';
import { groupJson } from './graph-group-view.js';
import { graphContext, page, project, selected, topOf } from './odata.js';

/**
 * Groups as Warden uses them: read a group, list its direct members, and add or remove a member by reference
 * ($ref). The exception group that Conditional Access excludes is changed only through these routes.
 */

function groupOf(req: SimRequest, ctx: SimContext): SimGroup {
  const id = req.params['id'] ?? '';
  const group = ctx.tenant.groups.get(id);
  if (!group) throw resourceNotFound(id);
  return group;
}

function getGroup(req: SimRequest, ctx: SimContext): SimResponse {
  const group = groupOf(req, ctx);
  const select = selected(req);
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'groups', select, true),
      ...project(groupJson(group), select),
    },
  };
}

function listMembers(req: SimRequest, ctx: SimContext): SimResponse {
  const group = groupOf(req, ctx);
  const size = topOf(req, 100, 999);
  const select = selected(req);
  // Members removed from the directory since they were added are skipped, as Graph never lists dangling references.
  const ids = [...group.members].filter((id) => ctx.tenant.directoryObjectKind(id) !== undefined);
  const { value, nextLink } = page(ids, req, ctx.baseUrl, size);
  return {
    status: 200,
    body: {
      '@odata.context': graphContext(ctx.baseUrl, 'directoryObjects', select),
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: value.map((id) => directoryObject(ctx.tenant, id, select)),
    },
  };
}

/** The object id in an @odata.id reference: any host, ending in /directoryObjects/{id} (or /users|groups|servicePrincipals/{id}). */
function referencedId(body: unknown): string {
  const ref =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['@odata.id'] : undefined;
  if (typeof ref !== 'string' || ref.length === 0) {
    throw badRequest(
      "The request body must contain an '@odata.id' reference to the object to add.",
      'Request_BadRequest',
    );
  }
  const match = /\/(?:directoryObjects|users|groups|servicePrincipals)(?:\/|\(')([^/?#')]+)'?\)?\/?$/i.exec(
    ref,
  );
  if (!match?.[1]) throw badRequest(`Invalid object identifier '${ref}'.`, 'Request_BadRequest');
  return decodeURIComponent(match[1]);
}

function addMember(req: SimRequest, ctx: SimContext): SimResponse {
  const group = groupOf(req, ctx);
  const id = referencedId(req.body);
  const user = ctx.tenant.findUser(id);
  const memberId = user?.id ?? id;
  if (!ctx.tenant.directoryObjectKind(memberId)) throw resourceNotFound(id);
  if (group.members.has(memberId)) {
    throw new SimHttpError(
      400,
      'Request_BadRequest',
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
  }
  group.members.add(memberId);
  return { status: 204 };
}

function removeMember(req: SimRequest, ctx: SimContext): SimResponse {
  const group = groupOf(req, ctx);
  const memberId = req.params['memberId'] ?? '';
  if (!group.members.has(memberId)) {
    throw notFound(
      "One or more removed object references do not exist for the following modified properties: 'members'.",
    );
  }
  group.members.delete(memberId);
  return { status: 204 };
}

const READ_MEMBERS = [
  ['GroupMember.Read.All'],
  ['Group.Read.All'],
  ['Directory.Read.All'],
  ['GroupMember.ReadWrite.All'],
  ['Group.ReadWrite.All'],
  ['Directory.ReadWrite.All'],
] as const;
const WRITE_MEMBERS = [
  ['GroupMember.ReadWrite.All'],
  ['Group.ReadWrite.All'],
  ['Directory.ReadWrite.All'],
] as const;

export const graphGroupRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1.0/groups/:id',
    family: 'graph',
    roles: READ_MEMBERS,
    cost: () => ({ service: 'identity', ru: 1 }),
    handler: getGroup,
  },
  {
    method: 'GET',
    path: '/v1.0/groups/:id/members',
    family: 'graph',
    roles: READ_MEMBERS,
    cost: () => ({ service: 'identity', ru: 3 }),
    handler: listMembers,
  },
  {
    method: 'POST',
    path: '/v1.0/groups/:id/members/$ref',
    family: 'graph',
    roles: WRITE_MEMBERS,
    cost: () => ({ service: 'identity', ru: 1, write: true }),
    handler: addMember,
  },
  {
    method: 'DELETE',
    path: '/v1.0/groups/:id/members/:memberId/$ref',
    family: 'graph',
    roles: WRITE_MEMBERS,
    cost: () => ({ service: 'identity', ru: 1, write: true }),
    handler: removeMember,
  },
];
