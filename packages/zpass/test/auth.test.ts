import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { digest } from '../src/crypto/random.js';
import { createAccount, createApp, createUser } from '../src/domain/accounts/provisioning.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { tokens } from '../src/store/repositories/tokens.js';
import {
  accountToken,
  addUser,
  appWithToken,
  basic,
  call,
  type JsonResponse,
  putPassword,
  startTestServer,
  type TestServer,
  tokenRequest,
} from './helpers.js';

const INVALID = { code: 124, message: 'Invalid access token.' };
const EXPIRED = { code: 124, message: 'Access token is expired.' };
const IN_QUERY = {
  code: 124,
  message: 'Invalid access token, this access token is not supported as query parameter string.',
};
const NO_WRITE_ADMIN = {
  code: 4711,
  message: 'Invalid access token, does not contain scopes:[user:write:admin, user:update:password:admin].',
};
const NO_WRITE_USER = {
  code: 4711,
  message: 'Invalid access token, does not contain scopes:[user:write, user:update:password].',
};
const NO_READ_ADMIN = {
  code: 4711,
  message:
    'Invalid access token, does not contain scopes:[user:read:admin, user:write:admin, user:read:user:admin].',
};
const ZOOM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function assertError(res: JsonResponse, status: number, body: { code: number; message: string }) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(res.body, body);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(res.headers.get('x-zm-trackingid') ?? '', /^\S+$/);
}

/** The two endpoints under test, with a request carrying the given headers. */
function endpoints(t: TestServer, userId: () => string) {
  return [
    {
      name: 'GET /v2/users/me',
      send: (headers: Record<string, string>, query = '') =>
        call(`${t.url}/v2/users/me${query}`, { headers }),
    },
    {
      name: 'PUT /v2/users/{id}/password',
      send: (headers: Record<string, string>, query = '') =>
        call(`${t.url}/v2/users/${userId()}/password${query}`, {
          method: 'PUT',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ password: 'Never-Stored-Pass-1' }),
        }),
    },
  ];
}

