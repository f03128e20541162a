import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration, redactedSummary } from '../src/config.js';

const TENANT = '6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F';
const APPROVERS = '22222222-2222-4222-8222-222222222222';
const EXCEPTIONS = '33333333-3333-4333-8333-333333333333';
const CLIENT = '44444444-4444-4444-8444-444444444444';

/** The least an operator must set; everything else has a default. */
const minimal = { TENANT_ID: TENANT, APPROVERS_GROUP_ID: APPROVERS, EXCEPTION_GROUP_ID: EXCEPTIONS };

/** The problems of a settings object that must not load; fails the test if it loads. */
function problemsOf(env: Record<string, string | undefined>): { problems: string[]; message: string } {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    return { problems, message };
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig defaults', () => {
  it('when only the tenant and the two groups are set, then Warden starts report-only on port 3978 with 15m and 6h scans', () => {
    const config = loadConfig(minimal);
    expect(config.mode).toBe('report-only');
    expect(config.port).toBe(3978);
    expect(config.schedules).toEqual({
      scanIntervalMs: 15 * 60_000,
      flowScanIntervalMs: 6 * 3_600_000,
      digestCron: '0 9 * * 1',
      digestTz: 'UTC',
      digestCheckIntervalMs: 60_000,
    });
    expect(config.bot).toEqual({ id: '', type: 'none', password: undefined });
    expect(config.credential.kind).toBe('managed-identity');
    expect(config.credential.authorityHost).toBe('https://login.microsoftonline.com');
    expect(config.graph).toEqual({
      baseUrl: 'https://graph.microsoft.com/v1.0',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(config.store).toEqual({
      kind: 'sqlite',
      sqlitePath: '.data/warden.db',
      tables: { endpoint: undefined, connectionString: undefined, table: 'warden' },
    });
    expect(config.appInsightsConnectionString).toBeUndefined();
    expect(config.exceptionMaxDays).toBe(90);
    expect(config.protectedAccounts).toEqual([]);
    expect(config.logLevel).toBe('info');
  });

  it('when ids are typed in upper case, then the tenant and group ids are compared in lower case', () => {
    const config = loadConfig({ ...minimal, APPROVERS_GROUP_ID: APPROVERS.toUpperCase() });
    expect(config.tenantId).toBe(TENANT.toLowerCase());
    expect(config.approversGroupId).toBe(APPROVERS);
  });

  it('when the other settings are given, then they are used as typed', () => {
    const config = loadConfig({
      ...minimal,
      MODE: 'enforce',
      PORT: '8080',
      SCAN_INTERVAL: '30s',
      FLOW_SCAN_INTERVAL: '1d',
      EXCEPTION_MAX_DAYS: '30',
      PROTECTED_ACCOUNTS: ' breakglass1@contoso.com, ,breakglass2@contoso.com ',
      GRAPH_BASE_URL: 'https://localhost:8443/v1.0/',
      SQLITE_PATH: '/var/warden/warden.db',
    });
    expect(config.mode).toBe('enforce');
    expect(config.port).toBe(8080);
    expect(config.schedules.scanIntervalMs).toBe(30_000);
    expect(config.schedules.flowScanIntervalMs).toBe(86_400_000);
    expect(config.exceptionMaxDays).toBe(30);
    expect(config.protectedAccounts).toEqual(['breakglass1@contoso.com', 'breakglass2@contoso.com']);
    expect(config.graph.baseUrl).toBe('https://localhost:8443/v1.0');
    expect(config.store.sqlitePath).toBe('/var/warden/warden.db');
  });

  it('when an optional id is set to an empty string, then it counts as not set', () => {
    const config = loadConfig({ ...minimal, AZURE_CLIENT_ID: '', FLOW_APP_ID: '', PUBLIC_URL: '' });
    expect(config.credential.clientId).toBeUndefined();
    expect(config.flowAppId).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
  });
});

describe('loadConfig problems', () => {
  it('when several settings are wrong, then one ConfigError names every one of them', () => {
    const { problems, message } = problemsOf({
      APPROVERS_GROUP_ID: 'security approvers',
      EXCEPTION_GROUP_ID: EXCEPTIONS,
      SCAN_INTERVAL: 'soon',
    });
    expect(problems).toHaveLength(3);
    expect(message).toMatch(/^Warden cannot start: fix these settings\./);
    expect(message).toContain('  - TENANT_ID: Required');
    expect(message).toContain('  - APPROVERS_GROUP_ID: must be a GUID');
    expect(message).toContain('  - SCAN_INTERVAL: "soon" is not a duration like 30s, 15m, 6h or 7d');
  });

  it('when a setting is wrong and a cross-setting rule is broken too, then the same message names both', () => {
    const { problems } = problemsOf({
      ...minimal,
      TENANT_ID: undefined,
      BOT_TYPE: 'SingleTenant',
      BOT_ID: CLIENT,
    });
    expect(problems).toEqual([
      'TENANT_ID: Required',
      'BOT_PASSWORD: is required when BOT_TYPE is SingleTenant',
    ]);
  });

  it('when a duration is zero, negative or not a number, then it is refused', () => {
    for (const value of ['0s', '-5m', '15', '1.5h']) {
      expect(problemsOf({ ...minimal, FLOW_SCAN_INTERVAL: value }).problems).toEqual([
        `FLOW_SCAN_INTERVAL: "${value}" is not a duration like 30s, 15m, 6h or 7d`,
      ]);
    }
  });

  it('when a number or a choice is out of range, then the setting is named', () => {
    const { problems } = problemsOf({
      ...minimal,
      PORT: '70000',
      EXCEPTION_MAX_DAYS: '0',
      MODE: 'fix-everything',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['MODE', 'EXCEPTION_MAX_DAYS', 'PORT']);
  });
});

describe('loadConfig bot identity', () => {
  it('when BOT_TYPE is UserAssignedMsi without BOT_ID, then BOT_ID is required', () => {
    expect(problemsOf({ ...minimal, BOT_TYPE: 'UserAssignedMsi' }).problems).toEqual([
      'BOT_ID: is required when BOT_TYPE is UserAssignedMsi',
    ]);
  });

  it('when BOT_ID is set but BOT_TYPE is not, then BOT_TYPE must say how the bot authenticates', () => {
    expect(problemsOf({ ...minimal, BOT_ID: CLIENT }).problems).toEqual([
      'BOT_TYPE: must be UserAssignedMsi or SingleTenant when BOT_ID is set',
    ]);
  });

  it('when BOT_TYPE is SingleTenant without BOT_PASSWORD, then the password is required', () => {
    expect(problemsOf({ ...minimal, BOT_TYPE: 'SingleTenant', BOT_ID: CLIENT }).problems).toEqual([
      'BOT_PASSWORD: is required when BOT_TYPE is SingleTenant',
    ]);
  });

  it('when a managed identity is given a BOT_PASSWORD as well, then the password is refused', () => {
    expect(
      problemsOf({ ...minimal, BOT_TYPE: 'UserAssignedMsi', BOT_ID: CLIENT, BOT_PASSWORD: 'p@ss' }).problems,
    ).toEqual(['BOT_PASSWORD: must not be set with a managed identity']);
  });

  it('when BOT_TYPE is not one Warden knows, then it is refused', () => {
    expect(problemsOf({ ...minimal, BOT_TYPE: 'MultiTenant', BOT_ID: CLIENT }).problems[0]).toMatch(
      /^BOT_TYPE: /,
    );
  });

  it('when the bot is a user-assigned managed identity with its id, then the settings load', () => {
    const config = loadConfig({ ...minimal, BOT_TYPE: 'UserAssignedMsi', BOT_ID: CLIENT });
    expect(config.bot).toEqual({ id: CLIENT, type: 'UserAssignedMsi', password: undefined });
  });

  it('when the Graph credential is a secret or certificate, then the client id and the secret or path are required', () => {
    expect(problemsOf({ ...minimal, CREDENTIAL: 'client-secret' }).problems).toEqual([
      'AZURE_CLIENT_ID: is required with CREDENTIAL=client-secret',
      'AZURE_CLIENT_SECRET: is required with CREDENTIAL=client-secret',
    ]);
    expect(
      problemsOf({ ...minimal, CREDENTIAL: 'client-certificate', AZURE_CLIENT_ID: CLIENT }).problems,
    ).toEqual(['AZURE_CLIENT_CERTIFICATE_PATH: is required with CREDENTIAL=client-certificate']);
  });
});

describe('loadConfig URLs', () => {
  it('when PUBLIC_URL is plain http on loopback, then it is accepted for local change notifications', () => {
    expect(loadConfig({ ...minimal, PUBLIC_URL: 'http://127.0.0.1:3978/' }).publicUrl).toBe(
      'http://127.0.0.1:3978',
    );
  });

  it('when any base URL is plain http, then it is refused because tokens are never sent over http', () => {
    const { problems } = problemsOf({
      ...minimal,
      GRAPH_BASE_URL: 'http://localhost:8443/v1.0',
      AUTHORITY_HOST: 'http://localhost:8443',
      BAP_BASE_URL: 'http://localhost:8443',
      PUBLIC_URL: 'http://warden.contoso.com',
    });
    const https = 'must be an https:// URL (tokens are never sent over plain http)';
    expect(problems).toEqual([
      `AUTHORITY_HOST: ${https}`,
      `GRAPH_BASE_URL: ${https}`,
      `BAP_BASE_URL: ${https}`,
      'PUBLIC_URL: must be an https:// URL (http only for localhost)',
    ]);
  });

  it('when a base URL is not a URL at all, then it is refused', () => {
    expect(problemsOf({ ...minimal, GRAPH_BASE_URL: 'graph.microsoft.com' }).problems[0]).toMatch(
      /^GRAPH_BASE_URL: /,
    );
  });
});

describe('loadConfig store', () => {
  const AZURITE =
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

  it('when Azure Tables is chosen with the account endpoint, then Warden reaches it with its identity', () => {
    const config = loadConfig({
      ...minimal,
      STORE: 'azure-tables',
      TABLES_ENDPOINT: 'https://wardenstore.table.core.windows.net/',
      TABLES_NAME: 'wardenprod',
    });
    expect(config.store.kind).toBe('azure-tables');
    expect(config.store.tables).toEqual({
      endpoint: 'https://wardenstore.table.core.windows.net',
      connectionString: undefined,
      table: 'wardenprod',
    });
  });

  it('when Azure Tables is chosen with neither or both of the endpoint and a connection string, then STORE says which to set', () => {
    for (const extra of [
      {},
      { TABLES_ENDPOINT: 'https://a.table.core.windows.net', TABLES_CONNECTION_STRING: AZURITE },
    ]) {
      const { problems } = problemsOf({ ...minimal, STORE: 'azure-tables', ...extra });
      expect(problems).toEqual([
        expect.stringMatching(/^STORE: azure-tables needs exactly one of TABLES_ENDPOINT/),
      ]);
    }
  });

  it('when the table endpoint is plain http or the table name is not a valid table name, then each is named', () => {
    const { problems } = problemsOf({
      ...minimal,
      STORE: 'azure-tables',
      TABLES_ENDPOINT: 'http://a.table.core.windows.net',
      TABLES_NAME: '1-warden',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['TABLES_ENDPOINT', 'TABLES_NAME']),
    );
  });

  it('when a connection string or an Application Insights connection string is set, then the summary does not show it', () => {
    const config = loadConfig({
      ...minimal,
      STORE: 'azure-tables',
      TABLES_CONNECTION_STRING: AZURITE,
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
    });
    const text = JSON.stringify(redactedSummary(config));
    expect(text).not.toContain('AccountKey');
    expect(text).not.toContain('InstrumentationKey');
    expect(config.store.tables.connectionString).toBe(AZURITE);
  });
});

describe('redactedSummary', () => {
  it('when secrets are configured, then the summary hides them and shows every other setting', () => {
    const config = loadConfig({
      ...minimal,
      BOT_TYPE: 'SingleTenant',
      BOT_ID: CLIENT,
      BOT_PASSWORD: 'bot-password-value',
      CREDENTIAL: 'client-secret',
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: 'graph-secret-value',
    });
    const summary = redactedSummary(config);
    const text = JSON.stringify(summary);
    expect(text).not.toContain('bot-password-value');
    expect(text).not.toContain('graph-secret-value');
    expect(summary).toMatchObject({
      tenantId: TENANT.toLowerCase(),
      mode: 'report-only',
      port: 3978,
      bot: { id: CLIENT, type: 'SingleTenant', password: '[redacted]' },
      credential: { kind: 'client-secret', clientId: CLIENT, secret: '[redacted]' },
      graph: { baseUrl: 'https://graph.microsoft.com/v1.0' },
      approversGroupId: APPROVERS,
    });
  });

  it('when no secret is configured, then the summary does not pretend one was redacted', () => {
    const summary = redactedSummary(loadConfig(minimal)) as {
      bot: { password?: string };
      credential: { secret?: string };
    };
    expect(summary.bot.password).toBeUndefined();
    expect(summary.credential.secret).toBeUndefined();
  });

  it('when the summary is made, then the configuration itself still holds the secret', () => {
    const config = loadConfig({
      ...minimal,
      CREDENTIAL: 'client-secret',
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: 's3cret',
    });
    redactedSummary(config);
    expect(config.credential.secret).toBe('s3cret');
  });
});

describe('the loaded configuration', () => {
  it('when code tries to change it, then it cannot, at any depth', () => {
    const config = loadConfig({ ...minimal, PROTECTED_ACCOUNTS: 'a@contoso.com' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.schedules)).toBe(true);
    expect(Object.isFrozen(config.protectedAccounts)).toBe(true);
    expect(() => {
      (config as { mode: string }).mode = 'enforce';
    }).toThrow(TypeError);
    expect(() => {
      (config.schedules as { scanIntervalMs: number }).scanIntervalMs = 1;
    }).toThrow(TypeError);
    expect(() => (config.protectedAccounts as string[]).push('b@contoso.com')).toThrow(TypeError);
    expect(config.mode).toBe('report-only');
  });
});

describe('parseDuration', () => {
  it('when given a number and a unit, then it answers milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('6h')).toBe(21_600_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration(' 15m ')).toBe(900_000);
    expect(parseDuration('0s')).toBe(0);
  });

  it('when the text is not a whole number with a known unit, then it answers undefined', () => {
    for (const text of ['', 'soon', '15', 'm', '1.5h', '-5m', '15 m', '2w', '15M', '1h30m']) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });
});
