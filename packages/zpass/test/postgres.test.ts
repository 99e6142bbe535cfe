import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { DemoCredentials } from '../src/domain/accounts/demo.js';
import { setLimit } from '../src/domain/accounts/limits.js';
import { createUser } from '../src/domain/accounts/provisioning.js';
import { createLogger } from '../src/log/logger.js';
import { startServer } from '../src/server.js';
import { OUTBOX_CHANNEL, openStore } from '../src/store/database.js';
import { listenForNotices } from '../src/store/listen.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { accountToken, call, putPassword, startTestServer, type TestServer, tempDir } from './helpers.js';
import { createTestDatabase, dropTestDatabase, onDatabase, onPostgres } from './pg.js';
import { waitUntilUp } from './processes.js';
import { outboxFor, passwordChangesFor } from './queries.js';
import { faultyRelay, freePort } from './relay.js';
import { waitFor } from './smtp.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'zpass.js');
const CAP_MESSAGE =
  'This password cannot be changed because it has already been changed the maximum number of times over the past 24 hours.';
// These tests need a PostgreSQL server: they run on the PostgreSQL pass of scripts/test.mjs.
const needsPostgres = { skip: onPostgres() ? false : 'runs on the PostgreSQL pass' };

/** Kills every connection to the database but the one doing the killing. */
async function killConnections(databaseUrl: string): Promise<number> {
  return onDatabase(databaseUrl, async (c) => {
    const res = await c.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return res.rowCount ?? 0;
  });
}

describe('a bad DATABASE_URL', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );

  it('fails at start with one clear line, without the password', async () => {
    const data = tempDir();
    const res = await run([
      'serve',
      '--port',
      '0',
      '--data',
      data,
      '--database-url',
      'postgres://zp:s3cr3t-pw@127.0.0.1:1/zpass',
    ]);
    assert.equal(res.code, 1);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match(
      lines[0]!,
      /^zpass: Cannot reach the database at postgres:\/\/zp:\*\*\*@127\.0\.0\.1:1\/zpass: /,
    );
    assert.ok(!res.stderr.includes('s3cr3t-pw'));
  });

  it('refuses a URL that is not PostgreSQL, in one line, also from the environment', async () => {
    const res = await run(['migrate', '--data', tempDir()], { DATABASE_URL: 'mysql://root@127.0.0.1/x' });
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /^zpass: DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
  });
});

describe('PostgreSQL connections lost mid-run', needsPostgres, () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  it('answers 503 in Zoom format with Retry-After, then recovers by itself, leaving nothing half-applied', async () => {
    const user = await createUser(t.server.ctx, {
      accountId: t.demo.account_id,
      email: 'reconnect@example.test',
      role: 'member',
      password: 'Initial-Pass-1',
    });
    assert.equal((await putPassword(t, token, user.id, 'Before-Kill-Pass-1')).status, 204);
    const statuses: number[] = [];
    // Requests in flight while every connection is killed, then requests after it.
    const inFlight = Array.from({ length: 6 }, (_, i) =>
      putPassword(t, token, user.id, `During-Kill-Pass-${i}a`),
    );
    const killed = await killConnections(t.databaseUrl!);
    assert.ok(killed > 0, 'the server had connections to kill');
    const responses = await Promise.all(inFlight);
    for (let i = 0; i < 4; i++) responses.push(await call(`${t.url}/v2/users/${user.id}`, { token }));
    for (const r of responses) {
      statuses.push(r.status);
      if (r.status === 503) {
        assert.deepEqual(r.body, {
          code: 503,
          message: 'The service is temporarily unavailable. Try again later.',
        });
        assert.equal(r.headers.get('retry-after'), '1');
      } else {
        assert.ok([200, 204, 400].includes(r.status), `unexpected ${r.status}: ${r.text}`);
        if (r.status === 400) assert.deepEqual(r.body, { code: 300, message: CAP_MESSAGE });
      }
    }
    // Recovered: the next request works.
    const last = await call(`${t.url}/v2/users/${user.id}`, { token });
    assert.equal(last.status, 200, `statuses ${statuses.join(',')}: ${last.text}`);
    // Every accepted change is whole: credential version, change log and outbox agree.
    const db = t.server.store.db;
    const accepted = 1 + responses.filter((r) => r.status === 204).length;
    const log = await passwordChangesFor(db, user.id);
    const mails = await outboxFor(db, user.email);
    const cred = await credentials.get(db, user.id);
    assert.equal(log.length, accepted);
    assert.equal(mails.length, accepted);
    assert.equal(cred!.version, 1 + accepted);
  });
});

