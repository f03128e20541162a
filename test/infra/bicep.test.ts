import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

// No Bicep compiler can run offline (none ships on npm), so these tests read infra/azure.bicep as text: a small
// parser turns each `resource <name> '<type>@<api>' = { … }` block into plain values, and the tests check the
// properties Warden's deployment depends on. An expression is kept as written (`identity.properties.clientId`).

const repoFile = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));
const bicepText = readFileSync(repoFile('infra/azure.bicep'), 'utf8');
const parametersText = readFileSync(repoFile('infra/azure.parameters.json'), 'utf8');
const configText = readFileSync(repoFile('src/config.ts'), 'utf8');

/** A Bicep expression as written, other than a plain string, number or boolean. */
class Expr {
  constructor(readonly text: string) {}
}
type BicepValue = string | number | boolean | Expr | BicepValue[] | BicepObject;
interface BicepObject {
  [key: string]: BicepValue;
}

/** Reads Bicep values from `text` at `pos`: objects, arrays, strings (interpolations kept) and expressions. */
class BicepReader {
  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  object(): BicepObject {
    this.expect('{');
    const result: BicepObject = {};
    for (;;) {
      this.skipBlanks(true);
      if (this.peek() === '}') {
        this.pos += 1;
        return result;
      }
      const key = this.peek() === "'" ? this.stringLiteral() : this.identifier();
      this.skipBlanks(false);
      this.expect(':');
      result[key] = this.value();
      this.endOfItem('}');
    }
  }

  private array(): BicepValue[] {
    this.expect('[');
    const result: BicepValue[] = [];
    for (;;) {
      this.skipBlanks(true);
      if (this.peek() === ']') {
        this.pos += 1;
        return result;
      }
      result.push(this.value());
      this.endOfItem(']');
    }
  }

  private value(): BicepValue {
    this.skipBlanks(false);
    if (this.peek() === '{') return this.object();
    if (this.peek() === '[') return this.array();
    const raw = this.restOfExpression();
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (/^-?\d+$/.test(raw)) return Number(raw);
    if (raw.startsWith("'") && scanString(raw, 0) === raw.length) return decodeString(raw);
    return new Expr(raw);
  }

  /** An item ends at a line break, a comma or the closing bracket. */
  private endOfItem(close: string): void {
    this.skipBlanks(false);
    const next = this.peek();
    if (next === ',' || next === '\n' || next === '\r') this.pos += 1;
    else if (next !== close) throw this.error(`expected a line break or ${close}`);
  }

  /** Everything up to the end of the line (outside brackets and strings), without a trailing comment. */
  private restOfExpression(): string {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text.charAt(this.pos);
      if (c === "'") {
        this.pos = scanString(this.text, this.pos);
        continue;
      }
      if (c === '/' && this.text.charAt(this.pos + 1) === '/') break;
      if ('([{'.includes(c)) depth += 1;
      if (')]}'.includes(c)) {
        if (depth === 0) break;
        depth -= 1;
      }
      if ((c === '\n' || c === ',') && depth === 0) break;
      this.pos += 1;
    }
    return this.text.slice(start, this.pos).trim();
  }

  private stringLiteral(): string {
    const start = this.pos;
    this.pos = scanString(this.text, this.pos);
    return decodeString(this.text.slice(start, this.pos));
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!match) throw this.error('expected a property name');
    this.pos += match[0].length;
    return match[0];
  }

  /** Skips blanks and comments, and line breaks too when `newlines` is set. */
  private skipBlanks(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) this.pos += 1;
      else if (c === '/' && this.text.charAt(this.pos + 1) === '/') {
        while (this.pos < this.text.length && this.peek() !== '\n') this.pos += 1;
      } else return;
    }
  }

  private expect(c: string): void {
    if (this.peek() !== c) throw this.error(`expected ${c}`);
    this.pos += 1;
  }

  private peek(): string {
    return this.text.charAt(this.pos);
  }

  private error(message: string): Error {
    const line = this.text.slice(0, this.pos).split('\n').length;
    return new Error(`azure.bicep line ${line}: ${message}`);
  }
}

