/**
 * The web pages over plain HTTP, as a browser without JavaScript uses them:
 * cookies, headers, CSRF, sessions, the throttle, and every bad input of issue 10.
 * The same flows in a real browser: web-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { issueInvitationLink } from '../src/domain/users/invitations.js';
import { users } from '../src/store/repositories/users.js';
import { webSessions } from '../src/store/repositories/web-sessions.js';
import {
  accountToken,
  addUser,
  CountingHasher,
  call,
  putPassword,
  startTestServer,
  type TestServer,
} from './helpers.js';
import { passwordChangesFor, webSessionsFor } from './queries.js';
import { csrfOf, errorsOf, noticeOf, titleOf, WebClient } from './web.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const WRONG = 'The form was not accepted: The e-mail address or the password is not correct.';
const EXPIRED_FORM =
  'The form did not come from this page as it is now, so nothing was changed. Open the page again and send the form from there.';

describe('web pages over HTTP', () => {
  let t: TestServer;
  const hasher = new CountingHasher();
  let ipSeq = 0;
  /** A client from an address of its own, so that one test's failures never throttle another's. */
  const client = () => new WebClient(t.url, `198.51.100.${++ipSeq}`);

  before(async () => {
    // Behind a proxy: X-Forwarded-For gives each client its address, X-Forwarded-Proto its scheme.
    t = await startTestServer({
      hasher,
      trustProxy: true,
      throttle: { freeFailures: 3, baseDelayMs: 30_000, maxDelayMs: 30_000 },
    });
  });
  after(() => t.stop());
  beforeEach(() => hasher.reset());

  const outboxRows = (recipient: string) =>
    t.server.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', recipient)
      .orderBy('id')
      .execute();

  it('serves every page with the security headers and a CSRF cookie, HttpOnly and SameSite=Lax', async () => {
    const c = client();
    const page = await c.get('/signin');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('content-security-policy'), CSP);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('strict-transport-security'), null);
    assert.equal(page.setCookies.length, 1);
    assert.match(page.setCookies[0]!, /^zpass_form=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    // No inline script or style anywhere: the CSP would block them.
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)|style=|\son[a-z]+=/i);
    assert.match(page.text, /<label for="email">E-mail address<\/label><input id="email"/);
    assert.match(page.text, /<label for="password">Password<\/label><input id="password"/);
    const css = await c.get('/assets/web.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const js = await c.get('/assets/checklist.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await c.get('/assets/nothing.js')).status, 404);
  });

  it('behind HTTPS, cookies are Secure and HSTS is sent', async () => {
    const c = client();
    const page = await c.get('/signin', { 'x-forwarded-proto': 'https' });
    assert.equal(page.headers.get('strict-transport-security'), 'max-age=31536000');
    assert.match(page.setCookies[0]!, /; HttpOnly; SameSite=Lax; Secure$/);
    const u = await addUser(t, { password: 'Https-Pass-1' });
    const signed = await c.post(
      '/signin',
      { csrf: csrfOf(page.text), email: u.email, password: 'Https-Pass-1' },
      { 'x-forwarded-proto': 'https' },
    );
    assert.equal(signed.status, 303);
    assert.match(
      signed.setCookies[0]!,
      /^zpass_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/,
    );
  });

  it('signs in: a new session id (only its digest stored), last_login_at, the account page', async () => {
    const u = await addUser(t, { password: 'Sign-In-Pass-1' });
    const c = client();
    const res = await c.signIn(u.email.toUpperCase(), 'Sign-In-Pass-1');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/account/password');
    assert.match(
      res.setCookies[0]!,
      /^zpass_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/,
    );
    const id = c.jar.get('zpass_session')!;
    const rows = await webSessionsFor(t.server.store.db, u.id);
    assert.deepEqual(
      rows.map((r) => r.digest),
      [sha256(id)],
    );
    assert.equal(rows[0]!.ip, c.ip);
    assert.equal(rows[0]!.expires_at - rows[0]!.created_at, 12 * 3600 * 1000);
    const user = await users.byId(t.server.store.db, u.id);
    assert.equal(user!.last_login_at, rows[0]!.created_at);
    const page = await c.get('/account/password');
    assert.equal(page.status, 200);
    assert.equal(titleOf(page.text), 'Change your password');
    assert.match(page.text, new RegExp(`Signed in as ${u.email.replace(/\./g, '\\.')}`));
    // The API shows the sign-in too.
    const token = await accountToken(t);
    const api = await call(`${t.url}/v2/users/${u.id}`, { token });
    assert.equal(
      (api.body as { last_login_time: string }).last_login_time,
      new Date(user!.last_login_at!).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );
    // Signing in again with the session cookie still held rotates the id: the old one is gone.
    c.jar.delete('zpass_session');
    const form = await c.get('/signin');
    c.jar.set('zpass_session', id);
    const again = await c.post('/signin', {
      csrf: csrfOf(form.text),
      email: u.email,
      password: 'Sign-In-Pass-1',
    });
    assert.equal(again.status, 303);
    const id2 = c.jar.get('zpass_session')!;
    assert.notEqual(id2, id);
    assert.deepEqual(
      (await webSessionsFor(t.server.store.db, u.id)).map((r) => r.digest),
      [sha256(id2)],
    );
    assert.equal(
      (await new WebClient(t.url).get('/account/password', { cookie: `zpass_session=${id}` })).status,
      303,
    );
  });

  it('answers an unknown e-mail exactly as a wrong password, after one argon2id verification each', async () => {
    const u = await addUser(t, { password: 'Known-Pass-1' });
    const c = client();
    hasher.reset();
    const wrong = await c.signIn(u.email, 'Wrong-Pass-1');
    assert.deepEqual(hasher.counts, { hash: 0, hashWithSalt: 0, verify: 1 });
    hasher.reset();
    const unknown = await c.signIn('nobody-here@example.test', 'Wrong-Pass-1');
    assert.deepEqual(hasher.counts, { hash: 0, hashWithSalt: 0, verify: 1 });
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.equal(errorsOf(res.text), WRONG);
      assert.deepEqual(res.setCookies, []);
    }
    const strip = (html: string) => html.replace(/value="[^"]*"/g, 'value=""');
    assert.equal(strip(wrong.text), strip(unknown.text));
  });

  it('refuses deactivated and pending users, and ends a session when its user is deactivated', async () => {
    const token = await accountToken(t);
    const u = await addUser(t, { password: 'Deact-Pass-1' });
    const c = client();
    assert.equal((await c.signIn(u.email, 'Deact-Pass-1')).status, 303);
    const res = await call(`${t.url}/v2/users/${u.id}/status`, {
      method: 'PUT',
      token,
      json: { action: 'deactivate' },
    });
    assert.equal(res.status, 204);
    assert.deepEqual(await webSessionsFor(t.server.store.db, u.id), []);
    const page = await c.get('/account/password');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/signin');
    const refused = await c.signIn(u.email, 'Deact-Pass-1');
    assert.equal(refused.status, 403);
    assert.equal(
      errorsOf(refused.text),
      "The form was not accepted: This account is deactivated. Ask your account's admin to activate it again.",
    );
    // With a wrong password, a deactivated user is told nothing more than anyone else.
    assert.equal(errorsOf((await c.signIn(u.email, 'Deact-Pass-2')).text), WRONG);

    const created = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'create', user_info: { email: `pending${ipSeq}@example.test`, type: 1 } },
    });
    assert.equal(created.status, 201, created.text);
    const pending = await client().signIn(`pending${ipSeq}@example.test`, 'Any-Pass-123');
    assert.equal(pending.status, 401);
    assert.equal(errorsOf(pending.text), WRONG);
  });

  it('throttles failed sign-ins per address and per e-mail, with Retry-After', async () => {
    const u = await addUser(t, { password: 'Throttle-Pass-1' });
    const c = client();
    // The third failure blocks (freeFailures 3): then even the right password is not looked at.
    for (let i = 0; i < 3; i++) assert.equal((await c.signIn(u.email, `Wrong-Pass-${i}`)).status, 401);
    hasher.reset();
    const blocked = await c.signIn(u.email, 'Throttle-Pass-1');
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get('retry-after'), '30');
    assert.equal(
      errorsOf(blocked.text),
      'The form was not accepted: Too many failed attempts. Try again in 30 seconds.',
    );
    assert.equal(hasher.counts.verify, 0);
    assert.deepEqual(blocked.setCookies, []);
    // From another address, the e-mail is blocked too: guessing from many addresses gains nothing.
    assert.equal((await client().signIn(u.email, 'Throttle-Pass-1')).status, 429);
  });

  it('refuses a missing or forged CSRF token, and a missing form cookie, changing nothing', async () => {
    const u = await addUser(t, { password: 'Csrf-Pass-1' });
    const c = client();
    const page = await c.get('/signin');
    for (const csrf of [
      undefined,
      'x'.repeat(43),
      csrfOf(page.text).replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')),
    ]) {
      const fields: Record<string, string> = { email: u.email, password: 'Csrf-Pass-1' };
      if (csrf !== undefined) fields.csrf = csrf;
      const res = await c.post('/signin', fields);
      assert.equal(res.status, 403);
      assert.equal(titleOf(res.text), 'This form has expired');
      assert.equal(errorsOf(res.text), EXPIRED_FORM);
      assert.deepEqual(res.setCookies, []);
    }
    // The right token without the cookie it is bound to (another site's form cannot send the cookie's secret).
    const bare = await new WebClient(t.url, c.ip).post('/signin', {
      csrf: csrfOf(page.text),
      email: u.email,
      password: 'Csrf-Pass-1',
    });
    assert.equal(bare.status, 403);
    assert.deepEqual(await webSessionsFor(t.server.store.db, u.id), []);
    assert.equal((await users.byId(t.server.store.db, u.id))!.last_login_at, null);

    // Signed in: the change form needs the session's own token.
    assert.equal((await c.signIn(u.email, 'Csrf-Pass-1')).status, 303);
    const other = await addUser(t, { password: 'Other-Pass-1' });
    const oc = client();
    await oc.signIn(other.email, 'Other-Pass-1');
    const foreignToken = csrfOf((await oc.get('/account/password')).text);
    for (const csrf of ['', foreignToken, csrfOf(page.text)]) {
      const res = await c.post('/account/password', {
        csrf,
        current_password: 'Csrf-Pass-1',
        new_password: 'Forged-Pass-2',
        confirm_password: 'Forged-Pass-2',
      });
      assert.equal(res.status, 403);
      assert.equal(errorsOf(res.text), EXPIRED_FORM);
    }
    assert.deepEqual(await passwordChangesFor(t.server.store.db, u.id), []);
    // Signing out needs the token too.
    const out = await c.post('/signout', { csrf: foreignToken });
    assert.equal(out.status, 403);
    assert.equal((await c.get('/account/password')).status, 200);
  });

  it("treats a tampered, unknown or another user's session cookie as no session: nothing changes", async () => {
    const a = await addUser(t, { password: 'Cookie-Pass-A1' });
    const b = await addUser(t, { password: 'Cookie-Pass-B1' });
    const ca = client();
    const cb = client();
    await ca.signIn(a.email, 'Cookie-Pass-A1');
    await cb.signIn(b.email, 'Cookie-Pass-B1');
    const aId = ca.jar.get('zpass_session')!;
    const aCsrf = csrfOf((await ca.get('/account/password')).text);
    const fields = {
      csrf: aCsrf,
      current_password: 'Cookie-Pass-A1',
      new_password: 'Cookie-Pass-A2',
      confirm_password: 'Cookie-Pass-A2',
    };
    const tampered = `${aId.slice(0, -1)}${aId.endsWith('A') ? 'B' : 'A'}`;
    for (const value of [tampered, 'x'.repeat(43), `${aId}x`, 'not a cookie']) {
      const raw = new WebClient(t.url, ca.ip);
      const get = await raw.get('/account/password', { cookie: `zpass_session=${value}` });
      assert.equal(get.status, 303);
      assert.equal(get.location, '/signin');
      const post = await raw.post('/account/password', fields, { cookie: `zpass_session=${value}` });
      assert.equal(post.status, 403);
      assert.equal(titleOf(post.text), 'Your session has ended');
    }
    // B's cookie with A's form: B is signed in, but the token is A's.
    const swapped = await cb.post('/account/password', { ...fields, current_password: 'Cookie-Pass-B1' });
    assert.equal(swapped.status, 403);
    assert.equal(titleOf(swapped.text), 'This form has expired');
    assert.deepEqual(await passwordChangesFor(t.server.store.db, a.id), []);
    assert.deepEqual(await passwordChangesFor(t.server.store.db, b.id), []);
    assert.equal((await ca.get('/account/password')).status, 200);
  });

  it('answers oversized and malformed fields with a 4xx page, never a 500', async () => {
    const u = await addUser(t, { password: 'Size-Pass-1' });
    const c = client();
    const long = await c.signIn(`${'a'.repeat(120)}@example.test`, 'Size-Pass-1');
    assert.equal(long.status, 400);
    assert.equal(
      errorsOf(long.text),
      'The form was not accepted: An e-mail address has at most 128 characters.',
    );
    const longPw = await c.signIn(u.email, 'P1a'.repeat(400));
    assert.equal(longPw.status, 400);
    assert.equal(
      errorsOf(longPw.text),
      'The form was not accepted: This password is longer than any zpass accepts.',
    );
    const empty = await c.signIn('', '');
    assert.equal(empty.status, 400);
    assert.equal(
      errorsOf(empty.text),
      'The form was not accepted: Enter your e-mail address. Enter your password.',
    );
    // A field sent twice is not what the page sends.
    const page = await c.get('/signin');
    const twice = new URLSearchParams([
      ['csrf', csrfOf(page.text)],
      ['email', u.email],
      ['email', 'other@example.test'],
      ['password', 'Size-Pass-1'],
    ]);
    const dup = await c.post('/signin', twice);
    assert.equal(dup.status, 400);
    assert.equal(titleOf(dup.text), 'This form cannot be used');
    // Over the body limit: 413, as an HTML page.
    const huge = await c.post('/signin', {
      csrf: csrfOf(page.text),
      email: u.email,
      password: 'x'.repeat(1_100_000),
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(errorsOf(huge.text), 'Request Body is too large.');
    // JSON to a form: still needs the CSRF token; text/plain is refused.
    const json = await fetch(`${t.url}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': c.ip! },
      body: JSON.stringify({ email: u.email, password: 'Size-Pass-1' }),
    });
    assert.equal(json.status, 403);
    const plain = await fetch(`${t.url}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-forwarded-for': c.ip! },
      body: 'email=x',
    });
    assert.equal(plain.status, 415);
    assert.match(await plain.text(), /<h1>This request cannot be answered<\/h1>/);
    // The change form: a new password over 31 characters gets the API's message.
    await c.signIn(u.email, 'Size-Pass-1');
    const tooLong = await c.submit('/account/password', '/account/password', {
      current_password: 'Size-Pass-1',
      new_password: 'Abcdefgh1'.repeat(4),
      confirm_password: 'Abcdefgh1'.repeat(4),
    });
    assert.equal(tooLong.status, 400);
    assert.equal(
      errorsOf(tooLong.text),
      'The form was not accepted: Password should be less than 32 characters.',
    );
    assert.match(tooLong.text, /<li data-rule="max" data-live="true" class="unmet">/);
    const huge2 = await c.submit('/account/password', '/account/password', {
      current_password: 'x'.repeat(2000),
      new_password: 'Fine-Pass-2',
      confirm_password: 'Fine-Pass-2',
    });
    assert.equal(huge2.status, 400);
    assert.equal(
      errorsOf(huge2.text),
      'The form was not accepted: This field is longer than any password zpass accepts.',
    );
    assert.deepEqual(await passwordChangesFor(t.server.store.db, u.id), []);
  });

  it('changes the password through the page: same use case, notice, log via web; other sessions and user tokens end', async () => {
    const token = await accountToken(t);
    // The owner: the account-level token of the app they created keeps working.
    const owner = await users.byId(t.server.store.db, t.demo.owner.id);
    const pw = t.demo.owner.password;
    const userToken = (await issueUserToken(t.server.ctx, owner!.email, ['user:read'], 3600)).access_token;
    assert.equal((await call(`${t.url}/v2/users/me`, { token: userToken })).status, 200);
    const first = client();
    const second = client();
    assert.equal((await first.signIn(owner!.email, pw)).status, 303);
    assert.equal((await second.signIn(owner!.email, pw)).status, 303);
    const before = (await outboxRows(owner!.email)).length;

    // A policy violation: the API's message, and the checklist marks what is missing.
    const bad = await first.submit('/account/password', '/account/password', {
      current_password: pw,
      new_password: 'lowercase-only-1',
      confirm_password: 'lowercase-only-1',
    });
    assert.equal(bad.status, 400);
    assert.equal(
      errorsOf(bad.text),
      'The form was not accepted: Include both Upper case and Lower case characters',
    );
    assert.match(bad.text, /<a href="#new_password">Include both Upper case and Lower case characters<\/a>/);
    assert.match(
      bad.text,
      /<li data-rule="case" data-live="true" class="unmet"><span class="state visually-hidden">not met: <\/span>/,
    );
    assert.match(
      bad.text,
      /<li data-rule="length" data-live="true" class="met"><span class="state visually-hidden">met: <\/span>/,
    );
    assert.match(bad.text, /<input id="new_password"[^>]* aria-invalid="true">/);
    const wrongCurrent = await first.submit('/account/password', '/account/password', {
      current_password: 'Not-The-Pass-1',
      new_password: 'Owner-New-Pass-2',
      confirm_password: 'Owner-New-Pass-2',
    });
    assert.equal(wrongCurrent.status, 400);
    assert.equal(
      errorsOf(wrongCurrent.text),
      'The form was not accepted: Your current password is not correct.',
    );
    const differ = await first.submit('/account/password', '/account/password', {
      current_password: pw,
      new_password: 'Owner-New-Pass-2',
      confirm_password: 'Owner-New-Pass-3',
    });
    assert.equal(differ.status, 400);
    assert.equal(
      errorsOf(differ.text),
      'The form was not accepted: The new password and its confirmation are not the same.',
    );
    assert.deepEqual(await passwordChangesFor(t.server.store.db, owner!.id), []);

    const done = await first.submit('/account/password', '/account/password', {
      current_password: pw,
      new_password: 'Owner-New-Pass-2',
      confirm_password: 'Owner-New-Pass-2',
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/account/password?changed=1');
    const after = await first.get(done.location!);
    assert.equal(after.status, 200);
    assert.equal(noticeOf(after.text), 'Your password was changed. Your other sessions were signed out.');
    // The other session ended; this one goes on.
    assert.equal((await second.get('/account/password')).status, 303);
    assert.deepEqual(
      (await webSessionsFor(t.server.store.db, owner!.id)).map((s) => s.digest),
      [sha256(first.jar.get('zpass_session')!)],
    );
    // User-level tokens stop; the account-level token of the owner's app does not.
    const revoked = await call(`${t.url}/v2/users/me`, { token: userToken });
    assert.equal(revoked.status, 401);
    assert.deepEqual(revoked.body, { code: 124, message: 'Invalid access token.' });
    assert.equal((await call(`${t.url}/v2/users/me`, { token })).status, 200);
    // Logged as the API logs it, via web, with the address.
    const changes = await passwordChangesFor(t.server.store.db, owner!.id);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.via, 'web');
    assert.equal(changes[0]!.ip, first.ip);
    assert.equal(changes[0]!.actor_user_id, owner!.id);
    assert.equal(changes[0]!.token_digest, null);
    // The same notice as the API path.
    const notices = (await outboxRows(owner!.email)).slice(before);
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.kind, 'password_changed');
    assert.equal(JSON.parse(notices[0]!.payload).via, 'web');
    // The old password no longer signs in; the new one does.
    assert.equal(errorsOf((await client().signIn(owner!.email, pw)).text), WRONG);
    assert.equal((await client().signIn(owner!.email, 'Owner-New-Pass-2')).status, 303);
    // Put the demo owner's password back for the other tests.
    await putPassword(t, token, owner!.id, pw);
  });

  it("a password set through the API ends the user's sessions on the web pages", async () => {
    const token = await accountToken(t);
    const u = await addUser(t, { password: 'Api-Set-Pass-1' });
    const c = client();
    await c.signIn(u.email, 'Api-Set-Pass-1');
    assert.equal((await putPassword(t, token, u.id, 'Api-Set-Pass-2')).status, 204);
    assert.equal((await c.get('/account/password')).status, 303);
    assert.deepEqual(await webSessionsFor(t.server.store.db, u.id), []);
  });

  it('a session ends at its expiry, and its row goes at the next sign-in', async () => {
    const u = await addUser(t, { password: 'Expiry-Pass-1' });
    const c = client();
    await c.signIn(u.email, 'Expiry-Pass-1');
    const id = c.jar.get('zpass_session')!;
    await t.server.store.db
      .updateTable('web_sessions')
      .set({ expires_at: Date.now() - 1 })
      .where('digest', '=', sha256(id))
      .execute();
    const page = await c.get('/account/password');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/signin');
    const post = await c.post('/account/password', {
      csrf: 'x'.repeat(43),
      current_password: 'Expiry-Pass-1',
      new_password: 'Expiry-Pass-2',
      confirm_password: 'Expiry-Pass-2',
    });
    assert.equal(post.status, 403);
    assert.equal(titleOf(post.text), 'Your session has ended');
    const other = client();
    await other.signIn(u.email, 'Expiry-Pass-1');
    assert.deepEqual(
      (await webSessionsFor(t.server.store.db, u.id)).map((r) => r.digest),
      [sha256(other.jar.get('zpass_session')!)],
    );
  });

  it('stores no address that is not one, whatever X-Forwarded-For says', async () => {
    const u = await addUser(t, { password: 'Forwarded-Pass-1' });
    for (const forwarded of ['x'.repeat(100), 'not-an-address', '::ffff:1.2.3.4 garbage']) {
      const c = new WebClient(t.url, forwarded);
      const res = await c.signIn(u.email, 'Forwarded-Pass-1');
      assert.equal(res.status, 303, forwarded);
      const row = await webSessions.byDigest(t.server.store.db, sha256(c.jar.get('zpass_session')!));
      assert.equal(row!.ip, null);
    }
    // The API's change log keeps the same rule.
    const token = await accountToken(t);
    const res = await fetch(`${t.url}/v2/users/${u.id}/password`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-forwarded-for': 'x'.repeat(100),
      },
      body: JSON.stringify({ password: 'Forwarded-Pass-2' }),
    });
    assert.equal(res.status, 204);
    assert.deepEqual(
      (await passwordChangesFor(t.server.store.db, u.id)).map((ch) => [ch.via, ch.ip]),
      [['api', null]],
    );
  });

  it('signs out: the session row goes, the cookie is cleared', async () => {
    const u = await addUser(t, { password: 'Sign-Out-Pass-1' });
    const c = client();
    await c.signIn(u.email, 'Sign-Out-Pass-1');
    const id = c.jar.get('zpass_session')!;
    const res = await c.submit('/account/password', '/signout', {});
    assert.equal(res.status, 303);
    assert.equal(res.location, '/signin?signed_out=1');
    assert.deepEqual(res.setCookies, ['zpass_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0']);
    assert.equal(await webSessions.byDigest(t.server.store.db, sha256(id)), undefined);
    const page = await c.get(res.location!);
    assert.equal(noticeOf(page.text), 'You have signed out.');
    assert.equal(
      (await new WebClient(t.url).get('/account/password', { cookie: `zpass_session=${id}` })).status,
      303,
    );
  });

  describe('invitations', () => {
    const invite = async () => {
      const token = await accountToken(t);
      const email = `invited${++ipSeq}@example.test`;
      const created = await call(`${t.url}/v2/users`, {
        method: 'POST',
        token,
        json: { action: 'create', user_info: { email, type: 1, first_name: 'Ada', last_name: 'Quill' } },
      });
      assert.equal(created.status, 201, created.text);
      const id = (created.body as { id: string }).id;
      const link = (await issueInvitationLink(t.server.ctx, id, `${t.url}/invitations/accept`))!.link;
      return { id, email, link: new URL(link) };
    };

    it('sets the first password, signs the user in; the link then no longer works', async () => {
      const inv = await invite();
      const c = client();
      const page = await c.get(inv.link.pathname + inv.link.search);
      assert.equal(page.status, 200);
      assert.equal(titleOf(page.text), 'Set your password');
      assert.match(page.text, new RegExp(`as <strong>${inv.email.replace(/\./g, '\\.')}</strong>`));
      const fields = {
        csrf: csrfOf(page.text),
        token: inv.link.searchParams.get('token')!,
        new_password: 'First-Pass-123',
        confirm_password: 'First-Pass-123',
      };
      const weak = await c.post('/invitations/accept', {
        ...fields,
        new_password: 'short1A',
        confirm_password: 'short1A',
      });
      assert.equal(weak.status, 400);
      assert.equal(errorsOf(weak.text), 'The form was not accepted: Have at least 8 characters');
      assert.match(weak.text, /<li data-rule="length" data-live="true" class="unmet">/);
      const res = await c.post('/invitations/accept', fields);
      assert.equal(res.status, 303);
      assert.equal(res.location, '/account/password?welcome=1');
      assert.match(res.setCookies.join('\n'), /^zpass_session=[A-Za-z0-9_-]{43}; /m);
      const welcome = await c.get(res.location!);
      assert.equal(noticeOf(welcome.text), 'Your password is set, and you are signed in.');
      const user = await users.byId(t.server.store.db, inv.id);
      assert.equal(user!.status, 'active');
      assert.notEqual(user!.last_login_at, null);
      const changes = await passwordChangesFor(t.server.store.db, inv.id);
      assert.deepEqual(
        changes.map((ch) => [ch.via, ch.ip]),
        [['web', c.ip]],
      );
      // Replayed: the link and the form are refused, nothing changes.
      const replay = await client().get(inv.link.pathname + inv.link.search);
      assert.equal(replay.status, 400);
      assert.equal(titleOf(replay.text), 'This invitation cannot be used');
      assert.equal(
        errorsOf(replay.text),
        'This invitation link is not valid: it was used, replaced or withdrawn. If you have set your password already, sign in.',
      );
      const again = await c.post('/invitations/accept', {
        ...fields,
        new_password: 'Other-Pass-123',
        confirm_password: 'Other-Pass-123',
      });
      assert.equal(again.status, 400);
      assert.equal(titleOf(again.text), 'This invitation cannot be used');
      assert.equal((await passwordChangesFor(t.server.store.db, inv.id)).length, 1);
      assert.equal((await client().signIn(inv.email, 'First-Pass-123')).status, 303);
    });

    it('refuses an expired, replaced, malformed or missing token, and a form without its CSRF token', async () => {
      const inv = await invite();
      const c = client();
      const page = await c.get(inv.link.pathname + inv.link.search);
      const token = inv.link.searchParams.get('token')!;
      const noCsrf = await c.post('/invitations/accept', {
        token,
        new_password: 'First-Pass-123',
        confirm_password: 'First-Pass-123',
      });
      assert.equal(noCsrf.status, 403);
      assert.match(
        noCsrf.text,
        new RegExp(`<a href="/invitations/accept\\?token=${token}">Open the page again</a>`),
      );
      for (const q of ['', '?token=', '?token=abc', `?token=${'x'.repeat(500)}`, '?token=a&token=b']) {
        const res = await c.get(`/invitations/accept${q}`);
        assert.equal(res.status, 400, q);
        assert.equal(titleOf(res.text), 'This invitation cannot be used');
      }
      // A new link replaces the old one.
      const newer = (await issueInvitationLink(t.server.ctx, inv.id, `${t.url}/invitations/accept`))!.link;
      assert.equal((await c.get(inv.link.pathname + inv.link.search)).status, 400);
      const newToken = new URL(newer).searchParams.get('token')!;
      // Expired: the invitation's end has passed.
      await t.server.store.db
        .updateTable('invitations')
        .set({ expires_at: Date.now() - 1 })
        .where('user_id', '=', inv.id)
        .execute();
      const expired = await c.get(`/invitations/accept?token=${newToken}`);
      assert.equal(expired.status, 400);
      assert.equal(
        errorsOf(expired.text),
        'This invitation has expired. Ask your administrator to invite you again. If you have set your password already, sign in.',
      );
      const post = await c.post('/invitations/accept', {
        csrf: csrfOf(page.text),
        token: newToken,
        new_password: 'First-Pass-123',
        confirm_password: 'First-Pass-123',
      });
      assert.equal(post.status, 400);
      assert.equal(titleOf(post.text), 'This invitation cannot be used');
      assert.equal((await users.byId(t.server.store.db, inv.id))!.status, 'pending');
      assert.deepEqual(await passwordChangesFor(t.server.store.db, inv.id), []);
    });
  });

  it('GET /docs: every operation of /openapi.json, nothing from another site', async () => {
    const c = client();
    const page = await c.get('/docs');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), CSP);
    const doc = (await call(`${t.url}/openapi.json`)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    let n = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        n++;
        const esc = path.replace(/[{}.*+?^$()|[\]\\]/g, '\\$&');
        assert.match(
          page.text,
          new RegExp(`<span class="method">${method.toUpperCase()}</span><code>${esc}</code>`),
        );
      }
    }
    assert.ok(n >= 10, `only ${n} operations`);
    assert.doesNotMatch(page.text, /(src|href)="(https?:)?\/\//);
    assert.doesNotMatch(page.text, /<script/);
    // The pages themselves are not API operations.
    assert.equal(doc.paths['/signin'], undefined);
  });

  it('the reset page the password-changed e-mail links to asks for the address (reset.test.ts: the rest)', async () => {
    const page = await client().get('/signin/reset');
    assert.equal(page.status, 200);
    assert.equal(titleOf(page.text), 'Reset your password');
    assert.match(page.text, /<form method="post" action="\/signin\/reset" novalidate>/);
    assert.match(
      (await client().get('/signin')).text,
      /<a href="\/signin\/reset">Forgot your password\?<\/a>/,
    );
  });

  it("a browser that strays gets a 404 page; the API keeps Zoom's JSON", async () => {
    const c = client();
    const page = await c.get('/account', { accept: 'text/html,application/xhtml+xml' });
    assert.equal(page.status, 404);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('content-security-policy'), CSP);
    assert.equal(titleOf(page.text), 'There is no such page');
    const api = await c.get('/v2/nothing', { accept: 'text/html' });
    assert.equal(api.status, 404);
    assert.deepEqual(JSON.parse(api.text), { code: 404, message: 'No API route matches GET /v2/nothing.' });
    // The server's address: a browser is taken to sign-in, an API client gets Zoom's 404.
    const root = await c.get('/', { accept: 'text/html' });
    assert.equal(root.status, 303);
    assert.equal(root.location, '/signin');
    const apiRoot = await c.get('/');
    assert.equal(apiRoot.status, 404);
    assert.deepEqual(JSON.parse(apiRoot.text), { code: 404, message: 'No API route matches GET /.' });
    const plain = await c.get('/account');
    assert.equal(plain.status, 404);
    assert.deepEqual(JSON.parse(plain.text), { code: 404, message: 'No API route matches GET /account.' });
  });

  it('never writes a password, session id, CSRF or invitation token to the logs', async () => {
    const u = await addUser(t, { password: 'Log-Secret-Pass-1' });
    const c = client();
    await c.signIn(u.email, 'Log-Secret-Pass-1');
    const csrf = csrfOf((await c.get('/account/password')).text);
    await c.post('/account/password', {
      csrf,
      current_password: 'Log-Secret-Pass-1',
      new_password: 'Log-Secret-Pass-2',
      confirm_password: 'Log-Secret-Pass-2',
    });
    const token = await accountToken(t);
    const created = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'create', user_info: { email: `logged${++ipSeq}@example.test`, type: 1 } },
    });
    const id = (created.body as { id: string }).id;
    const link = new URL((await issueInvitationLink(t.server.ctx, id, `${t.url}/invitations/accept`))!.link);
    const inv = await c.get(link.pathname + link.search);
    assert.equal(inv.status, 200);
    const invitationToken = link.searchParams.get('token')!;
    const logs = t.logs.join('');
    for (const secret of [
      'Log-Secret-Pass-1',
      'Log-Secret-Pass-2',
      c.jar.get('zpass_session')!,
      c.jar.get('zpass_form')!,
      csrf,
      invitationToken,
    ])
      assert.equal(logs.includes(secret), false, `a secret is in the logs: ${secret.slice(0, 4)}...`);
  });
});
