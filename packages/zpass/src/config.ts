import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseSecretKey, type SecretKeys } from './crypto/secret-keys.js';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './http/connections.js';
import { checkRedisUrl } from './limits/redis-url.js';
import { type LogFormat, LogFormatError, logFormatFrom } from './log/format.js';
import { redactUrl } from './log/redact.js';

/** Where the store lives: the embedded SQLite file under `dataDir`, or PostgreSQL when `databaseUrl` is set. */
export interface StoreConfig {
  dataDir: string;
  databaseUrl?: string;
  /** `ZPASS_SECRET_KEY` and `ZPASS_SECRET_KEY_PREVIOUS`: what seals two-factor secrets (docs/configuration.md). */
  secretKeys?: SecretKeys;
}

/** Everything `zpass serve` reads from flags and the environment, validated once at start. */
export interface ServeConfig extends StoreConfig {
  port: number;
  host: string;
  logLevel: string;
  /** `ZPASS_LOG_FORMAT`: json or pretty (default: pretty on a terminal, json otherwise). */
  logFormat?: LogFormat;
  /** Proxies whose X-Forwarded-For is believed: addresses or CIDR ranges, `true` for any peer, false for none. */
  trustProxy: boolean | string[];
  /** Rate-limit counters in Redis (`REDIS_URL`), shared by every server using it; unset: in memory. */
  redisUrl?: string;
  /** Prefix of zpass's Redis keys (`ZPASS_REDIS_PREFIX`, default `zpass:`). */
  redisPrefix?: string;
  /** A Redis command slower than this counts as Redis being unreachable (`ZPASS_REDIS_TIMEOUT_MS`, default 250). */
  redisTimeoutMs?: number;
  /** Serve the integrators' test controls (`--test-controls`, `ZPASS_TEST_CONTROLS=1`). */
  testControls?: boolean;
  /** Apply pending migrations at start (default true; `--no-migrate` turns it off). */
  migrate: boolean;
  /**
   * The longest estimated wait for a hashing slot before a request is answered 503
   * (`ZPASS_HASH_MAX_WAIT_MS`, default 50; `none`: queue every request, up to 32 per core).
   */
  hashMaxWaitMs?: number;
  /** Mail relay settings; missing fields take DEFAULT_MAIL_CONFIG's values. */
  mail?: Partial<MailConfig>;
  /** Webhook relay settings; missing fields take DEFAULT_WEBHOOK_CONFIG's values. */
  webhooks?: Partial<WebhookConfig>;
  /** The cluster name in `x-zm-trackingid` (`ZPASS_CLUSTER`, default `zp1`). */
  cluster?: string;
  /**
   * Create a demo account on an empty store: `--demo` / `--no-demo`, else ZPASS_DEMO (1/0),
   * else yes unless DATABASE_URL is set or NODE_ENV=production.
   */
  demo?: boolean;
  /** Timeouts and connection caps (ZPASS_*_TIMEOUT_MS, ZPASS_MAX_CONNECTIONS*); missing ones: the defaults. */
  connections?: Partial<ConnectionLimits>;
  /**
   * At shutdown, how long `/readyz` answers 503 while requests are still served, before the
   * listener closes (`ZPASS_SHUTDOWN_DELAY_MS`, default 0): a load balancer's probe interval.
   */
  shutdownDelayMs?: number;
  /**
   * Serve `GET /metrics` on this address, apart from the API (`--metrics-addr`,
   * `ZPASS_METRICS_ADDR`: `[host:]port`, host 127.0.0.1 unless given); unset: no metrics.
   */
  metricsAddr?: { host: string; port: number };
  /**
   * Access tokens kept verified in memory (`ZPASS_TOKEN_CACHE_SIZE`; 0: none, every request
   * reads its token from the store). Unset: 10000 on SQLite, 0 on PostgreSQL (docs/operations.md).
   */
  tokenCacheSize?: number;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function portFrom(value: string | number, source: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${source} must be a port number (0-65535), got "${value}".`);
  }
  return n;
}

export interface StoreFlags {
  data?: string;
  databaseUrl?: string;
}

export interface ServeFlags extends StoreFlags {
  port?: string;
  host?: string;
  migrate?: boolean;
  redisUrl?: string;
  testControls?: boolean;
  /** `--seed <fixtures.json>`. */
  seed?: string;
  mailRelay?: boolean;
  webhookRelay?: boolean;
  /** `--demo` / `--no-demo`. */
  demo?: boolean;
  metricsAddr?: string;
}

const CIDR = /^(.+)\/(\d{1,3})$/;

/**
 * `ZPASS_TRUST_PROXY`: unset/0/false: ignore X-Forwarded-For; a comma-separated list of
 * proxy addresses or CIDR ranges: believe it only from those; 1/true: from any peer.
 */
export function trustProxyFrom(value: string | undefined): boolean | string[] {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const m = CIDR.exec(item);
    const addr = m ? m[1]! : item;
    const bits = m ? Number(m[2]) : 0;
    const family = isIP(addr);
    if (family === 0 || bits > (family === 4 ? 32 : 128)) {
      throw new ConfigError(
        `ZPASS_TRUST_PROXY must be 1, 0, or a comma-separated list of addresses or CIDR ranges; "${item}" is neither.`,
      );
    }
  }
  return list;
}

export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.ZPASS_DATA ?? '.zpass');
}

/** `--data` / `ZPASS_DATA` and `--database-url` / `DATABASE_URL`, shared by every command. */
export function storeConfig(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const databaseUrl = flags.databaseUrl ?? (env.DATABASE_URL || undefined);
  return { dataDir: dataDirFrom(flags.data, env), databaseUrl, secretKeys: secretKeysFrom(env) };
}

/**
 * `ZPASS_SECRET_KEY`: 32 bytes as 64 hex digits or base64 (`openssl rand -base64 32`);
 * `ZPASS_SECRET_KEY_PREVIOUS`: earlier keys, comma-separated, still opening what they
 * sealed until `zpass admin rotate-secret-key` re-seals it. Neither value is ever echoed.
 */
export function secretKeysFrom(env: NodeJS.ProcessEnv): SecretKeys {
  const shape =
    'must be 32 bytes written as 64 hex digits or as base64 (e.g. the output of "openssl rand -base64 32")';
  const raw = env.ZPASS_SECRET_KEY?.trim();
  const current = raw ? parseSecretKey(raw) : undefined;
  if (raw && !current) throw new ConfigError(`ZPASS_SECRET_KEY ${shape}.`);
  const previous: Buffer[] = [];
  const items = (env.ZPASS_SECRET_KEY_PREVIOUS ?? '').split(',').map((k) => k.trim());
  for (const [i, item] of items.entries()) {
    if (item === '') continue;
    const key = parseSecretKey(item);
    if (!key) throw new ConfigError(`Key ${i + 1} of ZPASS_SECRET_KEY_PREVIOUS ${shape}.`);
    previous.push(key);
  }
  if (previous.length > 0 && !current)
    throw new ConfigError('ZPASS_SECRET_KEY_PREVIOUS is set without ZPASS_SECRET_KEY: set the new key too.');
  return { current, previous };
}

export function serveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  // Every setting is read, and every mistake reported at once: one line each.
  const mistakes: string[] = [];
  const read = <T>(value: () => T): T => {
    try {
      return value();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      mistakes.push(err.message);
      return undefined as T;
    }
  };
  const port = read(() =>
    flags.port !== undefined
      ? portFrom(flags.port, '--port')
      : portFrom(env.ZPASS_PORT ?? 8080, 'ZPASS_PORT'),
  );
  const logLevel = env.ZPASS_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    mistakes.push(`ZPASS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  const config: ServeConfig = {
    ...read(() => storeConfig(flags, env)),
    port,
    host: flags.host ?? env.ZPASS_HOST ?? '127.0.0.1',
    logLevel,
    trustProxy: read(() => trustProxyFrom(env.ZPASS_TRUST_PROXY)),
    migrate: flags.migrate !== false,
    redisUrl: read(() => redisUrlFrom(flags.redisUrl ?? (env.REDIS_URL || undefined))),
    redisPrefix: env.ZPASS_REDIS_PREFIX || undefined,
    redisTimeoutMs: read(() => redisTimeoutFrom(env.ZPASS_REDIS_TIMEOUT_MS)),
    testControls: flags.testControls === true || env.ZPASS_TEST_CONTROLS === '1',
    mail: read(() => mailConfig(env, flags)),
    webhooks: read(() => webhookConfig(env, flags)),
    hashMaxWaitMs: read(() => hashMaxWaitFrom(env.ZPASS_HASH_MAX_WAIT_MS)),
    cluster: read(() => clusterFrom(env.ZPASS_CLUSTER)),
    shutdownDelayMs: read(() => shutdownDelayFrom(env.ZPASS_SHUTDOWN_DELAY_MS)),
    logFormat: read(() => configured(() => logFormatFrom(env.ZPASS_LOG_FORMAT))),
    metricsAddr: read(() => metricsAddrFrom(flags.metricsAddr ?? (env.ZPASS_METRICS_ADDR || undefined))),
    connections: read(() => connectionLimitsFrom(env)),
    tokenCacheSize: read(() =>
      env.ZPASS_TOKEN_CACHE_SIZE === undefined || env.ZPASS_TOKEN_CACHE_SIZE === ''
        ? undefined
        : intFrom(env, 'ZPASS_TOKEN_CACHE_SIZE', 0, 0, 1_000_000),
    ),
    demo: read(() => demoFrom(flags, env)),
  };
  if (mistakes.length > 0) throw new ConfigError(mistakes.join('\n'));
  return config;
}

/** Whether `zpass serve` creates a demo account on an empty store (see ServeConfig.demo). */
export function demoFrom(flags: { demo?: boolean; databaseUrl?: string }, env: NodeJS.ProcessEnv): boolean {
  if (flags.demo !== undefined) return flags.demo;
  const v = (env.ZPASS_DEMO ?? '').trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'on') return true;
  if (v === '0' || v === 'false' || v === 'off') return false;
  if (v !== '') throw new ConfigError(`ZPASS_DEMO must be 1 or 0, got "${env.ZPASS_DEMO}".`);
  return !(flags.databaseUrl ?? env.DATABASE_URL) && env.NODE_ENV !== 'production';
}

