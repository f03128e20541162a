import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';

// The Teams Toolkit project files, checked offline: the actions exist in the yaml schema, the lifecycle stages
// run in the order the Toolkit needs, and every ${{VAR}} is known by the time the step that uses it runs.

const repoFile = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));
const read = (file: string) => readFileSync(repoFile(file), 'utf8');

/**
 * Every action of the v1.8 yaml schema (`definitions.lifeCycleArray.items.anyOf`), from
 * OfficeDev/teams-toolkit packages/fx-core/resource/yaml-schema/v1.8/yaml.schema.json at
 * ba1c51a2449c0da1ed6b3de6ae8e52b7d763e2e8 (https://aka.ms/teams-toolkit/v1.8/yaml.schema.json). Later copies of
 * that file add actions (teamsApp/shareToOthers, devChannel/*, typeSpec/compile); an action listed here works
 * with every Toolkit that reads v1.8.
 */
const V1_8_ACTIONS = new Set([
  'aadApp/create',
  'aadApp/update',
  'arm/deploy',
  'azureStorage/enableStaticWebsite',
  'cli/runNpmCommand',
  'cli/runDotnetCommand',
  'cli/runNpxCommand',
  'azureStorage/deploy',
  'azureAppService/zipDeploy',
  'azureFunctions/zipDeploy',
  'teamsApp/create',
  'teamsApp/validateManifest',
  'teamsApp/validateAppPackage',
  'teamsApp/validateWithTestCases',
  'teamsApp/zipAppPackage',
  'teamsApp/update',
  'teamsApp/publishAppPackage',
  'botAadApp/create',
  'botFramework/create',
  'file/createOrUpdateEnvironmentFile',
  'file/createOrUpdateJsonFile',
  'devTool/install',
  'teamsApp/extendToM365',
  'spfx/deploy',
  'teamsApp/copyAppPackageToSPFx',
  'script',
  'apiKey/register',
  'azureStaticWebApps/getDeploymentToken',
  'apiKey/update',
  'oauth/register',
  'oauth/update',
]);

/** The `with` and `writeToEnvironmentFile` keys of the actions used here, as the same schema defines them. */
const ACTION_KEYS: Record<
  string,
  { with: { required: string[]; optional: string[] }; writes?: { required: string[]; optional: string[] } }
> = {
  'teamsApp/create': {
    with: { required: ['name'], optional: [] },
    writes: { required: ['teamsAppId'], optional: [] },
  },
  'arm/deploy': {
    with: { required: ['subscriptionId', 'resourceGroupName', 'templates'], optional: ['bicepCliVersion'] },
  },
  'teamsApp/validateManifest': { with: { required: ['manifestPath'], optional: [] } },
  'teamsApp/zipAppPackage': {
    with: { required: ['manifestPath', 'outputZipPath', 'outputFolder'], optional: [] },
  },
  'teamsApp/validateAppPackage': { with: { required: ['appPackagePath'], optional: [] } },
  'teamsApp/update': { with: { required: ['appPackagePath'], optional: [] } },
  'teamsApp/publishAppPackage': {
    with: { required: ['appPackagePath'], optional: [] },
    writes: { required: ['publishedAppId'], optional: [] },
  },
  'cli/runNpmCommand': { with: { required: ['args'], optional: ['workingDirectory'] } },
  'azureAppService/zipDeploy': {
    with: {
      required: ['artifactFolder', 'resourceId'],
      optional: ['workingDirectory', 'ignoreFile', 'dryRun', 'outputZipFile'],
    },
  },
  'aadApp/create': {
    with: {
      required: ['name', 'generateClientSecret', 'signInAudience'],
      optional: ['serviceManagementReference', 'clientSecretExpireDays', 'clientSecretDescription'],
    },
    writes: {
      required: ['clientId', 'objectId'],
      optional: ['clientSecret', 'tenantId', 'authority', 'authorityHost'],
    },
  },
  'botAadApp/create': {
    with: { required: ['name'], optional: [] },
    writes: { required: ['botId', 'botPassword'], optional: [] },
  },
  'botFramework/create': {
    with: {
      required: ['botId', 'name', 'messagingEndpoint'],
      optional: ['description', 'iconUrl', 'channels'],
    },
  },
  'file/createOrUpdateEnvironmentFile': { with: { required: ['envs', 'target'], optional: [] } },
};

