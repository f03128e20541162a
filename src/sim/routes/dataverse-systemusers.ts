import type { SimSystemUser } from '../state/model.js';
import { rowVersion } from './dataverse-core.js';
import type { EntitySpec } from './dataverse-query.js';

/**
 * The `systemuser` table: people (azureactivedirectoryobjectid = their Entra object id) and application users
 * (applicationid = the app's client id), which is how Warden tells a service principal owner from a person.
 */

const COLUMNS = [
  'systemuserid',
  'fullname',
  'domainname',
  'azureactivedirectoryobjectid',
  'applicationid',
  'isdisabled',
  'accessmode',
] as const;

/** accessmode: 0 Read-Write for people, 4 Non-interactive for application users. */
const accessModeOf = (user: SimSystemUser): 0 | 4 => (user.applicationid ? 4 : 0);

export const systemUserSpec: EntitySpec<SimSystemUser> = {
  setName: 'systemusers',
  logicalName: 'systemuser',
  key: 'systemuserid',
  readPrivilege: 'prvReadUser',
  columns: COLUMNS,
  guidColumns: ['systemuserid', 'azureactivedirectoryobjectid', 'applicationid'],
  rows: (env) => env.systemUsers.values(),
  find: (env, key) => env.systemUsers.get(key),
  toRow: (user) => ({
    systemuserid: user.systemuserid,
    fullname: user.fullname,
    domainname: user.domainname,
    azureactivedirectoryobjectid: user.azureactivedirectoryobjectid,
    applicationid: user.applicationid,
    isdisabled: user.isdisabled,
    accessmode: accessModeOf(user),
  }),
  annotations: (user) => ({
    isdisabled: { formatted: user.isdisabled ? 'Disabled' : 'Enabled' },
    accessmode: { formatted: accessModeOf(user) === 4 ? 'Non-interactive' : 'Read-Write' },
  }),
  version: rowVersion,
};
