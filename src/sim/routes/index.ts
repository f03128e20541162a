import type { RouteDef } from '../http/types.js';
import { controlRoutes } from './control.js';
import { entraRoutes } from './entra.js';

/** Every route the simulator serves; a new service area is one module and one line here. */
export const allRoutes: RouteDef[] = [...entraRoutes, ...controlRoutes];