/** ZPASS_HEADERS_TIMEOUT_MS, ZPASS_REQUEST_TIMEOUT_MS, ZPASS_IDLE_TIMEOUT_MS, ZPASS_KEEP_ALIVE_TIMEOUT_MS, ZPASS_MAX_CONNECTIONS, ZPASS_MAX_CONNECTIONS_PER_ADDRESS. */
export function connectionLimitsFrom(env: NodeJS.ProcessEnv = process.env): ConnectionLimits {
  const d = DEFAULT_CONNECTION_LIMITS;
  return {
    headersTimeoutMs: intFrom(env, 'ZPASS_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 100, 600_000),
    requestTimeoutMs: intFrom(env, 'ZPASS_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100, 3_600_000),
    idleTimeoutMs: intFrom(env, 'ZPASS_IDLE_TIMEOUT_MS', d.idleTimeoutMs, 100, 3_600_000),
    keepAliveTimeoutMs: intFrom(env, 'ZPASS_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 100, 600_000),
    maxConnections: intFrom(env, 'ZPASS_MAX_CONNECTIONS', d.maxConnections, 1, 1_000_000),
    maxConnectionsPerAddress: intFrom(
      env,
      'ZPASS_MAX_CONNECTIONS_PER_ADDRESS',
      d.maxConnectionsPerAddress,
      1,
      1_000_000,
    ),
  };
}

function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof LogFormatError) throw new ConfigError(err.message);
    throw err;
  }
}

