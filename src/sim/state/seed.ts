import type { MailboxKind, SimApp, SimUser } from './model.js';
import { GRAPH_APP_ID, GRAPH_APP_ROLES, GRAPH_SERVICE_PRINCIPAL_ID } from './graph-app-roles.js';
import { Random } from './random.js';
import { seedAccessControls } from './seed-access-controls.js';
import { seedEnvironments } from './seed-power-platform.js';
import { SimClock, Tenant } from './tenant.js';

export interface SeedOptions {
  seed: number;
  /** Ordinary member users (the demo's named people are among them). */
  users: number;
  shared: number;
  rooms: number;
  equipment: number;
  /** Service principals besides Warden's own and the flow application user. */
  servicePrincipals: number;
  environments: number;
  flows: number;
  /** Entra ID P1: without it, signInActivity and registration reports answer 403. */
  premium: boolean;
}

/** A small tenant with a few of every risky kind; what `npm run sim` and `npm run demo` start with. */
export const DEMO_TENANT: SeedOptions = {
  seed: 1,
  users: 24,
  shared: 6,
  rooms: 2,
  equipment: 1,
  servicePrincipals: 3,
  environments: 3,
  flows: 12,
  premium: true,
};

/** Graph app roles the simulator grants Warden by default: the ones the README documents. */
export const WARDEN_DEFAULT_ROLES = [
  'User.Read.All',
  'MailboxSettings.Read',
  'AuditLog.Read.All',
  'GroupMember.Read.All',
  // NHI-002 tells user-owned flows from app-owned ones with directoryObjects/getByIds.
  'Directory.Read.All',
  // Remediation: block sign-in (and undo it), then revoke the account's sessions.
  'User.EnableDisableAccount.All',
  'User.RevokeSessions.All',
  // MFA exceptions: Warden adds and removes members of the exception group and reads the policies that exclude it.
  'GroupMember.ReadWrite.All',
  'Policy.Read.All',
];

const SKU = {
  e3: '05e9a617-0261-4cee-bb44-138d3ef5d965',
  exchangePlan1: '4b9405b0-7788-4568-add1-99614e613b69',
};
const DAY = 24 * 3600_000;
const PEOPLE: [key: string, name: string][] = [
  ['approver', 'Adele Vance'],
  ['approver2', 'Megan Bowen'],
  ['owner', 'Lee Gu'],
  ['flowOwner', 'Nestor Wilke'],
  ['user', 'Alex Wilber'],
  ['breakGlass', 'Break Glass Admin'],
];
const FIRST = [
  'Isaiah',
  'Johanna',
  'Lidia',
  'Lynne',
  'Miriam',
  'Pradeep',
  'Grady',
  'Henrietta',
  'Joni',
  'Irvin',
  'Diego',
  'Patti',
];
const LAST = [
  'Langer',
  'Lorenz',
  'Holloway',
  'Robbins',
  'Graham',
  'Gupta',
  'Archie',
  'Mueller',
  'Sherman',
  'Sayers',
  'Siciliani',
  'Fernandez',
];
const MAILBOX_NAMES: Record<Exclude<MailboxKind, 'user'>, string[]> = {
  shared: ['Finance', 'Helpdesk', 'Info', 'Payroll', 'Recruiting', 'Legal', 'Sales Desk', 'Press'],
  room: ['Conference Room Rainier', 'Conference Room Adams', 'Board Room', 'Huddle Room Baker'],
  equipment: ['Projector 01', 'Pool Car 2', 'Camera Kit'],
};

