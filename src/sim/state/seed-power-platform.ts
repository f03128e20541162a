import {
  DEFAULT_SOLUTION_ID,
  type SimApp,
  type SimEnvironment,
  type SimSystemUser,
  type SimUser,
} from './model.js';
import type { Random } from './random.js';
import type { Tenant } from './tenant.js';

/**
 * Seeds the Power Platform side: environments (some without Dataverse), Warden's and the flow app's application
 * users in each Dataverse environment, and cloud flows owned by technical accounts, the flow app and makers.
 */
export function seedEnvironments(
  tenant: Tenant,
  options: { environments: number; flows: number },
  rnd: Random,
  ctx: {
    warden: SimApp;
    flowApp: SimApp;
    makers: SimUser[];
    technical: SimUser[];
    ago: (days: number) => string;
  },
): void {
  const withDataverse: SimEnvironment[] = [];
  for (let i = 0; i < options.environments; i++) {
    const isDefault = i === 0;
    const env: SimEnvironment = {
      name: isDefault ? `Default-${tenant.id}` : rnd.uuid(),
      displayName: isDefault
        ? `${tenant.displayName} (default)`
        : `Contoso ${i % 2 === 0 ? 'Sandbox' : 'Production'} ${i}`,
      location: 'europe',
      environmentSku: isDefault ? 'Default' : i % 2 === 0 ? 'Sandbox' : 'Production',
      // Every third environment past the default has no Dataverse, so it cannot be inventoried.
      hasDataverse: isDefault || i % 3 !== 2,
      createdTime: ctx.ago(400 + i),
      flows: new Map(),
      systemUsers: new Map(),
    };
    tenant.environments.set(env.name, env);
    if (!env.hasDataverse) continue;
    withDataverse.push(env);
    // Warden reads flows and, for a remediation, moves them to the flow application user.
    addApplicationUser(env, rnd, ctx.warden, 'Warden Flow Owner Manager');
    addApplicationUser(env, rnd, ctx.flowApp, 'System Administrator');
  }
  if (withDataverse.length === 0) return;

  // Flows: a third owned by technical accounts, a quarter by the flow application user, the rest by makers.
  const makers =
    ctx.makers.length > 0
      ? ctx.makers.slice(0, Math.max(1, Math.ceil(ctx.makers.length / 8)))
      : ctx.technical;
  for (let i = 0; i < options.flows; i++) {
    const env = withDataverse[i % withDataverse.length] as SimEnvironment;
    const slot = i % 12;
    const owner: SimUser | SimApp =
      slot < 4 ? (ctx.technical[slot % 2] as SimUser) : slot < 7 ? ctx.flowApp : rnd.pick(makers);
    const systemUser =
      'clientId' in owner ? applicationUserOf(env, owner.clientId) : systemUserFor(env, rnd, owner);
    const id = rnd.uuid();
    env.flows.set(id, {
      workflowid: id,
      workflowidunique: rnd.uuid(),
      name: `${rnd.pick(['Sync', 'Notify', 'Archive', 'Approve', 'Export', 'Copy'])} ${rnd.pick(['invoices', 'tickets', 'leads', 'reports', 'files', 'orders'])} ${i + 1}`,
      description: null,
      category: 5,
      type: 1,
      statecode: i % 7 === 6 ? 0 : 1,
      ownerId: systemUser.systemuserid,
      createdById: systemUser.systemuserid,
      modifiedById: systemUser.systemuserid,
      createdon: ctx.ago(100 + rnd.int(300)),
      modifiedon: ctx.ago(rnd.int(90)),
      ismanaged: false,
      solutionid: i % 3 === 2 ? DEFAULT_SOLUTION_ID : rnd.uuid(),
    });
  }
}

function addApplicationUser(env: SimEnvironment, rnd: Random, app: SimApp, role: string): SimSystemUser {
  const systemUser: SimSystemUser = {
    systemuserid: rnd.uuid(),
    fullname: `# ${app.displayName}`,
    domainname: `${app.clientId}@application`,
    azureactivedirectoryobjectid: app.servicePrincipalId,
    applicationid: app.clientId,
    isdisabled: false,
    roles: [role],
  };
  env.systemUsers.set(systemUser.systemuserid, systemUser);
  return systemUser;
}

function applicationUserOf(env: SimEnvironment, clientId: string): SimSystemUser {
  const found = [...env.systemUsers.values()].find((s) => s.applicationid === clientId);
  if (!found) throw new Error(`environment ${env.name} has no application user for ${clientId}`);
  return found;
}

/** The Dataverse systemuser row of an Entra user in an environment, created on first use. */
export function systemUserFor(env: SimEnvironment, rnd: Random, user: SimUser): SimSystemUser {
  const existing = [...env.systemUsers.values()].find((s) => s.azureactivedirectoryobjectid === user.id);
  if (existing) return existing;
  const systemUser: SimSystemUser = {
    systemuserid: rnd.uuid(),
    fullname: user.displayName,
    domainname: user.userPrincipalName,
    azureactivedirectoryobjectid: user.id,
    applicationid: null,
    isdisabled: !user.accountEnabled,
    roles: ['Basic User'],
  };
  env.systemUsers.set(systemUser.systemuserid, systemUser);
  return systemUser;
}
