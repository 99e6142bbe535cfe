import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { startServer } from '../src/server.js';
import { call, tempDir } from './helpers.js';
import { onPostgres } from './pg.js';

// A PostgreSQL that accepts TLS connections only, signed by a private CA: scripts/pg-tls.sh
// sets it up and prints the CA's path (CI exports it as ZPASS_TEST_PG_TLS_CA). Run once, in the
// SQLite pass (it does not use the pass's database).
const CA = process.env.ZPASS_TEST_PG_TLS_CA;
const BASE = process.env.ZPASS_TEST_PG_TLS_URL || 'postgres://postgres@127.0.0.1:5434/postgres';
const skip = !CA
  ? 'ZPASS_TEST_PG_TLS_CA is not set (scripts/pg-tls.sh)'
  : onPostgres()
    ? 'runs on the SQLite pass'
    : false;

function url(params: Record<string, string>): string {
  const u = new URL(BASE);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

function start(databaseUrl: string) {
  return startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: tempDir(),
    databaseUrl,
    logLevel: 'silent',
    trustProxy: false,
    migrate: true,
    demo: false,
    print: () => {},
    mail: { relay: false },
  });
}

describe('managed PostgreSQL over TLS', { skip }, () => {
  it('sslmode=verify-full with the CA in sslrootcert: connects over TLS and is ready', async () => {
    const server = await start(url({ sslmode: 'verify-full', sslrootcert: CA! }));
    try {
      const { rows } = await sql<{
        ssl: boolean;
      }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(server.store.db);
      assert.equal(rows[0]?.ssl, true);
      assert.equal((await call(`${server.url}/readyz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('a certificate from another CA: refused at start, naming the database without secrets', async () => {
    const other = join(dirname(CA!), 'other-ca.pem');
    await assert.rejects(start(url({ sslmode: 'verify-full', sslrootcert: other })), (err: Error) => {
      assert.match(
        err.message,
        /^Cannot reach the database at postgres:\/\/postgres@127\.0\.0\.1:5434\/postgres/,
      );
      assert.match(err.message, /certificate/i);
      return true;
    });
  });

  it('without TLS (sslmode=disable): the server refuses the connection, and zpass says so at start', async () => {
    await assert.rejects(
      start(url({ sslmode: 'disable' })),
      /^Error: Cannot reach the database at .*(no encryption|pg_hba)/,
    );
  });
});
