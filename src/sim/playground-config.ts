import type { Tenant } from './state/tenant.js';

/** Conversation ids of the Playground's chats and team: fixed, so a demo and tests can address them. */
export const PLAYGROUND_IDS = {
  botId: '28:warden-bot',
  personalChat: 'a:warden-personal-chat',
  groupChat: '19:warden-group-chat@thread.v2',
  team: '19:security-team@thread.tacv2',
  alertsChannel: '19:warden-alerts@thread.tacv2',
  teamAadGroupId: '5b0f6c3a-1f7e-4a53-9a39-4f7c2d1e0a11',
} as const;

/** The Playground's users: the signed-in user first (an approver), then four others by role. */
const ROLES = ['approver', 'approver2', 'owner', 'flowOwner', 'user', 'breakGlass'] as const;

function yamlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * Renders the Agents Playground configuration (.m365agentsplayground.yml) for a simulated tenant, so that the
 * Playground's tenant, users and team are the simulator's. The Playground wants exactly five users besides the
 * signed-in one.
 */
export function playgroundConfig(tenant: Tenant): string {
  const people = ROLES.map((role) => {
    const user = tenant.users.get(tenant.wellKnown.people[role] ?? '');
    if (!user) throw new Error(`the tenant has no ${role}`);
    return user;
  });
  const userYaml = (u: (typeof people)[number], indent: string): string =>
    [
      `id: ${yamlString(`29:${u.id}`)}`,
      `name: ${yamlString(u.displayName)}`,
      `userPrincipleName: ${yamlString(u.userPrincipalName)}`,
      `aadObjectId: ${yamlString(u.id)}`,
      `givenName: ${yamlString(u.givenName ?? u.displayName)}`,
      `surname: ${yamlString(u.surname ?? '')}`,
      `email: ${yamlString(u.mail ?? u.userPrincipalName)}`,
    ]
      .map((line, i) => (i === 0 ? line : `${indent}${line}`))
      .join('\n');
  const [current, ...others] = people;
  if (!current) throw new Error('no signed-in user');
  return [
    '# Generated from the tenant simulator (seed 1) by `npm run playground-config`; do not edit by hand.',
    '# The signed-in user is an approver; the others are an approver, an owner of risky accounts, the sponsor',
    '# of a technical account, an ordinary user and the break-glass admin.',
    'version: "0.1.0"',
    `tenantId: ${yamlString(tenant.id)}`,
    'bot:',
    `  id: ${yamlString(PLAYGROUND_IDS.botId)}`,
    '  name: "Warden"',
    'currentUser:',
    `  ${userYaml(current, '  ')}`,
    'users:',
    ...others.map((u) => `  - ${userYaml(u, '    ')}`),
    'personalChat:',
    `  id: ${yamlString(PLAYGROUND_IDS.personalChat)}`,
    'groupChat:',
    `  id: ${yamlString(PLAYGROUND_IDS.groupChat)}`,
    '  name: "Security engineers"',
    'team:',
    `  id: ${yamlString(PLAYGROUND_IDS.team)}`,
    '  name: "Security"',
    `  aadGroupId: ${yamlString(PLAYGROUND_IDS.teamAadGroupId)}`,
    '  channels:',
    `    - id: ${yamlString(PLAYGROUND_IDS.alertsChannel)}`,
    '      name: "Warden alerts"',
    '',
  ].join('\n');
}
