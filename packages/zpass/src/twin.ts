import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import type { DemoCredentials } from './domain/accounts/demo.js';
import { FixtureError, type Fixtures, parseFixtures } from './domain/accounts/seed.js';
import { type RunningServer, type ServerOptions, startServer as startFull } from './server.js';

export type { Fixtures } from './domain/accounts/seed.js';

/**
 * Options of the embedded server (`import { startServer } from 'zpass'`): every field of
 * ServerOptions, each optional, and `seed` as fixtures or the path of a fixtures file.
 */
export interface EmbeddedOptions extends Partial<Omit<ServerOptions, 'seed'>> {
  seed?: Fixtures | string;
}

export interface EmbeddedServer extends RunningServer {
  /** The data folder: the one given, or a temporary one removed at close. */
  dataDir: string;
  /** The demo account's credentials, when `demo: true` created one. */
  demo?: DemoCredentials;
}

/** Reads and checks a fixtures file; any mistake is one ConfigError line naming the file and the field. */
export function loadFixtures(path: string): Fixtures {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the seed fixtures ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The seed fixtures ${path} are not JSON: ${(err as Error).message}`);
  }
  try {
    return parseFixtures(raw);
  } catch (err) {
    if (err instanceof FixtureError) throw new ConfigError(`Seed fixtures ${path}: ${err.message}`);
    throw err;
  }
}

/**
 * A zpass server for a test suite: `await startServer({ port: 0 })`. Defaults: 127.0.0.1, a
 * free port, a temporary SQLite data folder (removed at close), migrations applied, no demo
 * account, logs at `warn`, no mail relay (notices stay in the outbox), test controls on
 * (`POST /zpass/test/reset`, `POST /zpass/test/rate-limits`).
 */
export async function startServer(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const ownDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'zpass-')) : undefined;
  const dataDir = options.dataDir ?? ownDir!;
  const seed =
    typeof options.seed === 'string'
      ? loadFixtures(options.seed)
      : options.seed
        ? parseOrExplain(options.seed)
        : undefined;
  let server: RunningServer;
  try {
    server = await startFull({
      ...options,
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      dataDir,
      migrate: options.migrate ?? true,
      logLevel: options.logLevel ?? 'warn',
      trustProxy: options.trustProxy ?? false,
      demo: options.demo ?? false,
      mail: options.mail ?? { relay: false },
      testControls: options.testControls ?? true,
      print: options.print ?? (() => {}),
      seed,
    });
  } catch (err) {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...server,
    dataDir,
    async close() {
      await server.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

function parseOrExplain(fixtures: Fixtures): Fixtures {
  try {
    return parseFixtures(fixtures);
  } catch (err) {
    if (err instanceof FixtureError) throw new ConfigError(`Seed fixtures: ${err.message}`);
    throw err;
  }
}
