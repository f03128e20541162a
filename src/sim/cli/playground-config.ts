import { writeFileSync } from 'node:fs';
import { playgroundConfig } from '../playground-config.js';
import { DEMO_TENANT, seedTenant } from '../state/seed.js';

// Regenerates the committed .m365agentsplayground.yml from the demo tenant.
writeFileSync('.m365agentsplayground.yml', playgroundConfig(seedTenant(DEMO_TENANT)));
console.log('wrote .m365agentsplayground.yml');
