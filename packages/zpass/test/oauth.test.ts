import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { createAccount, createApp } from '../src/domain/accounts/provisioning.js';
import { DEFAULT_APP_SCOPES } from '../src/domain/tokens/scopes.js';
import {
  addUser,
  basic,
  call,
  type JsonResponse,
  startTestServer,
  type TestServer,
  tokenRequest,
} from './helpers.js';

const INVALID_CLIENT = { reason: 'Invalid client_id or client_secret', error: 'invalid_client' };
const INVALID_TOKEN = { code: 124, message: 'Invalid access token.' };

function assertTokenResponse(t: TestServer, res: JsonResponse, scope: string): string {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(res.headers.get('x-zm-trackingid') ?? '', /\S/);
  const body = res.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), [
    'access_token',
    'api_url',
    'expires_in',
    'scope',
    'token_type',
  ]);
  assert.equal(typeof body.access_token, 'string');
  assert.ok((body.access_token as string).length >= 32);
  assert.equal(body.token_type, 'bearer');
  assert.equal(body.expires_in, 3600);
  assert.equal(body.scope, scope);
  assert.equal(body.api_url, t.url);
  return body.access_token as string;
}

function assertOAuthError(res: JsonResponse, status: number, expected: { reason: string; error: string }) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(res.body, expected);
  assert.deepEqual(Object.keys(res.body as object), ['reason', 'error']);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.headers.get('x-zm-trackingid') ?? '', /\S/);
}

/** GET /v2/users/me with the token: 200 when it works. */
function me(t: TestServer, token: string) {
  return call(`${t.url}/v2/users/me`, { token });
}

