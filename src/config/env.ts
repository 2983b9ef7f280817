import { z } from 'zod';
import { AgentEnvSchema } from '../agent/config.ts';
import { LOG_LEVELS } from '../observability/log-levels.ts';

/** An environment variable: its schema, what it is for, and an example value (shown when it is wrong). */
interface Variable<S extends z.ZodType> {
  schema: S;
  description: string;
  example: string;
}

const variable = <S extends z.ZodType>(schema: S, description: string, example: string): Variable<S> => ({
  schema,
  description,
  example,
});

const required = z.string().min(1, 'is required');
const optional = z.string().min(1).optional();
const list = z
  .string()
  .min(1, 'is required')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string()).min(1, 'needs at least one value'));
const url = z.url('must be a URL');
const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().positive();

/** Every variable the process reads. Adding one is one line here (and one in .env.example). */
const VARIABLES = {
  PORT: variable(port.default(3000), 'HTTP port of the web role (Slack events, webhooks, health)', '3000'),
  METRICS_PORT: variable(
    port.default(9464),
    'port of /metrics (Prometheus), /healthz and /readyz, in every role; apart from PORT so no Ingress exposes it',
    '9464',
  ),
  LOG_LEVEL: variable(
    z.enum(LOG_LEVELS).default('info'),
    'threshold of the JSON log lines on stdout: trace, debug, info, warn, error, fatal or silent',
    'info',
  ),
  ROLE: variable(
    z.enum(['all', 'web', 'worker', 'executor']).default('all'),
    'what this process runs: web (HTTP), worker (investigations), executor (approved plans, write credentials) or all',
    'all',
  ),
  SLACK_BOT_TOKEN: variable(required, 'bot token of the Slack app (OAuth & Permissions)', 'xoxb-123-456-abc'),
  SLACK_SIGNING_SECRET: variable(
    optional,
    'signing secret of the Slack app (Basic Information), verifies every Slack request in HTTP mode',
    '8f742231b10e8888abcd99yyyzzz85a5',
  ),
  SLACK_APP_TOKEN: variable(
    z.string().startsWith('xapp-', 'must be an app-level token (xapp-…), not the bot token').optional(),
    'app-level token with connections:write (Basic Information → App-Level Tokens); set → Socket Mode',
    'xapp-1-A0123-456-abc',
  ),
  SLACK_API_URL: variable(
    url.optional(),
    'Slack Web API base URL (self-hosted proxy, tests)',
    'https://slack.com/api/',
  ),
  SLACK_BOT_USER_ID: variable(
    optional,
    "the bot's user id; with SLACK_BOT_ID skips auth.test at start-up",
    'U0LAN0Z89',
  ),
  SLACK_BOT_ID: variable(optional, "the bot's bot id; with SLACK_BOT_USER_ID skips auth.test at start-up", 'B0LAN0Z89'),
  INCIDENT_CHANNEL: variable(required, 'channel id where incident threads are opened', 'C0123456789'),
  PAGERDUTY_WEBHOOK_SECRETS: variable(
    list.optional(),
    'PagerDuty webhook signing secrets, comma-separated (two during rotation); unset → no /webhooks/pagerduty',
    'whsec_current,whsec_previous',
  ),
  PAGERDUTY_API_TOKEN: variable(
    optional,
    'PagerDuty REST API key; with PAGERDUTY_FROM_EMAIL the diagnosis is added to the PagerDuty incident as a note and the thread gets Acknowledge/Resolve buttons',
    'u+AbCdEf123456',
  ),
  PAGERDUTY_FROM_EMAIL: variable(
    z.email('must be the email address of a PagerDuty user on the account').optional(),
    'email of the PagerDuty user the notes and status changes are made as (the From header writes require)',
    'incident-bot@example.com',
  ),
  PAGERDUTY_API_URL: variable(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://api.pagerduty.com'),
    'PagerDuty REST API base URL (a proxy, the EU service region, tests)',
    'https://api.pagerduty.com',
  ),
  ALERTMANAGER_TOKEN: variable(
    optional,
    'bearer token Alertmanager must send to /webhooks/alertmanager',
    's3cr3t-token',
  ),
  DATABASE_URL: variable(url, 'Postgres connection string', 'postgresql://postgres@127.0.0.1:5432/incident_bot'),
  DATABASE_POOL_SIZE: variable(
    positive.default(20),
    'Postgres connections one process opens at start and keeps open, plus four for its audit trail (a burst of webhooks or investigations waits on fewer)',
    '20',
  ),
  REDIS_URL: variable(url, 'Redis connection string (BullMQ queues)', 'redis://127.0.0.1:6379'),
  KUBECONFIG: variable(
    optional,
    "investigator's read-only kubeconfig path; unset inside a pod → its ServiceAccount",
    '/etc/incident-bot/kubeconfig',
  ),
  PROMETHEUS_URL: variable(
    url.optional(),
    'Prometheus HTTP API base URL (optional evidence source)',
    'http://prometheus:9090',
  ),
  CLUSTERS_FILE: variable(
    optional,
    'YAML/JSON file naming every cluster the bot serves, each with its read-only and executor kubeconfig (or context) and Prometheus; unset → one cluster (KUBECONFIG, EXECUTOR_KUBECONFIG, PROMETHEUS_URL)',
    '/etc/incident-bot/clusters.yaml',
  ),
  ALERT_GROUPING_WINDOW_SECONDS: variable(
    z.coerce.number().int().min(0).default(600),
    "seconds after an open incident's newest alert during which another alert of its cluster and namespace (or Alertmanager group labels) joins its thread instead of opening one; 0 → every alert its own thread",
    '600',
  ),
  WORKER_CONCURRENCY: variable(
    positive.default(16),
    'investigations one worker runs at once (each mostly waits on the API server, Slack and Postgres)',
    '16',
  ),
  JOB_LOCK_SECONDS: variable(positive.default(30), "seconds before a dead worker's job is handed to another", '30'),
  INVESTIGATION_RETRY_SECONDS: variable(
    positive.default(600),
    'seconds a failing investigation (cluster or Slack outage) keeps being retried, with exponential backoff',
    '600',
  ),
  QUEUE_PREFIX: variable(z.string().min(1).default('bull'), 'BullMQ key prefix (to share one Redis)', 'incident-bot'),
  OPENAI_API_KEY: variable(
    AgentEnvSchema.shape.OPENAI_API_KEY,
    'API key of the model endpoint; set it to add the LLM agent on top of the engine',
    'sk-...',
  ),
  OPENAI_BASE_URL: variable(
    AgentEnvSchema.shape.OPENAI_BASE_URL,
    'any OpenAI-compatible endpoint (vLLM, Ollama, Azure); default api.openai.com',
    'http://vllm:8000/v1',
  ),
  OPENAI_MODEL: variable(AgentEnvSchema.shape.OPENAI_MODEL, 'model the agent uses', 'gpt-4o-mini'),
  AGENT_MAX_TURNS: variable(AgentEnvSchema.shape.AGENT_MAX_TURNS, 'model turns before the agent stops', '30'),
  AGENT_TIME_LIMIT_SECONDS: variable(
    AgentEnvSchema.shape.AGENT_TIME_LIMIT_SECONDS,
    "wall time of the agent after the engine; then the engine's answer stands",
    '120',
  ),
  APPROVER_USER_IDS: variable(
    list.optional(),
    'Slack user ids allowed to approve or reject remediation plans, comma-separated',
    'U012AB3CD,U045EF6GH',
  ),
  APPROVER_USERGROUP_ID: variable(
    optional,
    'Slack user group whose members may approve plans (resolved through usergroups.users.list)',
    'S0614TZR7',
  ),
  PLAN_TTL_MINUTES: variable(
    positive.default(30),
    'minutes a remediation plan can be approved before it expires',
    '30',
  ),
  EXECUTOR_KUBECONFIG: variable(
    optional,
    "executor's kubeconfig (write access, separate from KUBECONFIG); unset in a pod → its ServiceAccount",
    '/etc/incident-bot-executor/kubeconfig',
  ),
  VERIFY_TIMEOUT_SECONDS: variable(
    positive.default(180),
    'seconds an applied plan has to pass verification before it is rolled back',
    '180',
  ),
  EXECUTION_LEASE_SECONDS: variable(
    positive.default(30),
    "seconds an executor's lease on a running plan lasts unrenewed; then another executor takes the plan over",
    '30',
  ),
  AUDIT_HMAC_KEY: variable(
    z.string().min(32, 'must be at least 32 characters').optional(),
    'secret the audit chain is keyed with (HMAC); keep it outside the database (a Secret, a KMS); to rotate it, use AUDIT_HMAC_KEYS instead',
    '$(openssl rand -hex 32)',
  ),
  AUDIT_HMAC_KEYS: variable(
    z
      .string()
      .transform((value, context) => {
        const ring = value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
          .map((item) => {
            const colon = item.indexOf(':');
            return colon < 1 ? { id: '', secret: '' } : { id: item.slice(0, colon), secret: item.slice(colon + 1) };
          });
        const ids = new Set<string>();
        for (const { id, secret } of ring) {
          const problem = !/^[A-Za-z0-9_.-]{1,40}$/.test(id)
            ? 'each key must be id:secret (an id of letters, digits, "-", "_" or ".", then ":" and the secret)'
            : secret.length < 32
              ? `the secret of key "${id}" must be at least 32 characters`
              : ids.has(id)
                ? `names key "${id}" twice`
                : null;
          if (problem) context.addIssue({ code: 'custom', message: problem });
          ids.add(id);
        }
        if (ring.length === 0) context.addIssue({ code: 'custom', message: 'needs at least one id:secret' });
        return ring;
      })
      .optional(),
    'audit keys for rotation, oldest first: the last signs new rows and checkpoints, the others verify older ones',
    '2026-06:<old secret>,2026-12:$(openssl rand -hex 32)',
  ),
  AUDIT_CHECKPOINT_SINK: variable(
    z
      .string()
      .regex(
        /^(file:.+|slack(:[A-Z0-9]+)?|https?:\/\/.+)$/,
        'must be file:<path>, slack, slack:<channel id> or an http(s) URL',
      )
      .optional(),
    'where signed checkpoints of the audit chain heads are written, outside Postgres',
    'file:/var/lib/incident-bot/audit-checkpoints.jsonl',
  ),
  AUDIT_CHECKPOINT_SECONDS: variable(positive.default(60), 'seconds between two audit checkpoints', '60'),
  AUDIT_CHECKPOINT_ROWS: variable(
    positive.default(1000),
    'audit rows appended after which a checkpoint is taken without waiting for AUDIT_CHECKPOINT_SECONDS',
    '1000',
  ),
  UI_BASE_URL: variable(
    url.optional(),
    'the address people open the web role at; the read-only /ui pages and their OIDC redirect URI (<it>/ui/auth/callback)',
    'https://incident-bot.example.com',
  ),
  OIDC_ISSUER_URL: variable(
    url.optional(),
    "your SSO's OpenID Connect issuer (its /.well-known/openid-configuration is read); set → /ui signs in with OIDC",
    'https://sso.example.com/realms/main',
  ),
  OIDC_CLIENT_ID: variable(
    optional,
    'client id of the incident-bot application registered at the issuer',
    'incident-bot',
  ),
  OIDC_CLIENT_SECRET: variable(optional, 'client secret of that application', 's3cr3t'),
  OIDC_GROUPS_CLAIM: variable(
    z.string().min(1).default('groups'),
    "claim of the ID token (or userinfo) that lists the signed-in person's groups",
    'groups',
  ),
  UI_SESSION_SECRET: variable(
    z.string().min(32, 'must be at least 32 characters').optional(),
    'secret the /ui session cookies are signed with (OIDC sign-in)',
    '$(openssl rand -hex 32)',
  ),
  UI_SESSION_HOURS: variable(positive.default(8), 'hours a /ui sign-in lasts', '8'),
  UI_PROXY_USER_HEADER: variable(
    z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be a header name')
      .optional(),
    'header in which a trusted authenticating proxy (oauth2-proxy, IAP) names the user; set → /ui trusts it, no OIDC',
    'X-Forwarded-Email',
  ),
  UI_PROXY_GROUPS_HEADER: variable(
    z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be a header name')
      .optional(),
    "header in which that proxy lists the user's groups, comma-separated",
    'X-Forwarded-Groups',
  ),
  UI_VIEWER_USERS: variable(
    list.optional(),
    'who may view /ui: user emails or subjects, comma-separated (with UI_VIEWER_GROUPS: either matches)',
    'auditor@example.com,alice@example.com',
  ),
  UI_VIEWER_GROUPS: variable(list.optional(), 'groups whose members may view /ui, comma-separated', 'compliance,sre'),
} satisfies Record<string, Variable<z.ZodType>>;

