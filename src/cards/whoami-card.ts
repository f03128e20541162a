import { countOf } from './card-text.js';
import { inert } from './escape.js';
import { cardTemplate, compileCard, type AdaptiveCard } from './template.js';

/** A person's Warden role: approver (the approvers group), owner (of findings), or anyone in the tenant. */
export type WardenRole = 'approver' | 'owner' | 'anyone';

/** What `whoami` answers. Names come raw from the tenant; `why` holds further reasons the caller knows, in plain text. */
export interface WhoamiCardView {
  readonly displayName: string;
  readonly userPrincipalName?: string | undefined;
  readonly role: WardenRole;
  /** The approvers-group check Warden made with Graph for this answer; `failed` when Graph could not tell. */
  readonly approverCheck: 'yes' | 'no' | 'failed';
  readonly approversGroupName?: string | undefined;
  /** Findings the person is responsible for, as sponsor, manager or assigned owner. */
  readonly ownedFindings: number;
  readonly why: readonly string[];
}

interface WhoamiCardData {
  readonly title: string;
  readonly hasUpn: boolean;
  readonly upn: string;
  readonly role: string;
  readonly reasons: readonly { readonly text: string }[];
  readonly can: string;
  readonly failed: boolean;
  readonly failure: string;
}

const template = cardTemplate([
  { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
  { type: 'TextBlock', $when: '${hasUpn}', text: '${upn}', isSubtle: true, spacing: 'None', wrap: true },
  { type: 'TextBlock', text: '${role}', spacing: 'Medium', wrap: true },
  {
    type: 'Container',
    spacing: 'Small',
    items: [{ type: 'TextBlock', $data: '${reasons}', text: '${text}', spacing: 'None', wrap: true }],
  },
  { type: 'TextBlock', text: '${can}', isSubtle: true, spacing: 'Medium', wrap: true },
  {
    type: 'Container',
    $when: '${failed}',
    style: 'warning',
    spacing: 'Medium',
    items: [{ type: 'TextBlock', text: '${failure}', wrap: true }],
  },
]);

const expand: (data: WhoamiCardData) => AdaptiveCard = compileCard(template);

const ROLE_LABEL: Readonly<Record<WardenRole, string>> = {
  approver: 'Approver',
  owner: 'Owner',
  anyone: 'Anyone in the tenant',
};

const ROLE_CAN: Readonly<Record<WardenRole, string>> = {
  approver:
    'You see every finding, scan, approve or reject exceptions and remediations, dismiss findings and preview the digest.',
  owner: 'You see the findings you own (type **findings mine**) and act on them from their alert cards.',
  anyone: 'Warden shows you the findings you own; approvers see every finding.',
};

/** The whoami card: who Warden thinks you are, your role and why, and what to do when the role check failed. */
export function whoamiCard(view: WhoamiCardView): AdaptiveCard {
  const name = inert(view.displayName, 120);
  const upn = inert(view.userPrincipalName, 120);
  const group = inert(view.approversGroupName, 120);
  const groupName = group ? ` (${group})` : '';
  return expand({
    title: `You are ${name || upn || 'an unnamed account'}`,
    hasUpn: upn !== '' && name !== '',
    upn,
    role: `Your Warden role: **${ROLE_LABEL[view.role]}**`,
    reasons: [...reasons(view, groupName), ...view.why.map((why) => inert(why, 300)).filter(Boolean)].map(
      (text) => ({ text: `• ${text}` }),
    ),
    can: ROLE_CAN[view.role],
    failed: view.approverCheck === 'failed',
    failure:
      `**Warden could not check the approvers group${groupName} with Microsoft Graph just now**, so for now it ` +
      'treats you as someone who is not an approver: you see only the findings you own, and approver actions are ' +
      "refused. Type **whoami** again in a minute. If it keeps failing, an administrator checks Warden's " +
      'permissions with **status**: the check needs GroupMember.Read.All.',
  });
}

function reasons(view: WhoamiCardView, groupName: string): string[] {
  const found: string[] = [];
  if (view.approverCheck === 'yes')
    found.push(`Member of the approvers group${groupName} (checked with Microsoft Graph now).`);
  if (view.approverCheck === 'no')
    found.push(`Not a member of the approvers group${groupName} (checked with Microsoft Graph now).`);
  if (view.ownedFindings > 0)
    found.push(`Owner of ${countOf(view.ownedFindings, 'finding')} (as sponsor, manager or assigned owner).`);
  if (view.role === 'anyone')
    found.push('Anyone in the tenant: you can use help, whoami and status, and see your own findings.');
  return found;
}