describe('POST /oauth/token', () => {
  let t: TestServer;
  let auth: string;
  let params: Record<string, string>;
  const allScopes = DEFAULT_APP_SCOPES.join(' ');

  before(async () => {
    t = await startTestServer();
    auth = basic(t.demo.client_id, t.demo.client_secret);
    params = { grant_type: 'account_credentials', account_id: t.demo.account_id };
  });
  after(() => t.stop());

  it('issues a token for parameters in the query string', async () => {
    const res = await tokenRequest(t, { query: params, authorization: auth });
    const token = assertTokenResponse(t, res, allScopes);
    const who = await me(t, token);
    assert.equal(who.status, 200);
    assert.equal((who.body as { id: string }).id, t.demo.owner.id);
  });

  it('issues a token for parameters in an application/x-www-form-urlencoded body', async () => {
    const res = await tokenRequest(t, { form: params, authorization: auth });
    const token = assertTokenResponse(t, res, allScopes);
    assert.equal((await me(t, token)).status, 200);
  });

  it('issues a token for parameters split between the query string and the body', async () => {
    const res = await tokenRequest(t, {
      query: { grant_type: 'account_credentials' },
      form: { account_id: t.demo.account_id },
      authorization: auth,
    });
    assertTokenResponse(t, res, allScopes);
  });

  it('issues distinct tokens on each request, all live at once', async () => {
    const a = assertTokenResponse(
      t,
      await tokenRequest(t, { query: params, authorization: auth }),
      allScopes,
    );
    const b = assertTokenResponse(
      t,
      await tokenRequest(t, { query: params, authorization: auth }),
      allScopes,
    );
    assert.notEqual(a, b);
    assert.equal((await me(t, a)).status, 200);
    assert.equal((await me(t, b)).status, 200);
  });

  it("limits the token's scopes to the app's", async () => {
    const app = await createApp(t.server.ctx, t.demo.account_id, ['user:read:admin']);
    const res = await tokenRequest(t, {
      query: params,
      authorization: basic(app.client_id, app.client_secret),
    });
    assertTokenResponse(t, res, 'user:read:admin');
  });

  it('drops the :admin scopes of an app created by a member', async () => {
    const member = await addUser(t);
    const app = await createApp(
      t.server.ctx,
      t.demo.account_id,
      ['user:write:admin', 'user:read'],
      member.email,
    );
    const res = await tokenRequest(t, {
      query: params,
      authorization: basic(app.client_id, app.client_secret),
    });
    assertTokenResponse(t, res, 'user:read');
  });

  it('answers 400 invalid_request "Missing grant type" without grant_type', async () => {
    const res = await tokenRequest(t, { query: { account_id: t.demo.account_id }, authorization: auth });
    assertOAuthError(res, 400, { reason: 'Missing grant type', error: 'invalid_request' });
    const empty = await tokenRequest(t, {
      query: { grant_type: '', account_id: t.demo.account_id },
      authorization: auth,
    });
    assertOAuthError(empty, 400, { reason: 'Missing grant type', error: 'invalid_request' });
    // Checked before the client: no credentials at all gives the same answer.
    const anonymous = await tokenRequest(t, { query: { account_id: t.demo.account_id } });
    assertOAuthError(anonymous, 400, { reason: 'Missing grant type', error: 'invalid_request' });
  });

  for (const grant of ['client_credentials', 'authorization_code', 'password', 'ACCOUNT_CREDENTIALS']) {
    it(`answers 400 unsupported_grant_type for grant_type=${grant}`, async () => {
      const res = await tokenRequest(t, { query: { ...params, grant_type: grant }, authorization: auth });
      assertOAuthError(res, 400, { reason: 'unsupported grant type', error: 'unsupported_grant_type' });
    });
  }

  it('answers 400 invalid_client without an Authorization header', async () => {
    assertOAuthError(await tokenRequest(t, { query: params }), 400, INVALID_CLIENT);
    assertOAuthError(await tokenRequest(t, { form: params }), 400, INVALID_CLIENT);
  });

  const malformed: Array<[string, () => string]> = [
    ['a Bearer header', () => 'Bearer abcdef'],
    ['an empty Basic header', () => 'Basic '],
    ['Basic with non-base64 text', () => 'Basic !!!not-base64!!!'],
    ['Basic without a colon', () => `Basic ${Buffer.from(t.demo.client_id).toString('base64')}`],
    ['Basic with the secret missing', () => basic(t.demo.client_id, '')],
    ['Basic with the client id missing', () => basic('', t.demo.client_secret)],
    ['raw id:secret without base64', () => `Basic ${t.demo.client_id}:${t.demo.client_secret}`],
  ];
  for (const [name, header] of malformed) {
    it(`answers 400 invalid_client for ${name}`, async () => {
      assertOAuthError(
        await tokenRequest(t, { query: params, authorization: header() }),
        400,
        INVALID_CLIENT,
      );
    });
  }

  it('answers 400 invalid_client for a wrong secret and for an unknown client id', async () => {
    const wrong = await tokenRequest(t, {
      query: params,
      authorization: basic(t.demo.client_id, `${t.demo.client_secret}x`),
    });
    assertOAuthError(wrong, 400, INVALID_CLIENT);
    const unknown = await tokenRequest(t, {
      query: params,
      authorization: basic('NoSuchClientId00000000', t.demo.client_secret),
    });
    assertOAuthError(unknown, 400, INVALID_CLIENT);
    // The client is checked before the account: a wrong secret without account_id is still invalid_client.
    const noAccount = await tokenRequest(t, {
      query: { grant_type: 'account_credentials' },
      authorization: basic(t.demo.client_id, 'wrong'),
    });
    assertOAuthError(noAccount, 400, INVALID_CLIENT);
  });

  it('answers 400 invalid_request without account_id', async () => {
    const res = await tokenRequest(t, { query: { grant_type: 'account_credentials' }, authorization: auth });
    assertOAuthError(res, 400, { reason: 'Missing account_id', error: 'invalid_request' });
    const empty = await tokenRequest(t, { form: { ...params, account_id: '' }, authorization: auth });
    assertOAuthError(empty, 400, { reason: 'Missing account_id', error: 'invalid_request' });
  });

  it('answers a malformed JSON body with the non-empty 400 code 300 error', async () => {
    const res = await call(`${t.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: '{"grant_type":',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { code: 300, message: 'Request Body should be a valid JSON object.' });
  });

  it("answers 400 invalid_request for another account's id or an unknown one", async () => {
    const other = await createAccount(t.server.ctx, { ownerEmail: 'oauth-other@example.test' });
    const res = await tokenRequest(t, {
      query: { ...params, account_id: other.account_id },
      authorization: auth,
    });
    assertOAuthError(res, 400, { reason: 'Invalid account_id for this client', error: 'invalid_request' });
    const unknown = await tokenRequest(t, {
      query: { ...params, account_id: 'no-such-account' },
      authorization: auth,
    });
    assertOAuthError(unknown, 400, {
      reason: 'Invalid account_id for this client',
      error: 'invalid_request',
    });
    // The other account's own app works for its own account only.
    const otherAuth = basic(other.app.client_id, other.app.client_secret);
    const own = await tokenRequest(t, {
      query: { ...params, account_id: other.account_id },
      authorization: otherAuth,
    });
    assertTokenResponse(t, own, allScopes);
    const cross = await tokenRequest(t, { query: params, authorization: otherAuth });
    assertOAuthError(cross, 400, { reason: 'Invalid account_id for this client', error: 'invalid_request' });
  });
});

describe('POST /oauth/token: the cap on live tokens per app', () => {
  async function issue(t: TestServer, clientId: string, clientSecret: string): Promise<string> {
    const res = await tokenRequest(t, {
      query: { grant_type: 'account_credentials', account_id: t.demo.account_id },
      authorization: basic(clientId, clientSecret),
    });
    assert.equal(res.status, 200, res.text);
    return (res.body as { access_token: string }).access_token;
  }

  async function checkCap(t: TestServer, advance: () => void) {
    const app = await createApp(t.server.ctx, t.demo.account_id, ['user:read:admin']);
    const issued: string[] = [];
    for (let i = 0; i < 10; i++) {
      issued.push(await issue(t, app.client_id, app.client_secret));
      advance();
    }
    // Ten live tokens: all work.
    for (const token of issued) assert.equal((await me(t, token)).status, 200);
    // The eleventh revokes the oldest only.
    issued.push(await issue(t, app.client_id, app.client_secret));
    advance();
    const first = await me(t, issued[0]!);
    assert.equal(first.status, 401);
    assert.deepEqual(first.body, INVALID_TOKEN);
    for (const token of issued.slice(1)) assert.equal((await me(t, token)).status, 200);
    // The twelfth revokes the second.
    issued.push(await issue(t, app.client_id, app.client_secret));
    assert.deepEqual((await me(t, issued[1]!)).body, INVALID_TOKEN);
    for (const token of issued.slice(2)) assert.equal((await me(t, token)).status, 200);
    // Another app's tokens are not counted.
    const other = await createApp(t.server.ctx, t.demo.account_id, ['user:read:admin']);
    const otherToken = await issue(t, other.client_id, other.client_secret);
    assert.equal((await me(t, otherToken)).status, 200);
    for (const token of issued.slice(2)) assert.equal((await me(t, token)).status, 200);
  }

  it('revokes the oldest token when an app gets more than 10 (real clock)', async () => {
    const t = await startTestServer();
    try {
      await checkCap(t, () => {});
    } finally {
      await t.stop();
    }
  });

  it('revokes the oldest token even when all were issued in the same millisecond', async () => {
    const clock = new ManualClock();
    const t = await startTestServer({ clock });
    try {
      await checkCap(t, () => {});
    } finally {
      await t.stop();
    }
  });

  it('revokes the oldest token when each is issued a second apart', async () => {
    const clock = new ManualClock();
    const t = await startTestServer({ clock });
    try {
      await checkCap(t, () => clock.advance(1000));
    } finally {
      await t.stop();
    }
  });

  it('does not count expired tokens against the cap', async () => {
    const clock = new ManualClock();
    const t = await startTestServer({ clock });
    try {
      const app = await createApp(t.server.ctx, t.demo.account_id, ['user:read:admin']);
      for (let i = 0; i < 10; i++) await issue(t, app.client_id, app.client_secret);
      clock.advance(3600 * 1000 + 1);
      const fresh: string[] = [];
      for (let i = 0; i < 10; i++) fresh.push(await issue(t, app.client_id, app.client_secret));
      for (const token of fresh) assert.equal((await me(t, token)).status, 200);
    } finally {
      await t.stop();
    }
  });
});
