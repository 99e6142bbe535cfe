// Access tokens are JWTs with Zoom's claim names, signed with a key the store keeps
// (shared by every server, kept across restarts, rotatable), still looked up by digest
// so that revocation acts on the next request. Forged, malformed and expired tokens are
// refused from memory: the test counts the store's queries while they are sent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KyselyPlugin } from 'kysely';
import { ManualClock } from '../src/clock.js';
import { digest } from '../src/crypto/random.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { KEY_ACTIVATION_MS, rotateTokenKey } from '../src/domain/tokens/jwt.js';
import { serverKeys } from '../src/store/repositories/server-keys.js';
import { tokens } from '../src/store/repositories/tokens.js';
import { accountToken, addUser, call, startTestServer, type TestServer } from './helpers.js';

const BIN = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'bin', 'zpass.js');
const INVALID = { code: 124, message: 'Invalid access token.' };
const EXPIRED = { code: 124, message: 'Access token is expired.' };

const part = (s: string) =>
  JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;
const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const hs256 = (key: Buffer, input: string) => createHmac('sha256', key).update(input).digest('base64url');

/** Counts every query the server's store runs, through a Kysely plugin on its own connection object. */
function countQueries(t: TestServer): { readonly count: number; stop(): void } {
  const store = t.server.store;
  const original = store.db;
  let count = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      count++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  Object.defineProperty(store, 'db', { value: original.withPlugin(plugin), configurable: true });
  return {
    get count() {
      return count;
    },
    stop: () => Object.defineProperty(store, 'db', { value: original, configurable: true }),
  };
}

