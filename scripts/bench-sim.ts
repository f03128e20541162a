import { ClientSecretCredential } from '@azure/identity';
import { startSimulator } from '../src/sim/index.js';

// Measures the simulator itself at the large size: how long the tenant takes to generate, and how
// long a 999-user page of /users takes to serve over HTTPS through the same client stack Warden uses.
// Run: npm run bench:sim   (figures go to stdout; nothing here is a pass/fail test)
const sizes = {
  seed: 7,
  users: 100_000,
  shared: 5_000,
  rooms: 200,
  equipment: 100,
  servicePrincipals: 50,
  environments: 200,
  flows: 30_000,
};
const started = performance.now();
const sim = await startSimulator({ port: 0, tenant: sizes, limits: { scale: 1000 } });
const generatedMs = performance.now() - started;
const info = sim.info();
const credential = new ClientSecretCredential(
  info.tenantId,
  info.warden?.clientId ?? '',
  info.warden?.clientSecret ?? '',
  {
    authorityHost: sim.url,
    disableInstanceDiscovery: true,
  },
);
const token = (await credential.getToken('https://graph.microsoft.com/.default')).token;

const pageTimes: number[] = [];
let next: string | undefined =
  `${sim.url}/v1.0/users?$select=id,displayName,userPrincipalName,accountEnabled,createdDateTime&$top=999`;
let users = 0;
while (next) {
  const t0 = performance.now();
  const response = await fetch(next, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { value: unknown[]; '@odata.nextLink'?: string };
  pageTimes.push(performance.now() - t0);
  users += body.value.length;
  next = body['@odata.nextLink'];
}
await sim.stop();
pageTimes.sort((a, b) => a - b);
const at = (q: number): number =>
  pageTimes[Math.min(pageTimes.length - 1, Math.floor(q * pageTimes.length))] ?? 0;
console.log(
  `tenant: ${info.counts.users} users, ${info.counts.environments} environments, ${info.counts.flows} flows`,
);
console.log(`generated and listening in ${generatedMs.toFixed(0)} ms (target < 30000 ms)`);
console.log(
  `paged ${users} users in ${pageTimes.length} pages of 999: p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${at(1).toFixed(1)} ms (target < 50 ms)`,
);
