/**
 * What the tests of the CLI share: the real binary run as a child process (through pipes or
 * under a pseudo-terminal made by util-linux `script`), and a quick but real argon2id hasher.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Hasher } from '../src/crypto/hasher.js';
import type { TestServer } from './helpers.js';
import { passwordChangesFor } from './queries.js';

export const BIN = join(import.meta.dirname, '..', 'bin', 'zpass.js');

/** Real argon2id with small parameters: these tests are about the CLI, not the hash's cost. */
const QUICK = { algorithm: Algorithm.Argon2id, memoryCost: 256, timeCost: 1, parallelism: 1 } as const;
export class QuickHasher extends Hasher {
  override hash(password: string): Promise<string> {
    return hash(password, QUICK);
  }
  override hashWithSalt(password: string, salt: Uint8Array): Promise<string> {
    return hash(password, { ...QUICK, salt });
  }
  override verify(phc: string, password: string): Promise<boolean> {
    return verify(phc, password);
  }
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a run: no ZOOM_* or ZPASS_* variables, a config folder of the test's own. */
export function cliEnv(configHome: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('ZOOM_') && !k.startsWith('ZPASS_') && k !== 'DATABASE_URL') env[k] = v;
  return { ...env, XDG_CONFIG_HOME: configHome, ...extra };
}

/** Starts a child process; `done` resolves when it exits. */
export function startProcess(
  command: string,
  args: string[],
  opts: { input?: string; env: NodeJS.ProcessEnv; keepStdinOpen?: boolean },
): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const child: ChildProcess = spawn(command, args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  if (!opts.keepStdinOpen) child.stdin!.end(opts.input ?? '');
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, output: () => stdout + stderr };
}

/** Single-quoted for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `zpass args...` under a pseudo-terminal of `columns` columns (util-linux `script`, which
 * returns the child's exit status with -e). What is written to `child.stdin` is typed.
 */
export function startOnTerminal(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; columns?: number },
): ReturnType<typeof startProcess> {
  const cmd = `stty cols ${opts.columns ?? 80} rows 24; exec ${shellQuote(process.execPath)} ${[BIN, ...args].map(shellQuote).join(' ')}`;
  return startProcess('script', ['-qefc', cmd, '/dev/null'], { env: opts.env, keepStdinOpen: true });
}

/** Waits until `test()` holds, checking every 50 ms (no deadline: the test runner has one). */
export async function until(test: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await test())) await new Promise((r) => setTimeout(r, 50));
}

export async function changeCounts(t: TestServer, ids: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const part = await Promise.all(
      ids.slice(i, i + 50).map(async (id) => (await passwordChangesFor(t.server.store.db, id)).length),
    );
    out.push(...part);
  }
  return out;
}

/** The arguments of `zpass login` for the server's demo app (the secret goes on standard input). */
export function loginArgs(t: TestServer, profile: string): string[] {
  return [
    'login',
    '--profile',
    profile,
    '--account-id',
    t.demo.account_id,
    '--client-id',
    t.demo.client_id,
    '--client-secret-stdin',
    '--api-url',
    `${t.url}/v2`,
    '--oauth-url',
    t.url,
  ];
}

/**
 * Runs `zpass admin ...` on the test server's store, as an operator would beside it: the
 * store named by flag, no ZPASS_* or DATABASE_URL from the test's environment, `env` added.
 */
export function runAdmin(t: TestServer, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const store = t.databaseUrl ? ['--database-url', t.databaseUrl] : ['--data', t.dataDir];
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('ZPASS_') && k !== 'DATABASE_URL') clean[k] = v;
  return promisify(execFile)(process.execPath, [BIN, 'admin', ...args, ...store], {
    encoding: 'utf8',
    env: { ...clean, ...env },
  }).then(
    (r) => ({ code: 0, signal: null, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      signal: null,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}
