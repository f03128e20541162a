import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startStack } from './lib/stack.js';

// `npm run demo`: the tenant simulator, Warden and the Agents Playground on fixed ports, wired together.
const { values } = parseArgs({
  options: {
    'sim-port': { type: 'string', default: process.env['SIM_PORT'] ?? '4010' },
    'warden-port': { type: 'string', default: process.env['PORT'] ?? '3978' },
    'playground-port': { type: 'string', default: process.env['PLAYGROUND_PORT'] ?? '56150' },
    'log-level': { type: 'string', default: 'warn' },
  },
});

const port = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`--${name} must be a port number, not "${text ?? ''}".`);
    process.exit(2);
  }
  return n;
};

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, '.data', 'demo');
// The simulator and the Playground start empty every time, so Warden's store does too: cards kept from an earlier
// run would point at messages this Playground never had.
rmSync(dataDir, { recursive: true, force: true });
console.log('Starting the tenant simulator, Warden and the Agents Playground…');
const stack = await startStack({
  dataDir,
  simulator: { port: port('sim-port', values['sim-port']) },
  wardenPort: port('warden-port', values['warden-port']),
  playgroundPort: port('playground-port', values['playground-port']),
  playgroundConfigPath: resolve(root, '.m365agentsplayground.yml'),
  // Change notifications from the simulator reach Warden on loopback, so new mailboxes are alerted in seconds.
  wardenEnv: { PUBLIC_URL: `http://127.0.0.1:${port('warden-port', values['warden-port'])}` },
  logLevel: values['log-level'],
}).catch((error: unknown) => {
  console.error(`The demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  console.error('If a port is busy, pass another one, e.g. npm run demo -- --warden-port 3979.');
  process.exit(1);
});

// Install Warden where the demo's people work, as a Teams admin would: the team's channel and a personal chat.
await stack.client.install(stack.ids.team);
await stack.client.install(stack.ids.personalChat);
stack.warden.process.stdout?.pipe(process.stdout);
stack.warden.process.stderr?.pipe(process.stderr);

const playgroundUrl = stack.client.url.replace('127.0.0.1', 'localhost');
const info = stack.sim.info();
console.log(`
Warden is running against a simulated tenant (${info.domain}).

  Agents Playground  ${playgroundUrl}        ← open this in a browser
  Warden             ${stack.wardenUrl}  (/healthz, /readyz)
  Tenant simulator   ${stack.sim.url}  (control API: ${stack.sim.url}/_sim/tenant)

You are signed in to the Playground as Adele Vance, an approver. Try:
  1. In the team's "Warden alerts" channel, type:   @Warden setup
     The demo tenant's mailboxes that can still sign in (NHI-001) and the user accounts that own Power Automate
     flows (NHI-002) are posted there, one thread each, with their evidence and owner. @Warden scan flows re-inventories.
  2. On one of those cards, use "Assign owner…" or "Dismiss…"; the card updates in place. Type help for the rest.
  3. Create a shared mailbox that can sign in; its alert appears in the channel within seconds:
     curl -sk -X POST ${stack.sim.url}/_sim/users -H 'content-type: application/json' \\
       -d '{"displayName":"Payroll Archive","userPrincipalName":"payroll-archive@${info.domain}","kind":"shared","accountEnabled":true}'

Stop everything with Ctrl-C.`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
