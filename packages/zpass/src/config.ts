import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { checkRedisUrl } from './limits/redis.js';

/** Where the store lives: the embedded SQLite file under `dataDir`, or PostgreSQL when `databaseUrl` is set. */
export interface StoreConfig {
  dataDir: string;
  databaseUrl?: string;
}

/** Everything `zpass serve` reads from flags and the environment, validated once at start. */
export interface ServeConfig extends StoreConfig {
  port: number;
  host: string;
  logLevel: string;
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
  return { dataDir: dataDirFrom(flags.data, env), databaseUrl };
}

export function serveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const port =
    flags.port !== undefined
      ? portFrom(flags.port, '--port')
      : portFrom(env.ZPASS_PORT ?? 8080, 'ZPASS_PORT');
  const logLevel = env.ZPASS_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`ZPASS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  return {
    ...storeConfig(flags, env),
    port,
    host: flags.host ?? env.ZPASS_HOST ?? '127.0.0.1',
    logLevel,
    trustProxy: trustProxyFrom(env.ZPASS_TRUST_PROXY),
    migrate: flags.migrate !== false,
    redisUrl: redisUrlFrom(flags.redisUrl ?? (env.REDIS_URL || undefined)),
    redisPrefix: env.ZPASS_REDIS_PREFIX || undefined,
    redisTimeoutMs: redisTimeoutFrom(env.ZPASS_REDIS_TIMEOUT_MS),
    testControls: flags.testControls === true || env.ZPASS_TEST_CONTROLS === '1',
  };
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
