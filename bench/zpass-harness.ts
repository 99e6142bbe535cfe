// The zpass under benchmark as a process of its own, and the store seeded for it: shared by
// bench/server.bench.ts and bench/webhooks.bench.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { ARGON2_OPTIONS } from '../packages/zpass/src/crypto/hasher.js';
import { newId } from '../packages/zpass/src/crypto/random.js';
import type { DemoCredentials } from '../packages/zpass/src/domain/accounts/demo.js';
import { openStore } from '../packages/zpass/src/store/database.js';
import { credentials, passwordHistory } from '../packages/zpass/src/store/repositories/passwords.js';
import { normalizeEmail, users } from '../packages/zpass/src/store/repositories/users.js';

const ROOT = join(import.meta.dirname, '..');
/** The zpass under test; ZPASS_BENCH_BIN points the same harness at another build (before/after). */
export const BIN = process.env.ZPASS_BENCH_BIN || join(ROOT, 'packages', 'zpass', 'bin', 'zpass.js');
export const ADMIN_URL = process.env.ZPASS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * CPU seconds (user + system) a process has used so far, every thread or, with
 * `mainThread`, its main thread alone (its event loop: not the hashing pool's nor V8's
 * helper threads). Linux /proc, 100 ticks/s.
 */
export function cpuSeconds(pid: number, mainThread = false): number {
  const stat = mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface Server {
  child: ChildProcess;
  url: string;
  demo: DemoCredentials;
  dataDir: string;
  databaseUrl?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

export async function pgAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** ZPASS_BENCH_CPU_PROF=<dir>: each server (and hello world) writes a V8 CPU profile there when it stops. */
export function profFlags(): string[] {
  const dir = process.env.ZPASS_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

export async function startZpass(
  store: 'sqlite' | 'postgres',
  env: Record<string, string> = {},
): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zpass-bench-'));
  let databaseUrl: string | undefined;
  if (store === 'postgres') {
    const name = `zpass_bench_${process.pid}_${Date.now()}`;
    await pgAdmin(`create database ${name}`);
    const u = new URL(ADMIN_URL);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
  }
  const port = await freePort();
  // The server as deployed by default, e-mail relay included (notices go to .eml files).
  const child = spawn(
    process.execPath,
    [...profFlags(), BIN, 'serve', '--port', String(port), '--data', dataDir],
    {
      cwd: ROOT,
      // The default log level (info: one line per request), to /dev/null; ZPASS_LOG_LEVEL overrides it.
      env: {
        ...process.env,
        ZPASS_LOG_LEVEL: process.env.ZPASS_LOG_LEVEL ?? 'info',
        ZPASS_DEMO: '1',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ...env,
      },
      stdio: 'ignore',
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/openapi.json`, child);
  } catch (err) {
    // A server that did not come up (a loaded machine) must not outlive the run.
    child.kill('SIGTERM');
    if (databaseUrl)
      await pgAdmin(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`).catch(
        () => {},
      );
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
  return {
    child,
    url,
    demo,
    dataDir,
    databaseUrl,
    async stop() {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      if (databaseUrl)
        await pgAdmin(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Members with one shared starting password, hashed once (so seeding costs no argon2 per
 * user), each with `depth` remembered passwords under one history salt.
 */
export async function seedUsers(s: Server, count: number, depth = 0): Promise<string[]> {
  const store = openStore({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
  try {
    const phc = await hash('Seed-Password-1', ARGON2_OPTIONS);
    const historyPhc = await hash('Seed-Password-1', { ...ARGON2_OPTIONS, salt: randomBytes(16) });
    const versions = Math.max(1, depth);
    const ids: string[] = [];
    const now = Date.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        const id = newId();
        const email = `bench${i}@example.test`;
        await users.insert(tx, {
          id,
          account_id: s.demo.account_id,
          email,
          email_norm: normalizeEmail(email),
          first_name: 'Bench',
          last_name: String(i),
          display_name: `Bench ${i}`,
          type: 1,
          role: 'member',
          status: 'active',
          created_at: now,
          last_login_at: null,
        });
        await credentials.insert(tx, { user_id: id, phc, version: versions, updated_at: now });
        for (let v = 1; v <= versions; v++) {
          await passwordHistory.insert(tx, {
            user_id: id,
            phc: historyPhc,
            credential_version: v,
            created_at: now,
          });
        }
        ids.push(id);
      }
    });
    return ids;
  } finally {
    await store.close();
  }
}

export async function token(s: Server): Promise<string> {
  const res = await fetch(
    `${s.url}/oauth/token?grant_type=account_credentials&account_id=${s.demo.account_id}`,
    {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${s.demo.client_id}:${s.demo.client_secret}`).toString('base64')}`,
      },
    },
  );
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function postgresReachable(): Promise<boolean> {
  try {
    await pgAdmin('select 1');
    return true;
  } catch {
    return false;
  }
}
