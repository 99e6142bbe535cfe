import { resolve } from 'node:path';

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
  trustProxy: boolean;
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
    trustProxy: env.ZPASS_TRUST_PROXY === '1' || env.ZPASS_TRUST_PROXY === 'true',
    migrate: flags.migrate !== false,
  };
}
