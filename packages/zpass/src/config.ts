import { resolve } from 'node:path';

/** Everything `zpass serve` reads from flags and the environment, validated once at start. */
export interface ServeConfig {
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  trustProxy: boolean;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function portFrom(value: string | number, source: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${source} must be a port number (0-65535), got "${value}".`);
  return n;
}

export interface ServeFlags {
  port?: string;
  host?: string;
  data?: string;
}

export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.ZPASS_DATA ?? '.zpass');
}

export function serveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const port =
    flags.port !== undefined
      ? portFrom(flags.port, '--port')
      : portFrom(env.ZPASS_PORT ?? 8080, 'ZPASS_PORT');
  const logLevel = env.ZPASS_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`ZPASS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  return {
    port,
    host: flags.host ?? env.ZPASS_HOST ?? '127.0.0.1',
    dataDir: dataDirFrom(flags.data, env),
    logLevel,
    trustProxy: env.ZPASS_TRUST_PROXY === '1' || env.ZPASS_TRUST_PROXY === 'true',
  };
}
