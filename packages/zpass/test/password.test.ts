import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createAccount, createApp, createUser } from '../src/domain/accounts/provisioning.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { accountToken, call, putPassword, startTestServer, type TestServer } from './helpers.js';
import { outboxFor, passwordChangesFor } from './queries.js';

describe('PUT /v2/users/{userId}/password', () => {
  let t: TestServer;
  let token: string;
  let n = 0;
  /** A fresh member of the demo account, so each case starts with no changes. */
  const member = async (role: 'member' | 'admin' = 'member') => {
    n++;
    return createUser(t.server.ctx, {
      accountId: t.demo.account_id,
      email: `user${n}@example.test`,
      role,
      password: 'Initial-Pass-1',
    });
  };

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  it("answers the seed's curl request (multipart form) with 204 and an empty body", async () => {
    const u = await member();
    const { stdout: out } = await promisify(execFile)(
      'curl',
      [
        '-s',
        '-i',
        '-X',
        'PUT',
        '-H',
        `Authorization: Bearer ${token}`,
        '-H',
        'Content-Type: multipart/form-data',
        '--form',
        'password=dolor Excepteur minim1A',
        `${t.url}/v2/users/${u.id}/password`,
      ],
      { encoding: 'utf8' },
    );
    const [head, body] = out.split(/\r\n\r\n/);
    assert.match(head!, /^HTTP\/1\.1 204 /);
    assert.match(head!, /x-zm-trackingid: \S+/i);
    assert.equal(body, '');
    const cred = await credentials.get(t.server.store.db, u.id);
    assert.equal(cred?.version, 2);
  });

  it('accepts JSON and urlencoded bodies', async () => {
    const u = await member();
    const json = await putPassword(t, token, u.id, 'Json-Body-Pass-2');
    assert.equal(json.status, 204);
    assert.equal(json.text, '');
    const form = await call(`${t.url}/v2/users/${u.id}/password`, {
      method: 'PUT',
      token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: 'Form-Body-Pass-3' }).toString(),
    });
    assert.equal(form.status, 204);
    const fd = new FormData();
    fd.set('password', 'Multi-Part-Pass-4');
    const multi = await call(`${t.url}/v2/users/${u.id}/password`, { method: 'PUT', token, body: fd });
    assert.equal(multi.status, 204);
  });

  it('finds the user by id, by e-mail in any case, and by me', async () => {
    const u = await member();
    assert.equal((await putPassword(t, token, u.email.toUpperCase(), 'By-Email-Pass-5')).status, 204);
    assert.equal((await putPassword(t, token, u.id, 'By-Id-Pass-6')).status, 204);
    // With an account-level token, `me` is the app's creator: the demo owner.
    assert.equal((await putPassword(t, token, 'me', 'Owner-New-Pass-7')).status, 204);
  });

  it('stores an argon2id PHC string, and commits the change log and the notice with it', async () => {
    const u = await member();
    assert.equal((await putPassword(t, token, u.id, 'Phc-Check-Pass-8')).status, 204);
    const db = t.server.store.db;
    const cred = await credentials.get(db, u.id);
    assert.match(cred!.phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.ok(!cred!.phc.includes('Phc-Check-Pass-8'));
    const log = await passwordChangesFor(db, u.id);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.via, 'api');
    assert.equal(log[0]!.actor_user_id, t.demo.owner.id);
    assert.ok(log[0]!.app_id);
    assert.equal(log[0]!.ip, '127.0.0.1');
    const mails = await outboxFor(db, u.email);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.kind, 'password_changed');
    assert.equal(mails[0]!.status, 'pending');
    assert.ok(!mails[0]!.payload.includes('Phc-Check-Pass-8'));
  });

  const table: Array<[string, string, number, number, string]> = [
    ['too short', 'Ab1defg', 400, 1124, 'Have at least 8 characters'],
    ['no letter', '19283746', 400, 1125, 'Have at least 1 letter (a, b, c...)'],
    ['no number', 'Abcdefgxyz', 400, 1126, 'Have at least 1 number (1, 2, 3...)'],
    ['one case only', 'abcxyz123', 400, 1128, 'Include both Upper case and Lower case characters'],
    ['the same character', 'aaaaaaaaa', 400, 1130, "Password can't use the same character."],
    [
      'a run of digits',
      '12345678',
      400,
      1131,
      "Password can't use continuation character.Such as 'abcdef','123456'.",
    ],
    [
      'a run of letters',
      'abcdefgh',
      400,
      1131,
      "Password can't use continuation character.Such as 'abcdef','123456'.",
    ],
  ];
  for (const [name, password, status, code, message] of table) {
    it(`refuses ${name} with ${status} code ${code}`, async () => {
      const u = await member();
      const res = await putPassword(t, token, u.id, password);
      assert.equal(res.status, status);
      assert.deepEqual(res.body, { code, message });
      assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 1);
    });
  }

  it('refuses the current password with 300', async () => {
    const u = await member();
    const res = await putPassword(t, token, u.id, 'Initial-Pass-1');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { code: 300, message: 'Your new password can not match the old password.' });
  });

  it('refuses a sixth change within 24 hours with 300 and the exact message', async () => {
    const u = await member();
    for (let i = 0; i < 5; i++)
      assert.equal((await putPassword(t, token, u.id, `Cap-Test-Pass-${i}x`)).status, 204);
    const res = await putPassword(t, token, u.id, 'Cap-Test-Pass-6x');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      code: 300,
      message:
        'This password cannot be changed because it has already been changed the maximum number of times over the past 24 hours.',
    });
    assert.equal((await passwordChangesFor(t.server.store.db, u.id)).length, 5);
  });

  it('answers 300 Validation Failed with field errors for a missing, non-string or too long password', async () => {
    const u = await member();
    const missing = await call(`${t.url}/v2/users/${u.id}/password`, { method: 'PUT', token, json: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, {
      code: 300,
      message: 'Validation Failed.',
      errors: [{ field: 'password', message: 'password is required.' }],
    });
    const numeric = await putPassword(t, token, u.id, 12345678);
    assert.equal(numeric.status, 400);
    assert.equal((numeric.body as { code: number }).code, 300);
    assert.equal((numeric.body as { message: string }).message, 'Validation Failed.');
    const long = await putPassword(t, token, u.id, `Aa1${'x'.repeat(29)}`);
    assert.equal(long.status, 400);
    assert.deepEqual(long.body, {
      code: 300,
      message: 'Validation Failed.',
      errors: [{ field: 'password', message: 'Password should be less than 32 characters.' }],
    });
    assert.equal((await putPassword(t, token, u.id, `Aa1${'x'.repeat(28)}`)).status, 204);
  });

  it("refuses an admin changing the owner's or another admin's password with 1117", async () => {
    const admin = await member('admin');
    const other = await member('admin');
    const plain = await member();
    const app = await createApp(t.server.ctx, t.demo.account_id, ['user:write:admin'], admin.email);
    const adminToken = await accountToken(t, {
      accountId: t.demo.account_id,
      clientId: app.client_id,
      clientSecret: app.client_secret,
    });
    const expected = { code: 1117, message: "Can not update Admin's password" };
    const toOwner = await putPassword(t, adminToken, t.demo.owner.id, 'Admin-Tries-Pass-1');
    assert.equal(toOwner.status, 400);
    assert.deepEqual(toOwner.body, expected);
    const toAdmin = await putPassword(t, adminToken, other.id, 'Admin-Tries-Pass-2');
    assert.deepEqual(toAdmin.body, expected);
    assert.equal((await putPassword(t, adminToken, plain.id, 'Admin-Sets-Pass-3')).status, 204);
    assert.equal((await putPassword(t, adminToken, 'me', 'Admin-Own-Pass-4')).status, 204);
    // The owner may change an admin's.
    assert.equal((await putPassword(t, token, other.id, 'Owner-Sets-Pass-5')).status, 204);
  });

  it('answers 404 code 1001 for an unknown user and for a user of another account alike', async () => {
    const unknown = await putPassword(t, token, 'nobody@example.test', 'Some-Valid-Pass-1');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { code: 1001, message: 'User does not exist: nobody@example.test.' });
    const other = await createAccount(t.server.ctx, { ownerEmail: 'other-owner@example.test' });
    const res = await putPassword(t, token, other.owner.id, 'Some-Valid-Pass-1');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { code: 1001, message: `User does not exist: ${other.owner.id}.` });
    const byMail = await putPassword(t, token, other.owner.email, 'Some-Valid-Pass-1');
    assert.deepEqual(byMail.body, { code: 1001, message: `User does not exist: ${other.owner.email}.` });
  });

  it('lets a user-level token change its own password only', async () => {
    const u = await member();
    const other = await member();
    const ut = await issueUserToken(t.server.ctx, u.email, ['user:write'], 600);
    assert.equal((await putPassword(t, ut.access_token, 'me', 'Self-Service-Pass-1')).status, 204);
    assert.equal((await putPassword(t, ut.access_token, u.email, 'Self-Service-Pass-2')).status, 204);
    const res = await putPassword(t, ut.access_token, other.id, 'Self-Service-Pass-3');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      code: 4711,
      message:
        'Invalid access token, does not contain scopes:[user:write:admin, user:update:password:admin].',
    });
  });
});
