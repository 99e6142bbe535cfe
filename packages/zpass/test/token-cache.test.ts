import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { serveConfig } from '../src/config.js';
import { digest } from '../src/crypto/random.js';
import { createAccount } from '../src/domain/accounts/provisioning.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import type { NotifiedChanges } from '../src/store/auth-changes.js';
import { tokens } from '../src/store/repositories/tokens.js';
import {
  accountToken,
  addUser,
  appWithToken,
  call,
  rateHeaders,
  startTestServer,
  type TestServer,
} from './helpers.js';
import { onDatabase, onPostgres } from './pg.js';

/**
 * A server keeps the access tokens it verified in memory (domain/tokens/principal-cache.ts).
 * Each test first uses a token twice, so that the second request is served from memory
 * (the cache's hit count proves it), then changes what decides the token's verdict, through
 * the API, through `zpass admin` in another process, or on another server of the same
 * store, and expects the very next request to be answered as the change says.
 */

const BIN = join(import.meta.dirname, '..', 'bin', 'zpass.js');
/** The cache is asked for: on by default on SQLite only, these tests hold it on both stores. */
const CACHED = 1000;
const INVALID = { code: 124, message: 'Invalid access token.' };

const me = (t: TestServer, token: string) => call(`${t.url}/v2/users/me`, { token });
const getUser = (t: TestServer, token: string, id: string) => call(`${t.url}/v2/users/${id}`, { token });
const hits = (t: TestServer) => t.server.ctx.principals?.hits ?? 0;

/** Uses `token` until a request is answered from memory; returns that answer. */
async function cached(t: TestServer, token: string, send = () => me(t, token)) {
  assert.equal((await send()).status, 200);
  const before = hits(t);
  const res = await send();
  assert.equal(res.status, 200, res.text);
  assert.equal(hits(t), before + 1, 'the second request was served from memory');
  return res;
}

/** `zpass admin …` on the test server's store, from another process. */
async function admin(t: TestServer, ...args: string[]) {
  const store = t.databaseUrl ? ['--database-url', t.databaseUrl] : ['--data', t.dataDir];
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'admin', ...args, ...store], {
    encoding: 'utf8',
  });
  return stdout;
}

describe('verified access tokens kept in memory: every change applies to the very next request', () => {
  let t: TestServer;
  let owner: string;
  before(async () => {
    t = await startTestServer({ tokenCacheSize: CACHED });
    owner = await accountToken(t);
  });
  after(() => t.stop());

  it('through the API: sign-out everywhere, deactivation, a role change', async () => {
    const signedOut = await addUser(t);
    const ut = (await issueUserToken(t.server.ctx, signedOut.email, ['user:read'], 3600)).access_token;
    await cached(t, ut);
    assert.equal(
      (await call(`${t.url}/v2/users/${signedOut.id}/token`, { method: 'DELETE', token: owner })).status,
      204,
    );
    assert.deepEqual((await me(t, ut)).body, INVALID);

    const deactivated = await addUser(t);
    const dt = (await issueUserToken(t.server.ctx, deactivated.email, ['user:read'], 3600)).access_token;
    await cached(t, dt);
    const off = await call(`${t.url}/v2/users/${deactivated.id}/status`, {
      method: 'PUT',
      token: owner,
      json: { action: 'deactivate' },
    });
    assert.equal(off.status, 204, off.text);
    assert.deepEqual((await me(t, dt)).body, INVALID);

    // An admin's app reads other users; once the admin is a member, its token holds no :admin scope.
    const a = await addUser(t, { role: 'admin' });
    const { token: at } = await appWithToken(t, ['user:read:admin'], a.email);
    await cached(t, at, () => getUser(t, at, t.demo.member.id));
    const demoted = await call(`${t.url}/v2/roles/2/members`, {
      method: 'POST',
      token: owner,
      json: { members: [{ id: a.id }] },
    });
    assert.equal(demoted.status, 201, demoted.text);
    const refused = await getUser(t, at, t.demo.member.id);
    assert.equal(refused.status, 400, refused.text);
    assert.equal((refused.body as { code: number }).code, 4711);
  });

  it("through the token endpoint: a new token past the app's cap revokes the oldest", async () => {
    const { app, token: oldest } = await appWithToken(t, ['user:read:admin']);
    await cached(t, oldest);
    const creds = { accountId: t.demo.account_id, clientId: app.client_id, clientSecret: app.client_secret };
    for (let i = 0; i < t.server.ctx.settings.maxLiveTokensPerApp; i++) await accountToken(t, creds);
    assert.deepEqual((await me(t, oldest)).body, INVALID);
  });

  it('through the store, as any other writer would: a revoked row', async () => {
    const token = await accountToken(t);
    await cached(t, token);
    await tokens.revoke(t.server.store.db, [digest(token)], Date.now());
    assert.deepEqual((await me(t, token)).body, INVALID);
  });

  it('through zpass admin in another process: set-status, set-role, set-plan, set-limit', async () => {
    const u = await addUser(t);
    const ut = (await issueUserToken(t.server.ctx, u.email, ['user:read'], 3600)).access_token;
    await cached(t, ut);
    await admin(t, 'set-status', '--user', u.email, '--action', 'deactivate');
    assert.deepEqual((await me(t, ut)).body, INVALID);

    const a = await addUser(t, { role: 'admin' });
    const { token: at } = await appWithToken(t, ['user:read:admin'], a.email);
    await cached(t, at, () => getUser(t, at, t.demo.member.id));
    await admin(t, 'set-role', '--user', a.email, '--role', 'member');
    assert.equal((await getUser(t, at, t.demo.member.id)).status, 400);

    // An account of its own, without the test's lifted limits: the plan's limits show.
    const acct = await createAccount(t.server.ctx, {
      ownerEmail: `cache-${Date.now()}@example.test`,
      plan: 'pro',
    });
    const pt = await accountToken(t, {
      accountId: acct.account_id,
      clientId: acct.app.client_id,
      clientSecret: acct.app.client_secret,
    });
    const pro = await cached(t, pt);
    assert.equal(rateHeaders(pro).limit, '30');
    await admin(t, 'set-plan', '--account', acct.account_id, '--plan', 'business');
    assert.equal(rateHeaders(await me(t, pt)).limit, '80');
    await cached(t, pt);
    await admin(
      t,
      'set-limit',
      '--account',
      acct.account_id,
      '--category',
      'Light',
      '--type',
      'qps',
      '--limit',
      '7',
    );
    assert.equal(rateHeaders(await me(t, pt)).limit, '7');
  });
});

