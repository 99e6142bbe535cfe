// The SDK against a real zpass server over HTTP, on an ephemeral port.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  MemoryTokenStore,
  type StoredToken,
  type TokenStore,
  ZoomApiError,
  ZoomAuthenticationError,
  ZoomBadRequestError,
  ZoomClient,
  type ZoomClientOptions,
  ZoomConfigError,
  ZoomNotFoundError,
  ZoomPasswordPolicyError,
} from '../packages/zoom-client/src/index.js';
import { ManualClock } from '../packages/zpass/src/clock.js';
import { issueUserToken } from '../packages/zpass/src/domain/tokens/access-tokens.js';
import { credentials } from '../packages/zpass/src/store/repositories/passwords.js';
import {
  accountToken,
  addUser,
  appWithToken,
  startTestServer,
  type TestServer,
} from '../packages/zpass/test/helpers.js';
import { WebClient } from '../packages/zpass/test/web.js';

/** How many token requests the server has answered so far. */
function tokenRequests(t: TestServer): number {
  return t.logs.filter((l) => l.includes('"url":"/oauth/token') && l.includes('"msg":"request completed"'))
    .length;
}

describe('ZoomClient against zpass', () => {
  let t: TestServer;
  const clock = new ManualClock();
  const s2s = (extra: ZoomClientOptions = {}) =>
    new ZoomClient({
      accountId: t.demo.account_id,
      clientId: t.demo.client_id,
      clientSecret: t.demo.client_secret,
      baseUrl: `${t.url}/v2`,
      oauthUrl: t.url,
      ...extra,
    });

  before(async () => {
    t = await startTestServer({ clock });
  });
  after(() => t.stop());

  it('gets a S2S token and updates a password (204), by id, by e-mail and as me', async () => {
    const zoom = s2s();
    const u = await addUser(t);
    const before = tokenRequests(t);
    assert.equal(await zoom.users.updatePassword(u.id, 'Sdk-First-Pass-1'), undefined);
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 2);
    await zoom.users.updatePassword(u.email.toUpperCase(), 'Sdk-Second-Pass-2');
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 3);
    await zoom.users.updatePassword('me', 'Owner-Sdk-Pass-3');
    // Three calls, one token.
    assert.equal(tokenRequests(t) - before, 1);
  });

  it('gets a user by id and by e-mail with the fields of the contract', async () => {
    const zoom = s2s();
    const u = await addUser(t);
    const byId = await zoom.users.get(u.id);
    assert.equal(byId.id, u.id);
    assert.equal(byId.email, u.email);
    assert.equal(byId.role_name, 'Member');
    assert.equal(byId.status, 'active');
    assert.equal(byId.account_id, t.demo.account_id);
    assert.match(byId.id, /^[A-Za-z0-9_-]{22}$/);
    const byEmail = await zoom.users.get(u.email);
    assert.equal(byEmail.id, u.id);
  });

  it('reads the user object with its profile fields, and updates them', async () => {
    const zoom = s2s();
    const u = await addUser(t);
    await zoom.users.update(u.id, { timezone: 'America/New_York', job_title: 'Engineer', use_pmi: true });
    const got = await zoom.users.get(u.id);
    assert.equal(got.timezone, 'America/New_York');
    assert.equal(got.job_title, 'Engineer');
    assert.equal(got.use_pmi, true);
    assert.equal(got.verified, 0);
    assert.equal(got.role_id, '2');
    assert.match(String(got.pmi), /^\d{10}$/);
    assert.deepEqual(got.group_ids, []);
    const admins = await zoom.users.list({ role_id: '0' });
    assert.deepEqual(
      admins.items.map((x) => x.id),
      [t.demo.owner.id],
    );
  });

  it('updates an e-mail, signs a user out everywhere, reads permissions and the summary', async () => {
    const zoom = s2s();
    const u = await addUser(t);
    const next = `sdk-moved-${u.id}@example.test`;
    assert.equal(await zoom.users.updateEmail(u.id, next), undefined);
    assert.equal((await zoom.users.get(u.id)).email, next);
    const taken = await zoom.users.updateEmail(u.id, t.demo.member.email).catch((e: unknown) => e);
    assert.ok(taken instanceof ZoomApiError);
    assert.equal(taken.status, 409);
    assert.equal(taken.code, 1005);

    const ut = (await issueUserToken(t.server.ctx, next, ['user:read'], 3600)).access_token;
    const asUser = new ZoomClient({ accessToken: ut, baseUrl: `${t.url}/v2` });
    assert.equal((await asUser.users.get('me')).id, u.id);
    assert.equal(await zoom.users.revokeToken(u.id), undefined);
    await assert.rejects(asUser.users.get('me'), ZoomAuthenticationError);

    assert.deepEqual(await zoom.users.permissions(u.id), { permissions: [] });
    assert.ok((await zoom.users.permissions(t.demo.owner.id)).permissions.includes('User:Edit'));
    const summary = await zoom.users.summary();
    assert.equal(typeof summary.total_users_count, 'number');
    assert.ok((summary.total_users_count ?? 0) >= 3);
    assert.equal(summary.room_users_count, 0);
  });

  it('throws ZoomBadRequestError with code, message and tracking id for a weak password', async () => {
    const zoom = s2s();
    const u = await addUser(t);
    const err = await zoom.users.updatePassword(u.id, 'abcxyz123').then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ZoomBadRequestError);
    assert.ok(err instanceof ZoomApiError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 1128);
    assert.equal(err.message, 'Include both Upper case and Lower case characters');
    assert.match(err.trackingId ?? '', /^v=2\.0;clid=zp1;rid=WEB_[0-9a-f]{32}$/);
    assert.equal(err.headers['x-zm-trackingid'], err.trackingId);
    assert.deepEqual(err.request, { method: 'PUT', url: `${t.url}/v2/users/${u.id}/password` });
    assert.equal(err.isMissingScope, false);
  });

  it('throws ZoomNotFoundError (404, code 1001) for an unknown user', async () => {
    const zoom = s2s();
    const err = await zoom.users.get('nobody@example.test').catch((e: unknown) => e);
    assert.ok(err instanceof ZoomNotFoundError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 1001);
    assert.equal(err.message, 'User does not exist: nobody@example.test.');
    const put = await zoom.users
      .updatePassword('nobody@example.test', 'Valid-Pass-123')
      .catch((e: unknown) => e);
    assert.ok(put instanceof ZoomNotFoundError);
  });

  it('throws ZoomAuthenticationError (invalid_client) for bad client credentials, without the secret', async () => {
    const zoom = s2s({ clientSecret: 'wrong-secret-value-42' });
    const err = await zoom.users.get('me').catch((e: unknown) => e);
    assert.ok(err instanceof ZoomAuthenticationError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_client');
    assert.equal(err.message, 'Invalid client_id or client_secret');
    for (const view of [String(err), inspect(err, { depth: 5 }), JSON.stringify(err), err.stack ?? '']) {
      assert.ok(!view.includes('wrong-secret-value-42'), view);
      assert.ok(!view.includes(btoa(`${t.demo.client_id}:wrong-secret-value-42`)), view);
    }
  });

  it('throws ZoomAuthenticationError (124) for an unknown fixed token, and does not retry it', async () => {
    const zoom = new ZoomClient({ accessToken: 'not-a-real-token-123', baseUrl: `${t.url}/v2` });
    const calls = () =>
      t.logs.filter((l) => l.includes('"url":"/v2/users/me"') && l.includes('request completed')).length;
    const before = calls();
    const err = await zoom.users.get('me').catch((e: unknown) => e);
    assert.equal(calls() - before, 1, 'a fixed token cannot be refreshed: one request');
    assert.ok(err instanceof ZoomAuthenticationError);
    assert.equal(err.code, 124);
    assert.equal(err.message, 'Invalid access token.');
    assert.ok(!inspect(err).includes('not-a-real-token-123'));
  });

  it('reports a token without the scope as ZoomBadRequestError code 4711 (Zoom answers 400)', async () => {
    const { token } = await appWithToken(t, ['user:read:admin']);
    const zoom = new ZoomClient({ accessToken: token, baseUrl: `${t.url}/v2` });
    const u = await addUser(t);
    const err = await zoom.users.updatePassword(u.id, 'Scoped-Pass-123').catch((e: unknown) => e);
    assert.ok(err instanceof ZoomBadRequestError);
    assert.equal(err.code, 4711);
    assert.equal(err.isMissingScope, true);
    assert.match(err.message, /^Invalid access token, does not contain scopes:\[/);
  });

  it('works with a user-level token for me', async () => {
    const u = await addUser(t, { password: 'Initial-Pass-1' });
    const issued = await issueUserToken(t.server.ctx, u.email, ['user:read', 'user:update:password'], 600);
    const zoom = new ZoomClient({ accessToken: issued.access_token, baseUrl: `${t.url}/v2` });
    assert.equal((await zoom.users.get('me')).id, u.id);
    await zoom.users.updatePassword('me', 'Self-Service-Pass-9');
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 2);
  });

  it('checks a password locally when asked, and sends nothing it would refuse', async () => {
    const u = await addUser(t);
    const zoom = s2s();
    const before = t.logs.length;
    const err = await zoom.users
      .updatePassword(u.id, 'Abcdefgh1', { check: { have_special_character: true } })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomPasswordPolicyError);
    assert.equal(err.code, 1127);
    assert.deepEqual(err.violations, [
      { code: 1127, message: 'Have at least 1 special character (!, @, #...)' },
    ]);
    assert.equal(
      t.logs.slice(before).filter((l) => l.includes('/password')).length,
      0,
      'no request reached the server',
    );
    // The same rules the server applies: a password the check passes is accepted.
    assert.deepEqual(zoom.users.checkPassword('Abcdefgh1!', { have_special_character: true }), []);
    await zoom.users.updatePassword(u.id, 'Abcdefgh1!', { check: { have_special_character: true } });
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 2);
  });

  it('50 concurrent calls at token expiry fetch exactly one new token', async () => {
    const zoom = s2s({ now: () => clock.now() });
    const users = await Promise.all(Array.from({ length: 5 }, () => addUser(t)));
    await zoom.users.get('me');
    const first = await zoom.accessToken();
    const before = tokenRequests(t);
    clock.advance(3600 * 1000 + 1); // the token has expired, for the client and the server alike
    const got = await Promise.all(Array.from({ length: 50 }, (_, i) => zoom.users.get(users[i % 5]!.id)));
    assert.deepEqual(
      got.map((u) => u.id),
      Array.from({ length: 50 }, (_, i) => users[i % 5]!.id),
    );
    assert.equal(tokenRequests(t) - before, 1);
    assert.notEqual(await zoom.accessToken(), first);
  });

  it('refreshes in the background inside the margin: calls go on with the valid token, one refresh', async () => {
    const zoom = s2s({ now: () => clock.now() });
    const u = await addUser(t);
    await zoom.users.get(u.id);
    const old = await zoom.accessToken();
    const before = tokenRequests(t);
    clock.advance(3600 * 1000 - 120_000); // two minutes left: inside the 5-minute margin
    const got = await Promise.all(Array.from({ length: 20 }, () => zoom.users.get(u.id)));
    assert.ok(got.every((x) => x.id === u.id));
    // Let the background refresh finish, then the next call uses the new token.
    for (let i = 0; i < 100 && (await zoom.accessToken()) === old; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(await zoom.accessToken(), old);
    assert.equal(tokenRequests(t) - before, 1);
    await zoom.users.get(u.id);
    assert.equal(tokenRequests(t) - before, 1);
  });

  it('50 concurrent calls that all hear "Access token is expired." refresh once and retry', async () => {
    // The client's clock lags the server's: it believes its token is fresh, the server does not.
    let clientNow = clock.now();
    const zoom = s2s({ now: () => clientNow });
    const u = await addUser(t);
    await zoom.users.get(u.id);
    const before = tokenRequests(t);
    clock.advance(3600 * 1000 + 1);
    clientNow += 1000;
    const got = await Promise.all(Array.from({ length: 50 }, () => zoom.users.get(u.id)));
    assert.equal(got.length, 50);
    assert.ok(got.every((x) => x.id === u.id));
    assert.equal(tokenRequests(t) - before, 1);
  });

  it('replaces a token the server revoked (live-token cap) with one refresh', async () => {
    const zoom = s2s();
    await zoom.users.get('me');
    const old = await zoom.accessToken();
    // Ten newer tokens for the same app push ours past the server's cap of live tokens.
    for (let i = 0; i < 10; i++) await accountToken(t);
    const before = tokenRequests(t);
    assert.equal((await zoom.users.get('me')).id, t.demo.owner.id);
    assert.equal(tokenRequests(t) - before, 1);
    assert.notEqual(await zoom.accessToken(), old);
  });

  it('shares one token between clients through a token store', async () => {
    const store = new MemoryTokenStore();
    const a = s2s({ tokenStore: store });
    const b = s2s({ tokenStore: store });
    const before = tokenRequests(t);
    await a.users.get('me');
    await b.users.get('me');
    assert.equal(tokenRequests(t) - before, 1);
    assert.equal(await a.accessToken(), await b.accessToken());
  });

  it('shares one token between processes through an async, file-backed store', async () => {
    // Each client stands for a process: they share nothing but the file.
    const dir = await mkdtemp(join(tmpdir(), 'zoom-token-store-'));
    const file = join(dir, 'tokens.json');
    const fileStore: TokenStore = {
      async get(key) {
        const all = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, StoredToken>;
        return all[key];
      },
      async set(key, token) {
        const all = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, StoredToken>;
        all[key] = token;
        await writeFile(file, JSON.stringify(all));
      },
    };
    try {
      const before = tokenRequests(t);
      const a = s2s({ tokenStore: fileStore });
      await a.users.get('me');
      const b = s2s({ tokenStore: fileStore });
      await b.users.get('me');
      assert.equal(tokenRequests(t) - before, 1);
      const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, StoredToken>;
      assert.deepEqual(Object.keys(saved), [`${t.url}|${t.demo.account_id}|${t.demo.client_id}`]);
      assert.equal(Object.values(saved)[0]!.accessToken, await b.accessToken());
      assert.ok(!JSON.stringify(saved).includes(t.demo.client_secret));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const zoom = s2s({
      fetch: (input, init) => {
        seen.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return fetch(input, init);
      },
    });
    await zoom.users.get('me');
    assert.deepEqual(seen, [`POST ${t.url}/oauth/token`, `GET ${t.url}/v2/users/me`]);
  });

  it('keeps the secret, tokens and passwords out of errors and log lines', async () => {
    const lines: string[] = [];
    const logger = {
      debug: (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f)}`),
      info: (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f)}`),
    };
    const zoom = s2s({ logger });
    const u = await addUser(t);
    await zoom.users.updatePassword(u.id, 'Logged-Never-Pass-7');
    const err = await zoom.users.updatePassword(u.id, 'Logged-Never-Pass-7').catch((e: unknown) => e);
    assert.ok(err instanceof ZoomBadRequestError);
    assert.equal(err.message, 'Your new password can not match the old password.');
    const token = await zoom.accessToken();
    assert.ok(lines.length >= 4, 'the client logged its requests');
    assert.ok(lines.some((l) => l.includes('zoom response') && l.includes('"status":204')));
    assert.equal(
      JSON.stringify(zoom),
      JSON.stringify({
        baseUrl: `${t.url}/v2`,
        oauthUrl: t.url,
        auth: 'server-to-server',
        timeout: 30000,
        maxRetries: 2,
      }),
    );
    const everything = [
      ...lines,
      String(err),
      inspect(err, { depth: 10 }),
      JSON.stringify(err),
      err.stack ?? '',
      inspect(zoom, { depth: 10 }),
      inspect(zoom.users, { depth: 10 }),
    ].join('\n');
    for (const secret of [t.demo.client_secret, token, 'Logged-Never-Pass-7']) {
      assert.ok(!everything.includes(secret), `leaked ${secret.slice(0, 3)}...`);
    }
  });

  it('refuses incomplete configuration with ZoomConfigError naming what is missing', () => {
    const saved = { ...process.env };
    try {
      delete process.env.ZOOM_ACCOUNT_ID;
      delete process.env.ZOOM_CLIENT_ID;
      delete process.env.ZOOM_CLIENT_SECRET;
      assert.throws(
        () => new ZoomClient({ clientId: 'x' }),
        (e: unknown) =>
          e instanceof ZoomConfigError &&
          e.message ===
            'Missing accountId (ZOOM_ACCOUNT_ID), clientSecret (ZOOM_CLIENT_SECRET): give Server-to-Server OAuth credentials or an accessToken.',
      );
    } finally {
      process.env = saved;
    }
  });

  it('reads credentials and URLs from the environment', async () => {
    const saved = { ...process.env };
    try {
      process.env.ZOOM_ACCOUNT_ID = t.demo.account_id;
      process.env.ZOOM_CLIENT_ID = t.demo.client_id;
      process.env.ZOOM_CLIENT_SECRET = t.demo.client_secret;
      process.env.ZOOM_API_URL = `${t.url}/v2/`;
      process.env.ZOOM_OAUTH_URL = t.url;
      const zoom = new ZoomClient();
      assert.equal(zoom.baseUrl, `${t.url}/v2`);
      assert.equal((await zoom.users.get('me')).id, t.demo.owner.id);
    } finally {
      process.env = saved;
    }
  });
});