/**
 * What the Toolkit itself provides: the environment's name and app-name suffix (from env/.env.<env>), the
 * subscription and resource group (asked for when empty), and RESOURCE_SUFFIX (generated on the first
 * provision when empty) — fx-core's provision coordinator.
 */
const TOOLKIT_BUILT_INS = new Set([
  'TEAMSFX_ENV',
  'APP_NAME_SUFFIX',
  'AZURE_SUBSCRIPTION_ID',
  'AZURE_RESOURCE_GROUP_NAME',
  'RESOURCE_SUFFIX',
]);

/** Outputs an action writes without being asked (fx-core teamsApp/create and teamsApp/update drivers). */
const IMPLICIT_OUTPUTS: Record<string, string[]> = {
  'teamsApp/create': ['TEAMS_APP_TENANT_ID'],
  'teamsApp/update': ['TEAMS_APP_TENANT_ID', 'TEAMS_APP_UPDATE_TIME'],
};

/** Left empty in the committed env file: the operator fills them in (the tunnel's URL locally). */
const OPERATOR_FILLED: Record<string, string[]> = {
  dev: ['APPROVERS_GROUP_ID', 'EXCEPTION_GROUP_ID', 'FLOW_APP_ID'],
  local: ['APPROVERS_GROUP_ID', 'EXCEPTION_GROUP_ID', 'BOT_ENDPOINT', 'BOT_DOMAIN'],
};

const step = z
  .object({
    uses: z.string(),
    name: z.string().optional(),
    env: z.record(z.string()).optional(),
    with: z.record(z.unknown()).optional(),
    writeToEnvironmentFile: z.record(z.string()).optional(),
  })
  .strict();
type Step = z.infer<typeof step>;
const project = z
  .object({
    version: z.string(),
    environmentFolderPath: z.string().optional(),
    provision: z.array(step).optional(),
    deploy: z.array(step).optional(),
    publish: z.array(step).optional(),
  })
  .strict();
type Project = z.infer<typeof project>;
const LIFECYCLES = ['provision', 'deploy', 'publish'] as const;
const templateSchema = z
  .object({ path: z.string(), parameters: z.string().optional(), deploymentName: z.string() })
  .strict();

const files = [
  { file: 'teamsapp.yml', env: 'dev' },
  { file: 'teamsapp.local.yml', env: 'local' },
] as const;

function loadProject(file: string): Project {
  return project.parse(parse(read(file)));
}

function readEnvFile(file: string): Map<string, string> {
  const entries = read(file)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return new Map(entries);
}

function envFileOf(projectFile: Project, env: string): string {
  const folder = (projectFile.environmentFolderPath ?? './env').replace(/^\.\//, '');
  return `${folder}/.env.${env}`;
}

const placeholders = (text: string) =>
  [...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!);

function withOf(s: Step): Record<string, unknown> {
  return s.with ?? {};
}

function stringAt(s: Step, key: string): string {
  const value = withOf(s)[key];
  if (typeof value !== 'string') throw new Error(`${s.uses}: with.${key} is not a string`);
  return value;
}

function templatesOf(s: Step): z.infer<typeof templateSchema>[] {
  return z.array(templateSchema).parse(withOf(s).templates);
}

const bicepOutputs = (file: string) =>
  [...read(file).matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1]!.toUpperCase());

/** The names a step makes known: what it writes to the env file, and arm/deploy's Bicep outputs. */
function outputsOf(s: Step): string[] {
  const written = Object.values(s.writeToEnvironmentFile ?? {});
  const implicit = IMPLICIT_OUTPUTS[s.uses] ?? [];
  const arm = s.uses === 'arm/deploy' ? templatesOf(s).flatMap((t) => bicepOutputs(t.path)) : [];
  return [...written, ...implicit, ...arm];
}

/** The files whose placeholders a step fills in: the ARM parameters and the Teams app manifest. */
function filesReadBy(s: Step): string[] {
  if (s.uses === 'arm/deploy') return templatesOf(s).flatMap((t) => (t.parameters ? [t.parameters] : []));
  if (s.uses === 'teamsApp/zipAppPackage' || s.uses === 'teamsApp/validateManifest')
    return [stringAt(s, 'manifestPath')];
  return [];
}

