import type { RouteDef } from '../http/types.js';
import { bapRoutes } from './bap.js';
import { controlDirectoryRoutes } from './control-directory.js';
import { controlPowerPlatformRoutes } from './control-pp.js';
import { controlRoutes } from './control.js';
import { dataverseRoutes } from './dataverse.js';
import { entraRoutes } from './entra.js';
import { graphAppRoleRoutes } from './graph-app-roles.js';
import { graphBatchRoutes } from './graph-batch.js';
import { graphDirectoryRoutes } from './graph-directory.js';
import { graphGroupRoutes } from './graph-groups.js';
import { graphSubscriptionRoutes } from './graph-subscriptions.js';
import { graphUserRoutes } from './graph-users.js';

/** Every route the simulator serves; a new service area is one module and one line here. */
export const allRoutes: RouteDef[] = [
  ...entraRoutes,
  ...controlRoutes,
  ...controlDirectoryRoutes,
  ...bapRoutes,
  ...dataverseRoutes,
  ...controlPowerPlatformRoutes,
  ...graphGroupRoutes,
  ...graphDirectoryRoutes,
  ...graphAppRoleRoutes,
  ...graphBatchRoutes,
  ...graphSubscriptionRoutes,
  ...graphUserRoutes,
];
