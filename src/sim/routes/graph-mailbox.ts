import { createHash } from 'node:crypto';
import { SimHttpError } from '../http/errors.js';
import type { Cost, RoleRequirement, RouteDef, SimContext, SimRequest, SimResponse } from '../http/types.js';
import type { SimUser } from '../state/model.js';

/**
 * GET /v1.0/users/{id|upn}/mailboxSettings and .../mailboxSettings/userPurpose: Exchange-backed, so errors are
 * Exchange's (ErrorInvalidUser, MailboxNotEnabledForRESTAPI) and the cost is Outlook's per-mailbox budget.
 */

const MAILBOX_ROLES: RoleRequirement = [['MailboxSettings.Read'], ['MailboxSettings.ReadWrite']];

/**
 * The mailbox a request targets, for per-mailbox concurrency. cost() runs before the handler and cannot see the
 * tenant, so a mailbox addressed once by id and once by UPN counts as two.
 */
function outlookCost(req: SimRequest): Cost {
  return { service: 'outlook', mailbox: (req.params['id'] ?? '').toLowerCase() };
}

/** The user segment exactly as the caller wrote it, which Graph echoes in @odata.context. */
function userSegment(req: SimRequest): string {
  return req.path.split('/')[3] ?? req.params['id'] ?? '';
}

function mailboxOwner(
  req: SimRequest,
  ctx: SimContext,
): SimUser & { mailbox: NonNullable<SimUser['mailbox']> } {
  const id = req.params['id'] ?? '';
  const user = ctx.tenant.findUser(id);
  if (!user) throw new SimHttpError(404, 'ErrorInvalidUser', `The requested user '${id}' is invalid.`);
  if (!user.mailbox) {
    throw new SimHttpError(
      404,
      'MailboxNotEnabledForRESTAPI',
      'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
    );
  }
  return user as SimUser & { mailbox: NonNullable<SimUser['mailbox']> };
}

function context(req: SimRequest, ctx: SimContext, suffix: string): string {
  return `${ctx.baseUrl}/v1.0/$metadata#users('${userSegment(req)}')/mailboxSettings${suffix}`;
}

function mailboxSettings(req: SimRequest, ctx: SimContext): SimResponse {
  const user = mailboxOwner(req, ctx);
  const archiveFolder = createHash('sha256').update(`archive|${user.id}`).digest('base64url');
  const at = (dateTime: string) => ({ dateTime, timeZone: 'UTC' });
  return {
    status: 200,
    body: {
      '@odata.context': context(req, ctx, ''),
      archiveFolder: `AAMkA${archiveFolder}`,
      timeZone: 'UTC',
      delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
      dateFormat: 'M/d/yyyy',
      timeFormat: 'h:mm tt',
      // The reference's full-object example wraps the value ({"value": "user"}); the property route answers a bare string.
      userPurpose: { value: user.mailbox },
      automaticRepliesSetting: {
        status: 'disabled',
        externalAudience: 'all',
        internalReplyMessage: '',
        externalReplyMessage: '',
        scheduledStartDateTime: at('2020-01-01T00:00:00.0000000'),
        scheduledEndDateTime: at('2020-01-02T00:00:00.0000000'),
      },
      language: { locale: 'en-US', displayName: 'English (United States)' },
      workingHours: {
        daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        startTime: '08:00:00.0000000',
        endTime: '17:00:00.0000000',
        timeZone: { name: 'UTC' },
      },
    },
  };
}

function userPurpose(req: SimRequest, ctx: SimContext): SimResponse {
  const user = mailboxOwner(req, ctx);
  return { status: 200, body: { '@odata.context': context(req, ctx, '/userPurpose'), value: user.mailbox } };
}

export const graphMailboxRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1.0/users/:id/mailboxSettings',
    family: 'graph',
    roles: MAILBOX_ROLES,
    cost: outlookCost,
    handler: mailboxSettings,
  },
  {
    method: 'GET',
    path: '/v1.0/users/:id/mailboxSettings/userPurpose',
    family: 'graph',
    roles: MAILBOX_ROLES,
    cost: outlookCost,
    handler: userPurpose,
  },
];