/** `[host:]port`, `[v6]:port` for IPv6: where `GET /metrics` is served. */
export function metricsAddrFrom(value: string | undefined): { host: string; port: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:\[([^\]]+)\]:|([^:]+):)?(\d+)$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2] ?? '127.0.0.1';
  if (!m || (isIP(host) === 0 && host !== 'localhost')) {
    throw new ConfigError(
      `ZPASS_METRICS_ADDR (--metrics-addr) must be a port or address:port, e.g. 9464 or 0.0.0.0:9464, got "${value}".`,
    );
  }
  return { host, port: portFrom(m[3]!, 'the port of ZPASS_METRICS_ADDR (--metrics-addr)') };
}

export function shutdownDelayFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\s*\d+\s*$/.test(value) || Number(value) > 600_000)
    throw new ConfigError(
      `ZPASS_SHUTDOWN_DELAY_MS must be a whole number of milliseconds from 0 to 600000, got "${value}".`,
    );
  return Number(value);
}

/** `ZPASS_CLUSTER`: the `clid` of tracking ids; letters, digits, `_` and `-`, at most 32. */
export function clusterFrom(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(value))
    throw new ConfigError(`ZPASS_CLUSTER must be 1 to 32 letters, digits, "_" or "-", got "${value}".`);
  return value;
}

