#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test and e2e/ (the tests that need both the SDK and the
// server) with Node's test runner (TypeScript through tsx):
// once on the embedded SQLite store, then again on PostgreSQL when a server is reachable
// (ZPASS_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
// With ZPASS_REQUIRE_POSTGRES=1 (as in CI) an unreachable PostgreSQL fails the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

function find(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const stores = args.includes('--sqlite-only')
  ? ['sqlite']
  : args.includes('--postgres-only')
    ? ['postgres']
    : ['sqlite', 'postgres'];
const files =
  only.length > 0
    ? only
    : [
        ...readdirSync('packages').flatMap((p) => {
          try {
            return find(join('packages', p, 'test'), []);
          } catch {
            return [];
          }
        }),
        ...find('e2e', []),
      ];
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const adminUrl = process.env.ZPASS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresReachable() {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

function run(store) {
  console.log(`\n=== test pass: ${store} ===\n`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', ZPASS_TEST_STORE: store },
  });
  return res.status ?? 1;
}

let failed = false;
for (const store of stores) {
  if (store === 'postgres') {
    const why = await postgresReachable();
    if (why) {
      const redacted = adminUrl.replace(/:[^:@/]*@/, ':***@');
      console.log(`\n*** PostgreSQL pass SKIPPED: cannot reach ${redacted}: ${why} ***\n`);
      if (process.env.ZPASS_REQUIRE_POSTGRES === '1') {
        console.error('ZPASS_REQUIRE_POSTGRES=1: the PostgreSQL pass is mandatory here.');
        failed = true;
      }
      continue;
    }
  }
  if (run(store) !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
