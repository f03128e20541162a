import type { SimDirectoryRole, SimGroup } from '../state/model.js';

/** How groups and directory roles look on the Graph wire; properties the simulator does not model are null. */

/** A group as GET /groups/{id} returns it. */
export function groupJson(g: SimGroup): Record<string, unknown> {
  return {
    id: g.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: null,
    description: g.description,
    displayName: g.displayName,
    groupTypes: [],
    isAssignableToRole: null,
    mail: null,
    mailEnabled: g.mailEnabled,
    mailNickname: g.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    membershipRule: null,
    membershipRuleProcessingState: null,
    securityEnabled: g.securityEnabled,
    securityIdentifier: null,
    visibility: null,
  };
}

/** A group inside a directoryObject collection (members, memberOf, sponsors, getByIds): typed. */
export function directoryGroupJson(g: SimGroup): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.group', ...groupJson(g) };
}

/** A directory role inside a directoryObject collection (memberOf, transitiveMemberOf): typed. */
export function directoryRoleJson(r: SimDirectoryRole): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.directoryRole',
    id: r.id,
    deletedDateTime: null,
    description: null,
    displayName: r.displayName,
    roleTemplateId: r.roleTemplateId,
  };
}