/** Every placeholder not known when its step runs; lifecycles run in order, each after the previous one. */
function unknownPlaceholders(projectFile: Project, env: string): string[] {
  const envFile = readEnvFile(envFileOf(projectFile, env));
  const known = new Set([
    ...TOOLKIT_BUILT_INS,
    ...[...envFile].filter(([, value]) => value !== '').map(([name]) => name),
    ...(OPERATOR_FILLED[env] ?? []),
  ]);
  const problems: string[] = [];
  for (const lifecycle of LIFECYCLES)
    for (const s of projectFile[lifecycle] ?? []) {
      const texts = [JSON.stringify(s.with ?? {}), JSON.stringify(s.env ?? {}), ...filesReadBy(s).map(read)];
      for (const name of texts.flatMap(placeholders))
        if (!known.has(name)) problems.push(`${lifecycle} ${s.uses}: \${{${name}}}`);
      for (const name of outputsOf(s)) known.add(name);
    }
  return [...new Set(problems)];
}

/** The position of each action in `steps`, -1 when missing; `match` narrows by the step's arguments. */
function positions(steps: Step[], wanted: { uses: string; match?: (s: Step) => boolean }[]): number[] {
  return wanted.map((w) => steps.findIndex((s) => s.uses === w.uses && (w.match?.(s) ?? true)));
}

function expectInOrder(
  steps: Step[] | undefined,
  wanted: { uses: string; match?: (s: Step) => boolean }[],
): void {
  const found = positions(steps ?? [], wanted);
  expect(
    found.map((index, i) => (index < 0 ? `missing ${wanted[i]!.uses}` : wanted[i]!.uses)),
    'every step present',
  ).toEqual(wanted.map((w) => w.uses));
  expect(found, 'in this order').toEqual([...found].sort((a, b) => a - b));
}

const npm = (args: RegExp) => ({
  uses: 'cli/runNpmCommand',
  match: (s: Step) => args.test(stringAt(s, 'args')),
});
const anyOf = (...uses: string[]) => ({ uses: uses.join('|'), match: undefined });

/** The same as `expectInOrder`, where one wanted step may be any of several actions (`a|b`). */
function expectInOrderAnyOf(
  steps: Step[] | undefined,
  wanted: { uses: string; match?: (s: Step) => boolean }[],
) {
  const normalised = (steps ?? []).map((s) => {
    const alternative = wanted.find((w) => w.uses.split('|').includes(s.uses));
    return alternative ? { ...s, uses: alternative.uses } : s;
  });
  expectInOrder(normalised, wanted);
}

