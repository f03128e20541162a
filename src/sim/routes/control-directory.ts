import { z } from 'zod';
import { notFound } from '../http/errors.js';
import type { RouteDef, SimContext, SimResponse } from '../http/types.js';
import type { SimConditionalAccessPolicy, SimGroup } from '../state/model.js';
import { parse } from './control.js';

/**
 * Control routes for the directory's access controls: groups and their members, directory roles, service
 * principals and Conditional Access policies. Tests use them to arrange the tenant; none is recorded in the write
 * log, which is kept for what Warden itself writes.
 */

const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

function group(ctx: SimContext, id: string): SimGroup {
  const found = ctx.tenant.groups.get(id);
  if (!found) throw notFound(`No group ${id}.`);
  return found;
}

function policy(ctx: SimContext, id: string): SimConditionalAccessPolicy {
  const found = ctx.tenant.caPolicies.get(id);
  if (!found) throw notFound(`No Conditional Access policy ${id}.`);
  return found;
}

const groupCreateSchema = z
  .object({ displayName: z.string().min(1), members: z.array(z.string()).default([]) })
  .strict();
const memberSchema = z.object({ id: z.string() }).strict();
const servicePrincipalSchema = z
  .object({ displayName: z.string().min(1), appId: z.string().optional() })
  .strict();
/** What a test changes on a policy: whether it is on, and which groups it leaves out. */
const policyPatchSchema = z
  .object({
    state: z.enum(['enabled', 'disabled', 'enabledForReportingButNotEnforced']),
    excludeGroups: z.array(z.string()),
  })
  .partial()
  .strict();

export const controlDirectoryRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/_sim/groups',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const input = parse(groupCreateSchema, req.body);
      const id = ctx.tenant.random.uuid();
      ctx.tenant.groups.set(id, {
        id,
        displayName: input.displayName,
        description: null,
        securityEnabled: true,
        mailEnabled: false,
        members: new Set(input.members),
      });
      return ok({ id, displayName: input.displayName, members: input.members }, 201);
    },
  },
  {
    method: 'POST',
    path: '/_sim/groups/:id/members',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const target = group(ctx, req.params['id'] ?? '');
      const { id } = parse(memberSchema, req.body);
      if (!ctx.tenant.directoryObjectKind(id)) throw notFound(`No directory object ${id}.`);
      target.members.add(id);
      return ok({ id: target.id, members: [...target.members] });
    },
  },
  {
    method: 'DELETE',
    path: '/_sim/groups/:id/members/:memberId',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      group(ctx, req.params['id'] ?? '').members.delete(req.params['memberId'] ?? '');
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/_sim/roles/:templateId/members',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const role = [...ctx.tenant.roles.values()].find((r) => r.roleTemplateId === req.params['templateId']);
      if (!role) throw notFound(`No directory role with template ${req.params['templateId'] ?? ''}.`);
      const { id } = parse(memberSchema, req.body);
      role.members.add(id);
      return ok({ id: role.id, displayName: role.displayName, members: [...role.members] });
    },
  },
  {
    method: 'POST',
    path: '/_sim/servicePrincipals',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const input = parse(servicePrincipalSchema, req.body);
      const id = ctx.tenant.random.uuid();
      const sp = {
        id,
        appId: input.appId ?? ctx.tenant.random.uuid(),
        displayName: input.displayName,
        servicePrincipalType: 'Application' as const,
      };
      ctx.tenant.servicePrincipals.set(id, sp);
      return ok(sp, 201);
    },
  },
  {
    method: 'GET',
    path: '/_sim/conditional-access/policies',
    family: 'control',
    handler: (_req, ctx) => ok({ value: [...ctx.tenant.caPolicies.values()] }),
  },
  {
    method: 'PATCH',
    path: '/_sim/conditional-access/policies/:id',
    family: 'control',
    records: false,
    handler: (req, ctx) => {
      const target = policy(ctx, req.params['id'] ?? '');
      const input = parse(policyPatchSchema, req.body);
      if (input.state !== undefined) target.state = input.state;
      // Replaces the list, as a PATCH of a collection property does in Graph.
      if (input.excludeGroups !== undefined) target.conditions.users.excludeGroups = [...input.excludeGroups];
      return ok(target);
    },
  },
];