describe('two servers on one store: a change on one applies on the other at once', () => {
  let a: TestServer;
  let b: TestServer | undefined;
  before(async () => {
    a = await startTestServer({ tokenCacheSize: CACHED });
    b = await startTestServer({ dataDir: a.dataDir, tokenCacheSize: CACHED });
  });
  after(async () => {
    await b?.stop(false);
    await a.stop(true);
  });

  it('a deactivation and a revocation through A refuse the token on B', async () => {
    const owner = await accountToken(a);
    const u = await addUser(a);
    const ut = (await issueUserToken(a.server.ctx, u.email, ['user:read'], 3600)).access_token;
    await cached(b!, ut);
    const off = await call(`${a.url}/v2/users/${u.id}/status`, {
      method: 'PUT',
      token: owner,
      json: { action: 'deactivate' },
    });
    assert.equal(off.status, 204, off.text);
    assert.deepEqual((await me(b!, ut)).body, INVALID);

    const v = await addUser(a);
    const vt = (await issueUserToken(a.server.ctx, v.email, ['user:read'], 3600)).access_token;
    await cached(b!, vt);
    assert.equal(
      (await call(`${a.url}/v2/users/${v.id}/token`, { method: 'DELETE', token: owner })).status,
      204,
    );
    assert.deepEqual((await me(b!, vt)).body, INVALID);
  });
});

describe('ZPASS_TOKEN_CACHE_SIZE', () => {
  it('is read at start: a whole number from 0 to 1000000, unset by default; anything else stops the start', () => {
    assert.equal(serveConfig({}, {}).tokenCacheSize, undefined);
    assert.equal(serveConfig({}, { ZPASS_TOKEN_CACHE_SIZE: '0' }).tokenCacheSize, 0);
    assert.equal(serveConfig({}, { ZPASS_TOKEN_CACHE_SIZE: '500' }).tokenCacheSize, 500);
    for (const bad of ['-1', '1.5', 'many', '1000001'])
      assert.throws(
        () => serveConfig({}, { ZPASS_TOKEN_CACHE_SIZE: bad }),
        /ZPASS_TOKEN_CACHE_SIZE must be an integer from 0 to 1000000, got /,
      );
  });

  it('is on by default on SQLite, off on PostgreSQL unless asked for', async () => {
    const t = await startTestServer();
    try {
      assert.equal(t.server.ctx.principals !== undefined, !onPostgres());
    } finally {
      await t.stop();
    }
  });

  it('bounds the tokens kept, dropping the least recently used; 0 keeps none', async () => {
    const t = await startTestServer({ tokenCacheSize: 2 });
    try {
      const [t1, t2, t3] = [await accountToken(t), await accountToken(t), await accountToken(t)];
      await cached(t, t1);
      await cached(t, t2);
      assert.equal(t.server.ctx.principals?.count, 2);
      // t1 is used again (most recent), then t3 makes room by dropping t2.
      await cached(t, t1, () => me(t, t1));
      await me(t, t3);
      assert.equal(t.server.ctx.principals?.count, 2);
      const before = hits(t);
      assert.equal((await me(t, t1)).status, 200);
      assert.equal((await me(t, t2)).status, 200);
      assert.equal(hits(t), before + 1, 't1 was kept, t2 was not');
    } finally {
      await t.stop();
    }
    const off = await startTestServer({ tokenCacheSize: 0 });
    try {
      const token = await accountToken(off);
      assert.equal(off.server.ctx.principals, undefined);
      assert.equal((await me(off, token)).status, 200);
      assert.equal((await me(off, token)).status, 200);
    } finally {
      await off.stop();
    }
  });
});

describe('PostgreSQL: the LISTEN connection that hears changes', { skip: !onPostgres() }, () => {
  it('while it is down nothing is served from memory, and a change missed meanwhile is not missed', async () => {
    const t = await startTestServer({ tokenCacheSize: CACHED });
    try {
      const changes = t.server.store.authChanges as NotifiedChanges;
      const token = await accountToken(t);
      await cached(t, token);
      const listener = () =>
        onDatabase(
          t.databaseUrl!,
          async (c) =>
            (await c.query(`select pid from pg_stat_activity where query = 'LISTEN zpass_auth'`)).rows,
        );
      assert.equal((await listener()).length, 1);
      await onDatabase(t.databaseUrl!, (c) =>
        c.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = 'LISTEN zpass_auth'`),
      );
      while (changes.version() !== undefined) await new Promise((r) => setTimeout(r, 20));
      // Revoked while nobody listens: the notice is lost.
      await onDatabase(t.databaseUrl!, (c) =>
        c.query('update access_tokens set revoked_at = $1 where digest = $2', [Date.now(), digest(token)]),
      );
      // Listening again (reopened after 2 s): the entry kept before the loss is not served.
      while (changes.version() === undefined) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual((await me(t, token)).body, INVALID);
      const fresh = await accountToken(t);
      await cached(t, fresh);
    } finally {
      await t.stop();
    }
  });
});
