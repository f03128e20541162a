import { ROLE_TEMPLATES, type SimUser } from './model.js';
import type { Random } from './random.js';
import type { Tenant } from './tenant.js';

/**
 * Seeds the directory's access controls: the approvers, MFA-exception and all-staff groups, the directory roles
 * (a technical account among the administrators) and the Conditional Access policies.
 */
export function seedAccessControls(
  tenant: Tenant,
  rnd: Random,
  ago: (days: number) => string,
  ctx: {
    /** The member users, the named people first. */
    people: SimUser[];
    /** A named person by key (`approver`, `breakGlass`, …). */
    person: (key: string) => SimUser;
    technical: SimUser[];
  },
): void {
  const { people, person, technical } = ctx;
  const addGroup = (id: string, displayName: string, members: string[]): void => {
    tenant.groups.set(id, {
      id,
      displayName,
      description: null,
      securityEnabled: true,
      mailEnabled: false,
      members: new Set(members),
    });
  };
  addGroup(tenant.wellKnown.approversGroupId, 'Warden Approvers', [
    person('approver').id,
    person('approver2').id,
  ]);
  addGroup(tenant.wellKnown.exceptionGroupId, 'MFA Exception - Service Accounts', []);
  addGroup(
    rnd.uuid(),
    'All Staff',
    people.map((p) => p.id),
  );
  const addRole = (templateId: string, displayName: string, members: string[]): void => {
    const id = rnd.uuid();
    tenant.roles.set(id, { id, roleTemplateId: templateId, displayName, members: new Set(members) });
  };
  addRole(ROLE_TEMPLATES.globalAdministrator, 'Global Administrator', [
    person('breakGlass').id,
    person('approver').id,
  ]);
  addRole(ROLE_TEMPLATES.exchangeAdministrator, 'Exchange Administrator', [person('approver2').id]);
  addRole(ROLE_TEMPLATES.powerPlatformAdministrator, 'Power Platform Administrator', [
    technical[0]?.id ?? '',
  ]);
  const emptyUsers: Record<
    'includeUsers' | 'excludeUsers' | 'includeGroups' | 'excludeGroups' | 'includeRoles' | 'excludeRoles',
    string[]
  > = {
    includeUsers: [],
    excludeUsers: [],
    includeGroups: [],
    excludeGroups: [],
    includeRoles: [],
    excludeRoles: [],
  };
  const addPolicy = (
    displayName: string,
    state: 'enabled' | 'enabledForReportingButNotEnforced',
    users: Partial<typeof emptyUsers>,
    controls: string[],
  ): void => {
    const id = rnd.uuid();
    tenant.caPolicies.set(id, {
      id,
      displayName,
      state,
      createdDateTime: ago(200),
      conditions: {
        users: { ...emptyUsers, ...users },
        applications: { includeApplications: ['All'], excludeApplications: [] },
      },
      grantControls: { operator: 'OR', builtInControls: controls },
    });
  };
  addPolicy(
    'Require MFA for all users',
    'enabled',
    {
      includeUsers: ['All'],
      excludeUsers: [person('breakGlass').id],
      excludeGroups: [tenant.wellKnown.exceptionGroupId],
    },
    ['mfa'],
  );
  addPolicy('Block legacy authentication', 'enabled', { includeUsers: ['All'] }, ['block']);
  addPolicy(
    'Require MFA for administrators',
    'enabledForReportingButNotEnforced',
    { includeRoles: [ROLE_TEMPLATES.globalAdministrator] },
    ['mfa'],
  );
}