describe.each(files)('$file', ({ file, env }) => {
  const text = read(file);
  const projectFile = loadProject(file);
  const allSteps = LIFECYCLES.flatMap((l) => projectFile[l] ?? []);

  it('when read, then its version and its yaml-language-server schema header agree, at v1.7 or v1.8', () => {
    const header =
      /^# yaml-language-server: \$schema=https:\/\/aka\.ms\/teams-toolkit\/(v1\.[78])\/yaml\.schema\.json$/m.exec(
        text.split('\n')[0] ?? '',
      );
    expect(header?.[1]).toBe(projectFile.version);
  });

  it('when its actions are read, then each is an action of the v1.8 schema, with the arguments the schema defines', () => {
    expect(allSteps.map((s) => s.uses).filter((uses) => !V1_8_ACTIONS.has(uses))).toEqual([]);
    for (const s of allSteps) {
      const keys = ACTION_KEYS[s.uses];
      expect(keys, `${s.uses}: add its arguments from the schema to ACTION_KEYS`).toBeDefined();
      if (!keys) continue;
      const given = Object.keys(withOf(s));
      expect(
        keys.with.required.filter((k) => !given.includes(k)),
        `${s.uses}: missing with`,
      ).toEqual([]);
      const allowed = [...keys.with.required, ...keys.with.optional];
      expect(
        given.filter((k) => !allowed.includes(k)),
        `${s.uses}: unknown with`,
      ).toEqual([]);
      const writes = Object.keys(s.writeToEnvironmentFile ?? {});
      expect(
        keys.writes?.required.filter((k) => !writes.includes(k)) ?? [],
        `${s.uses}: missing writes`,
      ).toEqual([]);
      const allowedWrites = [...(keys.writes?.required ?? []), ...(keys.writes?.optional ?? [])];
      expect(
        writes.filter((k) => !allowedWrites.includes(k)),
        `${s.uses}: unknown writes`,
      ).toEqual([]);
      for (const name of Object.values(s.writeToEnvironmentFile ?? {}))
        expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });

  it('when a secret is written, then it goes to a SECRET_ variable, which the Toolkit keeps in the .user file', () => {
    for (const s of allSteps) {
      const w = s.writeToEnvironmentFile ?? {};
      for (const key of ['clientSecret', 'botPassword'])
        if (w[key] !== undefined) expect(w[key], `${s.uses} ${key}`).toMatch(/^SECRET_[A-Z0-9_]+$/);
    }
  });

  it('when the files it names are looked up, then they exist', () => {
    for (const s of allSteps) {
      const w = withOf(s);
      for (const key of ['manifestPath', 'ignoreFile'])
        if (typeof w[key] === 'string') expect(existsSync(repoFile(w[key])), `${s.uses} ${key}`).toBe(true);
      if (s.uses === 'arm/deploy')
        for (const t of templatesOf(s)) {
          expect(existsSync(repoFile(t.path)), t.path).toBe(true);
          if (t.parameters) expect(existsSync(repoFile(t.parameters)), t.parameters).toBe(true);
        }
    }
    expect(existsSync(repoFile(envFileOf(projectFile, env))), envFileOf(projectFile, env)).toBe(true);
  });

  it(`when its steps run in order, then every \${{VAR}} they use, in it, the ARM parameters or the manifest, is known by then`, () => {
    expect(unknownPlaceholders(projectFile, env)).toEqual([]);
  });

  it(`when env/.env.${env} is read, then it holds no secret, and a value left empty is one the Toolkit or the operator fills in`, () => {
    const envFile = readEnvFile(envFileOf(projectFile, env));
    expect([...envFile.keys()].filter((name) => name.startsWith('SECRET_'))).toEqual([]);
    expect(envFile.get('TEAMSFX_ENV')).toBe(env);
    const operatorFilled = OPERATOR_FILLED[env] ?? [];
    expect(
      operatorFilled.filter((name) => !envFile.has(name)),
      'listed for the operator',
    ).toEqual([]);
    const empty = [...envFile].filter(([, value]) => value === '').map(([name]) => name);
    expect(empty.filter((name) => !TOOLKIT_BUILT_INS.has(name) && !operatorFilled.includes(name))).toEqual(
      [],
    );
  });

  it('when its provision is read, then it creates the Teams app, then the bot, then validates, zips, validates the package and updates the app', () => {
    expect(projectFile.provision?.[0]?.uses).toBe('teamsApp/create');
    expectInOrderAnyOf(projectFile.provision, [
      { uses: 'teamsApp/create' },
      env === 'dev' ? { uses: 'arm/deploy' } : anyOf('aadApp/create', 'botAadApp/create'),
      ...(env === 'dev' ? [] : [{ uses: 'botFramework/create' }]),
      { uses: 'teamsApp/validateManifest' },
      { uses: 'teamsApp/zipAppPackage' },
      { uses: 'teamsApp/validateAppPackage' },
      { uses: 'teamsApp/update' },
    ]);
    const zip = projectFile.provision?.find((s) => s.uses === 'teamsApp/zipAppPackage');
    const built = zip ? stringAt(zip, 'outputZipPath') : '';
    for (const uses of ['teamsApp/validateAppPackage', 'teamsApp/update']) {
      const s = projectFile.provision?.find((p) => p.uses === uses);
      expect(s && stringAt(s, 'appPackagePath'), uses).toBe(built);
    }
  });
});

