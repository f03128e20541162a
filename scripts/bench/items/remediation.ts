import { simWrites } from '../../lib/stack.js';
import { remediationBound } from '../bounds.js';
import { against, type Bench, type ItemResult } from '../harness.js';
import { GRAPH } from '../models.js';

/** Blocks sign-in and revokes sessions of N shared mailboxes, approved one by one, in enforce mode. */
export async function remediation(bench: Bench): Promise<ItemResult> {
  const count = bench.size.remediations;
  const approver = bench.sim.tenant().wellKnown.people['approver'] ?? '';
  const [patchesBefore, revokesBefore] = await Promise.all([
    simWrites(bench.sim, '/users/', 'PATCH'),
    simWrites(bench.sim, '/revokeSignInSessions', 'POST'),
  ]);
  const { value, usage } = await bench.measure(() => bench.runner(['remediate', String(count), approver]));
  const [patches, revokes] = await Promise.all([
    simWrites(bench.sim, '/users/', 'PATCH'),
    simWrites(bench.sim, '/revokeSignInSessions', 'POST'),
  ]);
  const blocked = patches.length - patchesBefore.length;
  const revoked = revokes.length - revokesBefore.length;
  if (blocked !== count) bench.fail(`${count} remediations made ${blocked} account writes, not ${count}`);
  if (revoked !== count) bench.fail(`${count} remediations revoked sessions ${revoked} times, not ${count}`);
  const seconds = (value['ms'] as number) / 1000;
  const timing = against(remediationBound(count, GRAPH), seconds, 1.2);
  return {
    name: `Remediation of ${count} shared mailboxes`,
    usage: { ...usage, seconds },
    peakRssMb: value['peakRssMb'] as number,
    ...timing,
    target: `${timing.target} (write quota)`,
    figures: {
      'accounts blocked': blocked,
      'sessions revoked': revoked,
      'approvals (s)': ((value['approvalsMs'] as number) / 1000).toFixed(1),
    },
  };
}