describe('access tokens are JWTs', () => {
  let t: TestServer;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1, 8, 0, 0, 250));
    t = await startTestServer({ clock });
  });
  after(() => t.stop());

  const me = (token: string) => call(`${t.url}/v2/users/me`, { token });

  it("carries Zoom's claims (aid, uid, iat, nbf, exp, jti, iss, aud) under HS256 with a key id", async () => {
    const res = await call(
      `${t.url}/oauth/token?grant_type=account_credentials&account_id=${t.demo.account_id}`,
      {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`${t.demo.client_id}:${t.demo.client_secret}`)}` },
      },
    );
    assert.equal(res.status, 200);
    const token = (res.body as { access_token: string }).access_token;
    assert.match(token, /^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const [h, p] = token.split('.') as [string, string];
    const header = part(h);
    assert.equal(header.alg, 'HS256');
    assert.equal(header.typ, 'JWT');
    assert.match(String(header.kid), /^[A-Za-z0-9_-]{12}$/);
    const claims = part(p);
    const iat = Math.floor(clock.now() / 1000);
    assert.deepEqual(
      { ...claims, jti: typeof claims.jti },
      {
        aud: 'zpass',
        iss: `zm:cid:${t.demo.client_id}`,
        uid: t.demo.owner.id,
        nbf: iat,
        exp: iat + 3600 + 1,
        iat,
        aid: t.demo.account_id,
        jti: 'string',
      },
    );
    assert.equal((await me(token)).status, 200);
    const other = await accountToken(t);
    assert.notEqual(part(other.split('.')[1]!).jti, claims.jti);
    // The key is the store's: its row exists, its secret is not the token's business.
    const keys = (await serverKeys.withPrefix(t.server.store.db, 'access_token_key:')).map((r) => r.name);
    assert.deepEqual(keys, [`access_token_key:${header.kid}`]);
  });

  it('refuses malformed, forged and tampered tokens with 401 code 124, without a query to the store', async () => {
    const good = await accountToken(t);
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = part(p);
    const header = part(h);
    const forged: Array<[string, string]> = [
      ['garbage', 'not-a-token'],
      ['two parts', `${h}.${p}`],
      ['four parts', `${good}.x`],
      ['an empty signature', `${h}.${p}.`],
      ['alg none', `${enc({ alg: 'none', typ: 'JWT', kid: header.kid })}.${p}.`],
      ['alg none with the real signature', `${enc({ alg: 'none', typ: 'JWT', kid: header.kid })}.${p}.${s}`],
      ['alg HS512', `${enc({ ...header, alg: 'HS512' })}.${p}.${s}`],
      ['no kid', `${enc({ alg: 'HS256', typ: 'JWT' })}.${p}.${s}`],
      [
        'a wrong key',
        (() => {
          const input = `${h}.${enc({ ...claims, jti: 'x' })}`;
          return `${input}.${hs256(randomBytes(32), input)}`;
        })(),
      ],
      ['another account in aid', `${h}.${enc({ ...claims, aid: 'AnotherAccount' })}.${s}`],
      ['a later exp', `${h}.${enc({ ...claims, exp: (claims.exp as number) + 86_400 })}.${s}`],
      ['a flipped signature bit', `${h}.${p}.${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`],
      ['a signature of another length', `${h}.${p}.${s}AAAA`],
      ['a payload that is not JSON', `${h}.${Buffer.from('{"aid":').toString('base64url')}.${s}`],
      ['a very long token', `${h}.${'A'.repeat(5000)}.${s}`],
    ];
    const counter = countQueries(t);
    try {
      for (const [name, token] of forged) {
        const res = await me(token);
        assert.equal(res.status, 401, name);
        assert.deepEqual(res.body, INVALID, name);
      }
      assert.equal(counter.count, 0, 'no query was made for a forged token');
      // The counter counts: a genuine token costs the lookup by digest.
      assert.equal((await me(good)).status, 200);
      assert.ok(counter.count > 0);
    } finally {
      counter.stop();
    }
  });

  it('answers an expired token "Access token is expired." by its exp, without a query; a revoked one at once', async () => {
    const u = await addUser(t);
    const userToken = await issueUserToken(t.server.ctx, u.email, ['user:read'], 120);
    const revoked = await accountToken(t);
    assert.equal((await me(revoked)).status, 200);
    await tokens.revoke(t.server.store.db, [digest(revoked)], clock.now());
    assert.deepEqual((await me(revoked)).body, INVALID);

    const token = await accountToken(t);
    clock.advance(3601 * 1000);
    const counter = countQueries(t);
    try {
      const res = await me(token);
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, EXPIRED);
      assert.deepEqual((await me(userToken.access_token)).body, EXPIRED);
      assert.equal(counter.count, 0);
    } finally {
      counter.stop();
    }
  });

  it('rotates: new tokens carry the new key id, tokens of the old key work until they expire', async () => {
    const before = await accountToken(t);
    const oldKid = part(before.split('.')[0]!).kid;
    const kid = await rotateTokenKey(t.server.store.db, clock.now());
    assert.notEqual(kid, oldKid);
    // The new key signs once it is active, so that every server has read it by then.
    assert.equal(part((await accountToken(t)).split('.')[0]!).kid, oldKid);
    clock.advance(KEY_ACTIVATION_MS);
    const after = await accountToken(t);
    assert.equal(part(after.split('.')[0]!).kid, kid);
    assert.equal((await me(before)).status, 200);
    assert.equal((await me(after)).status, 200);
    clock.advance(3601 * 1000);
    assert.deepEqual((await me(before)).body, EXPIRED);
  });
});

describe('the signing key is shared by every server on the store and survives restarts', () => {
  it('a token one server issued works on another, and after a restart; the CLI rotates the key', async () => {
    // One clock for both servers, so that the key's activation can be waited for without sleeping.
    const clock = new ManualClock();
    const first = await startTestServer({ clock });
    let second: TestServer | undefined;
    try {
      const token = await accountToken(first);
      second = await startTestServer({ dataDir: first.dataDir, clock });
      assert.equal((await call(`${second.url}/v2/users/me`, { token })).status, 200);
      const fromSecond = await accountToken(second);
      assert.equal((await call(`${first.url}/v2/users/me`, { token: fromSecond })).status, 200);

      const store = first.databaseUrl ? ['--database-url', first.databaseUrl] : ['--data', first.dataDir];
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [BIN, 'admin', 'rotate-token-key', '--json', ...store],
        { encoding: 'utf8' },
      );
      const { kid } = JSON.parse(stdout) as { kid: string };
      // The CLI dated the key by the system clock, a few seconds ahead of this one by now.
      clock.advance(KEY_ACTIVATION_MS + 60_000);
      const rotated = await accountToken(second);
      assert.equal(part(rotated.split('.')[0]!).kid, kid);
      // The first server learns of the new key from the store when it meets it.
      assert.equal((await call(`${first.url}/v2/users/me`, { token: rotated })).status, 200);
      assert.equal((await call(`${first.url}/v2/users/me`, { token })).status, 200);
      await second.stop(false);
      second = await startTestServer({ dataDir: first.dataDir, clock });
      const again = await call(`${second.url}/v2/users/me`, { token });
      assert.equal(again.status, 200, again.text);
      assert.equal((await call(`${second.url}/v2/users/me`, { token: rotated })).status, 200);
    } finally {
      await second?.stop(false);
      await first.stop(true);
    }
  });
});