describe('authentication: the 401 answers', () => {
  let t: TestServer;
  let token: string;
  let target: { id: string };

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
    target = await addUser(t);
  });
  after(async () => {
    // None of the refused requests changed the password.
    assert.equal((await credentials.get(t.server.store.db, target.id))?.version, 1);
    await t.stop();
  });

  it('accepts the valid token on both endpoints (the baseline of the cases below)', async () => {
    const me = await call(`${t.url}/v2/users/me`, { token });
    assert.equal(me.status, 200);
    const u = await addUser(t);
    assert.equal((await putPassword(t, token, u.id, 'Baseline-Pass-1')).status, 204);
  });

  for (const which of [0, 1]) {
    describe(which === 0 ? 'GET /v2/users/me' : 'PUT /v2/users/{id}/password', () => {
      const ep = () => endpoints(t, () => target.id)[which]!;

      it('answers 401 code 124 without an Authorization header', async () => {
        assertError(await ep().send({}), 401, INVALID);
      });

      it('answers 401 code 124 for an unknown token', async () => {
        assertError(await ep().send({ authorization: 'Bearer not-a-token-zpass-issued' }), 401, INVALID);
        assertError(await ep().send({ authorization: `Bearer ${token}x` }), 401, INVALID);
        assertError(await ep().send({ authorization: 'Bearer ' }), 401, INVALID);
      });

      it('answers 401 code 124 for a valid token under another scheme', async () => {
        assertError(await ep().send({ authorization: `Token ${token}` }), 401, INVALID);
        assertError(await ep().send({ authorization: token }), 401, INVALID);
        assertError(
          await ep().send({ authorization: basic(t.demo.client_id, t.demo.client_secret) }),
          401,
          INVALID,
        );
        assertError(await ep().send({ authorization: `Bearer ${token} extra` }), 401, INVALID);
      });

      it('answers 401 code 124 for a revoked token', async () => {
        const revoked = await accountToken(t);
        assert.equal((await call(`${t.url}/v2/users/me`, { token: revoked })).status, 200);
        await tokens.revoke(t.server.store.db, [digest(revoked)], t.server.ctx.clock.now());
        assertError(await ep().send({ authorization: `Bearer ${revoked}` }), 401, INVALID);
      });

      it('answers 401 code 124 with its own message for a token in the query string', async () => {
        const q = `?access_token=${encodeURIComponent(token)}`;
        assertError(await ep().send({}, q), 401, IN_QUERY);
        assertError(
          await ep().send({}, `?page_size=30&access_token=${encodeURIComponent(token)}`),
          401,
          IN_QUERY,
        );
        // Even beside a valid header: the query-string token is refused, not ignored.
        assertError(await ep().send({ authorization: `Bearer ${token}` }, q), 401, IN_QUERY);
        // An unknown token in the query string gets the same answer.
        assertError(await ep().send({}, '?access_token=whatever'), 401, IN_QUERY);
      });
    });
  }

  it('answers 401 before looking at the body', async () => {
    const url = `${t.url}/v2/users/${target.id}/password`;
    const badJson = { 'content-type': 'application/json' };
    assertError(await call(url, { method: 'PUT', headers: badJson, body: '{"password":' }), 401, INVALID);
    assertError(
      await call(url, {
        method: 'PUT',
        headers: { ...badJson, authorization: 'Bearer unknown' },
        body: 'nope',
      }),
      401,
      INVALID,
    );
    assertError(
      await call(`${url}?access_token=x`, { method: 'PUT', headers: badJson, body: '[' }),
      401,
      IN_QUERY,
    );
    // A missing password is not reported either.
    assertError(await call(url, { method: 'PUT', json: {} }), 401, INVALID);
    // Nor an unsupported content type, nor a malformed multipart body.
    assertError(
      await call(url, { method: 'PUT', headers: { 'content-type': 'application/xml' }, body: '<password/>' }),
      401,
      INVALID,
    );
    assertError(
      await call(url, {
        method: 'PUT',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        body: 'garbage',
      }),
      401,
      INVALID,
    );
    // With a valid token the same bad body is what gets reported.
    const withToken = await call(url, {
      method: 'PUT',
      headers: { ...badJson, authorization: `Bearer ${token}` },
      body: '{"password":',
    });
    assertError(withToken, 400, { code: 300, message: 'Request Body should be a valid JSON object.' });
  });
});

describe('authentication: expiry', () => {
  let t: TestServer;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    t = await startTestServer({ clock });
  });
  after(() => t.stop());

  it('accepts a token for 3600 s, then answers 401 "Access token is expired."', async () => {
    const token = await accountToken(t);
    const u = await addUser(t);
    clock.advance(3600 * 1000 - 1);
    assert.equal((await call(`${t.url}/v2/users/me`, { token })).status, 200);
    clock.advance(1);
    assertError(await call(`${t.url}/v2/users/me`, { token }), 401, EXPIRED);
    assertError(await putPassword(t, token, u.id, 'Too-Late-Pass-1'), 401, EXPIRED);
    clock.advance(24 * 3600 * 1000);
    assertError(await call(`${t.url}/v2/users/me`, { token }), 401, EXPIRED);
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 1);
    // A new token works again.
    const fresh = await accountToken(t);
    assert.equal((await putPassword(t, fresh, u.id, 'In-Time-Pass-2')).status, 204);
  });

  it('expires user-level tokens after their own lifetime', async () => {
    const u = await addUser(t);
    const ut = await issueUserToken(t.server.ctx, u.email, ['user:write'], 60);
    clock.advance(59_999);
    assert.equal((await call(`${t.url}/v2/users/me`, { token: ut.access_token })).status, 200);
    clock.advance(1);
    assertError(await call(`${t.url}/v2/users/me`, { token: ut.access_token }), 401, EXPIRED);
    assertError(await putPassword(t, ut.access_token, 'me', 'Too-Late-Pass-3'), 401, EXPIRED);
  });

  it('answers a revoked token as invalid, and as expired once its exp has passed (told without the store)', async () => {
    const token = await accountToken(t);
    await tokens.revoke(t.server.store.db, [digest(token)], clock.now());
    assertError(await call(`${t.url}/v2/users/me`, { token }), 401, INVALID);
    clock.advance(3600 * 1000 + 1000);
    assertError(await call(`${t.url}/v2/users/me`, { token }), 401, EXPIRED);
  });

  it("returns created_at in Zoom's format, without fractions", async () => {
    const at = clock.now();
    const u = await createUser(t.server.ctx, {
      accountId: t.demo.account_id,
      email: 'timed@example.test',
      role: 'member',
      firstName: 'Ada',
      lastName: 'Lovelace',
      password: 'Initial-Pass-1',
    });
    const token = await accountToken(t);
    const res = await call(`${t.url}/v2/users/${u.id}`, { token });
    assert.equal(res.status, 200);
    assert.equal(
      (res.body as { created_at: string }).created_at,
      `${new Date(at).toISOString().slice(0, 19)}Z`,
    );
  });
});

