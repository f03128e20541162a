/** The simulated tenant's objects. Property names follow Graph and Dataverse where they are exposed on the wire. */

export type MailboxKind = 'user' | 'shared' | 'room' | 'equipment';

export interface SignInActivity {
  lastSignInDateTime: string | null;
  lastNonInteractiveSignInDateTime: string | null;
  lastSuccessfulSignInDateTime: string | null;
}

export interface MfaRegistration {
  isMfaRegistered: boolean;
  isMfaCapable: boolean;
  methodsRegistered: string[];
}

export interface SimUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  userPrincipalName: string;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  createdDateTime: string;
  lastPasswordChangeDateTime: string;
  signInSessionsValidFromDateTime: string;
  /** The Exchange mailbox behind the account, or null when it has none (Graph answers 404 MailboxNotEnabledForRESTAPI). */
  mailbox: MailboxKind | null;
  signInActivity: SignInActivity | null;
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  managerId: string | null;
  sponsorIds: string[];
  mfa: MfaRegistration;
  /** Change sequence number of each property's last change, for delta queries. */
  changed: Record<string, number>;
}

export interface SimGroup {
  id: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  members: Set<string>;
}

export interface SimDirectoryRole {
  id: string;
  roleTemplateId: string;
  displayName: string;
  members: Set<string>;
}

export interface SimServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: 'Application' | 'ManagedIdentity';
  /** The application permissions a resource offers (Microsoft Graph's); empty for the others. */
  appRoles?: { id: string; value: string }[];
}

export interface SimConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
  createdDateTime: string;
  conditions: {
    users: {
      includeUsers: string[];
      excludeUsers: string[];
      includeGroups: string[];
      excludeGroups: string[];
      includeRoles: string[];
      excludeRoles: string[];
    };
    applications: { includeApplications: string[]; excludeApplications: string[] };
  };
  grantControls: { operator: 'OR' | 'AND'; builtInControls: string[] } | null;
}

/** An app registered in the tenant that can get tokens: by client secret, or as a managed identity. */
export interface SimApp {
  displayName: string;
  clientId: string;
  clientSecret: string;
  /** Graph application permissions granted (app roles in the token). */
  roles: string[];
  /** Registered as a Power Platform management app, so BAP's admin API accepts it. */
  powerPlatformManagementApp: boolean;
  servicePrincipalId: string;
}

export interface SimSystemUser {
  systemuserid: string;
  fullname: string;
  domainname: string;
  azureactivedirectoryobjectid: string | null;
  /** Non-null for an application user (a service principal in Dataverse). */
  applicationid: string | null;
  isdisabled: boolean;
  /** Names of security roles; see DATAVERSE_ROLES for what each may do. */
  roles: string[];
}

export interface SimFlow {
  workflowid: string;
  workflowidunique: string;
  name: string;
  description: string | null;
  category: 5;
  type: 1;
  /** 0 Draft (off), 1 Activated (on), 2 Suspended. */
  statecode: 0 | 1 | 2;
  ownerId: string;
  createdById: string;
  modifiedById: string;
  createdon: string;
  modifiedon: string;
  ismanaged: boolean;
  /** The solution that holds the flow; DEFAULT_SOLUTION_ID for a flow outside any solution. */
  solutionid: string;
}

export interface SimEnvironment {
  /** BAP environment name (a GUID, or Default-{tenantId} for the default environment). */
  name: string;
  displayName: string;
  location: string;
  environmentSku: 'Default' | 'Production' | 'Sandbox' | 'Developer' | 'Trial';
  hasDataverse: boolean;
  createdTime: string;
  flows: Map<string, SimFlow>;
  systemUsers: Map<string, SimSystemUser>;
}

export interface SimSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationDateTime: string;
  applicationId: string;
  creatorId: string;
}

/** Dataverse's well-known id of the default ("Active") solution that holds non-solution flows. */
export const DEFAULT_SOLUTION_ID = 'fd140aae-4df4-11dd-bd17-0019b9312238';

/**
 * What each simulated Dataverse security role lets its holder do on the workflow and systemuser tables. Changing
 * a record's owner is an assign: it takes prvAssignWorkflow besides prvWriteWorkflow.
 */
export const DATAVERSE_ROLES: Record<
  string,
  { readWorkflow: boolean; writeWorkflow: boolean; assignWorkflow: boolean; readSystemUser: boolean }
> = {
  'System Administrator': {
    readWorkflow: true,
    writeWorkflow: true,
    assignWorkflow: true,
    readSystemUser: true,
  },
  'Warden Flow Reader': {
    readWorkflow: true,
    writeWorkflow: false,
    assignWorkflow: false,
    readSystemUser: true,
  },
  'Warden Flow Owner Manager': {
    readWorkflow: true,
    writeWorkflow: true,
    assignWorkflow: true,
    readSystemUser: true,
  },
  /** Can edit flows (turn them on or off, rename them) but not give them away. */
  'Warden Flow Editor': {
    readWorkflow: true,
    writeWorkflow: true,
    assignWorkflow: false,
    readSystemUser: true,
  },
  'Basic User': { readWorkflow: false, writeWorkflow: false, assignWorkflow: false, readSystemUser: true },
};

/** Microsoft's stable role template ids for the directory roles the simulator seeds. */
export const ROLE_TEMPLATES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  powerPlatformAdministrator: '11648597-926c-4cf3-9c36-bcebb0ba8dcc',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
} as const;
