import { DEFAULT_LIMITS } from '../../src/sim/limits/limits.js';
import type { GraphModel, PowerPlatformModel } from './bounds.js';
import { medianSeconds } from './latency-model.js';

/** The limits and latencies the bounds are computed from: the very ones the simulator runs with. */
export const GRAPH: GraphModel = {
  latency: {
    delta: medianSeconds('identity', 'GET /v1.0/users/delta'),
    outlook: medianSeconds('outlook'),
    reports: medianSeconds('reports'),
    identity: medianSeconds('identity'),
    write: medianSeconds('write'),
    token: medianSeconds('identity', 'GET /msi/token'),
  },
  signInPerMinute: DEFAULT_LIMITS.signInActivityPerMinute,
  reportsPer10s: DEFAULT_LIMITS.reportsPer10s,
  writesPer150s: DEFAULT_LIMITS.writesPer150s,
};

export const POWER_PLATFORM: PowerPlatformModel = {
  latency: {
    bap: medianSeconds('bap'),
    dataverse: medianSeconds('dataverse'),
    token: medianSeconds('identity', 'GET /msi/token'),
  },
  pageSize: 5000,
  dataversePer5Min: DEFAULT_LIMITS.dataversePer5Min,
};
