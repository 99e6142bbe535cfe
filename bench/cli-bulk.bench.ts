/**
 * `zpass users password bulk` benchmarks (never run as tests): `npm run bench -- cli-bulk`.
 *
 * 1. Reset N users (default 10,000) of a business-plan account (60 Medium requests a second)
 *    with the real CLI binary against a real zpass server on SQLite: the achieved rate as a
 *    fraction of the allowed one (from the server's change log), failed rows, 429s answered,
 *    and the CLI's peak memory (VmHWM).
 * 2. Streaming: `--dry-run` over generated files of 10,000, 100,000 and 1,000,000 rows; peak
 *    memory of the CLI for each, which should stay flat.
 *
 * Flags: --rows=N (default 10000), --quick-hash (argon2id with small parameters on the server,
 * to tell the CLI's pacing from the server's hashing capacity), --skip-reset, --skip-stream.
 * Build first: npm run build.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Hasher } from '../packages/zpass/src/crypto/hasher.js';
import { createUser, setPlan } from '../packages/zpass/src/domain/accounts/provisioning.js';
import { startServer } from '../packages/zpass/src/server.js';

const BIN = join(import.meta.dirname, '..', 'packages', 'zpass', 'bin', 'zpass.js');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const rowsArg = args.find((a) => a.startsWith('--rows='));
const ROWS = rowsArg ? Number(rowsArg.slice('--rows='.length)) : 10_000;

const QUICK = { algorithm: Algorithm.Argon2id, memoryCost: 256, timeCost: 1, parallelism: 1 } as const;
class QuickHasher extends Hasher {
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

/** Runs the CLI; resolves with its exit code, output and peak resident memory (VmHWM, kB). */
function cli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string; peakKb: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 50);
    child.stdin.end(input);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, peakKb });
    });
  });
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

async function reset(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'zpass-bench-cli-'));
  let refused = 0;
  let changed = 0;
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      const s = String(chunk);
      if (s.includes('"statusCode":429')) refused++;
      if (s.includes('"statusCode":204')) changed++;
      cb();
    },
  });
  const quick = flag('--quick-hash');
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    logLevel: 'info',
    logStream,
    trustProxy: false,
    migrate: true,
    print: () => {},
    mail: { relay: false },
    hasher: quick ? new QuickHasher() : new Hasher(),
  });
  try {
    const demo = server.demo!;
    await setPlan(server.ctx, demo.account_id, 'business');
    // The users are made with small hashing parameters whatever the run's: setting up is not measured.
    const setup = { ...server.ctx, hasher: new QuickHasher() };
    const emails: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < ROWS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, ROWS - i) }, (_, j) =>
          createUser(setup, {
            accountId: demo.account_id,
            email: `bench-${i + j}@example.test`,
            role: 'member',
            password: 'Initial-Pass-1',
          }),
        ),
      );
      for (const u of batch) {
        emails.push(u.email);
        ids.push(u.id);
      }
    }
    const file = join(dir, 'reset.csv');
    writeFileSync(file, `user,password\n${emails.join('\n')}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') };
    for (const k of Object.keys(env)) if (k.startsWith('ZOOM_')) delete env[k];
    const login = await cli(
      [
        'login',
        '--profile',
        'bench',
        '--account-id',
        demo.account_id,
        '--client-id',
        demo.client_id,
        '--client-secret-stdin',
        '--api-url',
        `${server.url}/v2`,
        '--oauth-url',
        server.url,
      ],
      env,
      demo.client_secret,
    );
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    const load = loadavg()[0]!.toFixed(1);
    const t0 = Date.now();
    const run = await cli(
      ['users', 'password', 'bulk', file, '--generate', '--json', '--profile', 'bench'],
      env,
    );
    const wall = (Date.now() - t0) / 1000;
    if (run.code === null) throw new Error(run.stderr);
    const summary = JSON.parse(run.stdout) as Record<string, number>;
    const times = (
      await server.store.db
        .selectFrom('password_changes')
        .select('changed_at')
        .where('account_id', '=', demo.account_id)
        .execute()
    )
      .map((r) => Number(r.changed_at))
      .sort((a, b) => a - b);
    const span = (times.at(-1)! - times[0]!) / 1000;
    const achieved = (times.length - 1) / span;
    console.log(
      `\n| rows | server hashing | changed (server log) | failed rows | 429s answered | span of the changes | achieved | of 60/s allowed | CLI wall time | CLI peak RSS | load avg at start |`,
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${ROWS} | ${quick ? 'argon2id m=256 KiB, t=1' : 'argon2id m=19 MiB, t=2 (production)'} | ${times.length} | ${summary.failed! + summary.uncertain! + summary.retry! + summary.pending!} | ${refused} | ${span.toFixed(1)} s | ${achieved.toFixed(2)}/s | ${(achieved / 60).toFixed(3)} | ${wall.toFixed(1)} s | ${mb(run.peakKb)} | ${load} |`,
    );
    console.log(`CLI summary: ${JSON.stringify(summary)}; 204s logged: ${changed}`);
    console.log(`results mode: ${(statSync(join(dir, 'reset.results.csv')).mode & 0o777).toString(8)}`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stream(): Promise<void> {
  console.log('\n| rows | file size | dry run wall time | rows/s | CLI peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const n of [10_000, 100_000, 1_000_000]) {
    const dir = mkdtempSync(join(tmpdir(), 'zpass-bench-stream-'));
    try {
      const file = join(dir, 'big.csv');
      const out = createWriteStream(file);
      out.write('user,password\n');
      for (let i = 0; i < n; i++) {
        const line = `user-${i}@example.test,Stream-Pass-${100000 + i}x\n`;
        if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((r) => out.end(() => r()));
      // Credentials only to read the policy: a one-off server on an empty store.
      const server = await startServer({
        port: 0,
        host: '127.0.0.1',
        dataDir: join(dir, 'data'),
        logLevel: 'silent',
        trustProxy: false,
        migrate: true,
        print: () => {},
        mail: { relay: false },
      });
      try {
        const d = server.demo!;
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          ZOOM_ACCOUNT_ID: d.account_id,
          ZOOM_CLIENT_ID: d.client_id,
          ZOOM_CLIENT_SECRET: d.client_secret,
          ZOOM_API_URL: `${server.url}/v2`,
          ZOOM_OAUTH_URL: server.url,
        };
        const t0 = Date.now();
        const run = await cli(['users', 'password', 'bulk', file, '--dry-run', '--json'], env);
        const s = (Date.now() - t0) / 1000;
        const summary = JSON.parse(run.stdout) as { rows: number; valid: number };
        if (summary.rows !== n || summary.valid !== n)
          throw new Error(`unexpected dry run: ${run.stdout.slice(0, 200)}`);
        console.log(
          `| ${n.toLocaleString('en')} | ${(statSync(file).size / 1e6).toFixed(1)} MB | ${s.toFixed(1)} s | ${Math.round(n / s).toLocaleString('en')} | ${mb(run.peakKb)} |`,
        );
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}`);
if (!flag('--skip-reset')) await reset();
if (!flag('--skip-stream')) await stream();
