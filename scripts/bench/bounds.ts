/**
 * Lower bounds: the least time any client could take for the same work under the same limits and latency model
 * (shared/reference/limits-and-reliability.md §6). Each bound is the largest of its terms; a term is a chain of
 * requests that must follow one another, or a budget the service refills at a fixed rate. Parallelism is taken as
 * unlimited wherever the service allows it, so the bounds favour the client.
 */

export interface Term {
  name: string;
  seconds: number;
}

export interface Bound {
  seconds: number;
  /** The term that sets the bound. */
  binding: string;
  terms: Term[];
}

function bound(terms: Term[]): Bound {
  const top = terms.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return { seconds: top.seconds, binding: top.name, terms };
}

/** A budget of `perWindow` requests per `windowSeconds`, starting full: what `requests` cost beyond the burst. */
export function budgetSeconds(requests: number, perWindow: number, windowSeconds: number): number {
  return Math.max(0, requests - perWindow) * (windowSeconds / perWindow);
}

/**
 * When the last of a series of requests can start, at the earliest, when request i cannot start before
 * readyAt[i] (ascending) and the budget (starting full, refilled evenly) allows it.
 */
export function budgetSchedule(readyAt: readonly number[], perWindow: number, windowSeconds: number): number {
  const interval = windowSeconds / perWindow;
  let tokens = perWindow;
  let last = 0;
  let t = 0;
  for (const ready of readyAt) {
    t = Math.max(t, ready);
    tokens = Math.min(perWindow, tokens + (t - last) / interval);
    if (tokens < 1) {
      t += (1 - tokens) * interval;
      tokens = 1;
    }
    last = t;
    tokens -= 1;
  }
  return t;
}

export interface GraphModel {
  /** Median latencies, in seconds. */
  latency: {
    delta: number;
    outlook: number;
    reports: number;
    identity: number;
    write: number;
    token: number;
  };
  signInPerMinute: number;
  /** Reports API (MFA registration): requests per 10 s. */
  reportsPer10s: number;
  writesPer150s: number;
}

/** Graph's fixed shapes: 200 users per delta page, 20 requests per $batch, 4 Outlook items of a batch at a time. */
export const GRAPH_SHAPE = { deltaPage: 200, batch: 20, outlookPerBatch: 4, signInGroup: 15 } as const;

export interface ScanWork {
  users: number;
  /** Enabled accounts with a mailbox: each needs its mailbox purpose asked of Exchange. */
  probes: number;
  /** Enabled shared, room and equipment mailboxes: each needs evidence, sign-in activity included. */
  mailboxes: number;
  /**
   * The delta page (from 0) each of those mailboxes arrives on, ascending. A client reading delta learns of a
   * mailbox only then, so its sign-in read cannot start earlier; without it, every mailbox counts as known at once.
   */
  mailboxPages?: number[];
}

/** A full NHI-001 scan. */
export function fullScanBound(work: ScanWork, g: GraphModel): Bound {
  const pages = Math.max(1, Math.ceil(work.users / GRAPH_SHAPE.deltaPage));
  const probe = Math.ceil(GRAPH_SHAPE.batch / GRAPH_SHAPE.outlookPerBatch) * g.latency.outlook;
  // Each group of 15 can be read once its last mailbox is known: its page read (pages come one after another)
  // and its purpose asked.
  const pagesOfMailboxes = work.mailboxPages ?? Array<number>(work.mailboxes).fill(-1);
  const groupsReady: number[] = [];
  for (let i = 0; i < pagesOfMailboxes.length; i += GRAPH_SHAPE.signInGroup) {
    const group = pagesOfMailboxes.slice(i, i + GRAPH_SHAPE.signInGroup);
    const lastPage = Math.max(...group);
    groupsReady.push(lastPage < 0 ? 0 : (lastPage + 1) * g.latency.delta + probe);
  }
  const lastRead = budgetSchedule(groupsReady, g.signInPerMinute, 60);
  return bound([
    {
      // Each nextLink is known only when its page arrives; the last page's users still need their purpose.
      name: 'delta paging',
      seconds: pages * g.latency.delta + probe + g.latency.reports,
    },
    {
      name: 'sign-in activity budget',
      seconds: groupsReady.length > 0 ? lastRead + g.latency.reports : 0,
    },
  ]);
}

export interface InventoryWork {
  /** Per environment with Dataverse: its flows and its systemusers. */
  environments: { flows: number; systemUsers: number }[];
  /** Distinct user accounts owning flows: each needs sign-in activity and MFA registration. */
  owners: number;
}

export interface PowerPlatformModel {
  latency: { bap: number; dataverse: number; token: number };
  /** Rows per Dataverse page. */
  pageSize: number;
  /** Dataverse service protection: requests per 5 minutes per user per environment. */
  dataversePer5Min: number;
}

/** A full NHI-002 flow inventory. */
export function inventoryBound(work: InventoryWork, g: GraphModel, pp: PowerPlatformModel): Bound {
  const pagesOf = (rows: number) => Math.max(1, Math.ceil(rows / pp.pageSize));
  const slowest = Math.max(
    0,
    ...work.environments.map((e) => pagesOf(Math.max(e.flows, e.systemUsers)) * pp.latency.dataverse),
  );
  const busiest = Math.max(0, ...work.environments.map((e) => pagesOf(e.flows) + pagesOf(e.systemUsers)));
  const groups = Math.ceil(work.owners / GRAPH_SHAPE.signInGroup);
  const evidenceChain = work.owners > 0 ? g.latency.identity + g.latency.reports : 0;
  return bound([
    {
      // List environments, then the slowest environment's pages (one token per environment), then the owners.
      name: 'paging chain',
      seconds: pp.latency.bap + pp.latency.token + slowest + evidenceChain,
    },
    {
      name: 'sign-in activity budget',
      seconds: budgetSeconds(groups, g.signInPerMinute, 60) + evidenceChain,
    },
    { name: 'reports budget (MFA)', seconds: budgetSeconds(groups, g.reportsPer10s, 10) + evidenceChain },
    { name: 'Dataverse budget', seconds: budgetSeconds(busiest, pp.dataversePer5Min, 300) },
  ]);
}

/**
 * Blocking sign-in and revoking sessions: two writes per mailbox. The write quota (3,000 per 150 s per app and
 * tenant) allows 20 writes a second sustained: the write-quota bound, W / 20 s. Its burst could take the
 * first writes faster, so a ratio under 1 is possible and means the burst was used.
 */
export function remediationBound(mailboxes: number, g: GraphModel): Bound {
  const writes = 2 * mailboxes;
  return bound([
    { name: 'write quota (sustained)', seconds: writes / (g.writesPer150s / 150) },
    { name: 'one remediation', seconds: 2 * g.latency.write },
  ]);
}

/** The fewest requests an incremental round with these changes can make. */
export function incrementalRequests(changedUsers: number, newMailboxes: number): number {
  const pages = Math.max(1, Math.ceil(changedUsers / GRAPH_SHAPE.deltaPage));
  const probes = Math.ceil(changedUsers / GRAPH_SHAPE.batch);
  const evidence = newMailboxes > 0 ? Math.ceil(newMailboxes / GRAPH_SHAPE.signInGroup) + 1 : 0;
  return pages + probes + evidence;
}
