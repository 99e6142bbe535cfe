import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { digest } from '../src/crypto/random.js';
import { createAccount } from '../src/domain/accounts/provisioning.js';
import { ZoomError } from '../src/domain/errors.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { acceptInvitation, issueInvitationLink } from '../src/domain/users/invitations.js';
import { invitations } from '../src/store/repositories/invitations.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { users } from '../src/store/repositories/users.js';
import {
  accountToken,
  addUser,
  appWithToken,
  call,
  liftRateLimits,
  putPassword,
  startTestServer,
  type TestServer,
} from './helpers.js';
import { outboxFor, passwordChangesFor } from './queries.js';

let seq = 0;
const email = (tag = 'user') => `${tag}${++seq}-${process.pid}@example.test`;

type Obj = Record<string, unknown>;

/** A new account with its own owner and app, and a token for it: a directory no other test touches. */
async function newAccount(t: TestServer) {
  const acct = await createAccount(t.server.ctx, { ownerEmail: email('owner') });
  await liftRateLimits(t, acct.account_id);
  const token = await accountToken(t, {
    accountId: acct.account_id,
    clientId: acct.app.client_id,
    clientSecret: acct.app.client_secret,
  });
  return { acct, token };
}

function post(t: TestServer, token: string, json: unknown) {
  return call(`${t.url}/v2/users`, { method: 'POST', token, json });
}

function getUser(t: TestServer, token: string, userId: string) {
  return call(`${t.url}/v2/users/${encodeURIComponent(userId)}`, { token });
}

function patch(t: TestServer, token: string, userId: string, json: unknown) {
  return call(`${t.url}/v2/users/${encodeURIComponent(userId)}`, { method: 'PATCH', token, json });
}

function putStatus(t: TestServer, token: string, userId: string, json: unknown) {
  return call(`${t.url}/v2/users/${encodeURIComponent(userId)}/status`, { method: 'PUT', token, json });
}

function del(t: TestServer, token: string, userId: string, action?: string) {
  const qs = action === undefined ? '' : `?action=${encodeURIComponent(action)}`;
  return call(`${t.url}/v2/users/${encodeURIComponent(userId)}${qs}`, { method: 'DELETE', token });
}

function list(t: TestServer, token: string, query: string) {
  return call(`${t.url}/v2/users${query ? `?${query}` : ''}`, { token });
}

function emailCheck(t: TestServer, token: string, address: string) {
  return call(`${t.url}/v2/users/email?email=${encodeURIComponent(address)}`, { token });
}

const validation = (field: string, message: string) => ({
  code: 300,
  message: 'Validation Failed.',
  errors: [{ field, message }],
});