describe('ZoomClient roles and reports against zpass', () => {
  let t: TestServer;
  const today = () => new Date().toISOString().slice(0, 10);
  const s2s = () =>
    new ZoomClient({
      accountId: t.demo.account_id,
      clientId: t.demo.client_id,
      clientSecret: t.demo.client_secret,
      baseUrl: `${t.url}/v2`,
      oauthUrl: t.url,
    });

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('lists roles, makes an admin, lists members page by page, and unassigns', async () => {
    const zoom = s2s();
    const u = await addUser(t);
    const roles = await zoom.roles.list();
    assert.deepEqual(
      roles.roles.map((r) => r.name),
      ['Owner', 'Admin', 'Member'],
    );
    const admins = roles.roles.find((r) => r.id === '1')!.total_members;
    const added = await zoom.roles.addMembers('1', [{ email: u.email }]);
    assert.equal(added.ids, u.id);
    assert.equal((await zoom.users.get(u.id)).role_id, '1');
    const more = await addUser(t, { role: 'admin' });
    const seen: string[] = [];
    for await (const m of zoom.roles.members('1', { page_size: 1 })) seen.push(m.id);
    assert.equal(seen.length, admins + 2);
    assert.ok(seen.includes(u.id) && seen.includes(more.id));
    const first = await zoom.roles.members('1', { page_size: 1 });
    assert.equal(first.items.length, 1);
    assert.equal(first.hasNextPage(), true);
    assert.equal(await zoom.roles.removeMember('1', u.id), undefined);
    assert.equal((await zoom.users.get(u.id)).role_id, '2');
    await assert.rejects(zoom.roles.addMembers('0', [{ id: u.id }]), ZoomBadRequestError);
    await assert.rejects(zoom.roles.removeMember('1', 'nobody@example.test'), {
      name: 'ZoomNotFoundError',
      status: 404,
      code: 1001,
    });
    assert.throws(() => zoom.roles.members(''), ZoomConfigError);
  });

  it('reads the operation logs (iterating every page) and the sign-in activities', async () => {
    const zoom = s2s();
    const u = await addUser(t, { password: 'Report-Pass-123' });
    await zoom.users.updatePassword(u.id, 'Report-Pass-456');
    await zoom.users.update(u.id, { first_name: 'Rita' });
    await zoom.users.updateStatus(u.id, 'deactivate');
    await zoom.users.updateStatus(u.id, 'activate');
    const details: string[] = [];
    for await (const log of zoom.reports.operationLogs({ from: today(), to: today(), page_size: 1 }))
      details.push(log.operation_detail);
    assert.deepEqual(
      details.filter((d) => d.includes(u.email)),
      [
        `Activate user ${u.email}`,
        `Deactivate user ${u.email}`,
        `Update user ${u.email} - first_name, display_name`,
        `Update user ${u.email} - password changed`,
      ],
    );
    const page = await zoom.reports.operationLogs({ from: today(), to: today(), category_type: 'user' });
    assert.ok(page.items.every((l) => l.category_type === 'User'));
    await assert.rejects(async () => zoom.reports.operationLogs({ from: today(), to: '2020-01-01' }), {
      name: 'ZoomBadRequestError',
      code: 300,
    });

    const web = new WebClient(t.url);
    assert.equal((await web.signIn(u.email, 'Report-Pass-456')).status, 303);
    const activities = [];
    for await (const a of zoom.reports.activities()) activities.push(a);
    const mine = activities.filter((a) => a.email === u.email);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.type, 'Sign in');
    assert.equal(mine[0]!.client_type, 'Browser');
  });
});
