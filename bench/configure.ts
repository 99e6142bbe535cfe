// Account settings a benchmark run needs, applied with the real admin commands.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'packages', 'zpass', 'bin', 'zpass.js');

export interface BenchTarget {
  dataDir: string;
  databaseUrl?: string;
  demo: { account_id: string };
}

function admin(t: BenchTarget, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}) };
    const child = spawn(process.execPath, [BIN, 'admin', ...args, '--data', t.dataDir], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`zpass admin ${args.join(' ')}: ${err}`)),
    );
  });
}

/** Raises the account's per-second limits out of the way (the benchmark measures the server, not the limiter's refusals). */
export async function raiseLimits(t: BenchTarget): Promise<void> {
  for (const category of ['Light', 'Medium', 'Heavy']) {
    await admin(t, [
      'set-limit',
      '--account',
      t.demo.account_id,
      '--category',
      category,
      '--type',
      'QPS',
      '--limit',
      '1000000',
    ]);
  }
}

/** The account remembers `depth` previous passwords per user. */
export async function setHistoryDepth(t: BenchTarget, depth: number): Promise<void> {
  await admin(t, ['set-policy', '--account', t.demo.account_id, '--password-history-count', String(depth)]);
}