describe('Users API', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  const userCount = async () => (await users.listByAccount(t.server.store.db, t.demo.account_id)).length;

  describe('POST /v2/users', () => {
    it('create: a pending user, an invitation and its notice in one go, no token stored in clear', async () => {
      const address = email();
      const res = await post(t, token, {
        action: 'create',
        user_info: { email: address, type: 1, first_name: 'Ada', last_name: 'Lovelace' },
      });
      assert.equal(res.status, 201, res.text);
      const body = res.body as Obj;
      assert.deepEqual(Object.keys(body).sort(), ['email', 'first_name', 'id', 'last_name', 'type']);
      assert.equal(body.email, address);
      assert.equal(body.first_name, 'Ada');
      assert.equal(body.type, 1);
      assert.match(body.id as string, /^[A-Za-z0-9_-]{22}$/);

      const got = await getUser(t, token, body.id as string);
      assert.equal(got.status, 200);
      assert.equal((got.body as Obj).status, 'pending');
      assert.equal((got.body as Obj).display_name, 'Ada Lovelace');
      assert.equal((got.body as Obj).role_name, 'Member');
      assert.deepEqual((got.body as Obj).login_types, [100]);

      const db = t.server.store.db;
      const inv = await invitations.forUser(db, body.id as string);
      assert.ok(inv);
      assert.equal(inv.token_digest, null);
      assert.equal(inv.expires_at - inv.created_at, 30 * 24 * 3600 * 1000);
      const notices = await outboxFor(db, address);
      assert.equal(notices.length, 1);
      assert.equal(notices[0]!.kind, 'user_invitation');
      const payload = JSON.parse(notices[0]!.payload) as Obj;
      assert.equal(payload.user_id, body.id);
      // Only the page's path: the relay puts the link under ZPASS_PUBLIC_URL when it sends.
      assert.equal(payload.accept_url, '/invitations/accept');
      assert.equal(payload.expires_at, inv.expires_at);
      assert.equal(payload.invited_by, t.demo.owner.email);
      assert.ok(!('token' in payload) && !('link' in payload));
      assert.equal(await credentials.get(db, body.id as string), undefined);

      // The relay (or `zpass admin invite-link`) makes the link; only its digest is kept.
      const acceptUrl = `${t.url}${payload.accept_url as string}`;
      const first = await issueInvitationLink(t.server.ctx, body.id as string, acceptUrl);
      assert.ok(first);
      const m = /^(.+)\?token=([A-Za-z0-9_-]{43})$/.exec(first.link);
      assert.ok(m, first.link);
      assert.equal(m[1], `${t.url}/invitations/accept`);
      assert.equal((await invitations.forUser(db, body.id as string))?.token_digest, digest(m[2]!));
      const second = await issueInvitationLink(t.server.ctx, body.id as string, acceptUrl);
      assert.ok(second && second.link !== first.link);
      const stored = await invitations.forUser(db, body.id as string);
      assert.equal(stored?.token_digest, digest(new URL(second.link).searchParams.get('token')!));
      assert.equal(await invitations.byDigest(db, digest(m[2]!)), undefined);
      // A pending user has no password to change yet.
      assert.deepEqual((await putPassword(t, token, body.id as string, 'Pending-Pass-1')).body, {
        code: 300,
        message: 'The user has not accepted their invitation yet: they set their first password through it.',
      });
    });

    it('autoCreate: an active user with the password given, hashed', async () => {
      const address = email();
      const res = await post(t, token, {
        action: 'autoCreate',
        user_info: { email: address, type: 2, password: 'Auto-Create-1' },
      });
      assert.equal(res.status, 201, res.text);
      const id = (res.body as Obj).id as string;
      assert.deepEqual(res.body, { id, first_name: '', last_name: '', email: address, type: 2 });
      assert.equal(((await getUser(t, token, id)).body as Obj).status, 'active');
      const cred = await credentials.get(t.server.store.db, id);
      assert.match(cred!.phc, /^\$argon2id\$/);
      assert.equal((await outboxFor(t.server.store.db, address)).length, 0);
      assert.equal((await putPassword(t, token, id, 'Auto-Create-2')).status, 204);
    });

    it('autoCreate: a password that breaks the rules is refused and creates nothing', async () => {
      const before = await userCount();
      const address = email();
      const short = await post(t, token, {
        action: 'autoCreate',
        user_info: { email: address, type: 1, password: 'Ab1' },
      });
      assert.equal(short.status, 400);
      assert.deepEqual(short.body, { code: 1124, message: 'Have at least 8 characters' });
      const missing = await post(t, token, { action: 'autoCreate', user_info: { email: address, type: 1 } });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, validation('user_info.password', 'Password is required.'));
      const numeric = await post(t, token, {
        action: 'autoCreate',
        user_info: { email: address, type: 1, password: 12345678 },
      });
      assert.equal(numeric.status, 400);
      assert.equal((numeric.body as Obj).code, 300);
      assert.equal(await userCount(), before);
      assert.deepEqual((await emailCheck(t, token, address)).body, { existed_email: false });
    });

    for (const [action, loginTypes] of [
      ['custCreate', [99]],
      ['ssoCreate', [101]],
    ] as const) {
      it(`${action}: an active user without a password, whose password cannot be set (1123)`, async () => {
        const res = await post(t, token, {
          action,
          user_info: { email: email(), type: 1, password: 'Ignored-Pass-1' },
        });
        assert.equal(res.status, 201, res.text);
        const id = (res.body as Obj).id as string;
        const got = (await getUser(t, token, id)).body as Obj;
        assert.equal(got.status, 'active');
        assert.deepEqual(got.login_types, loginTypes);
        assert.equal(await credentials.get(t.server.store.db, id), undefined);
        const pw = await putPassword(t, token, id, 'Some-Pass-123');
        assert.equal(pw.status, 400);
        assert.deepEqual(pw.body, {
          code: 1123,
          message: 'Can only update password of Zoom work email account',
        });
        assert.equal(await credentials.get(t.server.store.db, id), undefined);
      });
    }

    it('answers 409 code 1005 for an address already used, in any case, and for racing requests', async () => {
      const address = email('dup');
      assert.equal(
        (await post(t, token, { action: 'custCreate', user_info: { email: address, type: 1 } })).status,
        201,
      );
      const again = await post(t, token, {
        action: 'create',
        user_info: { email: address.toUpperCase(), type: 1 },
      });
      assert.equal(again.status, 409);
      assert.deepEqual(again.body, {
        code: 1005,
        message: `Email "${address.toUpperCase()}" has already been used.`,
      });
      const raced = email('race');
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          post(t, token, { action: 'custCreate', user_info: { email: raced, type: 1 } }),
        ),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409]);
      assert.equal((await outboxFor(t.server.store.db, raced)).length, 0);
    });

    const bad: Array<[string, unknown, unknown]> = [
      [
        'an e-mail that is not one',
        { action: 'create', user_info: { email: 'not-an-email', type: 1 } },
        validation('user_info.email', 'Invalid field.'),
      ],
      [
        'an e-mail without a domain dot',
        { action: 'create', user_info: { email: 'a@b', type: 1 } },
        validation('user_info.email', 'Invalid field.'),
      ],
      [
        'an e-mail with a space',
        { action: 'create', user_info: { email: 'a b@example.test', type: 1 } },
        validation('user_info.email', 'Invalid field.'),
      ],
      [
        'a 300-character first name',
        { action: 'create', user_info: { email: 'long@example.test', type: 1, first_name: 'x'.repeat(300) } },
        validation('user_info.first_name', 'Invalid field.'),
      ],
      [
        'a 300-character last name',
        { action: 'create', user_info: { email: 'long@example.test', type: 1, last_name: 'y'.repeat(300) } },
        validation('user_info.last_name', 'Invalid field.'),
      ],
      [
        'a name with a control character',
        { action: 'create', user_info: { email: 'ctl@example.test', type: 1, first_name: 'a\u0000b' } },
        validation('user_info.first_name', 'Invalid field.'),
      ],
      [
        'an unknown action',
        { action: 'fooCreate', user_info: { email: 'x@example.test', type: 1 } },
        validation('action', 'Invalid field.'),
      ],
      [
        'no action',
        { user_info: { email: 'x@example.test', type: 1 } },
        validation('action', 'action is required.'),
      ],
      ['no user_info', { action: 'create' }, validation('user_info', 'user_info is required.')],
      [
        'no type',
        { action: 'create', user_info: { email: 'x@example.test' } },
        validation('user_info.type', 'user_info.type is required.'),
      ],
      [
        'an unknown type',
        { action: 'create', user_info: { email: 'x@example.test', type: 3 } },
        validation('user_info.type', 'Invalid field.'),
      ],
      [
        'a type given as a string in JSON',
        { action: 'create', user_info: { email: 'x@example.test', type: '1' } },
        validation('user_info.type', 'Invalid field.'),
      ],
      [
        'an e-mail given as a number',
        { action: 'create', user_info: { email: 5, type: 1 } },
        validation('user_info.email', 'Invalid field.'),
      ],
    ];
    for (const [name, json, expected] of bad) {
      it(`refuses ${name} with 400 and changes nothing`, async () => {
        const before = await userCount();
        const res = await post(t, token, json);
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.body, expected);
        assert.equal(await userCount(), before);
      });
    }

    it('refuses a body that is not JSON, in Zoom format', async () => {
      const res = await call(`${t.url}/v2/users`, {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: '{"action":',
      });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { code: 300, message: 'Request Body should be a valid JSON object.' });
    });

    it('takes urlencoded and multipart forms, with user_info[...] fields', async () => {
      const a = email('form');
      const form = await call(`${t.url}/v2/users`, {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          action: 'autoCreate',
          'user_info[email]': a,
          'user_info[type]': '2',
          'user_info[first_name]': 'Form',
          'user_info[password]': 'Form-Create-1',
        }).toString(),
      });
      assert.equal(form.status, 201, form.text);
      assert.deepEqual(
        { ...(form.body as Obj), id: 'x' },
        { id: 'x', email: a, type: 2, first_name: 'Form', last_name: '' },
      );
      const b = email('multi');
      const fd = new FormData();
      fd.set('action', 'custCreate');
      fd.set('user_info', JSON.stringify({ email: b, type: 1, last_name: 'Multi' }));
      const multi = await call(`${t.url}/v2/users`, { method: 'POST', token, body: fd });
      assert.equal(multi.status, 201, multi.text);
      assert.equal((multi.body as Obj).last_name, 'Multi');
      const badType = await call(`${t.url}/v2/users`, {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          action: 'custCreate',
          'user_info[email]': email(),
          'user_info[type]': 'one',
        }).toString(),
      });
      assert.equal(badType.status, 400);
      assert.deepEqual(badType.body, validation('user_info.type', 'Invalid field.'));
    });

    it('needs an admin scope: a user-level token gets 4711 naming them', async () => {
      const member = await addUser(t);
      const ut = await issueUserToken(t.server.ctx, member.email, ['user:write', 'user:read'], 3600);
      const res = await post(t, ut.access_token, {
        action: 'create',
        user_info: { email: email(), type: 1 },
      });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, {
        code: 4711,
        message: 'Invalid access token, does not contain scopes:[user:write:admin, user:write:user:admin].',
      });
      const granular = await appWithToken(t, ['user:write:user:admin']);
      assert.equal(
        (await post(t, granular.token, { action: 'custCreate', user_info: { email: email(), type: 1 } }))
          .status,
        201,
      );
      const readOnly = await appWithToken(t, ['user:read:admin']);
      assert.equal(
        (await post(t, readOnly.token, { action: 'custCreate', user_info: { email: email(), type: 1 } }))
          .status,
        400,
      );
    });
  });

  describe('GET /v2/users/email and /v2/users/{userId}', () => {
    it("says whether an address is the account's, in any case: false for another account's user and SSO users", async () => {
      const other = await newAccount(t);
      assert.deepEqual((await emailCheck(t, token, t.demo.member.email.toUpperCase())).body, {
        existed_email: true,
      });
      // Zoom: another account's user is not this account's business.
      assert.deepEqual((await emailCheck(t, token, other.acct.owner.email)).body, { existed_email: false });
      assert.deepEqual((await emailCheck(t, other.token, other.acct.owner.email)).body, {
        existed_email: true,
      });
      const sso = email('sso');
      assert.equal(
        (await post(t, token, { action: 'ssoCreate', user_info: { email: sso, type: 1 } })).status,
        201,
      );
      assert.deepEqual((await emailCheck(t, token, sso)).body, { existed_email: false });
      const res = await emailCheck(t, token, 'nobody@example.test');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { existed_email: false });
    });

    it('refuses an address that is not one, and a missing one', async () => {
      const bad = await emailCheck(t, token, 'nope');
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, validation('email', 'Invalid field.'));
      const missing = await call(`${t.url}/v2/users/email`, { token });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, { code: 300, message: 'Email is required.' });
      const empty = await call(`${t.url}/v2/users/email?email=`, { token });
      assert.deepEqual(empty.body, { code: 300, message: 'Email is required.' });
    });

    it("answers 404 code 1001 for an unknown user and for another account's", async () => {
      const other = await newAccount(t);
      for (const id of ['nobody@example.test', other.acct.owner.id, other.acct.owner.email]) {
        const res = await getUser(t, token, id);
        assert.equal(res.status, 404);
        assert.deepEqual(res.body, { code: 1001, message: `User does not exist: ${id}.` });
      }
    });
  });

  it('answers 404 for a user id holding a NUL or control character, on every user route', async () => {
    const id = 'a\u0000b';
    const path = `${t.url}/v2/users/${encodeURIComponent(id)}`;
    const notFound = { code: 1001, message: `User does not exist: ${id}.` };
    for (const [method, url, json] of [
      ['GET', path, undefined],
      ['PATCH', path, { first_name: 'x' }],
      ['DELETE', `${path}?action=delete`, undefined],
      ['PUT', `${path}/status`, { action: 'deactivate' }],
      ['PUT', `${path}/password`, { password: 'Valid-Pass-123' }],
    ] as const) {
      const res = await call(url, { method, token, json });
      assert.equal(res.status, 404, `${method} ${url}: ${res.text}`);
      assert.deepEqual(res.body, notFound);
    }
  });

  describe('GET /v2/users', () => {
    it('lists active users by default, 30 a page, with total_records and an empty token on the last page', async () => {
      const { acct, token: tok } = await newAccount(t);
      for (let i = 0; i < 3; i++)
        await post(t, tok, { action: 'custCreate', user_info: { email: email(), type: 1 } });
      await post(t, tok, { action: 'create', user_info: { email: email('pending'), type: 1 } });
      const res = await list(t, tok, '');
      assert.equal(res.status, 200, res.text);
      const body = res.body as Obj & { users: Obj[] };
      assert.equal(body.page_size, 30);
      assert.equal(body.total_records, 4);
      assert.equal(body.page_count, 1);
      assert.equal(body.next_page_token, '');
      assert.equal('page_number' in body, false);
      assert.equal(body.users.length, 4);
      assert.equal(body.users[0]!.email, acct.owner.email);
      assert.ok(body.users.every((u) => u.status === 'active'));
      const pending = (await list(t, tok, 'status=pending')).body as Obj & { users: Obj[] };
      assert.equal(pending.total_records, 1);
      assert.equal(pending.users[0]!.status, 'pending');
      const inactive = (await list(t, tok, 'status=inactive')).body as Obj & { users: Obj[] };
      assert.equal(inactive.total_records, 0);
      assert.deepEqual(inactive.users, []);
    });

    it('pages with next_page_token and with page_number', async () => {
      const { token: tok } = await newAccount(t);
      for (let i = 0; i < 4; i++)
        await post(t, tok, { action: 'custCreate', user_info: { email: email(), type: 1 } });
      const all = ((await list(t, tok, 'page_size=300')).body as { users: Obj[] }).users.map((u) => u.id);
      assert.equal(all.length, 5);
      const seen: unknown[] = [];
      let next = '';
      do {
        const page = (await list(t, tok, `page_size=2${next ? `&next_page_token=${next}` : ''}`)).body as {
          users: Obj[];
          next_page_token: string;
          page_size: number;
        };
        assert.equal(page.page_size, 2);
        seen.push(...page.users.map((u) => u.id));
        next = page.next_page_token;
      } while (next);
      assert.deepEqual(seen, all);
      const p2 = (await list(t, tok, 'page_size=2&page_number=2')).body as Obj & { users: Obj[] };
      assert.equal(p2.page_number, 2);
      assert.equal(p2.page_count, 3);
      assert.deepEqual(
        p2.users.map((u) => u.id),
        all.slice(2, 4),
      );
      const far = await list(t, tok, 'page_size=300&page_number=1000000000');
      assert.equal(far.status, 200, far.text);
      assert.deepEqual((far.body as Obj).users, []);
      const p4 = (await list(t, tok, 'page_size=2&page_number=4')).body as Obj & { users: Obj[] };
      assert.deepEqual(p4.users, []);
      assert.equal(p4.next_page_token, '');
    });

    const badQueries: Array<[string, unknown]> = [
      ['page_size=0', validation('page_size', 'Invalid field.')],
      ['page_size=10000', validation('page_size', 'Invalid field.')],
      ['page_size=301', validation('page_size', 'Invalid field.')],
      ['page_size=abc', validation('page_size', 'Invalid field.')],
      ['page_size=1.5', validation('page_size', 'Invalid field.')],
      ['page_size=-1', validation('page_size', 'Invalid field.')],
      ['page_size=', validation('page_size', 'Invalid field.')],
      ['page_size=1&page_size=2', validation('page_size', 'Invalid field.')],
      ['page_number=0', validation('page_number', 'Invalid field.')],
      ['status=deleted', validation('status', 'Invalid field.')],
      ['next_page_token=forged', { code: 300, message: 'The next page token is invalid.' }],
      [`next_page_token=${'A'.repeat(80)}`, { code: 300, message: 'The next page token is invalid.' }],
    ];
    for (const [query, expected] of badQueries) {
      it(`refuses ${query.slice(0, 40)} with 400`, async () => {
        const res = await list(t, token, query);
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.body, expected);
      });
    }

    it("refuses a token that was altered, or another account's, or used with another status", async () => {
      const { acct, token: tok } = await newAccount(t);
      for (let i = 0; i < 2; i++)
        await post(t, tok, { action: 'custCreate', user_info: { email: email(), type: 1 } });
      const next = ((await list(t, tok, 'page_size=1')).body as Obj).next_page_token as string;
      assert.ok(next.length > 20);
      // Opaque: the account, the status and the position cannot be read from it.
      const decoded = Buffer.from(next, 'base64url').toString('latin1');
      for (const word of [acct.account_id, acct.owner.id, 'active']) assert.ok(!decoded.includes(word), word);
      const flipped = next.slice(0, 10) + (next[10] === 'A' ? 'B' : 'A') + next.slice(11);
      const invalid = { code: 300, message: 'The next page token is invalid.' };
      assert.deepEqual((await list(t, tok, `next_page_token=${flipped}`)).body, invalid);
      assert.deepEqual((await list(t, token, `next_page_token=${next}`)).body, invalid);
      assert.deepEqual((await list(t, tok, `status=pending&next_page_token=${next}`)).body, invalid);
      assert.equal((await list(t, tok, `status=active&next_page_token=${next}`)).status, 200);
    });

    it('needs a read scope: a user-level token gets 4711', async () => {
      const ut = await issueUserToken(t.server.ctx, t.demo.member.email, ['user:read'], 3600);
      const res = await list(t, ut.access_token, '');
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, {
        code: 4711,
        message:
          'Invalid access token, does not contain scopes:[user:read:admin, user:write:admin, user:read:list_users:admin].',
      });
    });

    it('walks 1,000 users 7 at a time while another client creates and deletes users: each steady user once', async () => {
      const { acct, token: tok } = await newAccount(t);
      const db = t.server.store.db;
      const base = Date.now() - 60_000;
      const steady: string[] = [];
      const doomed: string[] = [];
      await t.server.store.transaction(async (tx) => {
        for (let i = 0; i < 1000; i++) {
          const id = `walk${String(i).padStart(4, '0')}${Math.random().toString(36).slice(2, 12)}`;
          const address = `walk${i}-${acct.account_id}@example.test`;
          await users.insert(tx, {
            id,
            account_id: acct.account_id,
            email: address,
            email_norm: address.toLowerCase(),
            first_name: '',
            last_name: '',
            display_name: '',
            type: 1,
            role: 'member',
            status: 'active',
            // Several users share each millisecond, so the walk must order ties by id.
            created_at: base + Math.floor(i / 3),
            last_login_at: null,
          });
          (i % 10 === 5 ? doomed : steady).push(id);
        }
      });
      steady.push(acct.owner.id);
      let walking = true;
      const churned: string[] = [];
      const churn = (async () => {
        let i = 0;
        while (walking) {
          const made = await post(t, tok, {
            action: 'custCreate',
            user_info: { email: email('churn'), type: 1 },
          });
          assert.equal(made.status, 201, made.text);
          churned.push((made.body as Obj).id as string);
          if (i % 2 === 0 && churned.length > 1)
            assert.equal((await del(t, tok, churned.shift()!, 'delete')).status, 204);
          const victim = doomed[i];
          if (victim) assert.equal((await del(t, tok, victim, 'delete')).status, 204);
          i++;
        }
        return i;
      })();
      const seen = new Map<string, number>();
      let next = '';
      let pages = 0;
      try {
        do {
          const res = await list(t, tok, `page_size=7${next ? `&next_page_token=${next}` : ''}`);
          assert.equal(res.status, 200, res.text);
          const page = res.body as { users: Obj[]; next_page_token: string };
          assert.ok(page.users.length <= 7);
          for (const u of page.users) seen.set(u.id as string, (seen.get(u.id as string) ?? 0) + 1);
          next = page.next_page_token;
          pages++;
        } while (next);
      } finally {
        walking = false;
      }
      const rounds = await churn;
      assert.ok(rounds > 10, `the other client made only ${rounds} rounds`);
      assert.ok(pages >= 130, `${pages} pages`);
      for (const id of steady) assert.equal(seen.get(id), 1, `user ${id} seen ${seen.get(id) ?? 0} times`);
      for (const [id, n] of seen) assert.equal(n, 1, `user ${id} seen ${n} times`);
      assert.ok(await users.byId(db, steady[0]!));
    });
  });

  describe('restarts and expiry of page tokens', () => {
    it('keeps a token valid across a restart (the key is in the store) and expires it after 15 minutes', async () => {
      const clock = new ManualClock();
      const s1 = await startTestServer({ clock });
      let s2: TestServer | undefined;
      try {
        const tok1 = await accountToken(s1);
        const all = ((await list(s1, tok1, '')).body as { users: Obj[] }).users.map((u) => u.id);
        assert.equal(all.length, 2);
        const next = ((await list(s1, tok1, 'page_size=1')).body as Obj).next_page_token as string;
        assert.ok(next);
        await s1.stop(false);
        s2 = await startTestServer({ clock, dataDir: s1.dataDir });
        const tok2 = await accountToken(s2);
        const again = await list(s2, tok2, `page_size=1&next_page_token=${next}`);
        assert.equal(again.status, 200, again.text);
        assert.equal((again.body as { users: Obj[] }).users[0]!.id, all[1]);
        clock.advance(15 * 60 * 1000);
        const expired = await list(s2, tok2, `page_size=1&next_page_token=${next}`);
        assert.equal(expired.status, 400);
        assert.deepEqual(expired.body, {
          code: 300,
          message: 'The next page token has expired. Start again from the first page.',
        });
      } finally {
        if (s2) await s2.stop();
        else await s1.stop();
      }
    });
  });

  describe('accepting an invitation', () => {
    const refusal = (code: number, message: string) => (err: unknown) =>
      err instanceof ZoomError && err.status === 400 && err.code === code && err.message === message;
    const invalid = refusal(300, 'This invitation link is not valid: it was used, replaced or withdrawn.');

    it('activates the user with the password they chose, once, with the latest link only', async () => {
      const address = email('accept');
      const res = await post(t, token, { action: 'create', user_info: { email: address, type: 1 } });
      const id = (res.body as Obj).id as string;
      const url = `${t.url}/invitations/accept`;
      const old = new URL((await issueInvitationLink(t.server.ctx, id, url))!.link).searchParams.get(
        'token',
      )!;
      const tok = new URL((await issueInvitationLink(t.server.ctx, id, url))!.link).searchParams.get(
        'token',
      )!;
      await assert.rejects(acceptInvitation(t.server.ctx, old, 'Chosen-Pass-1'), invalid);
      await assert.rejects(acceptInvitation(t.server.ctx, 'x'.repeat(43), 'Chosen-Pass-1'), invalid);
      await assert.rejects(acceptInvitation(t.server.ctx, undefined, 'Chosen-Pass-1'), invalid);
      await assert.rejects(
        acceptInvitation(t.server.ctx, tok, 'short1A'),
        refusal(1124, 'Have at least 8 characters'),
      );
      assert.equal(((await getUser(t, token, id)).body as Obj).status, 'pending');

      const user = await acceptInvitation(t.server.ctx, tok, 'Chosen-Pass-1', { ip: '203.0.113.9' });
      assert.equal(user.status, 'active');
      assert.equal(((await getUser(t, token, id)).body as Obj).status, 'active');
      assert.ok(await credentials.get(t.server.store.db, id));
      assert.equal(await invitations.forUser(t.server.store.db, id), undefined);
      assert.deepEqual(
        (await passwordChangesFor(t.server.store.db, id)).map((c) => [c.via, c.ip, c.actor_user_id]),
        [['web', '203.0.113.9', id]],
      );
      await assert.rejects(acceptInvitation(t.server.ctx, tok, 'Chosen-Pass-2'), invalid);
      assert.equal(await issueInvitationLink(t.server.ctx, id, url), undefined);
      // Now an ordinary active user: the admin can set the password.
      assert.equal((await putPassword(t, token, id, 'Admin-Set-Pass-1')).status, 204);
    });

    it('refuses an invitation after its 30 days, and issues no new link for it', async () => {
      const clock = new ManualClock();
      const s = await startTestServer({ clock });
      try {
        const tk = await accountToken(s);
        const res = await post(s, tk, { action: 'create', user_info: { email: email('late'), type: 1 } });
        const id = (res.body as Obj).id as string;
        const link = (await issueInvitationLink(s.server.ctx, id, `${s.url}/invitations/accept`))!;
        clock.advance(30 * 24 * 3600 * 1000);
        await assert.rejects(
          acceptInvitation(s.server.ctx, new URL(link.link).searchParams.get('token'), 'Chosen-Pass-1'),
          refusal(300, 'This invitation has expired. Ask your administrator to invite you again.'),
        );
        assert.equal(await issueInvitationLink(s.server.ctx, id, `${s.url}/invitations/accept`), undefined);
        assert.equal((await users.byId(s.server.store.db, id))?.status, 'pending');
      } finally {
        await s.stop();
      }
    });
  });

  describe('PATCH /v2/users/{userId}', () => {
    it('updates profile fields, ignores unknown ones, and keeps a derived display name in step', async () => {
      const u = await addUser(t);
      const res = await patch(t, token, u.id, {
        first_name: 'Grace',
        last_name: 'Hopper',
        type: 2,
        job_title: 'Admiral',
        pmi: 5,
      });
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      const got = (await getUser(t, token, u.id)).body as Obj;
      assert.equal(got.first_name, 'Grace');
      assert.equal(got.last_name, 'Hopper');
      assert.equal(got.display_name, 'Grace Hopper');
      assert.equal(got.type, 2);
      assert.equal(got.job_title, 'Admiral');
      // pmi is derived from the id, not settable.
      assert.notEqual(got.pmi, 5);
      assert.equal((await patch(t, token, u.email, { display_name: 'Amazing Grace' })).status, 204);
      assert.equal((await patch(t, token, u.id, { first_name: 'G.' })).status, 204);
      const again = (await getUser(t, token, u.id)).body as Obj;
      assert.equal(again.display_name, 'Amazing Grace');
      assert.equal(again.first_name, 'G.');
      const form = await call(`${t.url}/v2/users/${u.id}`, {
        method: 'PATCH',
        token,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'type=1&last_name=Form',
      });
      assert.equal(form.status, 204, form.text);
      assert.equal(((await getUser(t, token, u.id)).body as Obj).type, 1);
    });

    const badPatches: Array<[string, unknown, unknown]> = [
      [
        'a 300-character first name',
        { first_name: 'x'.repeat(300) },
        validation('first_name', 'Invalid field.'),
      ],
      [
        'a 300-character display name',
        { display_name: 'x'.repeat(300) },
        validation('display_name', 'Invalid field.'),
      ],
      ['a numeric last name', { last_name: 7 }, validation('last_name', 'Invalid field.')],
      ['type 3', { type: 3 }, validation('type', 'Invalid field.')],
      ['role_id 0', { role_id: '0' }, validation('role_id', 'Invalid field.')],
    ];
    for (const [name, json, expected] of badPatches) {
      it(`refuses ${name} and changes nothing`, async () => {
        const u = await addUser(t);
        const before = await users.byId(t.server.store.db, u.id);
        const res = await patch(t, token, u.id, json);
        assert.equal(res.status, 400);
        assert.deepEqual(res.body, expected);
        assert.deepEqual(await users.byId(t.server.store.db, u.id), before);
      });
    }

    it('lets the owner change roles, not admins; nobody changes the owner’s role', async () => {
      const u = await addUser(t);
      assert.equal((await patch(t, token, u.id, { role_id: '1' })).status, 204);
      assert.equal(((await getUser(t, token, u.id)).body as Obj).role_name, 'Admin');
      const admin = await addUser(t, { role: 'admin' });
      const { token: adminToken } = await appWithToken(
        t,
        ['user:write:admin', 'user:read:admin'],
        admin.email,
      );
      const member = await addUser(t);
      const noPrivilege = { code: 200, message: 'No privilege.' };
      assert.deepEqual((await patch(t, adminToken, member.id, { role_id: '1' })).body, noPrivilege);
      assert.deepEqual((await patch(t, adminToken, t.demo.owner.id, { first_name: 'X' })).body, noPrivilege);
      assert.deepEqual((await patch(t, adminToken, u.id, { first_name: 'X' })).body, noPrivilege);
      assert.equal((await patch(t, adminToken, member.id, { first_name: 'ByAdmin' })).status, 204);
      assert.equal((await patch(t, adminToken, 'me', { first_name: 'Self' })).status, 204);
      assert.deepEqual((await patch(t, token, 'me', { role_id: '2' })).body, {
        code: 200,
        message: "The account owner's role can not be changed.",
      });
      assert.equal((await users.byId(t.server.store.db, member.id))?.role, 'member');
      assert.equal((await users.byId(t.server.store.db, u.id))?.first_name, '');
    });

    it('lets a user-level token edit its own profile only', async () => {
      const u = await addUser(t);
      const other = await addUser(t);
      const ut = (await issueUserToken(t.server.ctx, u.email, ['user:write'], 3600)).access_token;
      assert.equal((await patch(t, ut, 'me', { first_name: 'Me' })).status, 204);
      assert.deepEqual((await patch(t, ut, 'me', { type: 2 })).body, { code: 200, message: 'No privilege.' });
      assert.deepEqual((await patch(t, ut, other.id, { first_name: 'You' })).body, {
        code: 4711,
        message: 'Invalid access token, does not contain scopes:[user:write:admin, user:update:user:admin].',
      });
      assert.equal((await users.byId(t.server.store.db, u.id))?.first_name, 'Me');
    });
  });

  describe('PUT /v2/users/{userId}/status', () => {
    it("deactivation stops the user's tokens at once; reactivation restores sign-in, not old tokens", async () => {
      const u = await addUser(t, { role: 'admin' });
      const ut = (await issueUserToken(t.server.ctx, u.email, ['user:read'], 3600)).access_token;
      const { token: appToken } = await appWithToken(t, ['user:read:admin'], u.email);
      assert.equal((await getUser(t, ut, 'me')).status, 200);
      assert.equal((await getUser(t, appToken, 'me')).status, 200);
      // Zoom does not deactivate admins: the owner demotes them first.
      assert.equal((await patch(t, token, u.id, { role_id: '2' })).status, 204);

      const res = await putStatus(t, token, u.id, { action: 'deactivate' });
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      const invalid = { code: 124, message: 'Invalid access token.' };
      const next = await getUser(t, ut, 'me');
      assert.equal(next.status, 401);
      assert.deepEqual(next.body, invalid);
      assert.deepEqual((await getUser(t, appToken, 'me')).body, invalid);
      assert.equal(((await getUser(t, token, u.id)).body as Obj).status, 'inactive');
      assert.deepEqual((await putPassword(t, token, u.id, 'While-Inactive-1')).body, {
        code: 300,
        message: 'The user is deactivated: activate them before updating their password.',
      });
      // Deactivating twice is harmless.
      assert.equal((await putStatus(t, token, u.id, { action: 'deactivate' })).status, 204);

      assert.equal((await putStatus(t, token, u.email, { action: 'activate' })).status, 204);
      assert.equal(((await getUser(t, token, u.id)).body as Obj).status, 'active');
      assert.deepEqual((await getUser(t, ut, 'me')).body, invalid);
      assert.deepEqual((await getUser(t, appToken, 'me')).body, invalid);
      const fresh = (await issueUserToken(t.server.ctx, u.email, ['user:read'], 3600)).access_token;
      assert.equal((await getUser(t, fresh, 'me')).status, 200);
      assert.equal((await putPassword(t, token, u.id, 'After-Return-1')).status, 204);
    });

    it('protects the owner, admins from admins, and callers from themselves', async () => {
      const owner = await putStatus(t, token, t.demo.owner.id, { action: 'deactivate' });
      assert.equal(owner.status, 400);
      assert.deepEqual(owner.body, {
        code: 200,
        message: 'Zoom Room and Admin users can not be activated or deactivated.',
      });
      const adminStatus = {
        code: 200,
        message: 'Zoom Room and Admin users can not be activated or deactivated.',
      };
      assert.deepEqual((await putStatus(t, token, 'me', { action: 'activate' })).body, adminStatus);
      const admin = await addUser(t, { role: 'admin' });
      const other = await addUser(t, { role: 'admin' });
      const member = await addUser(t);
      const { token: adminToken } = await appWithToken(t, ['user:write:admin'], admin.email);
      assert.deepEqual(
        (await putStatus(t, adminToken, other.id, { action: 'deactivate' })).body,
        adminStatus,
      );
      assert.deepEqual((await putStatus(t, token, other.id, { action: 'deactivate' })).body, adminStatus);
      assert.deepEqual((await putStatus(t, token, other.id, { action: 'activate' })).body, adminStatus);
      assert.deepEqual((await putStatus(t, adminToken, t.demo.owner.email, { action: 'deactivate' })).body, {
        code: 200,
        message: 'Zoom Room and Admin users can not be activated or deactivated.',
      });
      assert.deepEqual((await putStatus(t, adminToken, 'me', { action: 'deactivate' })).body, adminStatus);
      assert.equal((await putStatus(t, adminToken, member.id, { action: 'deactivate' })).status, 204);
      const db = t.server.store.db;
      assert.equal((await users.byId(db, other.id))?.status, 'active');
      assert.equal((await users.byId(db, admin.id))?.status, 'active');
      assert.equal((await users.byId(db, t.demo.owner.id))?.status, 'active');
    });

    it('refuses a bad action, a missing one, and a pending user', async () => {
      const u = await addUser(t);
      assert.deepEqual(
        (await putStatus(t, token, u.id, { action: 'pause' })).body,
        validation('action', 'Invalid field.'),
      );
      assert.deepEqual(
        (await putStatus(t, token, u.id, {})).body,
        validation('action', 'action is required.'),
      );
      const p = await post(t, token, { action: 'create', user_info: { email: email('pend'), type: 1 } });
      const pid = (p.body as Obj).id as string;
      const res = await putStatus(t, token, pid, { action: 'activate' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, {
        code: 300,
        message: 'The user has not accepted their invitation yet: their status can not be changed.',
      });
      assert.equal((await users.byId(t.server.store.db, pid))?.status, 'pending');
      assert.equal((await users.byId(t.server.store.db, u.id))?.status, 'active');
      const missing = await putStatus(t, token, 'nobody@example.test', { action: 'activate' });
      assert.equal(missing.status, 404);
    });
  });

  describe('DELETE /v2/users/{userId}', () => {
    it('action=delete erases the user and stops their tokens', async () => {
      const u = await addUser(t);
      const ut = (await issueUserToken(t.server.ctx, u.email, ['user:read'], 3600)).access_token;
      const res = await del(t, token, u.id, 'delete');
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      assert.deepEqual((await getUser(t, token, u.id)).body, {
        code: 1001,
        message: `User does not exist: ${u.id}.`,
      });
      assert.deepEqual((await emailCheck(t, token, u.email)).body, { existed_email: false });
      assert.equal(await credentials.get(t.server.store.db, u.id), undefined);
      assert.equal((await getUser(t, ut, 'me')).status, 401);
      assert.equal((await del(t, token, u.id, 'delete')).status, 404);
    });

    it('disassociate (the default) keeps the user, with their password, as the owner of an account of their own', async () => {
      const u = await addUser(t);
      const ut = (await issueUserToken(t.server.ctx, u.email, ['user:read'], 3600)).access_token;
      const res = await del(t, token, u.id);
      assert.equal(res.status, 204, res.text);
      assert.equal((await getUser(t, token, u.id)).status, 404);
      // The address is now another account's: Zoom's check answers false.
      assert.deepEqual((await emailCheck(t, token, u.email)).body, { existed_email: false });
      const row = await users.byId(t.server.store.db, u.id);
      assert.ok(row);
      assert.notEqual(row.account_id, t.demo.account_id);
      assert.equal(row.role, 'owner');
      assert.ok(await credentials.get(t.server.store.db, u.id));
      assert.equal((await getUser(t, ut, 'me')).status, 401);
    });

    it('a password change racing a deletion answers 204 or 404, never 500, and leaves no credential behind', async () => {
      for (const delay of [5, 15, 30, 60]) {
        const u = await addUser(t);
        // The changes read the user, then hash for a while; the deletion lands during the hashing.
        const changes = [
          putPassword(t, token, u.id, `Racing-Pass-${delay}a`),
          putPassword(t, token, u.id, `Racing-Pass-${delay}b`),
        ];
        await new Promise((r) => setTimeout(r, delay));
        const deleted = await del(t, token, u.id, 'delete');
        assert.equal(deleted.status, 204, deleted.text);
        for (const r of await Promise.all(changes))
          assert.ok([204, 404].includes(r.status), `${r.status} ${r.text}`);
        assert.equal(await users.byId(t.server.store.db, u.id), undefined);
        assert.equal(await credentials.get(t.server.store.db, u.id), undefined);
      }
    });

    it('deletes a pending user outright on disassociate, with their invitation', async () => {
      const address = email('pend');
      const p = await post(t, token, { action: 'create', user_info: { email: address, type: 1 } });
      const id = (p.body as Obj).id as string;
      assert.equal((await del(t, token, id, 'disassociate')).status, 204);
      assert.equal(await users.byId(t.server.store.db, id), undefined);
      assert.equal(await invitations.forUser(t.server.store.db, id), undefined);
      assert.equal(await issueInvitationLink(t.server.ctx, id, `${t.url}/invitations/accept`), undefined);
    });

    it('refuses an unknown action, the owner, and admins acting on admins; changes nothing', async () => {
      const u = await addUser(t);
      const bad = await del(t, token, u.id, 'destroy');
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, validation('action', 'Invalid field.'));
      const owner = await del(t, token, t.demo.owner.id, 'delete');
      assert.equal(owner.status, 400);
      assert.deepEqual(owner.body, {
        code: 200,
        message: 'The account owner can not be deleted or disassociated.',
      });
      const admin = await addUser(t, { role: 'admin' });
      const other = await addUser(t, { role: 'admin' });
      const { token: adminToken } = await appWithToken(t, ['user:write:admin'], admin.email);
      assert.deepEqual((await del(t, adminToken, other.id, 'delete')).body, {
        code: 200,
        message: 'No privilege.',
      });
      const readOnly = await appWithToken(t, ['user:read:admin']);
      assert.deepEqual((await del(t, readOnly.token, u.id, 'delete')).body, {
        code: 4711,
        message: 'Invalid access token, does not contain scopes:[user:write:admin, user:delete:user:admin].',
      });
      const db = t.server.store.db;
      for (const id of [u.id, t.demo.owner.id, other.id]) assert.ok(await users.byId(db, id));
    });
  });

  it('describes every Users route in /openapi.json', async () => {
    const doc = (await call(`${t.url}/openapi.json`)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    assert.deepEqual(Object.keys(doc.paths['/v2/users']!).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(doc.paths['/v2/users/email']!).sort(), ['get']);
    assert.deepEqual(Object.keys(doc.paths['/v2/users/{userId}']!).sort(), ['delete', 'get', 'patch']);
    assert.deepEqual(Object.keys(doc.paths['/v2/users/{userId}/status']!).sort(), ['put']);
  });

  it('never writes a password into the logs', async () => {
    assert.ok(t.logs.length > 0);
    for (const secret of ['Auto-Create-1', 'Form-Create-1', 'After-Return-1', 'Ignored-Pass-1']) {
      assert.ok(!t.logs.some((l) => l.includes(secret)), secret);
    }
  });
});