describe('PostgreSQL unreachable, then back', needsPostgres, () => {
  it('answers 503 with Retry-After while the database is gone and recovers when it returns', async () => {
    const databaseUrl = await createTestDatabase();
    const direct = new URL(databaseUrl);
    const relay = await faultyRelay({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaRelay = new URL(databaseUrl);
    viaRelay.port = String(relay.port);
    const dataDir = tempDir();
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: viaRelay.toString(),
      logLevel: 'silent',
      trustProxy: false,
      migrate: true,
      print: () => {},
    });
    try {
      const t = { url: server.url, demo: server.demo! } as TestServer;
      const token = await accountToken(t);
      const user = await createUser(server.ctx, {
        accountId: server.demo!.account_id,
        email: 'relay@example.test',
        role: 'member',
        password: 'Initial-Pass-1',
      });
      await relay.cut();
      const unavailable = { code: 503, message: 'The service is temporarily unavailable. Try again later.' };
      for (const r of [
        await call(`${server.url}/v2/users/${user.id}`, { token }),
        await putPassword(t, token, user.id, 'While-Down-Pass-1'),
      ]) {
        assert.equal(r.status, 503, r.text);
        assert.deepEqual(r.body, unavailable);
        assert.equal(r.headers.get('retry-after'), '1');
      }
      await relay.restore();
      let recovered = await call(`${server.url}/v2/users/${user.id}`, { token });
      // A connection that died unnoticed in the pool may fail one more request.
      if (recovered.status === 503) recovered = await call(`${server.url}/v2/users/${user.id}`, { token });
      assert.equal(recovered.status, 200, recovered.text);
      assert.equal((await putPassword(t, token, user.id, 'After-Back-Pass-1')).status, 204);
      // Nothing of the refused change was written.
      assert.equal((await passwordChangesFor(server.store.db, user.id)).length, 1);
      assert.equal((await credentials.get(server.store.db, user.id))!.version, 2);
    } finally {
      await server.close();
      await relay.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});

describe('two server processes on one PostgreSQL database', needsPostgres, () => {
  let databaseUrl: string;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  let demo: DemoCredentials;

  before(async () => {
    databaseUrl = await createTestDatabase();
    const dirs = [tempDir(), tempDir()];
    const outputs: string[] = ['', ''];
    // Both start at once on an empty database: migrations and the demo account must not race.
    await Promise.all(
      dirs.map(async (dir, i) => {
        const port = await freePort();
        const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data', dir], {
          // The test is about the store under 50 changes at once: every change queues for hashing
          // (no wait bound), as the test helpers' servers do; hasher.test.ts tests the bound.
          env: {
            ...process.env,
            DATABASE_URL: databaseUrl,
            ZPASS_LOG_LEVEL: 'warn',
            ZPASS_DEMO: '1',
            ZPASS_HASH_MAX_WAIT_MS: 'none',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.on('data', (d) => {
          outputs[i] += String(d);
        });
        child.stderr!.on('data', (d) => {
          outputs[i] += String(d);
        });
        children.push(child);
        const url = `http://127.0.0.1:${port}`;
        urls[i] = url;
        await waitUntilUp(url, child, () => outputs[i]!);
      }),
    );
    const made = dirs.map((d) => {
      try {
        return JSON.parse(readFileSync(join(d, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
      } catch {
        return undefined;
      }
    });
    assert.equal(made.filter(Boolean).length, 1, 'exactly one server created the demo account');
    demo = made.find(Boolean)!;
  });

  after(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  it('keeps the 24-hour cap, the history and one notice per change under 50 concurrent changes', async () => {
    const store = openStore({ dataDir: tempDir(), databaseUrl });
    try {
      const { systemClock } = await import('../src/clock.js');
      const { Hasher } = await import('../src/crypto/hasher.js');
      const { DEFAULT_DOMAIN_SETTINGS } = await import('../src/domain/context.js');
      const { TokenKeyring } = await import('../src/domain/tokens/jwt.js');
      const ctx = {
        store,
        hasher: new Hasher(),
        clock: systemClock,
        settings: DEFAULT_DOMAIN_SETTINGS,
        tokenKeys: new TokenKeyring(),
      };
      // 50 changes at once are over Zoom's per-second limit (Medium, Pro: 20/s): lift it, as the test is about the store.
      await setLimit(ctx, demo.account_id, 'Medium', 'QPS', '1000000');
      const users: Awaited<ReturnType<typeof createUser>>[] = [];
      for (let i = 0; i < 5; i++) {
        users.push(
          await createUser(ctx, {
            accountId: demo.account_id,
            email: `multi${i}@example.test`,
            role: 'member',
            password: 'Initial-Pass-1',
          }),
        );
      }
      const tokens = await Promise.all(
        urls.map(async (url) => {
          const res = await fetch(
            `${url}/oauth/token?grant_type=account_credentials&account_id=${demo.account_id}`,
            {
              method: 'POST',
              headers: {
                authorization: `Basic ${Buffer.from(`${demo.client_id}:${demo.client_secret}`).toString('base64')}`,
              },
            },
          );
          assert.equal(res.status, 200);
          return ((await res.json()) as { access_token: string }).access_token;
        }),
      );
      const requests = Array.from({ length: 50 }, (_, i) => {
        const server = i % 2;
        const user = users[i % 5]!;
        return call(`${urls[server]}/v2/users/${user.id}/password`, {
          method: 'PUT',
          token: tokens[server],
          json: { password: `Multi-Proc-Pass-${i}x` },
        }).then((r) => ({ r, user, password: `Multi-Proc-Pass-${i}x` }));
      });
      const results = await Promise.all(requests);
      for (const { r } of results) {
        if (r.status !== 204)
          assert.deepEqual(
            { status: r.status, body: r.body },
            { status: 400, body: { code: 300, message: CAP_MESSAGE } },
          );
      }
      for (const user of users) {
        const accepted = results.filter((x) => x.user.id === user.id && x.r.status === 204);
        assert.equal(accepted.length, 5, `user ${user.email} got ${accepted.length} changes`);
        const log = await passwordChangesFor(store.db, user.id);
        const mails = await outboxFor(store.db, user.email);
        const cred = await credentials.get(store.db, user.id);
        assert.equal(log.length, 5);
        assert.equal(mails.length, 5);
        assert.equal(cred!.version, 6);
        // The stored hash is one of the accepted passwords.
        const { verify } = await import('@node-rs/argon2');
        const matches = await Promise.all(accepted.map((a) => verify(cred!.phc, a.password)));
        assert.equal(matches.filter(Boolean).length, 1);
      }
    } finally {
      await store.close();
    }
  });
});

describe('notices between stores on one PostgreSQL database', needsPostgres, () => {
  it("passes on other processes' notices, and not its own, whose commit already called the listeners", async () => {
    const databaseUrl = await createTestDatabase();
    const here = openStore({ dataDir: tempDir(), databaseUrl });
    const there = openStore({ dataDir: tempDir(), databaseUrl });
    const logger = createLogger('silent');
    const closers: Array<() => Promise<void>> = [];
    try {
      await here.migrate();
      const woken = { here: 0, there: 0, local: 0 };
      here.onOutbox(() => woken.local++);
      for (const [name, store] of [
        ['here', here],
        ['there', there],
      ] as const) {
        const subscribe = listenForNotices(databaseUrl, logger, {
          sentHere: (pid) => store.announcedHere(pid),
        });
        closers.push(await subscribe(() => woken[name]++));
      }
      // Each listener wakes once when it starts listening.
      assert.deepEqual(woken, { here: 1, there: 1, local: 0 });

      await here.transaction((tx) => tx.announce(OUTBOX_CHANNEL));
      assert.equal(woken.local, 1, 'the commit calls the listeners of its own process');
      await waitFor('the other store to hear the notice', () => woken.there === 2, 5000);
      // A notice sent after it from outside either store: each listening connection receives
      // notices in commit order, so once this one arrives the first has been seen too.
      await onDatabase(databaseUrl, (c) => c.query(`notify ${OUTBOX_CHANNEL}`));
      await waitFor(
        'both stores to hear the outside notice',
        () => woken.here >= 2 && woken.there === 3,
        5000,
      );
      assert.deepEqual(woken, { here: 2, there: 3, local: 1 });
    } finally {
      for (const close of closers) await close();
      await here.close();
      await there.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