type Variables = typeof VARIABLES;
export type Config = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

export const CONFIG_VARIABLES: Readonly<Record<string, { description: string; example: string }>> = VARIABLES;

const EnvSchema = z.object(
  Object.fromEntries(Object.entries(VARIABLES).map(([name, { schema }]) => [name, schema])) as {
    [K in keyof Variables]: Variables[K]['schema'];
  },
);

export interface ConfigProblem {
  variable: string;
  problem: string;
  description: string;
  example: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      [
        `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map((p) => `  ${p.variable}: ${p.problem} — ${p.description} (e.g. ${p.variable}=${p.example})`),
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Slack reaches the bot one of two ways. HTTP mode: Slack POSTs to /slack/events, verified with the signing
 * secret (needs an inbound HTTPS endpoint). Socket Mode: the bot opens a WebSocket to Slack with the
 * app-level token (no inbound endpoint). One of the two must be configured where Slack is received.
 */
function slackModeProblems(present: Record<string, string | undefined>): ConfigProblem[] {
  // Only the web role (alone or in `all`) receives from Slack; workers and the executor only call its Web API.
  if (present.ROLE === 'worker' || present.ROLE === 'executor') return [];
  if (present.SLACK_SIGNING_SECRET || present.SLACK_APP_TOKEN) return [];
  return [
    {
      variable: 'SLACK_SIGNING_SECRET',
      problem:
        'is required in HTTP mode (Slack POSTs to https://<host>/slack/events); ' +
        'or set SLACK_APP_TOKEN instead for Socket Mode (the bot connects out to Slack, no inbound endpoint)',
      description: CONFIG_VARIABLES.SLACK_SIGNING_SECRET?.description ?? '',
      example: CONFIG_VARIABLES.SLACK_SIGNING_SECRET?.example ?? '',
    },
  ];
}

const BOTH_KEYS = 'is set and so is AUDIT_HMAC_KEYS: set one, not both (list the old key first in AUDIT_HMAC_KEYS)';

/** PagerDuty write-back needs both its key and the user it writes as: one without the other is a mistake. */
function pagerDutyWriteBackProblems(present: Record<string, string | undefined>): ConfigProblem[] {
  const pair = ['PAGERDUTY_API_TOKEN', 'PAGERDUTY_FROM_EMAIL'] as const;
  const missing = pair.filter((name) => !present[name]);
  if (missing.length !== 1) return [];
  const [absent] = missing as [string];
  const other = pair.find((name) => name !== absent);
  return [
    {
      variable: absent,
      problem: `is required when ${other} is set (PagerDuty write-back needs both); or unset ${other} to turn write-back off`,
      description: CONFIG_VARIABLES[absent]?.description ?? '',
      example: CONFIG_VARIABLES[absent]?.example ?? '',
    },
  ];
}

const problem = (variable: string, text: string): ConfigProblem => ({
  variable,
  problem: text,
  description: CONFIG_VARIABLES[variable]?.description ?? '',
  example: CONFIG_VARIABLES[variable]?.example ?? '',
});

/**
 * The /ui pages are on when a way to sign in is configured: OIDC (OIDC_ISSUER_URL) or a trusted authenticating
 * proxy (UI_PROXY_USER_HEADER), never both; each needs what it reads, and a list of who may view.
 */
function uiProblems(present: Record<string, string | undefined>): ConfigProblem[] {
  if (present.ROLE === 'worker' || present.ROLE === 'executor') return [];
  const oidc = Boolean(present.OIDC_ISSUER_URL);
  const proxy = Boolean(present.UI_PROXY_USER_HEADER);
  const viewers = Boolean(present.UI_VIEWER_USERS || present.UI_VIEWER_GROUPS);
  if (oidc && proxy)
    return [problem('UI_PROXY_USER_HEADER', 'cannot be set with OIDC_ISSUER_URL: /ui signs in one way, unset one')];
  if (!oidc && !proxy) {
    const orphan = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'UI_VIEWER_USERS', 'UI_VIEWER_GROUPS'].find(
      (name) => present[name],
    );
    return orphan
      ? [problem(orphan, 'is set but /ui has no sign-in: set OIDC_ISSUER_URL (or UI_PROXY_USER_HEADER behind a proxy)')]
      : [];
  }
  const needed = oidc ? ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'UI_BASE_URL', 'UI_SESSION_SECRET'] : [];
  return [
    ...needed.filter((name) => !present[name]).map((name) => problem(name, 'is required for OIDC sign-in to /ui')),
    ...(viewers ? [] : [problem('UI_VIEWER_USERS', 'is required (or UI_VIEWER_GROUPS): nobody could view /ui')]),
  ];
}

/** Reads the environment; every missing or invalid variable is reported together in one ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value counts as unset, as in most .env tooling.
  const present = Object.fromEntries(Object.keys(VARIABLES).map((name) => [name, env[name] || undefined]));
  const parsed = EnvSchema.safeParse(present);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues).map((issue) => {
      const name = String(issue.path[0]);
      const spec = CONFIG_VARIABLES[name];
      const problem = present[name] === undefined ? 'is required' : issue.message;
      return { variable: name, problem, description: spec?.description ?? '', example: spec?.example ?? '' };
    }),
    ...slackModeProblems(present),
    ...(present.AUDIT_HMAC_KEY && present.AUDIT_HMAC_KEYS
      ? [
          {
            variable: 'AUDIT_HMAC_KEY',
            problem: BOTH_KEYS,
            description: CONFIG_VARIABLES.AUDIT_HMAC_KEY?.description ?? '',
            example: CONFIG_VARIABLES.AUDIT_HMAC_KEY?.example ?? '',
          },
        ]
      : []),
    ...pagerDutyWriteBackProblems(present),
    ...uiProblems(present),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data as Config;
}

/**
 * The audit keys alone (AUDIT_HMAC_KEYS, else AUDIT_HMAC_KEY), checked as loadConfig checks them, for the tools
 * that need nothing else (the audit CLI). Undefined when neither is set.
 */
export function loadAuditKeys(env: NodeJS.ProcessEnv = process.env): Config['AUDIT_HMAC_KEYS'] | string | undefined {
  const problems: ConfigProblem[] = [];
  const read = <K extends 'AUDIT_HMAC_KEY' | 'AUDIT_HMAC_KEYS'>(name: K): Config[K] | undefined => {
    const parsed = VARIABLES[name].schema.safeParse(env[name] || undefined);
    if (parsed.success) return parsed.data as Config[K];
    const { description, example } = VARIABLES[name];
    for (const issue of parsed.error.issues)
      problems.push({ variable: name, problem: issue.message, description, example });
    return undefined;
  };
  const ring = read('AUDIT_HMAC_KEYS');
  const single = read('AUDIT_HMAC_KEY');
  if (ring && single) {
    const { description, example } = VARIABLES.AUDIT_HMAC_KEY;
    problems.push({ variable: 'AUDIT_HMAC_KEY', problem: BOTH_KEYS, description, example });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return ring ?? single;
}
