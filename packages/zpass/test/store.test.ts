import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { systemClock } from '../src/clock.js';
import { Hasher } from '../src/crypto/hasher.js';
import { createUser } from '../src/domain/accounts/provisioning.js';
import { DEFAULT_DOMAIN_SETTINGS, type DomainContext } from '../src/domain/context.js';
import { AdminError } from '../src/domain/errors.js';
import { TokenKeyring } from '../src/domain/tokens/jwt.js';
import { startServer } from '../src/server.js';
import { openStore, type Store } from '../src/store/database.js';
import { AfterCommitError } from '../src/store/failures.js';
import { migrations, SchemaTooNewError } from '../src/store/migrator.js';
import { outbox } from '../src/store/repositories/outbox.js';
import { users } from '../src/store/repositories/users.js';
import { startTestServer, type TestServer, tempDir } from './helpers.js';
import { createTestDatabase, databaseFor, dropTestDatabase } from './pg.js';

/**
 * A second handle on the test server's store, as another server process would hold.
 * On PostgreSQL that is a second connection pool. better-sqlite3 waits for SQLite's
 * lock synchronously, so two handles in one process would block each other's event
 * loop; on SQLite the same handle is shared (its writers queue on one connection,
 * as a single server's do) and cross-process writers are covered by the CLI tests.
 */
function secondStore(t: TestServer): Store & { release(): Promise<void> } {
  if (t.server.store.dialect === 'sqlite')
    return Object.assign(Object.create(t.server.store), { release: async () => {} });
  const store = openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
  return Object.assign(store, { release: () => store.close() });
}

