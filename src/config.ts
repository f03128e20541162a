import { Cron } from 'croner';
import { z } from 'zod';

/**
 * Warden's settings: the only reader of process.env. Validated once at start; a bad or missing setting stops
 * the start with one message naming each problem. The README has a table of every setting.
 */

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "15m", "6h", "30s", "500ms" or "7d" into milliseconds. */
function isCron(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `"${text}" is not a duration like 30s, 15m, 6h or 7d`,
        });
        return z.NEVER;
      }
      return ms;
    });

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');
const optionalGuid = z.preprocess((v) => (v === '' ? undefined : v), guid.optional());
const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL (tokens are never sent over plain http)')
  .transform((u) => u.replace(/\/+$/, ''));
const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

const settings = z.object({
  TENANT_ID: guid,
  BOT_ID: z.string().default(''),
  BOT_TYPE: z.enum(['none', 'UserAssignedMsi', 'SingleTenant']).default('none'),
  BOT_PASSWORD: z.string().optional(),
  CREDENTIAL: z.enum(['managed-identity', 'client-certificate', 'client-secret']).default('managed-identity'),
  AZURE_CLIENT_ID: optionalGuid,
  AZURE_CLIENT_CERTIFICATE_PATH: z.string().optional(),
  AZURE_CLIENT_SECRET: z.string().optional(),
  AUTHORITY_HOST: httpsUrl.default('https://login.microsoftonline.com'),
  GRAPH_BASE_URL: httpsUrl.default('https://graph.microsoft.com/v1.0'),
  GRAPH_SCOPE: z.string().default('https://graph.microsoft.com/.default'),
  BAP_BASE_URL: httpsUrl.default('https://api.bap.microsoft.com'),
  BAP_SCOPE: z.string().default('https://service.powerapps.com/.default'),
  APPROVERS_GROUP_ID: guid,
  EXCEPTION_GROUP_ID: guid,
  FLOW_APP_ID: optionalGuid,
  MODE: z.enum(['report-only', 'enforce']).default('report-only'),
  STORE: z.enum(['sqlite', 'azure-tables']).default('sqlite'),
  SQLITE_PATH: z.string().default('.data/warden.db'),
  // Azure Table Storage: the account's table endpoint, reached with Warden's managed identity (no keys) …
  TABLES_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), httpsUrl.optional()),
  // … or a connection string, for Azurite in development and tests only.
  TABLES_CONNECTION_STRING: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  TABLES_NAME: z
    .string()
    .default('warden')
    .refine(
      (t) => /^[A-Za-z][A-Za-z0-9]{2,62}$/.test(t),
      'must be 3–63 letters or digits, starting with a letter',
    ),
  // Set: OpenTelemetry traces and metrics go to Application Insights.
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().optional(),
  ),
  SCAN_INTERVAL: duration('15m'),
  FLOW_SCAN_INTERVAL: duration('6h'),
  DIGEST_CRON: z
    .string()
    .default('0 9 * * 1')
    .refine(isCron, 'must be a cron pattern such as "0 9 * * 1" (Mondays at 09:00)'),
  DIGEST_TZ: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
  // How often Warden checks whether a digest is due (its schedule itself is DIGEST_CRON).
  DIGEST_CHECK_INTERVAL: duration('1m'),
  EXCEPTION_MAX_DAYS: z.coerce.number().int().min(1).max(365).default(90),
  EXCEPTION_SWEEP_INTERVAL: duration('5m'),
  // How long an outbox job stays claimed by a worker that stopped answering before another worker resumes it.
  OUTBOX_CLAIM_TIMEOUT: duration('60s'),
  // Outbox jobs run at once per instance (remediations wait on Graph; the write quota, not this, sets the pace).
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(8),
  // Opt-in: block NHI-001 mailboxes with no successful sign-in for this many days without a human (enforce mode).
  AUTO_REMEDIATE_DORMANT_DAYS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(30).max(3650).optional(),
  ),
  // A development and test aid: Warden's clock follows the simulator's (GET {CLOCK_URL} → { now }).
  CLOCK_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  PROTECTED_ACCOUNTS: list,
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  // Graph delivers change notifications only to https; plain http is accepted for loopback (local development).
  PUBLIC_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .url()
      .refine(
        (u) => u.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(u),
        'must be an https:// URL (http only for localhost)',
      )
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const CROSS_CHECKED = {
  STORE: true,
  TABLES_ENDPOINT: true,
  TABLES_CONNECTION_STRING: true,
  BOT_ID: true,
  BOT_TYPE: true,
  BOT_PASSWORD: true,
  CREDENTIAL: true,
  AZURE_CLIENT_ID: true,
  AZURE_CLIENT_CERTIFICATE_PATH: true,
  AZURE_CLIENT_SECRET: true,
} as const;

