import { subjectUpn } from '../domain/subject.js';
import { parseFindingId } from '../domain/finding-id.js';
import type { Finding, FindingState } from '../domain/records.js';
import type { ApproverCheck, DirectoryReader } from './directory-port.js';
import type { Store } from './ports.js';
import { NEEDS_ALERT } from './publish-findings.js';

/**
 * The read-only questions people ask in chat: who am I to Warden, which findings are there, show me one. What a
 * person sees follows their role, asked of Graph at the moment of the question: approvers see every finding,
 * anyone else the findings they own. A role check Graph cannot answer shows only their own.
 */

export interface QueryDeps {
  store: Store;
  approvers: ApproverCheck;
  directory: Pick<DirectoryReader, 'findUser'>;
}

export type RoleCheck = 'yes' | 'no' | 'failed';

async function approverCheck(deps: QueryDeps, id: string): Promise<RoleCheck> {
  try {
    return (await deps.approvers.isApprover(id)) ? 'yes' : 'no';
  } catch {
    return 'failed';
  }
}

const owns = (finding: Finding, id: string) =>
  finding.ownerIds.some((o) => o.toLowerCase() === id.toLowerCase());

export interface WhoAmI {
  role: 'approver' | 'owner' | 'anyone';
  approverCheck: RoleCheck;
  ownedFindings: number;
}

/** The person's Warden role and why: approver (Graph, now), owner of findings, or anyone in the tenant. */
export async function whoAmI(deps: QueryDeps, personId: string): Promise<WhoAmI> {
  const check = await approverCheck(deps, personId);
  const owned = (await deps.store.listFindings({ ownerId: personId, states: [...NEEDS_ALERT] })).length;
  return {
    role: check === 'yes' ? 'approver' : owned > 0 ? 'owner' : 'anyone',
    approverCheck: check,
    ownedFindings: owned,
  };
}

export interface FindingsQuery {
  viewerId: string;
  state: 'open' | 'all';
  kind: 'all' | 'mailboxes' | 'flows';
  mine: boolean;
  offset: number;
  pageSize: number;
}

export interface FindingsPage {
  scope: 'all' | 'own';
  rows: Finding[];
  total: number;
}

const KIND_RULE: Readonly<Record<FindingsQuery['kind'], string | undefined>> = {
  all: undefined,
  mailboxes: 'NHI-001',
  flows: 'NHI-002',
};

/** One page of findings, oldest first, as the viewer may see them. */
export async function findingsPage(deps: QueryDeps, query: FindingsQuery): Promise<FindingsPage> {
  const approver = (await approverCheck(deps, query.viewerId)) === 'yes';
  const own = query.mine || !approver;
  const ruleId = KIND_RULE[query.kind];
  const states: FindingState[] | undefined = query.state === 'open' ? [...NEEDS_ALERT] : undefined;
  const all = await deps.store.listFindings({
    ...(states ? { states } : {}),
    ...(ruleId ? { ruleId } : {}),
    ...(own ? { ownerId: query.viewerId } : {}),
  });
  return {
    scope: own ? 'own' : 'all',
    rows: all.slice(query.offset, query.offset + query.pageSize),
    total: all.length,
  };
}

export type ShowResult = { kind: 'found'; findings: Finding[] } | { kind: 'not-found'; message: string };

/** The findings about one account (by UPN) or one finding (by id), if the viewer may see them. */
export async function showFindings(
  deps: QueryDeps,
  input: { viewerId: string; query: string },
): Promise<ShowResult> {
  const query = input.query.trim();
  const parsed = parseFindingId(query);
  let findings: Finding[];
  if (parsed) {
    const one = await deps.store.getFinding(parsed.id);
    findings = one ? [one] : [];
  } else {
    const lower = query.toLowerCase();
    const byUpn = (await deps.store.listFindings()).filter((f) => subjectUpn(f).toLowerCase() === lower);
    findings = byUpn;
    if (findings.length === 0 && query.length <= 256) {
      const user = await deps.directory.findUser(query).catch(() => undefined);
      if (user) findings = await deps.store.listFindings({ subjectId: user.id.toLowerCase() });
    }
  }
  const approver = (await approverCheck(deps, input.viewerId)) === 'yes';
  // A non-approver is told the same whether the finding does not exist or is not theirs: no existence leaks.
  const visible = approver ? findings : findings.filter((f) => owns(f, input.viewerId));
  if (visible.length === 0) {
    return {
      kind: 'not-found',
      message: approver
        ? `Warden has no finding about "${query}". Give a user principal name (name@yourdomain) or a finding id such as nhi-001:<object id>, or type findings to list them.`
        : `Warden has no finding about "${query}" that you own; only approvers see every finding. Type findings mine to see yours.`,
    };
  }
  return { kind: 'found', findings: visible };
}
