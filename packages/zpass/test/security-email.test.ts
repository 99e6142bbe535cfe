/** One e-mail length limit everywhere, Zoom's 128 (issue 16, finding 8). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EMAIL_MAX } from '@zpass/contract';
import { createUser } from '../src/domain/accounts/provisioning.js';
import { AdminError } from '../src/domain/errors.js';
import { deliverableAddress } from '../src/mail/relay.js';
import { accountToken, addUser, call, startTestServer, type TestServer } from './helpers.js';

const longEmail = (n: number) => `${'a'.repeat(64)}@${'d'.repeat(n - 64 - 1 - 5)}.test`;

describe('e-mail addresses', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  it('the API, the CLI’s use case and the mail relay accept up to 128 characters and no more', async () => {
    assert.equal(EMAIL_MAX, 128);
    const ok = longEmail(128).replace(/^a/, 'b');
    const tooLong = longEmail(129);
    const api = (email: string) =>
      call(`${t.url}/v2/users`, {
        method: 'POST',
        token,
        json: { action: 'custCreate', user_info: { email, type: 1 } },
      });
    assert.equal((await api(ok)).status, 201);
    const refused = await api(tooLong);
    assert.equal(refused.status, 400);
    assert.equal((refused.body as { code: number }).code, 300);
    // What `zpass admin create-user` calls.
    await assert.rejects(
      createUser(t.server.ctx, {
        accountId: t.demo.account_id,
        email: longEmail(300),
        role: 'member',
        password: 'Initial-Pass-1',
      }),
      AdminError,
    );
    assert.equal(deliverableAddress(ok), true);
    assert.equal(deliverableAddress(tooLong), false);
  });

  it('disassociating a user whose stored e-mail is longer than 255 characters (from before the limit) works', async () => {
    const u = await addUser(t);
    const stored = `${'x'.repeat(64)}@${'y'.repeat(250)}.test`;
    await t.server.store.db
      .updateTable('users')
      .set({ email: stored, email_norm: stored })
      .where('id', '=', u.id)
      .execute();
    const res = await call(`${t.url}/v2/users/${u.id}?action=disassociate`, { method: 'DELETE', token });
    assert.equal(res.status, 204, res.text);
  });
});