/** The index just past the string literal that starts at `start`, interpolations `${…}` included. */
function scanString(text: string, start: number): number {
  let pos = start + 1;
  while (pos < text.length) {
    const c = text.charAt(pos);
    if (c === '\\') pos += 2;
    else if (c === "'") return pos + 1;
    else if (c === '$' && text.charAt(pos + 1) === '{') {
      pos += 2;
      let depth = 1;
      while (pos < text.length && depth > 0) {
        const d = text.charAt(pos);
        if (d === "'") {
          pos = scanString(text, pos);
          continue;
        }
        if (d === '{') depth += 1;
        if (d === '}') depth -= 1;
        pos += 1;
      }
    } else pos += 1;
  }
  throw new Error(`azure.bicep: unterminated string at ${start}`);
}

/** A string literal's text, with `${…}` kept and `\'`, `\\`, `\$` unescaped. */
function decodeString(literal: string): string {
  return literal.slice(1, -1).replace(/\\(['\\$])/g, '$1');
}

interface Resource {
  symbol: string;
  type: string;
  apiVersion: string;
  body: BicepObject;
}

function readResources(text: string): Resource[] {
  const declaration = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*=\s*\{/gm;
  return [...text.matchAll(declaration)].map((m) => ({
    symbol: m[1]!,
    type: m[2]!,
    apiVersion: m[3]!,
    body: new BicepReader(text, m.index + m[0].length - 1).object(),
  }));
}

interface Param {
  name: string;
  type: string;
  defaultValue: string | undefined;
  /** The decorators above the declaration, as written. */
  decorators: string;
}

function readParams(text: string): Param[] {
  const lines = text.split('\n');
  const params: Param[] = [];
  lines.forEach((line, index) => {
    const m = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+))?$/.exec(line.trim());
    if (!m) return;
    let first = index;
    while (first > 0 && /^(@|\s+'|\]\)|\/\/)/.test(lines[first - 1] ?? '')) first -= 1;
    params.push({
      name: m[1]!,
      type: m[2]!,
      defaultValue: m[3]?.trim(),
      decorators: lines.slice(first, index).join('\n'),
    });
  });
  return params;
}

function readNamed(keyword: 'var' | 'output', text: string): Map<string, string> {
  const pattern = keyword === 'var' ? /^var\s+(\w+)\s*=\s*(.+)$/gm : /^output\s+(\w+)\s+\w+\s*=\s*(.+)$/gm;
  return new Map([...text.matchAll(pattern)].map((m) => [m[1]!, m[2]!.trim()]));
}

const resources = readResources(bicepText);
const params = readParams(bicepText);
const vars = readNamed('var', bicepText);
const outputs = readNamed('output', bicepText);

function only(type: string): Resource {
  const found = resources.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`azure.bicep: expected one ${type}, found ${found.length}`);
  return found[0]!;
}

function field(value: BicepValue | undefined, ...path: string[]): BicepValue | undefined {
  let current = value;
  for (const key of path) {
    if (
      current === undefined ||
      typeof current !== 'object' ||
      current instanceof Expr ||
      Array.isArray(current)
    )
      return undefined;
    current = current[key];
  }
  return current;
}

/** A var's value when it is a plain string; otherwise the expression as written. */
function resolve(value: BicepValue | undefined): BicepValue | undefined {
  if (!(value instanceof Expr)) return value;
  const raw = vars.get(value.text);
  if (raw === undefined) return value;
  return raw.startsWith("'") && scanString(raw, 0) === raw.length ? decodeString(raw) : new Expr(raw);
}

const identity = only('Microsoft.ManagedIdentity/userAssignedIdentities');
const plan = only('Microsoft.Web/serverfarms');
const site = only('Microsoft.Web/sites');
const storage = only('Microsoft.Storage/storageAccounts');
const workspace = only('Microsoft.OperationalInsights/workspaces');
const insights = only('Microsoft.Insights/components');
const expr = (text: string) => new Expr(text);
const hostName = `${site.symbol}.properties.defaultHostName`;

/** Warden's settings from the Web App: a sites/config `appsettings` resource, or siteConfig.appSettings. */
function appSettings(): Map<string, BicepValue> {
  const settings = new Map<string, BicepValue>();
  for (const r of resources.filter(
    (r) => r.type === 'Microsoft.Web/sites/config' && r.body.name === 'appsettings',
  )) {
    const properties = field(r.body, 'properties');
    if (
      properties &&
      typeof properties === 'object' &&
      !(properties instanceof Expr) &&
      !Array.isArray(properties)
    )
      for (const [name, value] of Object.entries(properties)) settings.set(name, value);
  }
  const inline = field(site.body, 'properties', 'siteConfig', 'appSettings');
  if (Array.isArray(inline))
    for (const item of inline) {
      const name = field(item, 'name');
      const value = field(item, 'value');
      if (typeof name === 'string' && value !== undefined) settings.set(name, value);
    }
  return settings;
}

/** Every setting name src/config.ts reads: the keys of its `settings` zod object. */
function configSettingNames(): Set<string> {
  const start = configText.indexOf('const settings = z.object({');
  const end = configText.indexOf('\n});', start);
  expect(start, 'src/config.ts declares `const settings = z.object({`').toBeGreaterThan(-1);
  return new Set([...configText.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!));
}

/** The settings Warden cannot start without: what loadConfig names when given nothing. */
function requiredSettingNames(): string[] {
  try {
    loadConfig({});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.split(':')[0]!);
    throw error;
  }
  throw new Error('loadConfig({}) was expected to refuse an empty environment');
}

/** App Service's own settings, which Warden does not read. */
const PLATFORM_SETTINGS = new Set(['WEBSITE_RUN_FROM_PACKAGE', 'SCM_DO_BUILD_DURING_DEPLOYMENT']);
/** Settings that carry a secret; Warden in Azure needs none of them. */
const SECRET_SETTINGS = [
  'BOT_PASSWORD',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'TABLES_CONNECTION_STRING',
];

describe('infra/azure.bicep, read as text', () => {
  it('when parsed, then it declares every resource Warden runs on, each with a dated API version', () => {
    expect(resources.map((r) => r.type)).toEqual(
      expect.arrayContaining([
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        'Microsoft.Web/serverfarms',
        'Microsoft.Web/sites',
        'Microsoft.BotService/botServices',
        'Microsoft.BotService/botServices/channels',
        'Microsoft.Storage/storageAccounts',
        'Microsoft.Storage/storageAccounts/tableServices',
        'Microsoft.Storage/storageAccounts/tableServices/tables',
        'Microsoft.Authorization/roleAssignments',
        'Microsoft.OperationalInsights/workspaces',
        'Microsoft.Insights/components',
      ]),
    );
    for (const r of resources) expect(r.apiVersion, r.symbol).toMatch(/^\d{4}-\d{2}-\d{2}(-preview)?$/);
  });

  it('when the App Service plan is read, then it is Linux', () => {
    expect(field(plan.body, 'properties', 'reserved')).toBe(true);
    expect(field(plan.body, 'kind')).toBe('linux');
  });

  it('when the Web App is read, then it runs Node 22 LTS on Linux, https only, TLS 1.2, no FTP, always on, health-checked', () => {
    expect(field(site.body, 'kind')).toMatch(/linux/);
    expect(field(site.body, 'properties', 'serverFarmId')).toEqual(expr(`${plan.symbol}.id`));
    expect(field(site.body, 'properties', 'httpsOnly')).toBe(true);
    const siteConfig = field(site.body, 'properties', 'siteConfig');
    expect(field(siteConfig, 'linuxFxVersion')).toBe('NODE|22-lts');
    expect(field(siteConfig, 'minTlsVersion')).toBe('1.2');
    expect(field(siteConfig, 'ftpsState')).toBe('Disabled');
    expect(field(siteConfig, 'alwaysOn')).toBe(true);
    expect(field(siteConfig, 'healthCheckPath')).toBe('/healthz');
    expect(['npm start', 'node dist/index.js']).toContain(field(siteConfig, 'appCommandLine'));
  });

  it('when the Web App is read, then its only identity is the user-assigned one', () => {
    expect(field(site.body, 'identity', 'type')).toBe('UserAssigned');
    expect(field(site.body, 'identity', 'userAssignedIdentities')).toEqual({
      [`\${${identity.symbol}.id}`]: {},
    });
  });

  it('when the Azure Bot is read, then it authenticates as the managed identity and posts to the Web App', () => {
    const bot = only('Microsoft.BotService/botServices');
    expect(field(bot.body, 'kind')).toBe('azurebot');
    expect(field(bot.body, 'location')).toBe('global');
    const properties = field(bot.body, 'properties');
    expect(field(properties, 'msaAppType')).toBe('UserAssignedMSI');
    expect(field(properties, 'msaAppId')).toEqual(expr(`${identity.symbol}.properties.clientId`));
    expect(field(properties, 'msaAppMSIResourceId')).toEqual(expr(`${identity.symbol}.id`));
    expect(field(properties, 'msaAppTenantId')).toEqual(expr(`${identity.symbol}.properties.tenantId`));
    expect(field(properties, 'endpoint')).toBe(`https://\${${hostName}}/api/messages`);

    const channel = only('Microsoft.BotService/botServices/channels');
    expect(field(channel.body, 'parent')).toEqual(expr(bot.symbol));
    expect(field(channel.body, 'name')).toBe('MsTeamsChannel');
    expect(field(channel.body, 'properties', 'channelName')).toBe('MsTeamsChannel');
  });

  it('when the storage account is read, then it is StorageV2 LRS, reachable with Entra ID only, over TLS 1.2, never public', () => {
    expect(field(storage.body, 'kind')).toBe('StorageV2');
    expect(field(storage.body, 'sku', 'name')).toBe('Standard_LRS');
    const properties = field(storage.body, 'properties');
    expect(field(properties, 'allowSharedKeyAccess')).toBe(false);
    expect(field(properties, 'minimumTlsVersion')).toBe('TLS1_2');
    expect(field(properties, 'allowBlobPublicAccess')).toBe(false);
    expect(field(properties, 'supportsHttpsTrafficOnly')).toBe(true);
  });

  it('when the table is read, then it is "warden" in the account\'s table service', () => {
    const service = only('Microsoft.Storage/storageAccounts/tableServices');
    expect(field(service.body, 'parent')).toEqual(expr(storage.symbol));
    expect(field(service.body, 'name')).toBe('default');
    const table = only('Microsoft.Storage/storageAccounts/tableServices/tables');
    expect(field(table.body, 'parent')).toEqual(expr(service.symbol));
    expect(resolve(field(table.body, 'name'))).toBe('warden');
  });

  it('when the role assignment is read, then the identity holds Storage Table Data Contributor on the account, under a deterministic name', () => {
    const assignment = only('Microsoft.Authorization/roleAssignments');
    expect(field(assignment.body, 'scope')).toEqual(expr(storage.symbol));
    const name = field(assignment.body, 'name');
    expect(name).toBeInstanceOf(Expr);
    expect((name as Expr).text).toMatch(/^guid\(/);
    expect((name as Expr).text).not.toMatch(/newGuid|utcNow/);
    const properties = field(assignment.body, 'properties');
    expect(field(properties, 'principalId')).toEqual(expr(`${identity.symbol}.properties.principalId`));
    expect(field(properties, 'principalType')).toBe('ServicePrincipal');
    const roleDefinition = field(properties, 'roleDefinitionId');
    expect(roleDefinition).toBeInstanceOf(Expr);
    const written = [...vars].reduce(
      (text, [varName, varValue]) => text.replace(new RegExp(`\\b${varName}\\b`, 'g'), varValue),
      (roleDefinition as Expr).text,
    );
    expect(written).toContain('Microsoft.Authorization/roleDefinitions');
    expect(written).toContain("'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'");
  });

  it('when the monitoring is read, then Application Insights is workspace-based on the Log Analytics workspace', () => {
    expect(field(workspace.body, 'location')).toBeDefined();
    expect(field(insights.body, 'properties', 'Application_Type')).toBe('web');
    expect(field(insights.body, 'properties', 'WorkspaceResourceId')).toEqual(expr(`${workspace.symbol}.id`));
  });
});

describe("the Web App's settings", () => {
  const settings = appSettings();

  it("when read, then each is a setting src/config.ts reads, or one of App Service's own", () => {
    const known = configSettingNames();
    expect(known.size).toBeGreaterThan(20);
    const unknown = [...settings.keys()].filter((name) => !known.has(name) && !PLATFORM_SETTINGS.has(name));
    expect(unknown).toEqual([]);
  });

  it('when read, then every setting Warden cannot start without is given', () => {
    const required = requiredSettingNames();
    expect(required).toEqual(
      expect.arrayContaining(['TENANT_ID', 'APPROVERS_GROUP_ID', 'EXCEPTION_GROUP_ID']),
    );
    expect(required.filter((name) => !settings.has(name))).toEqual([]);
  });

  it('when read, then Warden is the managed identity, keeps its state in the table and sends telemetry to Application Insights', () => {
    const id = identity.symbol;
    expect(Object.fromEntries([...settings].map(([name, value]) => [name, resolve(value)]))).toMatchObject({
      TENANT_ID: expr(`${id}.properties.tenantId`),
      BOT_ID: expr(`${id}.properties.clientId`),
      BOT_TYPE: 'UserAssignedMsi',
      CREDENTIAL: 'managed-identity',
      AZURE_CLIENT_ID: expr(`${id}.properties.clientId`),
      APPROVERS_GROUP_ID: expr('approversGroupId'),
      EXCEPTION_GROUP_ID: expr('exceptionGroupId'),
      MODE: expr('mode'),
      STORE: 'azure-tables',
      TABLES_ENDPOINT: expr(`${storage.symbol}.properties.primaryEndpoints.table`),
      TABLES_NAME: 'warden',
      PUBLIC_URL: `https://\${${hostName}}`,
      APPLICATIONINSIGHTS_CONNECTION_STRING: expr(`${insights.symbol}.properties.ConnectionString`),
      WEBSITE_RUN_FROM_PACKAGE: '1',
      SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
    });
    expect(settings.has('FLOW_APP_ID')).toBe(true);
  });

  it('when evaluated with sample values, then loadConfig accepts them as a managed-identity, Azure Tables, report-only Warden', () => {
    const sampleOf: Record<string, string> = {
      [`${identity.symbol}.properties.tenantId`]: '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      [`${identity.symbol}.properties.clientId`]: '44444444-4444-4444-8444-444444444444',
      [`${storage.symbol}.properties.primaryEndpoints.table`]:
        'https://stwardenab12cd.table.core.windows.net/',
      [`${insights.symbol}.properties.ConnectionString`]:
        'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
      [hostName]: 'wardenab12cd.azurewebsites.net',
      approversGroupId: '22222222-2222-4222-8222-222222222222',
      exceptionGroupId: '33333333-3333-4333-8333-333333333333',
      mode: params.find((p) => p.name === 'mode')?.defaultValue?.replace(/'/g, '') ?? '',
      flowAppId: '',
    };
    const evaluate = (value: BicepValue): string => {
      const resolved = resolve(value);
      if (typeof resolved === 'string')
        return resolved.replace(/\$\{([^}]+)\}/g, (_, inner: string) => evaluate(expr(inner)));
      if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
      if (resolved instanceof Expr) {
        const sample = sampleOf[resolved.text];
        if (sample !== undefined) return sample;
        // A var that filters a parameter (FLOW_APP_ID's placeholder guard) stands for that parameter.
        const param = params.find((p) => new RegExp(`\\b${p.name}\\b`).test(resolved.text));
        if (param && sampleOf[param.name] !== undefined) return sampleOf[param.name]!;
      }
      throw new Error(`no sample value for ${JSON.stringify(resolved)}: add one to this test`);
    };
    const env = Object.fromEntries([...settings].map(([name, value]) => [name, evaluate(value)]));
    const config = loadConfig(env);
    expect(config.bot.type).toBe('UserAssignedMsi');
    expect(config.bot.password).toBeUndefined();
    expect(config.credential).toMatchObject({
      kind: 'managed-identity',
      clientId: config.bot.id,
      secret: undefined,
    });
    expect(config.store.kind).toBe('azure-tables');
    expect(config.store.tables).toEqual({
      endpoint: 'https://stwardenab12cd.table.core.windows.net',
      connectionString: undefined,
      table: 'warden',
    });
    expect(config.publicUrl).toBe('https://wardenab12cd.azurewebsites.net');
    expect(config.appInsightsConnectionString).toMatch(/^InstrumentationKey=/);
    expect(config.mode).toBe('report-only');
    expect(config.flowAppId).toBeUndefined();
  });

  it('when read, then none carries a secret', () => {
    expect(SECRET_SETTINGS.filter((name) => settings.has(name))).toEqual([]);
  });
});

describe('parameters and outputs', () => {
  it('when infra/azure.parameters.json is read, then it sets every parameter without a default and no unknown one', () => {
    const given = Object.keys(
      (JSON.parse(parametersText) as { parameters: Record<string, unknown> }).parameters,
    );
    const declared = params.map((p) => p.name);
    expect(given.filter((name) => !declared.includes(name))).toEqual([]);
    const withoutDefault = params.filter((p) => p.defaultValue === undefined).map((p) => p.name);
    expect(withoutDefault.filter((name) => !given.includes(name))).toEqual([]);
  });

  it('when a group id is left empty in env/.env.dev, then the deployment fails on its length instead of Warden at start', () => {
    for (const name of ['approversGroupId', 'exceptionGroupId']) {
      const param = params.find((p) => p.name === name);
      expect(param?.decorators, name).toMatch(/@minLength\(36\)/);
      expect(param?.decorators, name).toMatch(/@maxLength\(36\)/);
      expect(param?.defaultValue, name).toBeUndefined();
    }
  });

  it('when FLOW_APP_ID is left empty (the Toolkit then passes ${{FLOW_APP_ID}} through), then the setting is empty, not the placeholder', () => {
    const flowAppId = params.find((p) => p.name === 'flowAppId');
    expect(flowAppId?.defaultValue).toBe("''");
    const setting = resolve(appSettings().get('FLOW_APP_ID'));
    expect(setting).toBeInstanceOf(Expr);
    expect((setting as Expr).text.replace(/\s+/g, ' ')).toBe(
      "startsWith(flowAppId, '\\${{') ? '' : flowAppId",
    );
  });

  it('when MODE is read, then it defaults to report-only and allows only report-only and enforce', () => {
    const mode = params.find((p) => p.name === 'mode');
    expect(mode?.defaultValue).toBe("'report-only'");
    expect(mode?.decorators.replace(/\s+/g, ' ')).toContain("@allowed([ 'report-only' 'enforce' ])");
  });

  it('when the outputs are read, then they give the Toolkit and the operator what they need', () => {
    const id = identity.symbol;
    expect(Object.fromEntries(outputs)).toMatchObject({
      BOT_AZURE_APP_SERVICE_RESOURCE_ID: `${site.symbol}.id`,
      BOT_DOMAIN: hostName,
      BOT_ENDPOINT: `'https://\${${hostName}}'`,
      BOT_ID: `${id}.properties.clientId`,
      MANAGED_IDENTITY_PRINCIPAL_ID: `${id}.properties.principalId`,
    });
  });
});

describe('no secret in the infrastructure', () => {
  // Comments may explain; the code must not fetch, pass or store a key.
  const code = bicepText.replace(/(^|\s)\/\/.*$/gm, '$1');

  it('when the Bicep code is read, then it lists no key, builds no SAS, declares no secure parameter and names no password or secret', () => {
    expect(code).not.toMatch(
      /listKeys|listAccountSas|listServiceSas|AccountKey=|SharedAccessKey|SharedAccessSignature/i,
    );
    expect(code).not.toMatch(/@secure\(\)/);
    expect(code).not.toMatch(/password|secret/i);
  });

  it('when the parameters file is read, then it passes no secret from the environment', () => {
    expect(parametersText).not.toMatch(/\$\{\{\s*SECRET_/);
    expect(parametersText).not.toMatch(/password|secret/i);
  });
});