const crossChecks = (
  c: Pick<z.infer<typeof settings>, keyof typeof CROSS_CHECKED>,
  ctx: z.RefinementCtx,
): void => {
  if (c.BOT_TYPE !== 'none' && c.BOT_ID === '') {
    ctx.addIssue({ code: 'custom', path: ['BOT_ID'], message: `is required when BOT_TYPE is ${c.BOT_TYPE}` });
  }
  if (c.BOT_TYPE === 'none' && c.BOT_ID !== '') {
    ctx.addIssue({
      code: 'custom',
      path: ['BOT_TYPE'],
      message: 'must be UserAssignedMsi or SingleTenant when BOT_ID is set',
    });
  }
  if (c.BOT_TYPE === 'SingleTenant' && !c.BOT_PASSWORD) {
    ctx.addIssue({
      code: 'custom',
      path: ['BOT_PASSWORD'],
      message: 'is required when BOT_TYPE is SingleTenant',
    });
  }
  if (c.BOT_TYPE === 'UserAssignedMsi' && c.BOT_PASSWORD) {
    ctx.addIssue({
      code: 'custom',
      path: ['BOT_PASSWORD'],
      message: 'must not be set with a managed identity',
    });
  }
  if (c.STORE === 'azure-tables' && !c.TABLES_ENDPOINT === !c.TABLES_CONNECTION_STRING) {
    ctx.addIssue({
      code: 'custom',
      path: ['STORE'],
      message:
        'azure-tables needs exactly one of TABLES_ENDPOINT (Azure, with the managed identity) or TABLES_CONNECTION_STRING (Azurite)',
    });
  }
  if (c.CREDENTIAL !== 'managed-identity' && !c.AZURE_CLIENT_ID) {
    ctx.addIssue({
      code: 'custom',
      path: ['AZURE_CLIENT_ID'],
      message: `is required with CREDENTIAL=${c.CREDENTIAL}`,
    });
  }
  if (c.CREDENTIAL === 'client-certificate' && !c.AZURE_CLIENT_CERTIFICATE_PATH) {
    ctx.addIssue({
      code: 'custom',
      path: ['AZURE_CLIENT_CERTIFICATE_PATH'],
      message: 'is required with CREDENTIAL=client-certificate',
    });
  }
  if (c.CREDENTIAL === 'client-secret' && !c.AZURE_CLIENT_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['AZURE_CLIENT_SECRET'],
      message: 'is required with CREDENTIAL=client-secret',
    });
  }
};

const schema = settings.superRefine(crossChecks);
// Zod refines an object only when every field parsed; the cross-setting rules run on their own too, so that one
// message names every problem.
const crossSchema = settings.pick(CROSS_CHECKED).superRefine(crossChecks);

type Env = z.infer<typeof schema>;

export interface Config {
  tenantId: string;
  bot: { id: string; type: Env['BOT_TYPE']; password: string | undefined };
  credential: {
    kind: Env['CREDENTIAL'];
    clientId: string | undefined;
    certificatePath: string | undefined;
    secret: string | undefined;
    authorityHost: string;
  };
  graph: { baseUrl: string; scope: string };
  powerPlatform: { bapBaseUrl: string; bapScope: string };
  approversGroupId: string;
  exceptionGroupId: string;
  flowAppId: string | undefined;
  mode: Env['MODE'];
  store: {
    kind: Env['STORE'];
    sqlitePath: string;
    tables: { endpoint: string | undefined; connectionString: string | undefined; table: string };
  };
  /** APPLICATIONINSIGHTS_CONNECTION_STRING; undefined leaves telemetry off. */
  appInsightsConnectionString: string | undefined;
  schedules: {
    scanIntervalMs: number;
    flowScanIntervalMs: number;
    digestCron: string;
    digestTz: string;
    digestCheckIntervalMs: number;
  };
  exceptionMaxDays: number;
  exceptionSweepIntervalMs: number;
  outboxClaimTimeoutMs: number;
  /** OUTBOX_CONCURRENCY: jobs the outbox worker runs at once. */
  outboxConcurrency: number;
  /** AUTO_REMEDIATE_DORMANT_DAYS; undefined when automatic remediation is off. */
  autoRemediateDormantDays: number | undefined;
  protectedAccounts: readonly string[];
  /** Only with BOT_TYPE=none: where to read the time from instead of the system clock. */
  clockUrl: string | undefined;
  port: number;
  publicUrl: string | undefined;
  logLevel: Env['LOG_LEVEL'];
}