describe(`store (${process.env.ZPASS_TEST_STORE ?? 'sqlite'})`, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('applies every migration once; a second run applies none', async () => {
    const rows = await sql<{ name: string }>`select name from zpass_migrations order by name`.execute(
      t.server.store.db,
    );
    assert.deepEqual(
      rows.rows.map((r) => r.name),
      Object.keys(migrations(t.server.store.dialect)),
    );
    assert.deepEqual((await t.server.store.migrate()).applied, []);
    assert.deepEqual(await t.server.store.pending(), []);
  });

  it('refuses to start against a schema newer than it knows, with a clear message', async () => {
    const dataDir = tempDir();
    const databaseUrl = await databaseFor(dataDir);
    const store = openStore({ dataDir, databaseUrl });
    try {
      await store.migrate();
      await sql`insert into zpass_migrations (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(
        store.db,
      );
    } finally {
      await store.close();
    }
    const start = () =>
      startServer({
        port: 0,
        host: '127.0.0.1',
        dataDir,
        databaseUrl,
        logLevel: 'silent',
        trustProxy: false,
        migrate: true,
        print: () => {},
      });
    await assert.rejects(start, (err: unknown) => {
      assert.ok(err instanceof SchemaTooNewError);
      assert.match(err.message, /9999_from_the_future/);
      assert.match(err.message, /newer zpass/);
      return true;
    });
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  it('with migrate off, refuses to start while migrations are pending', async () => {
    const dataDir = tempDir();
    const databaseUrl = process.env.ZPASS_TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
    await assert.rejects(
      startServer({
        port: 0,
        host: '127.0.0.1',
        dataDir,
        databaseUrl,
        logLevel: 'silent',
        trustProxy: false,
        migrate: false,
        print: () => {},
      }),
      /schema is behind this zpass \(pending: 0001_initial.*zpass migrate/,
    );
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  it('keeps e-mails unique, case-insensitively, when writers race', async () => {
    const other = secondStore(t);
    try {
      const ctxs: DomainContext[] = [t.server.ctx, { ...t.server.ctx, store: other }];
      const attempts = Array.from({ length: 10 }, (_, i) =>
        createUser(ctxs[i % 2]!, {
          accountId: t.demo.account_id,
          email: i % 2 ? 'Race@Example.test' : 'race@example.TEST',
          role: 'member',
        }),
      );
      const results = await Promise.allSettled(attempts);
      const ok = results.filter((r) => r.status === 'fulfilled');
      assert.equal(ok.length, 1);
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.ok(r.reason instanceof AdminError, String(r.reason));
          assert.match(r.reason.message, /already used/);
        }
      }
      const found = await users.byEmail(t.server.store.db, 'RACE@example.test');
      assert.ok(found);
    } finally {
      await other.release();
    }
  });

  it('hands each outbox row to exactly one of two concurrent claimers', async () => {
    const now = Date.now();
    for (let i = 0; i < 60; i++) {
      await t.server.store.transaction((tx) =>
        outbox.insert(tx, {
          kind: 'claim_test',
          account_id: t.demo.account_id,
          recipient: `claim${i}@example.test`,
          payload: '{}',
          status: 'pending',
          attempts: 0,
          next_attempt_at: now - 1000,
          last_error: null,
          created_at: now,
          sent_at: null,
        }),
      );
    }
    const other = secondStore(t);
    try {
      const claimer = (store: Store) => async () => {
        const got: number[] = [];
        for (;;) {
          const rows = await store.transaction(async (tx) => {
            const claimed = await outbox.claim(tx, store.dialect, Date.now(), 4, 60_000);
            // Hold the claim a moment so that the other claimer runs meanwhile.
            await new Promise((r) => setTimeout(r, 2));
            return claimed;
          });
          if (rows.length === 0) return got;
          got.push(...rows.filter((r) => r.kind === 'claim_test').map((r) => r.id));
        }
      };
      const [a, b] = await Promise.all([claimer(t.server.store)(), claimer(other)()]);
      const all = [...a, ...b];
      assert.equal(new Set(all).size, all.length, 'no row claimed twice');
      assert.equal(all.length, 60);
      assert.ok(a.length > 0 && b.length > 0, `both claimers got rows (${a.length}, ${b.length})`);
    } finally {
      await other.release();
    }
  });

  it('runs after-commit hooks once the transaction committed, never after a rollback', async () => {
    const store = t.server.store;
    const seen: string[] = [];
    const name = `hook-${Date.now()}`;
    const result = await store.transaction(async (tx) => {
      tx.afterCommit(() => seen.push('first'));
      await sql`insert into server_keys (name, secret, created_at) values (${name}, 'x', 0)`.execute(tx);
      tx.afterCommit(() => seen.push('second'));
      // A hook that throws does not turn the committed transaction into a failure.
      tx.afterCommit(() => {
        throw new Error('hook failed');
      });
      tx.afterCommit(() => seen.push('third'));
      assert.deepEqual(seen, [], 'no hook runs before the commit');
      return 'done';
    });
    assert.equal(result, 'done');
    assert.deepEqual(seen, ['first', 'second', 'third']);
    assert.ok(
      await sql`select name from server_keys where name = ${name}`.execute(store.db).then((r) => r.rows[0]),
    );

    await assert.rejects(
      store.transaction(async (tx) => {
        tx.afterCommit(() => seen.push('rolled back'));
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.deepEqual(seen, ['first', 'second', 'third']);
  });

  it('reports a throwing after-commit hook as a background error of its own kind', async () => {
    const reported: Error[] = [];
    const store = openStore({
      dataDir: tempDir(),
      databaseUrl: t.databaseUrl,
      onBackgroundError: (err) => reported.push(err),
    });
    try {
      const ran: string[] = [];
      await store.transaction(async (tx) => {
        tx.afterCommit(() => {
          throw new Error('hook failed');
        });
        tx.afterCommit(() => ran.push('next'));
      });
      assert.deepEqual(ran, ['next']);
      assert.equal(reported.length, 1);
      assert.ok(reported[0] instanceof AfterCommitError);
      assert.equal(reported[0]?.message, 'an after-commit hook failed: hook failed');
    } finally {
      await store.close();
    }
  });

  it("announces a channel to the store's listeners once per committed transaction", async () => {
    const store = t.server.store;
    let heard = 0;
    const stop = store.listen('test_channel', () => heard++);
    try {
      await store.transaction(async (tx) => {
        await tx.announce('test_channel');
        await tx.announce('test_channel');
        await tx.announce('other_channel');
        assert.equal(heard, 0);
      });
      assert.equal(heard, 1);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.announce('test_channel');
          throw new Error('abort');
        }),
      );
      assert.equal(heard, 1);
    } finally {
      stop();
    }
    await store.transaction((tx) => tx.announce('test_channel'));
    assert.equal(heard, 1, 'an unsubscribed listener hears nothing');
  });

  it('opens a store directly from its options (what the CLI does)', async () => {
    const store = secondStore(t);
    try {
      const ctx: DomainContext = {
        store,
        hasher: new Hasher(),
        clock: systemClock,
        settings: DEFAULT_DOMAIN_SETTINGS,
        tokenKeys: new TokenKeyring(),
      };
      assert.ok(await users.byId(ctx.store.db, t.demo.owner.id));
    } finally {
      await store.release();
    }
  });
});
