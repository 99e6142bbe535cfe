/**
 * What the CLI loads: `--help`, completion and the API commands (clients over the SDK) must not
 * load the server, the store, the domain's use cases or their drivers; only the commands that
 * run them do (`import()` in their actions). The real binary runs under a module hook
 * (module-trace.mjs) that records every module it resolves. Memory itself is measured in
 * bench/cli-rss.bench.mjs, not here.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, cliEnv, type Run, startProcess } from './cli-helpers.js';
import { startTestServer, type TestServer, tempDir } from './helpers.js';

const TRACE_HOOK = fileURLToPath(new URL('module-trace.mjs', import.meta.url));
const DIST = pathToFileURL(join(import.meta.dirname, '..', 'dist')).href;

/** Packages of the server side: none may be loaded by a command that does not need them. */
const SERVER_PACKAGES = [
  'fastify',
  '@fastify/',
  'better-sqlite3',
  'kysely',
  'pg',
  'ioredis',
  'nodemailer',
  '@node-rs/argon2',
  'pino',
  'pino-pretty',
  'prom-client',
  '@zpass/policy', // the server's rules and weak-password list (the SDK carries its own rules)
];

/**
 * The modules of packages/zpass such commands may load: the CLI's own, and the few light
 * modules the command tree needs (the configuration's parsing, the error catalogue). Anything
 * else of src/ (server.ts, store/, domain/'s use cases, http/, web/, mail/, webhooks/ …) is
 * imported by an action, when that command runs.
 */
const LIGHT = [
  'cli/',
  'config.js',
  'clock.js',
  'crypto/secret-keys.js', // ZPASS_SECRET_KEY's parsing (node:crypto only)
  'crypto/sealing.js',
  'domain/errors.js',
  'log/format.js',
  'log/redact.js',
  'limits/redis-url.js',
  'http/connections.js',
];

const home = tempDir('zpass-cli-modules-');
after(() => rmSync(home, { recursive: true, force: true }));
let runs = 0;

/** Runs the CLI under the trace hook: its result and the URLs of the modules it resolved. */
async function traced(
  args: string[],
  env: Record<string, string> = {},
): Promise<Run & { modules: string[] }> {
  const file = join(home, `trace-${++runs}.txt`);
  const run = await startProcess(process.execPath, ['--import', TRACE_HOOK, BIN, ...args], {
    env: cliEnv(home, { ...env, ZPASS_MODULE_TRACE: file }),
  }).done;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no module resolved: the assertions below say so
  }
  return { ...run, modules: [...new Set(text.split('\n').filter(Boolean))] };
}

function packageOf(url: string): string | undefined {
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return m?.[1];
}

/** The modules of the list that a light command should not have loaded. */
function heavy(modules: string[]): string[] {
  return modules.filter((url) => {
    const pkg = packageOf(url);
    if (pkg !== undefined)
      return SERVER_PACKAGES.some((p) => (p.endsWith('/') ? pkg.startsWith(p) : pkg === p));
    if (url.includes('/packages/policy/')) return true;
    if (!url.startsWith(`${DIST}/`)) return false;
    const path = url.slice(DIST.length + 1);
    return !LIGHT.some((l) => (l.endsWith('/') ? path.startsWith(l) : path === l));
  });
}

/** The trace saw the CLI start (so an empty list of heavy modules means something). */
function assertTraced(modules: string[]): void {
  assert.ok(
    modules.includes(`${DIST}/cli/main.js`),
    `the trace missed the CLI: ${modules.slice(0, 5).join(' ')}`,
  );
  assert.ok(
    modules.some((u) => packageOf(u) === 'commander'),
    'the trace missed commander',
  );
}

describe('what the CLI loads', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.stop();
  });

  for (const args of [['--help'], ['users', 'list', '--help'], ['completion', 'bash'], ['admin', '--help']]) {
    it(`zpass ${args.join(' ')} loads nothing of the server side`, async () => {
      const r = await traced(args);
      assert.equal(r.code, 0, r.stderr);
      assert.notEqual(r.stdout, '');
      assertTraced(r.modules);
      assert.deepEqual(heavy(r.modules), []);
    });
  }

  it('a usage error is reported without loading the server side', async () => {
    const r = await traced(['users', 'list', '--no-such-option']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--no-such-option'/);
    assertTraced(r.modules);
    assert.deepEqual(heavy(r.modules), []);
  });

  it('zpass users list against a server loads the SDK and nothing of the server side', async () => {
    const r = await traced(['users', 'list', '--json'], {
      ZOOM_ACCOUNT_ID: t.demo.account_id,
      ZOOM_CLIENT_ID: t.demo.client_id,
      ZOOM_CLIENT_SECRET: t.demo.client_secret,
      ZOOM_API_URL: `${t.url}/v2`,
      ZOOM_OAUTH_URL: t.url,
    });
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as Array<{ email: string }>;
    assert.ok(listed.length > 0, r.stdout);
    assertTraced(r.modules);
    assert.ok(
      r.modules.some((u) => u.endsWith('/packages/zoom-client/dist/index.js')),
      'the SDK was not loaded',
    );
    assert.deepEqual(heavy(r.modules), []);
  });

  it('a command on the store loads the store (the trace sees what it must refuse above)', async () => {
    const data = join(home, 'store');
    const r = await traced(['migrate', '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    const found = heavy(r.modules);
    for (const expected of ['kysely', 'better-sqlite3'])
      assert.ok(
        found.some((u) => packageOf(u) === expected),
        `${expected} not seen: ${found.join(' ')}`,
      );
    assert.ok(found.includes(`${DIST}/store/database.js`));
  });
});