/** Thrown when settings are missing or wrong; its message names every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Warden cannot start: fix these settings.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the settings. Pass an object in tests; production passes nothing. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const cross = crossSchema.safeParse(env);
    const issues = [...parsed.error.issues, ...(cross.success ? [] : cross.error.issues)];
    throw new ConfigError([...new Set(issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`))]);
  }
  const e = parsed.data;
  if (e.CLOCK_URL && e.BOT_TYPE !== 'none') {
    throw new ConfigError([
      'CLOCK_URL: only for local development and tests (BOT_TYPE=none); remove it in production, where Warden uses the system clock',
    ]);
  }
  return deepFreeze({
    tenantId: e.TENANT_ID.toLowerCase(),
    bot: { id: e.BOT_ID, type: e.BOT_TYPE, password: e.BOT_PASSWORD },
    credential: {
      kind: e.CREDENTIAL,
      clientId: e.AZURE_CLIENT_ID,
      certificatePath: e.AZURE_CLIENT_CERTIFICATE_PATH,
      secret: e.AZURE_CLIENT_SECRET,
      authorityHost: e.AUTHORITY_HOST,
    },
    graph: { baseUrl: e.GRAPH_BASE_URL, scope: e.GRAPH_SCOPE },
    powerPlatform: { bapBaseUrl: e.BAP_BASE_URL, bapScope: e.BAP_SCOPE },
    approversGroupId: e.APPROVERS_GROUP_ID.toLowerCase(),
    exceptionGroupId: e.EXCEPTION_GROUP_ID.toLowerCase(),
    flowAppId: e.FLOW_APP_ID,
    mode: e.MODE,
    store: {
      kind: e.STORE,
      sqlitePath: e.SQLITE_PATH,
      tables: {
        endpoint: e.TABLES_ENDPOINT,
        connectionString: e.TABLES_CONNECTION_STRING,
        table: e.TABLES_NAME,
      },
    },
    appInsightsConnectionString: e.APPLICATIONINSIGHTS_CONNECTION_STRING,
    schedules: {
      scanIntervalMs: e.SCAN_INTERVAL,
      flowScanIntervalMs: e.FLOW_SCAN_INTERVAL,
      digestCron: e.DIGEST_CRON,
      digestTz: e.DIGEST_TZ,
      digestCheckIntervalMs: e.DIGEST_CHECK_INTERVAL,
    },
    exceptionMaxDays: e.EXCEPTION_MAX_DAYS,
    exceptionSweepIntervalMs: e.EXCEPTION_SWEEP_INTERVAL,
    outboxClaimTimeoutMs: e.OUTBOX_CLAIM_TIMEOUT,
    outboxConcurrency: e.OUTBOX_CONCURRENCY,
    autoRemediateDormantDays: e.AUTO_REMEDIATE_DORMANT_DAYS,
    protectedAccounts: e.PROTECTED_ACCOUNTS,
    clockUrl: e.CLOCK_URL,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
  });
}

/** The configuration with secrets replaced, for the start-up log line. */
export function redactedSummary(config: Readonly<Config>): Record<string, unknown> {
  return {
    ...config,
    bot: { ...config.bot, password: config.bot.password ? '[redacted]' : undefined },
    credential: { ...config.credential, secret: config.credential.secret ? '[redacted]' : undefined },
    // A connection string may carry an account key (Azurite's is public, a real one is not).
    store: {
      ...config.store,
      tables: {
        ...config.store.tables,
        connectionString: config.store.tables.connectionString ? '[redacted]' : undefined,
      },
    },
    appInsightsConnectionString: config.appInsightsConnectionString ? '[set]' : undefined,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Who runs `npm run grant-permissions`: an app's secret (automation, the simulator); without one, the Azure CLI sign-in. */
export interface OperatorSettings {
  tenantId: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

export function loadOperatorSettings(
  env: Record<string, string | undefined> = process.env,
): OperatorSettings {
  const empty = (v: string | undefined) => (v === '' ? undefined : v);
  return {
    tenantId: empty(env['AZURE_TENANT_ID']),
    clientId: empty(env['AZURE_CLIENT_ID']),
    clientSecret: empty(env['AZURE_CLIENT_SECRET']),
  };
}