describe('authorization: scopes (HTTP 400 code 4711)', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  it('refuses a password change to an app holding only user:read:admin', async () => {
    const u = await addUser(t);
    const { token: readOnly } = await appWithToken(t, ['user:read:admin']);
    assertError(await putPassword(t, readOnly, u.id, 'Read-Only-Pass-1'), 400, NO_WRITE_ADMIN);
    assertError(await putPassword(t, readOnly, 'me', 'Read-Only-Pass-1'), 400, NO_WRITE_ADMIN);
    assert.equal((await call(`${t.url}/v2/users/${u.id}`, { token: readOnly })).status, 200);
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 1);
  });

  it('accepts either of the two write scopes, and each alone', async () => {
    const u = await addUser(t);
    const { token: narrow } = await appWithToken(t, ['user:update:password:admin']);
    assert.equal((await putPassword(t, narrow, u.id, 'Narrow-Scope-Pass-1')).status, 204);
    // ... which does not let it read users.
    assertError(await call(`${t.url}/v2/users/${u.id}`, { token: narrow }), 400, NO_READ_ADMIN);
    const { token: write } = await appWithToken(t, ['user:write:admin']);
    assert.equal((await putPassword(t, write, u.id, 'Write-Scope-Pass-2')).status, 204);
    assert.equal((await call(`${t.url}/v2/users/${u.id}`, { token: write })).status, 200);
  });

  it("refuses an app created by a member: a member's token holds no :admin scope", async () => {
    const creator = await addUser(t);
    const target = await addUser(t);
    const app = await createApp(
      t.server.ctx,
      t.demo.account_id,
      ['user:read:admin', 'user:write:admin', 'user:update:password:admin'],
      creator.email,
    );
    const issued = await tokenRequest(t, {
      query: { grant_type: 'account_credentials', account_id: t.demo.account_id },
      authorization: basic(app.client_id, app.client_secret),
    });
    assert.equal(issued.status, 200);
    assert.equal((issued.body as { scope: string }).scope, '');
    const memberToken = (issued.body as { access_token: string }).access_token;
    assertError(await putPassword(t, memberToken, target.id, 'Member-App-Pass-1'), 400, NO_WRITE_ADMIN);
    assertError(await putPassword(t, memberToken, 'me', 'Member-App-Pass-1'), 400, NO_WRITE_ADMIN);
    assertError(await call(`${t.url}/v2/users/me`, { token: memberToken }), 400, NO_READ_ADMIN);
    assert.equal((await credentials.get(t.server.store.db, target.id))?.version, 1);
    assert.equal((await credentials.get(t.server.store.db, creator.id))?.version, 1);
  });

  it('refuses a user-level token without user:write, listing the user-level scopes', async () => {
    const u = await addUser(t);
    const ut = await issueUserToken(t.server.ctx, u.email, ['user:read'], 600);
    assertError(await putPassword(t, ut.access_token, 'me', 'User-Level-Pass-1'), 400, NO_WRITE_USER);
    assertError(await putPassword(t, ut.access_token, u.id, 'User-Level-Pass-1'), 400, NO_WRITE_USER);
    // It can read itself.
    const self = await call(`${t.url}/v2/users/me`, { token: ut.access_token });
    assert.equal(self.status, 200);
    assert.equal((self.body as { id: string }).id, u.id);
    // But not another user: that needs the :admin scopes.
    assertError(
      await call(`${t.url}/v2/users/${t.demo.owner.id}`, { token: ut.access_token }),
      400,
      NO_READ_ADMIN,
    );
    // user:update:password alone is enough for its own password.
    const pw = await issueUserToken(t.server.ctx, u.email, ['user:update:password'], 600);
    assert.equal((await putPassword(t, pw.access_token, 'me', 'User-Level-Pass-2')).status, 204);
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 2);
  });

  it('answers 4711 before looking at the body or the user', async () => {
    const { token: readOnly } = await appWithToken(t, ['user:read:admin']);
    const url = `${t.url}/v2/users/nobody@example.test/password`;
    assertError(
      await call(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json' },
        body: '{"password":',
      }),
      400,
      NO_WRITE_ADMIN,
    );
    assertError(await call(url, { method: 'PUT', token: readOnly, json: {} }), 400, NO_WRITE_ADMIN);
    assertError(
      await putPassword(t, readOnly, 'nobody@example.test', 'Whatever-Pass-1'),
      400,
      NO_WRITE_ADMIN,
    );
    const u = await addUser(t);
    const ut = await issueUserToken(t.server.ctx, u.email, ['user:read'], 600);
    assertError(
      await call(`${t.url}/v2/users/me/password`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ut.access_token}`, 'content-type': 'application/json' },
        body: 'not json',
      }),
      400,
      NO_WRITE_USER,
    );
  });

  it('answers 401 rather than 4711 for a token that is both unknown and unscoped', async () => {
    assertError(await putPassword(t, `${token}-unknown`, 'me', 'Whatever-Pass-1'), 401, INVALID);
  });
});

describe('x-zm-trackingid', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('is on every response, and unique per request', async () => {
    const token = await accountToken(t);
    const u = await addUser(t);
    const auth = basic(t.demo.client_id, t.demo.client_secret);
    const responses: JsonResponse[] = [
      await call(`${t.url}/v2/users/me`, { token }),
      await call(`${t.url}/v2/users/me`, { token }),
      await call(`${t.url}/v2/users/me`),
      await call(`${t.url}/v2/users/nobody@example.test`, { token }),
      await putPassword(t, token, u.id, 'Tracked-Pass-1'),
      await putPassword(t, token, u.id, 'short'),
      await call(`${t.url}/v2/users/me/password`, {
        method: 'PUT',
        token,
        headers: { 'content-type': 'application/json' },
        body: '{',
      }),
      await call(`${t.url}/v2/no/such/route`, { token }),
      await tokenRequest(t, {
        query: { grant_type: 'account_credentials', account_id: t.demo.account_id },
        authorization: auth,
      }),
      await tokenRequest(t, { query: { grant_type: 'account_credentials' } }),
      await tokenRequest(t, { query: { grant_type: 'nope' }, authorization: auth }),
    ];
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 401, 404, 204, 400, 400, 404, 200, 400, 400],
    );
    const ids = responses.map((r) => r.headers.get('x-zm-trackingid'));
    for (const id of ids) assert.match(id ?? '', /^v=2\.0;clid=zp1;rid=WEB_[0-9a-f]{32}$/);
    assert.equal(new Set(ids).size, ids.length);
    // Concurrent requests too.
    const parallel = await Promise.all(
      Array.from({ length: 20 }, () => call(`${t.url}/v2/users/me`, { token })),
    );
    const more = parallel.map((r) => r.headers.get('x-zm-trackingid'));
    assert.equal(new Set([...ids, ...more]).size, ids.length + more.length);
  });
});

describe('GET /v2/users/{userId}', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  it('returns the user object by id, by e-mail in any case, and by me', async () => {
    const u = await createUser(t.server.ctx, {
      accountId: t.demo.account_id,
      email: 'Grace.Hopper@Example.test',
      role: 'member',
      firstName: 'Grace',
      lastName: 'Hopper',
      password: 'Initial-Pass-1',
    });
    const res = await call(`${t.url}/v2/users/${u.id}`, { token });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = res.body as Record<string, unknown>;
    assert.match(body.created_at as string, ZOOM_TIME);
    assert.deepEqual(body, {
      id: u.id,
      first_name: 'Grace',
      last_name: 'Hopper',
      display_name: 'Grace Hopper',
      email: 'Grace.Hopper@Example.test',
      type: 1,
      role_name: 'Member',
      role_id: '2',
      status: 'active',
      created_at: body.created_at,
      user_created_at: body.created_at,
      account_id: t.demo.account_id,
      account_number: body.account_number,
      login_types: [100],
      pmi: body.pmi,
      use_pmi: false,
      verified: 0,
      timezone: '',
      language: '',
      dept: '',
      job_title: '',
      location: '',
      company: '',
      phone_country: '',
      phone_number: '',
      phone_numbers: [],
      group_ids: [],
      im_group_ids: [],
    });
    assert.match(String(body.pmi), /^\d{10}$/);
    assert.match(u.id, /^[A-Za-z0-9_-]{22}$/);
    const created = Date.parse(body.created_at as string);
    assert.ok(Math.abs(created - Date.now()) < 60_000);
    const byMail = await call(`${t.url}/v2/users/${encodeURIComponent('grace.hopper@EXAMPLE.TEST')}`, {
      token,
    });
    assert.deepEqual(byMail.body, body);
    const owner = await call(`${t.url}/v2/users/me`, { token });
    assert.equal(owner.status, 200);
    const ob = owner.body as Record<string, unknown>;
    assert.equal(ob.id, t.demo.owner.id);
    assert.equal(ob.email, t.demo.owner.email);
    assert.equal(ob.role_name, 'Owner');
    assert.equal(ob.status, 'active');
    assert.equal(ob.type, 1);
    assert.equal(ob.account_id, t.demo.account_id);
    assert.match(ob.created_at as string, ZOOM_TIME);
    const admin = await addUser(t, { role: 'admin' });
    assert.equal(
      ((await call(`${t.url}/v2/users/${admin.id}`, { token })).body as { role_name: string }).role_name,
      'Admin',
    );
  });

  it('answers 404 code 1001 for an unknown user and for a user of another account', async () => {
    assertError(await call(`${t.url}/v2/users/nobody@example.test`, { token }), 404, {
      code: 1001,
      message: 'User does not exist: nobody@example.test.',
    });
    assertError(await call(`${t.url}/v2/users/AAAAAAAAAAAAAAAAAAAAAA`, { token }), 404, {
      code: 1001,
      message: 'User does not exist: AAAAAAAAAAAAAAAAAAAAAA.',
    });
    const other = await createAccount(t.server.ctx, { ownerEmail: 'get-other@example.test' });
    assertError(await call(`${t.url}/v2/users/${other.owner.id}`, { token }), 404, {
      code: 1001,
      message: `User does not exist: ${other.owner.id}.`,
    });
    assertError(await call(`${t.url}/v2/users/get-other@example.test`, { token }), 404, {
      code: 1001,
      message: 'User does not exist: get-other@example.test.',
    });
  });

  it('applies the same 401 answers', async () => {
    assertError(await call(`${t.url}/v2/users/${t.demo.member.id}`), 401, INVALID);
    assertError(await call(`${t.url}/v2/users/${t.demo.member.id}?access_token=${token}`), 401, IN_QUERY);
  });
});