/** Builds the tenant deterministically: the same options give the same objects and ids; times are relative to now. */
export function seedTenant(options: SeedOptions, clock = new SimClock()): Tenant {
  const rnd = new Random(options.seed);
  const now = clock.now();
  const ago = (days: number): string => new Date(now - days * DAY).toISOString();
  const tenantId = rnd.uuid();
  const domain = `contoso${options.seed}.onmicrosoft.com`;
  const tenant = new Tenant(tenantId, domain, `Contoso (seed ${options.seed})`, options.premium, clock, rnd, {
    approversGroupId: rnd.uuid(),
    exceptionGroupId: rnd.uuid(),
    flowAppServicePrincipalId: '',
    flowAppId: '',
    people: {},
  });

  const makeUser = (
    displayName: string,
    alias: string,
    mailbox: MailboxKind | null,
    extra: Partial<SimUser> = {},
  ): SimUser => {
    const upn = `${alias}@${domain}`;
    const user: SimUser = {
      id: rnd.uuid(),
      displayName,
      givenName: mailbox === 'user' ? (displayName.split(' ')[0] ?? null) : null,
      surname: mailbox === 'user' ? displayName.split(' ').slice(1).join(' ') || null : null,
      userPrincipalName: upn,
      mail: mailbox ? upn : null,
      jobTitle: null,
      department: null,
      accountEnabled: true,
      userType: 'Member',
      createdDateTime: ago(30 + rnd.int(900)),
      lastPasswordChangeDateTime: ago(rnd.int(400)),
      signInSessionsValidFromDateTime: ago(rnd.int(400)),
      mailbox,
      signInActivity: null,
      assignedLicenses: mailbox === 'user' ? [{ skuId: SKU.e3, disabledPlans: [] }] : [],
      managerId: null,
      sponsorIds: [],
      mfa: { isMfaRegistered: false, isMfaCapable: false, methodsRegistered: [] },
      changed: {},
      ...extra,
    };
    return tenant.addUser(user);
  };

  // People: the named ones first, so that their ids are stable across sizes of the same seed.
  const people: SimUser[] = [];
  const total = Math.max(options.users, PEOPLE.length);
  for (let i = 0; i < total; i++) {
    const named = PEOPLE[i];
    const name = named ? named[1] : `${rnd.pick(FIRST)} ${rnd.pick(LAST)} ${i}`;
    const alias = named ? name.toLowerCase().replace(/[^a-z]+/g, '.') : `user${i}`;
    const hasMailbox = named !== undefined || rnd.chance(0.92);
    const interactive = rnd.int(20);
    const user = makeUser(name, alias, hasMailbox ? 'user' : null, {
      signInActivity: {
        lastSignInDateTime: ago(interactive),
        lastNonInteractiveSignInDateTime: ago(rnd.int(5)),
        lastSuccessfulSignInDateTime: ago(interactive),
      },
      mfa: { isMfaRegistered: true, isMfaCapable: true, methodsRegistered: ['microsoftAuthenticatorPush'] },
      jobTitle: named ? 'Security engineer' : null,
    });
    if (named) tenant.wellKnown.people[named[0]] = user.id;
    people.push(user);
  }
  const person = (key: string): SimUser => tenant.users.get(tenant.wellKnown.people[key] ?? '') as SimUser;
  const managerPool = people.slice(0, Math.min(people.length, 12));
  for (const user of people.slice(PEOPLE.length)) {
    if (rnd.chance(0.8)) user.managerId = rnd.pick(managerPool).id;
  }

  // Technical accounts: user identities that own flows; one holds a directory role.
  const technical = [
    makeUser('Flow Service Account', 'svc-flows', 'user', {
      signInActivity: {
        lastSignInDateTime: ago(120),
        lastNonInteractiveSignInDateTime: ago(0),
        lastSuccessfulSignInDateTime: ago(0),
      },
      sponsorIds: [person('flowOwner').id],
    }),
    makeUser('Reporting Automation', 'svc-reports', 'user', {
      signInActivity: {
        lastSignInDateTime: null,
        lastNonInteractiveSignInDateTime: ago(1),
        lastSuccessfulSignInDateTime: ago(1),
      },
      managerId: person('owner').id,
      assignedLicenses: [],
    }),
  ];

  // Resource mailboxes: about two thirds can still sign in; some were used recently; one in five is licensed.
  for (const kind of ['shared', 'room', 'equipment'] as const) {
    const count = kind === 'shared' ? options.shared : kind === 'room' ? options.rooms : options.equipment;
    for (let i = 0; i < count; i++) {
      const base = MAILBOX_NAMES[kind][i % MAILBOX_NAMES[kind].length] ?? kind;
      const name = i < MAILBOX_NAMES[kind].length ? base : `${base} ${i}`;
      const recentlyUsed = i % 3 === 0;
      makeUser(name, `${kind}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, kind, {
        accountEnabled: i % 3 !== 2,
        signInActivity: recentlyUsed
          ? {
              lastSignInDateTime: ago(3 + rnd.int(20)),
              lastNonInteractiveSignInDateTime: ago(2),
              lastSuccessfulSignInDateTime: ago(3),
            }
          : null,
        assignedLicenses: i % 5 === 4 ? [{ skuId: SKU.exchangePlan1, disabledPlans: [] }] : [],
        sponsorIds: i % 2 === 0 ? [person('owner').id] : [],
        managerId: i % 4 === 1 ? person('owner').id : null,
      });
    }
  }

  seedAccessControls(tenant, rnd, ago, { people, person, technical });

  // Apps and service principals: Warden itself, the flow application user's app, and some others.
  const addApp = (
    displayName: string,
    roles: string[],
    managementApp: boolean,
    type: 'Application' | 'ManagedIdentity',
  ): SimApp => {
    const app: SimApp = {
      displayName,
      clientId: rnd.uuid(),
      clientSecret: `sim~${rnd.uuid().replace(/-/g, '')}`,
      roles,
      powerPlatformManagementApp: managementApp,
      servicePrincipalId: rnd.uuid(),
    };
    tenant.apps.set(app.clientId, app);
    tenant.servicePrincipals.set(app.servicePrincipalId, {
      id: app.servicePrincipalId,
      appId: app.clientId,
      displayName,
      servicePrincipalType: type,
    });
    return app;
  };
  const warden = addApp('Warden', [...WARDEN_DEFAULT_ROLES], true, 'ManagedIdentity');
  const flowApp = addApp('Flow Automation (application user)', [], false, 'Application');
  tenant.wellKnown.flowAppId = flowApp.clientId;
  tenant.wellKnown.flowAppServicePrincipalId = flowApp.servicePrincipalId;
  for (let i = 0; i < options.servicePrincipals; i++)
    addApp(`Contoso Integration ${i + 1}`, [], false, 'Application');

  seedEnvironments(tenant, options, rnd, {
    warden,
    flowApp,
    makers: people.slice(PEOPLE.length),
    technical,
    ago,
  });
  // Seeded last, so that the random sequence of everything above is the same as before they existed.
  tenant.servicePrincipals.set(GRAPH_SERVICE_PRINCIPAL_ID, {
    id: GRAPH_SERVICE_PRINCIPAL_ID,
    appId: GRAPH_APP_ID,
    displayName: 'Microsoft Graph',
    servicePrincipalType: 'Application',
    appRoles: Object.entries(GRAPH_APP_ROLES).map(([value, id]) => ({ id, value })),
  });
  // The operator who runs `npm run grant-permissions`: may read service principals and assign app roles.
  addApp(
    'Warden installer (an administrator)',
    ['Application.Read.All', 'AppRoleAssignment.ReadWrite.All'],
    false,
    'Application',
  );
  return tenant;
}
