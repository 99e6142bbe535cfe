/**
 * Peak memory of short CLI commands (never run as tests): `npm run bench -- cli-rss [--runs=5]`.
 *
 * Issue 21's target: an API-only command (`zpass --help`, `zpass users list --help`, `zpass
 * users list` against a server) peaks at no more than 70 MB of resident memory; an admin
 * command, which opens the store, is measured beside them for contrast. Each command runs
 * `--runs` times (default 5) as the real binary in a child process; its peak is the kernel's
 * (`process.resourceUsage().maxRSS`, written by a preload when the process exits: the same
 * figure as GNU time's "Maximum resident set size"). The server is `zpass serve` on SQLite in
 * a process of its own (bench/zpass-harness.ts), started by the benchmark.
 *
 * Prints one markdown table. `measureCliRss()` and `cliRssTable()` are exported for a report
 * that shows it beside other tables (e.g. bench/server.bench.ts). ZPASS_BENCH_BIN measures
 * another build (before/after). Build first: npm run build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startZpass } from './zpass-harness.js';

/** Issue 21: an API-only command's peak. */
export const API_COMMAND_TARGET_MB = 70;

export interface RssRow {
  /** The command line after `zpass`. */
  command: string;
  /** Against what it runs, when it matters. */
  note?: string;
  /** What it loads: `api` (commander and the SDK) or `store` (the store, the domain, a driver). */
  kind: 'api' | 'store';
  /** Peak resident memory of each run, MB (as GNU time and bench/cli-bulk.bench.ts count: kB ÷ 1024). */
  runsMb: number[];
  medianMb: number;
  /** The target it is held to, if any. */
  targetMb?: number;
}

const PRELOAD = `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.ZPASS_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));
`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One run of `zpass args...`: its peak RSS in MB; a failed command stops the benchmark. */
function peakOf(args: string[], env: NodeJS.ProcessEnv, preload: string, rssFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', preload, BIN, ...args], {
      env: { ...env, ZPASS_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`zpass ${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve(Number(readFileSync(rssFile, 'utf8')) / 1024);
    });
  });
}

/** Starts a server, runs each command `runs` times, stops the server. */
export async function measureCliRss(opts: { runs?: number } = {}): Promise<RssRow[]> {
  const runs = opts.runs ?? 5;
  const work = mkdtempSync(join(tmpdir(), 'zpass-bench-cli-rss-'));
  const preload = join(work, 'max-rss.mjs');
  writeFileSync(preload, PRELOAD);
  const server = await startZpass('sqlite');
  try {
    // Nothing inherited that would point the CLI elsewhere; a config folder of its own.
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!k.startsWith('ZOOM_') && !k.startsWith('ZPASS_') && k !== 'DATABASE_URL') base[k] = v;
    base.ZPASS_CONFIG_DIR = join(work, 'config');
    const api: NodeJS.ProcessEnv = {
      ...base,
      ZOOM_ACCOUNT_ID: server.demo.account_id,
      ZOOM_CLIENT_ID: server.demo.client_id,
      ZOOM_CLIENT_SECRET: server.demo.client_secret,
      ZOOM_API_URL: `${server.url}/v2`,
      ZOOM_OAUTH_URL: server.url,
    };
    const commands: Array<Omit<RssRow, 'runsMb' | 'medianMb'> & { args: string[]; env: NodeJS.ProcessEnv }> =
      [
        { command: '--help', args: ['--help'], kind: 'api', env: base, targetMb: API_COMMAND_TARGET_MB },
        {
          command: 'users list --help',
          args: ['users', 'list', '--help'],
          kind: 'api',
          env: base,
          targetMb: API_COMMAND_TARGET_MB,
        },
        {
          command: 'users list',
          note: 'against the server',
          args: ['users', 'list'],
          kind: 'api',
          env: api,
          targetMb: API_COMMAND_TARGET_MB,
        },
        {
          command: 'admin list-accounts',
          note: 'on the SQLite store',
          args: ['admin', 'list-accounts', '--data', server.dataDir],
          kind: 'store',
          env: base,
        },
      ];
    const rows: RssRow[] = [];
    for (const c of commands) {
      const runsMb: number[] = [];
      for (let i = 0; i < runs; i++) runsMb.push(await peakOf(c.args, c.env, preload, join(work, 'rss')));
      const { args: _a, env: _e, ...row } = c;
      rows.push({ ...row, runsMb, medianMb: median(runsMb) });
    }
    return rows;
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The rows as one markdown table. */
export function cliRssTable(rows: RssRow[]): string {
  const mb = (n: number) => n.toFixed(1);
  const lines = [
    '| command | kind | peak RSS, median | runs (MB) | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => {
      const target =
        r.targetMb === undefined
          ? '—'
          : `≤ ${r.targetMb} MB: ${r.medianMb <= r.targetMb ? 'met' : '**missed**'}`;
      return `| \`zpass ${r.command}\`${r.note ? ` (${r.note})` : ''} | ${r.kind === 'api' ? 'API only' : 'opens the store'} | **${mb(r.medianMb)} MB** | ${r.runsMb.map(mb).join(', ')} | ${target} |`;
    }),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsArg = process.argv.slice(2).find((a) => a.startsWith('--runs='));
  const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 5;
  const load = loadavg()[0]!.toFixed(1);
  const rows = await measureCliRss({ runs });
  console.log(cliRssTable(rows));
  console.log(
    `\n${runs} runs each; ${cpus().length} cores, Node ${process.version}, load average ${load} at start; binary ${BIN}`,
  );
}
