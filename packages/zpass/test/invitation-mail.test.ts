import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acceptInvitation } from '../src/domain/users/invitations.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { users } from '../src/store/repositories/users.js';
import { accountToken, call, startTestServer, type TestServer } from './helpers.js';
import { outboxFor } from './queries.js';
import { TestSmtp, waitFor } from './smtp.js';

const FAST = {
  retryBaseMs: 100,
  retryMaxMs: 400,
  pollMs: 100,
  sendTimeoutMs: 2_000,
  leaseMs: 7_000,
  maxAttempts: 4,
};

describe('the invitation e-mail', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  let token: string;
  before(async () => {
    smtp = await new TestSmtp().start();
    t = await startTestServer({ mail: { ...FAST, smtpUrl: `smtp://127.0.0.1:${smtp.port}` } });
    token = await accountToken(t);
  });
  after(async () => {
    await t.stop();
    await smtp.stop();
  });

  it('carries a link that sets the first password; the token is stored only as a digest', async () => {
    const email = 'invited.person@example.test';
    const res = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'create', user_info: { email, type: 1, first_name: 'Ada' } },
    });
    assert.equal(res.status, 201, res.text);
    await waitFor('the invitation', () => smtp.received.some((m) => m.envelopeTo.includes(email)));
    const mail = smtp.received.find((m) => m.envelopeTo.includes(email))!;
    assert.match(mail.mail.subject ?? '', /^You are invited to /);
    const text = mail.mail.text ?? '';
    assert.match(text, /^Hello Ada,/);
    const link = /(http:\/\/\S+\/invitations\/accept\?token=([A-Za-z0-9_-]+))/.exec(text);
    assert.ok(link, text);
    assert.ok(link[1]!.startsWith(t.url), link[1]);
    const rawToken = decodeURIComponent(link[2]!);
    // The outbox row never held the token.
    const rows = await outboxFor(t.server.store.db, email);
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]!.payload.includes(rawToken));
    await waitFor(
      'the row marked sent',
      async () => (await outboxFor(t.server.store.db, email))[0]!.status === 'sent',
    );
    // The link works: the user becomes active with the chosen password.
    const user = await acceptInvitation(t.server.ctx, rawToken, 'First-Chosen-Pass-1', { ip: '127.0.0.1' });
    assert.equal(user.status, 'active');
    assert.equal((await users.byEmail(t.server.store.db, email))?.status, 'active');
    assert.match((await credentials.get(t.server.store.db, user.id))!.phc, /^\$argon2id\$/);
    // ... once.
    await assert.rejects(acceptInvitation(t.server.ctx, rawToken, 'Second-Chosen-Pass-2'), /not valid/);
  });

  it('is not sent, and is marked failed, once the invitation is no longer open', async () => {
    const email = 'withdrawn.person@example.test';
    // Queued while the relay is stopped, then the user is deleted before it runs again.
    await t.server.relay?.stop();
    const res = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'create', user_info: { email, type: 1 } },
    });
    assert.equal(res.status, 201, res.text);
    const id = (res.body as { id: string }).id;
    assert.equal(
      (await call(`${t.url}/v2/users/${id}?action=delete`, { method: 'DELETE', token })).status,
      204,
    );
    await t.server.relay?.start();
    await waitFor(
      'the notice settled',
      async () => (await outboxFor(t.server.store.db, email))[0]?.status === 'failed',
    );
    const row = (await outboxFor(t.server.store.db, email))[0]!;
    assert.match(row.last_error ?? '', /no longer wanted/);
    assert.ok(!smtp.received.some((m) => m.envelopeTo.includes(email)));
  });
});