export function hashMaxWaitFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.trim().toLowerCase() === 'none') return Number.POSITIVE_INFINITY;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 60_000)
    throw new ConfigError(
      `ZPASS_HASH_MAX_WAIT_MS must be a whole number of milliseconds from 0 to 60000, or "none", got "${value}".`,
    );
  return n;
}

function redisUrlFrom(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const problem = checkRedisUrl(url);
  if (problem) throw new ConfigError(problem);
  return url;
}

function redisTimeoutFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10 || n > 60_000)
    throw new ConfigError(
      `ZPASS_REDIS_TIMEOUT_MS must be a whole number of milliseconds from 10 to 60000, got "${value}".`,
    );
  return n;
}

/** How the outbox relay delivers notices: `SMTP_URL` and the `ZPASS_MAIL_*` settings. */
export interface MailConfig {
  /** Run the relay inside `zpass serve` (default true; `--no-mail-relay` or ZPASS_MAIL_RELAY=off). */
  relay: boolean;
  /** smtp://user:pass@host:587 or smtps://...; unset: `.eml` files in `<data>/mail/`. */
  smtpUrl?: string;
  /** PEM file of the certificate authority to trust for the SMTP server's certificate. */
  smtpCaFile?: string;
  /** The From header (ZPASS_MAIL_FROM). */
  from: string;
  /** The product name in subjects and texts (ZPASS_BRAND). */
  brand: string;
  /** Base URL of the sign-in pages as users reach them (ZPASS_PUBLIC_URL; default the server's URL). */
  publicUrl?: string;
  /** Path of the password-reset page under the public URL (ZPASS_MAIL_RESET_PATH). */
  resetPath: string;
  /** Attempts before a notice is marked failed. */
  maxAttempts: number;
  /** First retry delay; doubled per attempt, with jitter, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Poll for due notices this often, besides being woken by commits. */
  pollMs: number;
  /** One delivery attempt is abandoned (and retried later) after this long. */
  sendTimeoutMs: number;
  /** How long a claimed notice stays reserved for its relay: longer than any attempt can last. */
  leaseMs: number;
  /** Deliveries in flight at once (SMTP pool connections). */
  concurrency: number;
}

export const DEFAULT_MAIL_CONFIG: MailConfig = {
  relay: true,
  from: 'zpass <no-reply@localhost>',
  brand: 'zpass',
  resetPath: '/signin/reset',
  maxAttempts: 10,
  retryBaseMs: 15_000,
  retryMaxMs: 3_600_000,
  pollMs: 1_000,
  sendTimeoutMs: 60_000,
  leaseMs: 120_000,
  concurrency: 5,
};

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return n;
}

/**
 * ZPASS_PUBLIC_URL: the base of every link zpass hands out (e-mails, pages, `api_url`).
 * An absolute http(s) URL with a host, no credentials, query or fragment; else the server refuses to start.
 */
export function checkPublicUrl(value: string): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (
    !u ||
    (u.protocol !== 'http:' && u.protocol !== 'https:') ||
    !u.hostname ||
    u.username ||
    u.password ||
    u.search ||
    u.hash
  ) {
    throw new ConfigError(
      `ZPASS_PUBLIC_URL must be an http:// or https:// URL with a host and no query, fragment or credentials, got "${value}".`,
    );
  }
  return value;
}

/** Checks a complete mail configuration; throws ConfigError with a message for the operator. */
export function checkMailConfig(c: MailConfig): MailConfig {
  if (c.smtpUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(c.smtpUrl);
    } catch {
      throw new ConfigError(`SMTP_URL is not a valid URL: ${redactUrl(c.smtpUrl)}`);
    }
    if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
      throw new ConfigError(
        `SMTP_URL must start with smtp:// or smtps:// (got ${redactUrl(c.smtpUrl)}); leave it unset to write .eml files.`,
      );
    }
    if (!u.hostname) throw new ConfigError(`SMTP_URL names no host: ${redactUrl(c.smtpUrl)}`);
  }
  if (!/@[^\s@>]+>?\s*$/.test(c.from)) {
    throw new ConfigError(
      `ZPASS_MAIL_FROM must be an address such as "Example <no-reply@example.com>", got "${c.from}".`,
    );
  }
  if (c.publicUrl !== undefined) checkPublicUrl(c.publicUrl);
  if (!c.resetPath.startsWith('/')) throw new ConfigError('ZPASS_MAIL_RESET_PATH must start with "/".');
  if (c.leaseMs < c.sendTimeoutMs + 5_000) {
    throw new ConfigError(
      'ZPASS_MAIL_LEASE_MS must exceed ZPASS_MAIL_SEND_TIMEOUT_MS by at least 5000, so that no other relay takes a notice still being sent.',
    );
  }
  return c;
}

