// Compatibility: Zoom's official SDK, @zoom/rivet, pointed at zpass with its `baseUrl` option
// and a token store holding a zpass token, updates a password and reads a user.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type S2SAuthToken, type TokenStore, UsersS2SAuthClient } from '@zoom/rivet/users';
import { credentials } from '../../zpass/src/store/repositories.js';
import { accountToken, addUser, startTestServer, type TestServer } from '../../zpass/test/helpers.js';
import { ZoomClient } from '../src/index.js';

describe('@zoom/rivet against zpass', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  /** Rivet fetches tokens from zoom.us only, so its store is handed a zpass token. */
  async function rivetClient(token: string) {
    const stored: S2SAuthToken = {
      accessToken: token,
      expirationTimeIso: new Date(Date.now() + 3_000_000).toISOString(),
      scopes: ['user:read:admin', 'user:write:admin'],
    };
    const tokenStore: TokenStore<S2SAuthToken> = {
      getLatestToken: () => stored,
      storeToken: () => {
        throw new Error('rivet tried to fetch a token from zoom.us');
      },
    };
    // `baseUrl` is honoured at run time though rivet's option type does not declare it.
    const options = {
      clientId: t.demo.client_id,
      clientSecret: t.demo.client_secret,
      accountId: t.demo.account_id,
      tokenStore,
      disableReceiver: true as const,
      baseUrl: `${t.url}/v2`,
    };
    return new UsersS2SAuthClient(options);
  }

  it("updates a user's password through rivet's updateUsersPassword", async () => {
    const u = await addUser(t);
    const rivet = await rivetClient(await accountToken(t));
    const res = await rivet.endpoints.users.updateUsersPassword({
      path: { userId: u.id },
      body: { password: 'Rivet-Set-Pass-1' },
    });
    assert.equal(res.statusCode, 204);
    assert.match(res.trackingId ?? '', /^v=2\.0;clid=zp1;rid=WEB_[0-9a-f]{32}$/);
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 2);
    const got = await rivet.endpoints.users.getUser({ path: { userId: u.email } });
    assert.equal(got.statusCode, 200);
    assert.equal(got.data?.id, u.id);
  });

  it("surfaces zpass's Zoom-shaped errors as rivet formats them", async () => {
    const u = await addUser(t);
    const rivet = await rivetClient(await accountToken(t));
    await assert.rejects(
      rivet.endpoints.users.updateUsersPassword({ path: { userId: u.id }, body: { password: 'short1A' } }),
      (e: unknown) => e instanceof Error && e.message === '[400/1124]: "Have at least 8 characters"',
    );
  });

  it('the password rivet set is current: our SDK is then refused the same one', async () => {
    const u = await addUser(t);
    const token = await accountToken(t);
    const rivet = await rivetClient(token);
    await rivet.endpoints.users.updateUsersPassword({
      path: { userId: u.id },
      body: { password: 'Shared-Pass-77' },
    });
    const zoom = new ZoomClient({ accessToken: token, baseUrl: `${t.url}/v2` });
    await assert.rejects(zoom.users.updatePassword(u.id, 'Shared-Pass-77'), {
      status: 400,
      code: 300,
      message: 'Your new password can not match the old password.',
    });
  });
});
