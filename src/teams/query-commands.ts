import { subjectUpn } from '../domain/subject.js';
import type { Application } from '@microsoft/teams-ai';
import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { FINDINGS_PAGE_VERB, findingsListCard } from '../cards/findings-list-card.js';
import { refusalCard, unreadableCard } from '../cards/refusal-card.js';
import { threadLink } from '../cards/thread-link.js';
import { whoamiCard } from '../cards/whoami-card.js';
import type { Warden } from '../workflows/warden.js';
import type { CommandDeps } from './commands.js';

/**
 * The read-only chat commands: whoami, findings, show and digest. Each parses its arguments strictly (wrong ones get
 * the usage line), asks one use case, which decides what the person may see from Graph now, and answers with a card.
 */

const card = (content: object) => MessageFactory.attachment(CardFactory.adaptiveCard(content));
const PAGE_SIZE = 10;
type FindingsFilter = { state: 'open' | 'all'; kind: 'all' | 'mailboxes' | 'flows'; mine: boolean };

/** `findings [open|all] [mailboxes|flows] [mine]`, each at most once, in any order; undefined when malformed. */
export function parseFindingsArgs(args: readonly string[]): FindingsFilter | undefined {
  const filter: FindingsFilter = { state: 'open', kind: 'all', mine: false };
  const seen = new Set<string>();
  for (const raw of args) {
    const word = raw.toLowerCase();
    const slot =
      word === 'open' || word === 'all'
        ? 'state'
        : word === 'mailboxes' || word === 'flows'
          ? 'kind'
          : word === 'mine'
            ? 'mine'
            : undefined;
    if (!slot || seen.has(slot)) return undefined;
    seen.add(slot);
    if (slot === 'state') filter.state = word as FindingsFilter['state'];
    else if (slot === 'kind') filter.kind = word as FindingsFilter['kind'];
    else filter.mine = true;
  }
  return filter;
}

async function findingsList(
  warden: Warden,
  deps: CommandDeps,
  viewerId: string,
  filter: FindingsFilter,
  offset: number,
) {
  const page = await warden.queries.findings({ viewerId, ...filter, offset, pageSize: PAGE_SIZE });
  return findingsListCard({
    filter,
    scope: page.scope,
    rows: page.rows.map((f) => {
      const url = threadLink(f.card, deps.config.tenantId);
      return {
        findingId: f.id,
        ruleId: f.ruleId,
        subjectDisplayName: f.subjectDisplayName,
        userPrincipalName: subjectUpn(f),
        state: f.state,
        severity: f.severity,
        firstSeenAt: f.firstSeenAt,
        ...(url ? { threadUrl: url } : {}),
      };
    }),
    total: page.total,
    offset,
    pageSize: PAGE_SIZE,
    now: deps.clock.now().toISOString(),
  });
}

/** Answers one of the query commands; false when `name` is not one of them. */
export async function handleQueryCommand(
  context: TurnContext,
  deps: CommandDeps,
  name: string,
  args: readonly string[],
): Promise<boolean> {
  const viewerId = context.activity.from.aadObjectId;
  const usage = (line: string) => context.sendActivity(`Usage: ${line}. Nothing else was done.`);
  if (!['whoami', 'findings', 'show', 'digest'].includes(name)) return false;
  if (!viewerId) {
    await context.sendActivity('Teams did not say who you are, so Warden cannot tell what you may see.');
    return true;
  }
  const { warden } = deps;
  switch (name) {
    case 'whoami': {
      if (args.length > 0) await usage('whoami');
      else {
        const me = await warden.queries.whoAmI(viewerId);
        await context.sendActivity(
          card(
            whoamiCard({
              displayName: context.activity.from.name || viewerId,
              role: me.role,
              approverCheck: me.approverCheck,
              ownedFindings: me.ownedFindings,
              why: [],
            }),
          ),
        );
      }
      return true;
    }
    case 'findings': {
      const filter = parseFindingsArgs(args);
      if (!filter)
        await usage('findings [open|all] [mailboxes|flows] [mine] — for example, findings open flows mine');
      else await context.sendActivity(card(await findingsList(warden, deps, viewerId, filter, 0)));
      return true;
    }
    case 'show': {
      if (args.length !== 1) {
        await usage('show <upn|finding id> — for example, show reception@contoso.com');
        return true;
      }
      const result = await warden.queries.show({ viewerId, query: args[0] ?? '' });
      if (result.kind === 'not-found') {
        await context.sendActivity(
          card(
            refusalCard({ title: 'Nothing to show', reason: result.message, next: 'Nothing was changed.' }),
          ),
        );
        return true;
      }
      for (const finding of result.findings.slice(0, 3))
        await context.sendActivity(card(await warden.findingCard(finding)));
      return true;
    }
    case 'digest': {
      if (args.length > 0) {
        await usage('digest');
        return true;
      }
      // The digest counts every finding in the tenant: what approvers see.
      const allowed = await warden.requireApprover(
        viewerId,
        'digest',
        'The digest shows every finding in the tenant, so only Warden approvers can preview it. It goes to the alerts channel every week; type findings mine to see yours.',
      );
      if (!allowed.ok) await context.sendActivity(allowed.message);
      else await context.sendActivity(card(await warden.digestPreview()));
      return true;
    }
  }
  return false;
}

const pageData = z.object({
  state: z.enum(['open', 'all']),
  kind: z.enum(['all', 'mailboxes', 'flows']),
  mine: z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true'),
  offset: z.coerce.number().int().min(0).max(1_000_000),
});

/** The Previous/Next buttons of a findings list: the next page, for the clicker. */
export function registerQueryActions(app: Application, deps: CommandDeps): void {
  app.adaptiveCards.actionExecute(FINDINGS_PAGE_VERB, async (context, _state, data) => {
    const parsed = pageData.safeParse(data);
    const viewerId = context.activity.from.aadObjectId;
    if (!parsed.success || !viewerId) {
      return unreadableCard('Type findings to list them again.');
    }
    const { offset, ...filter } = parsed.data;
    return findingsList(deps.warden, deps, viewerId, filter, offset);
  });
}