/** The mail settings from the environment (and `--no-mail-relay`). */
export function mailConfig(
  env: NodeJS.ProcessEnv = process.env,
  flags: { mailRelay?: boolean } = {},
): MailConfig {
  const d = DEFAULT_MAIL_CONFIG;
  const sendTimeoutMs = intFrom(env, 'ZPASS_MAIL_SEND_TIMEOUT_MS', d.sendTimeoutMs, 1_000, 600_000);
  const relayEnv = (env.ZPASS_MAIL_RELAY ?? '').toLowerCase();
  return checkMailConfig({
    relay: flags.mailRelay !== false && relayEnv !== 'off' && relayEnv !== '0' && relayEnv !== 'false',
    smtpUrl: env.SMTP_URL || undefined,
    smtpCaFile: env.SMTP_CA_FILE || undefined,
    from: env.ZPASS_MAIL_FROM || d.from,
    brand: env.ZPASS_BRAND || d.brand,
    publicUrl: env.ZPASS_PUBLIC_URL || undefined,
    resetPath: env.ZPASS_MAIL_RESET_PATH || d.resetPath,
    maxAttempts: intFrom(env, 'ZPASS_MAIL_MAX_ATTEMPTS', d.maxAttempts, 1, 100),
    retryBaseMs: intFrom(env, 'ZPASS_MAIL_RETRY_BASE_MS', d.retryBaseMs, 10, 86_400_000),
    retryMaxMs: intFrom(env, 'ZPASS_MAIL_RETRY_MAX_MS', d.retryMaxMs, 10, 7 * 86_400_000),
    pollMs: intFrom(env, 'ZPASS_MAIL_POLL_MS', d.pollMs, 50, 3_600_000),
    sendTimeoutMs,
    leaseMs: intFrom(env, 'ZPASS_MAIL_LEASE_MS', Math.max(d.leaseMs, sendTimeoutMs * 2), 1_000, 86_400_000),
    concurrency: intFrom(env, 'ZPASS_MAIL_CONCURRENCY', d.concurrency, 1, 100),
  });
}

/** How the webhook relay delivers events: the `ZPASS_WEBHOOK_*` settings. */
export interface WebhookConfig {
  /** Run the relay inside `zpass serve` (default true; `--no-webhook-relay` or ZPASS_WEBHOOK_RELAY=off). */
  relay: boolean;
  /** Waits before each retry, after the attempt before it (Zoom: 5, 20, 60 minutes). Attempts = length + 1. */
  retryScheduleMs: number[];
  /** An endpoint must answer 200/204 within this long (Zoom: 3 s). */
  timeoutMs: number;
  /** How long a claimed delivery stays reserved for its relay: longer than any attempt can last. */
  leaseMs: number;
  /** Poll for due deliveries this often, besides being woken by commits. */
  pollMs: number;
  /** Deliveries in flight at once per relay. */
  concurrency: number;
  /** Deliveries in flight at once per endpoint per relay: a slow endpoint holds at most these slots. */
  perEndpoint: number;
  /** Bytes of an answer read at most (the rest is not read; the connection is closed). */
  maxResponseBytes: number;
  /** Hosts endpoints may have (names, `*.suffix`, addresses, CIDR ranges); undefined: any. */
  allowedHosts?: string[];
}

/** Zoom's schedule: retries 5 minutes after the first attempt, 20 after the first retry, 60 after the second. */
export const ZOOM_RETRY_SCHEDULE_MS = [5 * 60_000, 20 * 60_000, 60 * 60_000];

export const DEFAULT_WEBHOOK_CONFIG: WebhookConfig = {
  relay: true,
  retryScheduleMs: ZOOM_RETRY_SCHEDULE_MS,
  timeoutMs: 3_000,
  leaseMs: 60_000,
  pollMs: 1_000,
  concurrency: 10,
  perEndpoint: 2,
  maxResponseBytes: 64 * 1024,
};

