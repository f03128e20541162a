import { simControl } from '../../lib/stack.js';
import { fullScanBound, incrementalRequests } from '../bounds.js';
import { difference, nhi001Truth, scanWork } from '../ground-truth.js';
import { against, type Bench, type ItemResult, type RunnerEvent } from '../harness.js';
import { GRAPH } from '../models.js';

const PURPOSE_ROUTE = 'GET /v1.0/users/:id/mailboxSettings/userPurpose';

/** A mailbox the simulator creates; the benchmark checks Warden finds it. */
export async function createMailbox(
  bench: Bench,
  name: string,
  options: { licensed?: boolean; enabled?: boolean } = {},
): Promise<string> {
  const alias = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const created = await simControl<{ id: string }>(bench.sim, 'POST', '/users', {
    displayName: name,
    userPrincipalName: `${alias}@${bench.sim.info().domain}`,
    kind: 'shared',
    accountEnabled: options.enabled ?? true,
    // Exchange Online Plan 1: a licensed shared mailbox is still a shared mailbox.
    ...(options.licensed
      ? { assignedLicenses: [{ skuId: '4b9405b0-7788-4568-add1-99614e613b69', disabledPlans: [] }] }
      : {}),
  });
  return created.id;
}

function checkFindings(bench: Bench, when: string, expected: Set<string>, found: Set<string>): void {
  const { missing, extra } = difference(expected, found);
  if (missing.length > 0) bench.fail(`${when}: ${missing.length} mailboxes not found, e.g. ${missing[0]}`);
  if (extra.length > 0)
    bench.fail(`${when}: ${extra.length} findings the tenant does not hold, e.g. ${extra[0]}`);
}

/** NHI-001 full scan, with a mailbox created while it runs. */
export async function fullScan(bench: Bench): Promise<ItemResult> {
  const tenant = bench.sim.tenant();
  const before = nhi001Truth(tenant);
  const licensed = [...tenant.users.values()].filter(
    (u) => before.has(u.id) && u.mailbox === 'shared' && u.assignedLicenses.length > 0,
  );
  const work = scanWork(tenant);
  let created: Promise<string> | undefined;
  const { value, usage } = await bench.measure<RunnerEvent & { probedAfter: number }>(async () => {
    const probing = bench.whenRouteReaches(PURPOSE_ROUTE, work.probes);
    const scanned = bench.runner(['scan'], () => {
      created ??= createMailbox(bench, 'Bench Created Mid Scan');
    });
    return { ...(await scanned), probedAfter: await probing };
  });
  const midScan = await created;
  const found = await bench.openMailboxFindings();
  // The mailbox created meanwhile may be found now or in the next round; nothing else may differ.
  const after = nhi001Truth(bench.sim.tenant());
  checkFindings(bench, 'after the full scan', before, new Set([...found].filter((id) => before.has(id))));
  const extra = [...found].filter((id) => !after.has(id));
  if (extra.length > 0) bench.fail(`after the full scan: ${extra.length} findings the tenant does not hold`);
  const missedLicensed = licensed.filter((u) => !found.has(u.id));
  if (licensed.length === 0) bench.fail('the tenant holds no licensed shared mailbox to check');
  if (missedLicensed.length > 0) bench.fail(`${missedLicensed.length} licensed shared mailboxes not found`);
  const peakRssMb = value['peakRssMb'] as number;
  const timing = against(fullScanBound(work, GRAPH), usage.seconds, 1.5);
  return {
    name: 'Full scan (NHI-001)',
    usage,
    peakRssMb,
    ...timing,
    target: `${timing.target}, RSS ≤ 300 MB`,
    met: timing.met && peakRssMb <= 300,
    figures: {
      users: work.users,
      'mailboxes probed': work.probes,
      findings: found.size,
      'licensed shared found': `${licensed.length - missedLicensed.length}/${licensed.length}`,
      'created mid-scan': midScan && found.has(midScan) ? 'found in this round' : 'left to the next round',
      // Delta and every mailbox's purpose, before the sign-in activity budget sets the pace.
      'every purpose checked after (s)': value.probedAfter.toFixed(1),
    },
  };
}

/** The per-user loop, on a subset, compared per user with the full scan. */
export function naive(bench: Bench, scan: ItemResult): Promise<ItemResult> {
  return bench
    .measure(() => bench.runner(['naive', String(bench.size.naiveUsers)]))
    .then(({ value, usage }) => {
      const users = value['users'] as number;
      const perUser = (value['ms'] as number) / users;
      const scanPerUser = (scan.usage.seconds * 1000) / (scan.figures['users'] as number);
      const ratio = perUser / scanPerUser;
      return {
        name: 'Naive per-user loop',
        usage,
        peakRssMb: value['peakRssMb'] as number,
        ratio,
        target: 'Warden ≥ 20× faster per user',
        met: ratio >= 20,
        figures: {
          users,
          'ms per user (naive)': perUser.toFixed(1),
          'ms per user (Warden)': scanPerUser.toFixed(2),
          'at 100,000 users': `${((perUser * 100_000) / 3_600_000).toFixed(1)} h`,
          // The naive loop asks only the purpose; Warden's scan also reads sign-in activity at 10 reads a minute.
          'Warden up to every purpose checked': `${(perUser / ((Number(scan.figures['every purpose checked after (s)']) * 1000) / (scan.figures['users'] as number))).toFixed(0)}× faster`,
        },
      };
    });
}

/** One incremental round after `changes` changes: new, re-enabled and disabled mailboxes, renamed people. */
export async function incremental(bench: Bench): Promise<ItemResult> {
  const tenant = bench.sim.tenant();
  const total = bench.size.incrementalChanges;
  const share = (n: number) => Math.round(total * n);
  const enabled = [...tenant.users.values()].filter((u) => u.mailbox === 'shared' && u.accountEnabled);
  const disabled = [...tenant.users.values()].filter((u) => u.mailbox === 'shared' && !u.accountEnabled);
  const people = [...tenant.users.values()].filter((u) => u.mailbox === 'user').slice(-share(0.3));
  const created = share(0.2);
  for (let i = 0; i < created; i++)
    await createMailbox(bench, `Bench New Shared ${i}`, { licensed: i % 4 === 0 });
  for (const u of enabled.slice(0, share(0.3)))
    await simControl(bench.sim, 'PATCH', `/users/${u.id}`, { accountEnabled: false });
  const reenabled = disabled.slice(0, total - created - share(0.3) - people.length);
  for (const u of reenabled) await simControl(bench.sim, 'PATCH', `/users/${u.id}`, { accountEnabled: true });
  for (const u of people)
    await simControl(bench.sim, 'PATCH', `/users/${u.id}`, { jobTitle: 'Renamed by bench' });
  const changed = created + share(0.3) + reenabled.length + people.length;
  const { value, usage } = await bench.measure(() => bench.runner(['scan']));
  checkFindings(
    bench,
    'after the incremental round',
    nhi001Truth(bench.sim.tenant()),
    await bench.openMailboxFindings(),
  );
  const graphRequests = usage.http - usage.tokenHttp;
  return {
    name: 'Incremental round',
    usage,
    peakRssMb: value['peakRssMb'] as number,
    target: '≤ 15 HTTP requests',
    met: graphRequests <= 15,
    figures: {
      changes: changed,
      'Graph requests': graphRequests,
      'fewest possible': incrementalRequests(changed, created + reenabled.length),
    },
  };
}