describe('teamsapp.yml (Azure)', () => {
  const projectFile = loadProject('teamsapp.yml');

  it('when provisioning, then arm/deploy deploys infra/azure.bicep with infra/azure.parameters.json', () => {
    const arm = projectFile.provision?.find((s) => s.uses === 'arm/deploy');
    expect(arm && templatesOf(arm).map((t) => [t.path, t.parameters])).toEqual([
      ['./infra/azure.bicep', './infra/azure.parameters.json'],
    ]);
    expect(arm && stringAt(arm, 'subscriptionId')).toBe('${{AZURE_SUBSCRIPTION_ID}}');
    expect(arm && stringAt(arm, 'resourceGroupName')).toBe('${{AZURE_RESOURCE_GROUP_NAME}}');
  });

  it('when deploying, then it installs, builds, keeps the production dependencies and zip-deploys the project to the Web App', () => {
    expectInOrder(projectFile.deploy, [
      npm(/^(ci|install)\b/),
      npm(/^run build\b/),
      npm(/^prune --omit=dev\b/),
      { uses: 'azureAppService/zipDeploy' },
    ]);
    const zipDeploy = projectFile.deploy?.find((s) => s.uses === 'azureAppService/zipDeploy');
    expect(zipDeploy?.with).toMatchObject({
      artifactFolder: '.',
      ignoreFile: '.webappignore',
      resourceId: '${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}',
    });
  });

  it('when publishing, then it validates, zips and submits the package to the organization catalog', () => {
    expectInOrder(projectFile.publish, [
      { uses: 'teamsApp/validateManifest' },
      { uses: 'teamsApp/zipAppPackage' },
      { uses: 'teamsApp/publishAppPackage' },
    ]);
  });
});

describe('teamsapp.local.yml (real Teams through a dev tunnel)', () => {
  const projectFile = loadProject('teamsapp.local.yml');

  it('when provisioning, then the bot registration posts to the tunnel', () => {
    const bot = projectFile.provision?.find((s) => s.uses === 'botFramework/create');
    expect(bot?.with).toMatchObject({
      messagingEndpoint: '${{BOT_ENDPOINT}}/api/messages',
      channels: [{ name: 'msteams' }],
    });
  });

  it('when deploying, then it builds and writes .localConfigs with settings loadConfig accepts', () => {
    expectInOrder(projectFile.deploy, [
      npm(/^(ci|install)\b/),
      npm(/^run build\b/),
      {
        uses: 'file/createOrUpdateEnvironmentFile',
        match: (s) => stringAt(s, 'target') === './.localConfigs',
      },
    ]);
    const write = projectFile.deploy?.find((s) => s.uses === 'file/createOrUpdateEnvironmentFile');
    const envs = z.record(z.union([z.string(), z.number(), z.boolean()])).parse(write?.with?.envs);
    const sample = (name: string): string => {
      if (name.startsWith('SECRET_')) return 'sample-client-secret';
      if (name === 'BOT_ENDPOINT') return 'https://abcd1234-3978.euw.devtunnels.ms';
      if (name.endsWith('_ID')) return '5f2b1c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
      throw new Error(`no sample for \${{${name}}}: add one to this test`);
    };
    const settings = Object.fromEntries(
      Object.entries(envs).map(([key, value]) => [
        key,
        String(value).replace(/\$\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => sample(name)),
      ]),
    );
    const config = loadConfig(settings);
    expect(config.bot.type).toBe('SingleTenant');
    expect(config.publicUrl).toBe('https://abcd1234-3978.euw.devtunnels.ms');
    expect(config.mode).toBe('report-only');
  });
});

describe('.webappignore (what the zip deploy leaves out)', () => {
  const rules = read('.webappignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('when read, then it leaves out sources, tests, local state, settings and secrets', () => {
    expect(rules).toEqual(
      expect.arrayContaining(['/src/', '/test/', '/.data/', '/env/', '.localConfigs*', '.env*', '/.git/']),
    );
  });

  it('when read, then it keeps what Warden runs from: dist/, node_modules/, package.json', () => {
    const dropsRuntime = rules.filter((rule) =>
      /^\/?(dist|node_modules)\/?$|^\/?package(-lock)?\.json$|^\*\.(js|json|cjs|mjs|node)$|^\*$|^\/\*$/.test(
        rule,
      ),
    );
    expect(dropsRuntime).toEqual([]);
  });

  it("when a rule names a folder, then it is anchored to the project root, so that node_modules' folders of the same name stay", () => {
    // Unanchored, `src/` would also drop node_modules/debug/src/, which debug runs from.
    const unanchored = rules.filter((rule) => /^[^/*!][^/]*\/$/.test(rule));
    expect(unanchored).toEqual([]);
  });
});
