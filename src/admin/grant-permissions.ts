import { parseArgs } from 'node:util';
import { loadOperatorSettings } from '../config.js';
import { GRAPH_PERMISSIONS } from '../domain/permissions.js';
import { applyGrants, GrantError, operatorCredential, planGrants } from '../graph/app-role-grants.js';
import { createGraphClient } from '../graph/client.js';

/*
 * npm run grant-permissions -- --identity <objectId> [--prune] [--dry-run] [--tenant <id>]
 * Grants Warden's managed identity exactly the Microsoft Graph application permissions the README documents
 * (GRAPH_PERMISSIONS). Idempotent; an extra permission is reported and removed only with --prune.
 */

const USAGE = `usage: npm run grant-permissions -- --identity <objectId> [--prune] [--dry-run] [--tenant <tenantId>]
  --identity   the managed identity's principal (object) id: the Bicep output MANAGED_IDENTITY_PRINCIPAL_ID
  --prune      also remove Graph permissions the identity holds beyond the documented ones
  --dry-run    say what would change, change nothing
  --tenant     the tenant to sign in to (default: the Azure CLI's, or AZURE_TENANT_ID)
Sign in first with "az login --tenant <tenantId>" as a Privileged Role Administrator or Global Administrator.`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        identity: { type: 'string' },
        prune: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        tenant: { type: 'string' },
        'graph-base-url': { type: 'string', default: 'https://graph.microsoft.com/v1.0' },
        'authority-host': { type: 'string', default: 'https://login.microsoftonline.com' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const args = parse();
  if (args.help) {
    say(USAGE);
    return;
  }
  if (!args.identity || !GUID.test(args.identity))
    usage("--identity must be the managed identity's object id (a GUID).");
  if (!args['graph-base-url'].startsWith('https://')) usage('--graph-base-url must be https.');
  const credential = operatorCredential(loadOperatorSettings(), {
    ...(args.tenant ? { tenantId: args.tenant } : {}),
    authorityHost: args['authority-host'],
  });
  const client = createGraphClient(
    {
      // The scope names Graph as the resource whatever the host (a national cloud, the simulator).
      graph: { baseUrl: args['graph-base-url'], scope: 'https://graph.microsoft.com/.default' },
    },
    credential,
  );
  const plan = await planGrants(client, args.identity, GRAPH_PERMISSIONS);
  say(`Warden's identity: ${plan.identity.displayName} (${plan.identity.id})`);
  const outcomes = args['dry-run']
    ? [
        ...plan.held.map((role) => ({ role, outcome: 'already granted' })),
        ...plan.missing.map((r) => ({ role: r.value, outcome: 'would be granted' })),
        ...plan.extra.map((r) => ({ role: r.value, outcome: args.prune ? 'would be removed' : 'extra' })),
      ]
    : await applyGrants(client, plan, args.prune);
  for (const { role, outcome } of outcomes) {
    const text =
      outcome === 'extra' ? 'extra: not documented, kept (run with --prune to remove it)' : outcome;
    say(`  ${role.padEnd(32)} ${text}`);
  }
  const count = (o: string) => outcomes.filter((x) => x.outcome === o).length;
  say(
    `${count('granted')} granted, ${count('already granted')} already granted, ${count('removed')} removed, ${count('extra')} extra kept` +
      (args['dry-run'] ? ' (dry run: nothing changed)' : ''),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof GrantError ? error.message : `grant-permissions failed: ${String(error)}`);
  process.exit(1);
});