const DURATION = /^(\d{1,9})(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `ZPASS_WEBHOOK_RETRY_SCHEDULE`: comma-separated waits, each in ms or with a unit (`250ms`, `5m`, `1h`). */
export function retryScheduleFrom(value: string | undefined): number[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const waits = value.split(',').map((part) => {
    const m = DURATION.exec(part.trim());
    const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 'ms']! : Number.NaN;
    if (!Number.isFinite(ms) || ms < 10 || ms > 7 * 86_400_000)
      throw new ConfigError(
        `ZPASS_WEBHOOK_RETRY_SCHEDULE must list waits such as "5m,20m,60m" (each 10ms to 7 days), got "${value}".`,
      );
    return ms;
  });
  if (waits.length > 20) throw new ConfigError('ZPASS_WEBHOOK_RETRY_SCHEDULE lists at most 20 retries.');
  return waits;
}

const HOST_NAME = /^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?)*\.?$/;

/** `ZPASS_WEBHOOK_ALLOWED_HOSTS`: comma-separated host names, `*.suffix`, addresses or CIDR ranges. */
export function allowedHostsFrom(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const item of list) {
    const m = CIDR.exec(item);
    const addr = (m ? m[1]! : item).replace(/^\[(.*)\]$/, '$1');
    const family = isIP(addr);
    if (family !== 0) {
      if (m && Number(m[2]) > (family === 4 ? 32 : 128))
        throw new ConfigError(`ZPASS_WEBHOOK_ALLOWED_HOSTS: "${item}" is not a CIDR range.`);
      continue;
    }
    if (m || !HOST_NAME.test(item))
      throw new ConfigError(
        `ZPASS_WEBHOOK_ALLOWED_HOSTS must list host names, *.domain patterns, addresses or CIDR ranges; "${item}" is none of them.`,
      );
  }
  return list;
}

/** Checks a complete webhook configuration; throws ConfigError with a message for the operator. */
export function checkWebhookConfig(c: WebhookConfig): WebhookConfig {
  if (c.leaseMs < c.timeoutMs + 5_000)
    throw new ConfigError(
      'ZPASS_WEBHOOK_LEASE_MS must exceed ZPASS_WEBHOOK_TIMEOUT_MS by at least 5000, so that no other relay takes a delivery still in flight.',
    );
  return c;
}

/** The webhook settings from the environment (and `--no-webhook-relay`). */
export function webhookConfig(
  env: NodeJS.ProcessEnv = process.env,
  flags: { webhookRelay?: boolean } = {},
): WebhookConfig {
  const d = DEFAULT_WEBHOOK_CONFIG;
  const relayEnv = (env.ZPASS_WEBHOOK_RELAY ?? '').toLowerCase();
  const timeoutMs = intFrom(env, 'ZPASS_WEBHOOK_TIMEOUT_MS', d.timeoutMs, 100, 60_000);
  return checkWebhookConfig({
    relay: flags.webhookRelay !== false && relayEnv !== 'off' && relayEnv !== '0' && relayEnv !== 'false',
    retryScheduleMs: retryScheduleFrom(env.ZPASS_WEBHOOK_RETRY_SCHEDULE) ?? d.retryScheduleMs,
    timeoutMs,
    leaseMs: intFrom(
      env,
      'ZPASS_WEBHOOK_LEASE_MS',
      Math.max(d.leaseMs, timeoutMs + 5_000),
      1_000,
      86_400_000,
    ),
    pollMs: intFrom(env, 'ZPASS_WEBHOOK_POLL_MS', d.pollMs, 50, 3_600_000),
    concurrency: intFrom(env, 'ZPASS_WEBHOOK_CONCURRENCY', d.concurrency, 1, 200),
    perEndpoint: intFrom(env, 'ZPASS_WEBHOOK_PER_ENDPOINT', d.perEndpoint, 1, 200),
    maxResponseBytes: intFrom(
      env,
      'ZPASS_WEBHOOK_MAX_RESPONSE_BYTES',
      d.maxResponseBytes,
      1024,
      10 * 1024 * 1024,
    ),
    allowedHosts: allowedHostsFrom(env.ZPASS_WEBHOOK_ALLOWED_HOSTS),
  });
}
