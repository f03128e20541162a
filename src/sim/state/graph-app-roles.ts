/**
 * Microsoft Graph as a resource: its service principal and the application permissions (app roles) it offers,
 * with Microsoft's stable app-role ids, so that appRoleAssignedTo requests look as they do in a real tenant.
 */

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Graph's service principal has a different object id in every tenant; this is the simulated tenant's. */
export const GRAPH_SERVICE_PRINCIPAL_ID = '5f6e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c';

export const GRAPH_APP_ROLES: Readonly<Record<string, string>> = {
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'MailboxSettings.Read': '40f97065-369a-49f4-947c-6a255697ae91',
  'AuditLog.Read.All': 'b0afded3-3588-46d8-8b3d-9842eff778da',
  'GroupMember.Read.All': '98830695-27a2-44f7-8c18-0c3ebc9698f6',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'User.EnableDisableAccount.All': '3011c876-62b7-4ada-afa2-506cbbecc68c',
  'User.RevokeSessions.All': '77f3a031-c388-4f99-b373-dc68676a979e',
  'GroupMember.ReadWrite.All': 'dbaae8cf-10b5-4b86-a4a1-f871c94c6695',
  'Policy.Read.All': '246dd0d5-5bd0-4def-940b-0421030a5b68',
  // Roles Warden does not use: an identity that holds one has more than it needs.
  'Directory.ReadWrite.All': '19dbc75e-c2e2-444c-a770-ec69d8559fc7',
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  'AppRoleAssignment.ReadWrite.All': '06b708a9-e830-4db3-a914-8e69da51d44f',
  'Mail.Read': '810c84a8-4a9e-49e6-bf7d-12d183f40d01',
  'User.ReadWrite.All': '741f803b-c850-494e-b5df-cde7c675a1ca',
};

/** The role's value ("User.Read.All") for its id, if Graph offers it. */
export function graphRoleValue(appRoleId: string): string | undefined {
  return Object.entries(GRAPH_APP_ROLES).find(([, id]) => id === appRoleId)?.[0];
}
