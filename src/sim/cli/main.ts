import { parseArgs } from 'node:util';
import { startSimulator } from '../index.js';
import { DEMO_TENANT } from '../state/seed.js';

const HELP = `Usage: npm run sim -- [options]

  --port N               port to listen on (default 4010; 0 picks a free one)
  --seed N               tenant seed; the same seed gives the same tenant, ids included (default 1)
  --users N              ordinary users (default ${DEMO_TENANT.users})
  --shared N             shared mailboxes (default ${DEMO_TENANT.shared})
  --rooms N              room mailboxes (default ${DEMO_TENANT.rooms})
  --equipment N          equipment mailboxes (default ${DEMO_TENANT.equipment})
  --service-principals N other service principals (default ${DEMO_TENANT.servicePrincipals})
  --environments N       Power Platform environments (default ${DEMO_TENANT.environments})
  --flows N              cloud flows (default ${DEMO_TENANT.flows})
  --no-premium           a tenant without Entra ID P1 (no sign-in activity, no registration reports)
  --scale X              multiply every service limit by X (e.g. 0.01 to provoke throttling)
  --identity-header S    the managed-identity endpoint's secret (default: random)
`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    seed: { type: 'string', default: String(DEMO_TENANT.seed) },
    users: { type: 'string' },
    shared: { type: 'string' },
    rooms: { type: 'string' },
    equipment: { type: 'string' },
    'service-principals': { type: 'string' },
    environments: { type: 'string' },
    flows: { type: 'string' },
    'no-premium': { type: 'boolean', default: false },
    scale: { type: 'string', default: '1' },
    'identity-header': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number of 0 or more, not "${text}". Run npm run sim -- --help.`);
    process.exit(2);
  }
  return n;
}

const started = Date.now();
const sim = await startSimulator({
  port: count('port', values.port, 4010),
  tenant: {
    seed: count('seed', values.seed, 1),
    users: count('users', values.users, DEMO_TENANT.users),
    shared: count('shared', values.shared, DEMO_TENANT.shared),
    rooms: count('rooms', values.rooms, DEMO_TENANT.rooms),
    equipment: count('equipment', values.equipment, DEMO_TENANT.equipment),
    servicePrincipals: count(
      'service-principals',
      values['service-principals'],
      DEMO_TENANT.servicePrincipals,
    ),
    environments: count('environments', values.environments, DEMO_TENANT.environments),
    flows: count('flows', values.flows, DEMO_TENANT.flows),
    premium: !values['no-premium'],
  },
  limits: { scale: Number(values.scale) },
  ...(values['identity-header'] ? { identityHeader: values['identity-header'] } : {}),
});
const info = sim.info();
console.log(`Tenant simulator listening on ${sim.url} (generated in ${Date.now() - started} ms)`);
console.log(`  tenant        ${info.tenantId} (${info.domain}), Entra ID P1: ${info.premium ? 'yes' : 'no'}`);
console.log(
  `  objects       ${info.counts.users} users, ${info.counts.environments} environments, ${info.counts.flows} flows`,
);
console.log(`  Graph         ${info.urls.graph}`);
console.log(`  authority     ${info.urls.authorityHost}  (token: /${info.tenantId}/oauth2/v2.0/token)`);
console.log(
  `  Warden app    client id ${info.warden?.clientId ?? '-'}  secret ${info.warden?.clientSecret ?? '-'}`,
);
console.log(`  roles         ${info.warden?.roles.join(', ') ?? '-'}`);
console.log(
  `  managed id    IDENTITY_ENDPOINT=${sim.identityEndpoint} IDENTITY_HEADER=${sim.identityHeader}`,
);
console.log(`  trust it      NODE_EXTRA_CA_CERTS=${sim.certPath}`);
console.log(`  control API   ${sim.url}/_sim/ (loopback only)`);
const stop = (): void => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
