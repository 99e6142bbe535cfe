// Zoom's official SDK, @zoom/rivet, against zpass on what the transport and account-settings
// fixes are about: deleteUser (Rivet sends Content-Type: application/json without a body) and
// the settings' `{"security": {...}}` shape, read and written through Rivet's own types.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AccountsS2SAuthClient,
  type S2SAuthToken as AccountsToken,
  type TokenStore as AccountsTokenStore,
  type AccountsUpdateAccountSettingsRequestBody,
} from '@zoom/rivet/accounts';
import { type S2SAuthToken, type TokenStore, UsersS2SAuthClient } from '@zoom/rivet/users';
import { users } from '../packages/zpass/src/store/repositories/users.js';
import { accountToken, addUser, startTestServer, type TestServer } from '../packages/zpass/test/helpers.js';

/** Rivet fetches tokens from zoom.us only: its store is handed a zpass token, and `baseUrl` points it at zpass. */
function rivetOptions<T extends S2SAuthToken | AccountsToken>(t: TestServer, token: string) {
  const stored = {
    accessToken: token,
    expirationTimeIso: new Date(Date.now() + 3_000_000).toISOString(),
    scopes: [],
  } as unknown as T;
  const tokenStore: TokenStore<S2SAuthToken> & AccountsTokenStore<AccountsToken> = {
    getLatestToken: () => stored,
    storeToken: () => {
      throw new Error('rivet tried to fetch a token from zoom.us');
    },
  };
  return {
    clientId: t.demo.client_id,
    clientSecret: t.demo.client_secret,
    accountId: t.demo.account_id,
    tokenStore,
    disableReceiver: true as const,
    baseUrl: `${t.url}/v2`,
  };
}

describe('@zoom/rivet: deleteUser and the account settings against zpass', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  it('deletes a user through rivet (Content-Type: application/json, no body): 204', async () => {
    const rivet = new UsersS2SAuthClient(rivetOptions(t, token));
    const gone = await addUser(t);
    const res = await rivet.endpoints.users.deleteUser({
      path: { userId: gone.id },
      query: { action: 'delete' },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(await users.byId(t.server.store.db, gone.id), undefined);
    const moved = await addUser(t);
    const dis = await rivet.endpoints.users.deleteUser({ path: { userId: moved.id } });
    assert.equal(dis.statusCode, 204);
    assert.notEqual((await users.byId(t.server.store.db, moved.id))?.account_id, t.demo.account_id);
  });

  it('reads and writes the security settings through getAccountSettings / updateAccountSettings', async () => {
    const rivet = new AccountsS2SAuthClient(rivetOptions(t, token));
    const got = await rivet.endpoints.accounts.getAccountSettings({
      path: { accountId: 'me' },
      query: { option: 'security' },
    });
    assert.equal(got.statusCode, 200);
    const security = (got.data as { security?: Record<string, unknown> }).security;
    assert.ok(security, 'the answer is wrapped in security');
    assert.equal(security.sign_in_with_two_factor_auth, 'none');
    assert.deepEqual(security.password_requirement, {
      minimum_password_length: 8,
      have_special_character: false,
      consecutive_characters_length: 0,
      weak_enhance_detection: false,
      password_history_count: 0,
      max_changes_per_day: 5,
    });

    const body: AccountsUpdateAccountSettingsRequestBody = {
      security: {
        password_requirement: { minimum_password_length: 12, have_special_character: true },
        sign_again_period_for_inactivity_on_web: 30,
        sign_in_with_two_factor_auth: 'role',
        sign_in_with_two_factor_auth_roles: ['1'],
        user_modifiable_info_by_admin: ['name'],
      },
    };
    const patched = await rivet.endpoints.accounts.updateAccountSettings({
      path: { accountId: 'me' },
      query: { option: 'security' },
      body,
    });
    assert.equal(patched.statusCode, 204);

    const whole = await rivet.endpoints.accounts.getAccountSettings({
      path: { accountId: t.demo.account_id },
    });
    assert.equal(whole.statusCode, 200);
    const after = (whole.data as { security?: Record<string, unknown> }).security!;
    assert.equal(
      (after.password_requirement as { minimum_password_length: number }).minimum_password_length,
      12,
    );
    assert.equal(after.sign_again_period_for_inactivity_on_web, 30);
    assert.equal(after.sign_in_with_two_factor_auth, 'role');
    assert.deepEqual(after.sign_in_with_two_factor_auth_roles, ['1']);
    assert.deepEqual(after.user_modifiable_info_by_admin, ['name']);
  });

  it("surfaces zpass's field errors for a bad security value through rivet", async () => {
    const rivet = new AccountsS2SAuthClient(rivetOptions(t, token));
    await assert.rejects(
      rivet.endpoints.accounts.updateAccountSettings({
        path: { accountId: 'me' },
        query: { option: 'security' },
        body: { security: { sign_again_period_for_inactivity_on_web: 7 } },
      }),
      (err: Error) => /Validation Failed/.test(err.message),
    );
  });
});
