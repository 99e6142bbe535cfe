/**
 * Two-factor sign-in over plain HTTP (a browser without JavaScript), on both stores: the
 * secret read from the enrolment page and codes computed here with otpauth, the sign-in
 * challenge, replay, recovery codes, the throttle, the account's enforcement rule, turning
 * off, the operator's and the admin's resets (with the notice delivered to a real SMTP
 * server), secrets at rest, CSRF and oversize fields, the same answer for every bad
 * challenge, the server without a secret key, and the key's rotation. The pages in a real
 * browser: web-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { ManualClock } from '../src/clock.js';
import { SECRET_KEY_FILE } from '../src/crypto/secret-keys.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { runAdmin } from './cli-helpers.js';
import {
  accountToken,
  addUser,
  appWithToken,
  call,
  startTestServer,
  type TestServer,
  tempDir,
} from './helpers.js';
import { webSessionsFor } from './queries.js';
import { startWithSmtp, type TestSmtp, waitFor } from './smtp.js';
import { csrfOf, errorsOf, noticeOf, titleOf, WebClient } from './web.js';

const WRONG = 'The code is not correct.';
const REQUIRED = 'Your account requires two-factor sign-in. Set it up to continue.';
const PASSWORD = 'Second-Factor-2026';
const STEP = 30_000;

/** The code an authenticator app shows for `secret` at `time`. */
const codeAt = (secret: string, time: number) =>
  TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: time,
  });

/** The base32 secret of the setup page, spaces removed. */
const secretOf = (html: string) => {
  const m = /<code id="totp-secret">([^<]+)<\/code>/.exec(html);
  assert.ok(m, html.slice(0, 400));
  return m[1]!.replace(/\s+/g, '');
};

const recoveryCodesOf = (html: string) => {
  const m = /<ol id="recovery-codes">(.*?)<\/ol>/s.exec(html);
  assert.ok(m, html.slice(0, 400));
  return [...m[1]!.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((x) => x[1]!);
};

const admin = runAdmin;

/** A user with a password, and a client signed in as them. */
async function signedInUser(t: TestServer, client: () => WebClient, role: 'member' | 'admin' = 'member') {
  const user = await addUser(t, { password: PASSWORD, role });
  const c = client();
  const res = await c.signIn(user.email, PASSWORD);
  assert.equal(res.status, 303);
  assert.equal(res.location, '/account/password');
  return { user, c };
}

/** Enrols the signed-in client: returns the secret and the recovery codes. */
async function enrol(c: WebClient, clock: ManualClock) {
  const setup = await c.submit('/account/two-factor', '/account/two-factor/setup', {});
  assert.equal(setup.status, 200, setup.text.slice(0, 400));
  const secret = secretOf(setup.text);
  const on = await c.post('/account/two-factor/enable', {
    csrf: csrfOf(setup.text),
    code: codeAt(secret, clock.now()),
  });
  assert.equal(on.status, 200, errorsOf(on.text));
  return { secret, codes: recoveryCodesOf(on.text) };
}

describe('two-factor sign-in', () => {
  let t: TestServer;
  let smtp: TestSmtp;
  const clock = new ManualClock();
  let ipSeq = 0;
  const client = () => new WebClient(t.url, `198.51.100.${++ipSeq}`);
  const db = () => t.server.store.db;

  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    ({ t, smtp, stop } = await startWithSmtp({ clock }));
  });
  after(() => stop?.());

  /** Moves the test clock to the next 30-second step (a new code). */
  const nextStep = () => clock.advance(STEP);

  const twoFactorRow = (userId: string) =>
    db().selectFrom('two_factor').selectAll().where('user_id', '=', userId).executeTakeFirst();
  const operations = (email: string) =>
    db()
      .selectFrom('operation_logs')
      .select('detail')
      .where('detail', 'like', `%${email}%`)
      .orderBy('id')
      .execute()
      .then((rows) => rows.map((r) => r.detail));

  /** Signs in with the password: the answer, which must be the challenge. */
  const challenge = async (email: string, c = client()) => {
    const res = await c.signIn(email, PASSWORD);
    assert.equal(res.status, 303);
    assert.equal(res.location, '/signin/two-factor');
    return c;
  };
  const sendCode = (c: WebClient, code: string) =>
    c.submit('/signin/two-factor', '/signin/two-factor', { code });
  /** The anonymous forms' CSRF token of the client (the reset request page has one, signed in or not). */
  const formToken = async (c: WebClient) => csrfOf((await c.get('/signin/reset')).text);

  const setTwoFactorRule = async (security: Record<string, unknown>) => {
    const res = await call(`${t.url}/v2/accounts/me/settings?option=security`, {
      method: 'PATCH',
      token: await accountToken(t),
      json: { security },
    });
    assert.equal(res.status, 204, res.text);
  };

  it('enrols with a code of the secret the page shows; a wrong code changes nothing', async () => {
    const { user, c } = await signedInUser(t, client);
    const account = await c.get('/account/password');
    assert.match(account.text, /<a href="\/account\/two-factor">Two-factor sign-in<\/a>/);
    const off = await c.get('/account/two-factor');
    assert.equal(off.status, 200);
    assert.equal(titleOf(off.text), 'Two-factor sign-in');
    assert.match(
      off.text,
      /<form method="post" action="\/account\/two-factor\/setup"[^>]*>.*<button type="submit">Set up<\/button>/s,
    );
    assert.equal(noticeOf(off.text), '');

    const setup = await c.post('/account/two-factor/setup', { csrf: csrfOf(off.text) });
    assert.equal(setup.status, 200);
    assert.match(setup.text, /<figure id="totp-qr"><svg[^>]*>.*<\/svg>/s);
    const secret = secretOf(setup.text);
    assert.match(secret, /^[A-Z2-7]{32}$/);
    // The pending secret stays on the server: in no form field.
    assert.doesNotMatch(setup.text, new RegExp(`value="[^"]*${secret}`));
    assert.match(
      setup.text,
      /<form method="post" action="\/account\/two-factor\/enable"[^>]*>.*name="code".*<button type="submit">Turn on<\/button>/s,
    );
    assert.doesNotMatch(setup.text, /(src|href)="https?:/, 'no external request');

    const pending = await twoFactorRow(user.id);
    assert.ok(pending && pending.enabled_at === null);
    // At rest: sealed under the key, never the secret in clear.
    assert.match(pending.secret_sealed, /^k1\.[0-9a-f]{8}\./);
    assert.ok(!pending.secret_sealed.includes(secret));

    const wrongCode = codeAt(secret, clock.now() + 10 * STEP);
    const wrong = await c.post('/account/two-factor/enable', { csrf: csrfOf(setup.text), code: wrongCode });
    assert.equal(wrong.status, 400);
    assert.equal(errorsOf(wrong.text), `The form was not accepted: ${WRONG}`);
    assert.equal(secretOf(wrong.text), secret, 'the same pending secret is shown again');
    assert.deepEqual(await twoFactorRow(user.id), pending, 'a refused code changes nothing');
    const none = await db().selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute();
    assert.equal(none.length, 0);

    const on = await c.post('/account/two-factor/enable', {
      csrf: csrfOf(setup.text),
      code: codeAt(secret, clock.now()),
    });
    assert.equal(on.status, 200);
    const codes = recoveryCodesOf(on.text);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    assert.match(on.text, /<a href="\/account\/password">Continue<\/a>/);
    const rows = await db().selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute();
    assert.equal(rows.length, 10);
    const stored = JSON.stringify(rows);
    for (const code of codes) {
      assert.ok(!stored.includes(code) && !stored.includes(code.replace(/-/g, '')), 'codes only as digests');
    }
    const enabled = await twoFactorRow(user.id);
    assert.ok(enabled?.enabled_at);
    const page = await c.get('/account/two-factor');
    assert.match(page.text, /Two-factor sign-in is on\./);
    assert.match(
      page.text,
      /action="\/account\/two-factor\/disable".*name="password".*name="code".*<button type="submit">Turn off<\/button>/s,
    );
    assert.ok((await operations(user.email)).some((d) => d.endsWith('two-factor sign-in turned on')));
    // Nothing secret in the logs.
    const logs = t.logs.join('');
    assert.ok(!logs.includes(secret) && !codes.some((x) => logs.includes(x)));
  });

  it('signs in through the challenge: no session before the code, one code once, ±1 step', async () => {
    const { user, c: first } = await signedInUser(t, client);
    const { secret } = await enrol(first, clock);
    nextStep();

    const c = client();
    const res = await c.signIn(user.email, PASSWORD);
    assert.equal(res.status, 303);
    assert.equal(res.location, '/signin/two-factor');
    assert.ok(
      !res.setCookies.some((l) => l.startsWith('zpass_session=') && !/Max-Age=0/.test(l)),
      'no session yet',
    );
    assert.ok(res.setCookies.some((l) => /^zpass_2fa=[A-Za-z0-9_-]{43};.*Max-Age=300/.test(l)));
    assert.equal((await c.get('/account/password')).location, '/signin');
    const sessionsBefore = (await webSessionsFor(db(), user.id)).length;

    const page = await c.get('/signin/two-factor');
    assert.equal(page.status, 200);
    assert.equal(titleOf(page.text), 'Two-factor sign-in');
    assert.match(
      page.text,
      /<form method="post" action="\/signin\/two-factor"[^>]*>.*name="csrf".*name="code".*<button type="submit">Verify<\/button>/s,
    );

    const wrong = await sendCode(c, codeAt(secret, clock.now() + 5 * STEP));
    assert.equal(wrong.status, 401);
    assert.equal(errorsOf(wrong.text), `The form was not accepted: ${WRONG}`);
    assert.equal((await webSessionsFor(db(), user.id)).length, sessionsBefore);

    // One step ahead is accepted (clock skew)...
    const ahead = codeAt(secret, clock.now() + STEP);
    const ok = await sendCode(c, ahead);
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/account/password');
    assert.equal((await c.get('/account/password')).status, 200);
    assert.equal((await webSessionsFor(db(), user.id)).length, sessionsBefore + 1);
    const activity = await db()
      .selectFrom('sign_in_activities')
      .select('type')
      .where('user_id', '=', user.id)
      .execute();
    assert.equal(activity.filter((a) => a.type === 'sign_in').length, 2);

    // ...and then the same code, and the current step's (earlier than the accepted one), are replays.
    for (const code of [ahead, codeAt(secret, clock.now())]) {
      const again = await sendCode(await challenge(user.email), code);
      assert.equal(again.status, 401);
      assert.equal(errorsOf(again.text), `The form was not accepted: ${WRONG}`);
    }
    nextStep();
    nextStep();
    const later = await sendCode(await challenge(user.email), codeAt(secret, clock.now()));
    assert.equal(later.status, 303);
  });

  it('a recovery code signs in once, and its use is logged', async () => {
    const { user, c: first } = await signedInUser(t, client);
    const { codes } = await enrol(first, clock);
    const ok = await sendCode(await challenge(user.email), codes[3]!.toUpperCase());
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/account/password');
    const again = await sendCode(await challenge(user.email), codes[3]!);
    assert.equal(again.status, 401);
    assert.equal(errorsOf(again.text), `The form was not accepted: ${WRONG}`);
    const used = await db()
      .selectFrom('recovery_codes')
      .select('used_at')
      .where('user_id', '=', user.id)
      .where('used_at', 'is not', null)
      .execute();
    assert.equal(used.length, 1);
    assert.ok(
      (await operations(user.email)).some((d) =>
        d.endsWith('recovery code used for two-factor sign-in (9 left)'),
      ),
    );
  });

  it('wrong codes are throttled per address and e-mail; a challenge takes five', async () => {
    const { user, c: first } = await signedInUser(t, client);
    const { secret } = await enrol(first, clock);
    nextStep();
    const wrong = () => codeAt(secret, clock.now() + 7 * STEP);
    // Five wrong codes end the challenge: the next answer is the expired sign-in.
    const c = await challenge(user.email);
    for (let i = 0; i < 5; i++) assert.equal((await sendCode(c, wrong())).status, 401);
    const ended = await c.post('/signin/two-factor', {
      csrf: await formToken(c),
      code: codeAt(secret, clock.now()),
    });
    assert.equal(ended.status, 303);
    assert.equal(ended.location, '/signin?two_factor_expired');
    // The five failures count under the user's address: the next code (even the right one) waits.
    const c2 = client();
    const res = await c2.signIn(user.email, PASSWORD);
    assert.equal(res.status, 429, 'the password form is throttled too');
    assert.ok(Number(res.headers.get('retry-after')) > 0);

    // Another user: a throttled challenge answers 429 and uses nothing up.
    const { user: other, c: o } = await signedInUser(t, client);
    const { secret: s2 } = await enrol(o, clock);
    nextStep();
    const cc = await challenge(other.email);
    for (let i = 0; i < 3; i++)
      assert.equal((await sendCode(cc, codeAt(s2, clock.now() + 9 * STEP))).status, 401);
    const cd = await challenge(other.email, cc);
    for (let i = 0; i < 2; i++)
      assert.equal((await sendCode(cd, codeAt(s2, clock.now() + 9 * STEP))).status, 401);
    const stepBefore = (await twoFactorRow(other.id))?.last_step;
    const throttled = await sendCode(cd, codeAt(s2, clock.now()));
    assert.equal(throttled.status, 429);
    assert.match(errorsOf(throttled.text), /Too many failed attempts/);
    assert.equal((await twoFactorRow(other.id))?.last_step, stepBefore, 'the code was not used');
  });

  it('every bad challenge gets the same answer: back to sign-in with a notice', async () => {
    const { user, c: first } = await signedInUser(t, client);
    const { secret } = await enrol(first, clock);
    nextStep();
    const expect = async (c: WebClient) => {
      const get = await c.get('/signin/two-factor');
      assert.equal(get.status, 303);
      assert.equal(get.location, '/signin?two_factor_expired');
      const post = await c.post('/signin/two-factor', {
        csrf: await formToken(c),
        code: codeAt(secret, clock.now()),
      });
      assert.equal(post.status, 303);
      assert.equal(post.location, '/signin?two_factor_expired');
    };
    const none = client();
    await expect(none); // no challenge at all
    assert.equal(
      noticeOf((await none.get('/signin?two_factor_expired')).text),
      'Your sign-in was not completed in time. Sign in again.',
    );
    const unknown = client();
    unknown.jar.set('zpass_2fa', randomBytes(32).toString('base64url'));
    await expect(unknown);
    const malformed = client();
    malformed.jar.set('zpass_2fa', 'not-a-token');
    await expect(malformed);
    const expired = await challenge(user.email);
    clock.advance(5 * 60_000 + 1);
    await expect(expired);
    const used = await challenge(user.email);
    const usedToken = used.jar.get('zpass_2fa')!;
    assert.equal((await sendCode(used, codeAt(secret, clock.now()))).status, 303);
    used.jar.set('zpass_2fa', usedToken);
    await expect(used);
    // A challenge of a user whose two-factor was reset meanwhile.
    const pending = await challenge(user.email);
    const token = await accountToken(t);
    assert.equal(
      (await call(`${t.url}/zpass/v1/users/${user.id}/two_factor`, { method: 'DELETE', token })).status,
      204,
    );
    await expect(pending);
  });

  it('the account rule: all, then role; a user to enrol reaches only the enrolment pages and sign-out', async () => {
    try {
      await setTwoFactorRule({ sign_in_with_two_factor_auth: 'all' });
      const { user, c } = await signedInUser(t, client);
      const account = await c.get('/account/password');
      assert.equal(account.status, 303);
      assert.equal(account.location, '/account/two-factor');
      const page = await c.get('/account/two-factor');
      assert.equal(noticeOf(page.text), REQUIRED);
      // A change sent anyway changes nothing.
      const before = await db()
        .selectFrom('credentials')
        .select('version')
        .where('user_id', '=', user.id)
        .executeTakeFirst();
      const change = await c.post('/account/password', {
        csrf: csrfOf(page.text),
        current_password: PASSWORD,
        new_password: 'Another-Pass-2027',
        confirm_password: 'Another-Pass-2027',
      });
      assert.equal(change.status, 303);
      assert.equal(change.location, '/account/two-factor');
      assert.deepEqual(
        await db()
          .selectFrom('credentials')
          .select('version')
          .where('user_id', '=', user.id)
          .executeTakeFirst(),
        before,
      );
      await enrol(c, clock);
      assert.equal((await c.get('/account/password')).status, 200);
      const out = await c.submit('/account/two-factor', '/signout', {});
      assert.equal(out.status, 303);

      // role: the admins ("1") only.
      await setTwoFactorRule({
        sign_in_with_two_factor_auth: 'role',
        sign_in_with_two_factor_auth_roles: ['1'],
      });
      const member = await signedInUser(t, client, 'member');
      assert.equal((await member.c.get('/account/password')).status, 200);
      const adm = await signedInUser(t, client, 'admin');
      assert.equal((await adm.c.get('/account/password')).location, '/account/two-factor');
      assert.equal(noticeOf((await adm.c.get('/account/two-factor')).text), REQUIRED);

      // group: zpass has no groups, nobody is required.
      await setTwoFactorRule({
        sign_in_with_two_factor_auth: 'group',
        sign_in_with_two_factor_auth_groups: ['g1'],
      });
      assert.equal((await adm.c.get('/account/password')).status, 200);
    } finally {
      await setTwoFactorRule({ sign_in_with_two_factor_auth: 'none' });
    }
  });

  it('turning off needs the password and a code; refused attempts change nothing', async () => {
    const { user, c } = await signedInUser(t, client);
    const { secret } = await enrol(c, clock);
    nextStep();
    const page = await c.get('/account/two-factor');
    const csrf = csrfOf(page.text);
    const before = await twoFactorRow(user.id);
    const cases: [Record<string, string>, number, string][] = [
      [
        { password: 'Not-The-Password-1', code: codeAt(secret, clock.now()) },
        401,
        'The password is not correct.',
      ],
      [{ password: PASSWORD, code: codeAt(secret, clock.now() + 9 * STEP) }, 401, WRONG],
      [{ password: PASSWORD }, 400, 'Enter the code.'],
      [{ code: codeAt(secret, clock.now()) }, 400, 'Enter your password.'],
      [{ password: PASSWORD, code: '1'.repeat(65) }, 400, 'This is longer than any code.'],
      [
        { password: 'x'.repeat(1025), code: codeAt(secret, clock.now()) },
        400,
        'This password is longer than any zpass accepts.',
      ],
    ];
    for (const [fields, status, message] of cases) {
      const res = await c.post('/account/two-factor/disable', { csrf, ...fields });
      assert.equal(res.status, status, JSON.stringify(fields));
      assert.equal(errorsOf(res.text), `The form was not accepted: ${message}`);
      assert.deepEqual(await twoFactorRow(user.id), before);
    }
    const off = await c.post('/account/two-factor/disable', {
      csrf,
      password: PASSWORD,
      code: codeAt(secret, clock.now()),
    });
    assert.equal(off.status, 303);
    assert.equal(off.location, '/account/two-factor?turned_off');
    assert.equal(
      noticeOf((await c.get('/account/two-factor?turned_off')).text),
      'Two-factor sign-in is off.',
    );
    assert.equal(await twoFactorRow(user.id), undefined);
    assert.equal((await client().signIn(user.email, PASSWORD)).location, '/account/password');
    assert.ok((await operations(user.email)).some((d) => d.endsWith('two-factor sign-in turned off')));
  });

  it('CSRF: every two-factor form without its token is refused and changes nothing', async () => {
    const { user, c } = await signedInUser(t, client);
    const setup = await c.post('/account/two-factor/setup', { csrf: 'x'.repeat(43) });
    assert.equal(setup.status, 403);
    assert.equal(await twoFactorRow(user.id), undefined);
    const { secret } = await enrol(c, clock);
    nextStep();
    const before = await twoFactorRow(user.id);
    const off = await c.post('/account/two-factor/disable', {
      password: PASSWORD,
      code: codeAt(secret, clock.now()),
    });
    assert.equal(off.status, 403);
    const ch = await challenge(user.email);
    const post = await ch.post('/signin/two-factor', { code: codeAt(secret, clock.now()) });
    assert.equal(post.status, 403);
    assert.deepEqual(await twoFactorRow(user.id), before, 'no code was used');
    // A form posted from another site carries the cookies but not a token of this page.
    const foreign = await ch.post('/signin/two-factor', {
      csrf: csrfOf((await client().get('/signin')).text),
      code: codeAt(secret, clock.now()),
    });
    assert.equal(foreign.status, 403);
    assert.equal((await sendCode(ch, codeAt(secret, clock.now()))).status, 303);
  });

  it('oversize and repeated fields are refused before anything is read', async () => {
    const { user, c } = await signedInUser(t, client);
    const { secret } = await enrol(c, clock);
    nextStep();
    const ch = await challenge(user.email);
    const page = await ch.get('/signin/two-factor');
    const big = await ch.post('/signin/two-factor', { csrf: csrfOf(page.text), code: '9'.repeat(65) });
    assert.equal(big.status, 400);
    assert.equal(errorsOf(big.text), 'The form was not accepted: This is longer than any code.');
    const twice = new URLSearchParams([
      ['csrf', csrfOf(page.text)],
      ['code', codeAt(secret, clock.now())],
      ['code', '000000'],
    ]);
    assert.equal((await ch.post('/signin/two-factor', twice)).status, 400);
    assert.equal((await sendCode(ch, codeAt(secret, clock.now()))).status, 303);
  });

  it('the operator resets a user with zpass admin reset-2fa: signed out, logged, a notice delivered', async () => {
    const { user, c } = await signedInUser(t, client);
    await enrol(c, clock);
    const help = await admin(t, ['reset-2fa', '--help']);
    assert.match(help.stdout, /Examples:[\s\S]*zpass admin reset-2fa --user jane@example.com/);
    const run = await admin(t, ['reset-2fa', '--user', user.email]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`two-factor sign-in of ${user.email.replace(/[.]/g, '\\.')} is reset`),
    );
    assert.equal(await twoFactorRow(user.id), undefined);
    assert.equal(
      (await db().selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute()).length,
      0,
    );
    assert.equal((await webSessionsFor(db(), user.id)).length, 0);
    assert.equal((await c.get('/account/password')).location, '/signin');
    await waitFor('reset notice', () => smtp.to(user.email).length > 0);
    const mail = smtp.to(user.email)[0]!.mail;
    assert.match(mail.subject ?? '', /two-factor sign-in was reset/);
    assert.match(mail.text ?? '', /operator reset it from the command line/);
    assert.ok((await operations(user.email)).some((d) => d.endsWith('two-factor sign-in reset')));
    assert.equal((await client().signIn(user.email, PASSWORD)).location, '/account/password');
    const unknown = await admin(t, ['reset-2fa', '--user', 'nobody@example.test']);
    assert.notEqual(unknown.code, 0);
  });

  it('the extension endpoint resets for the owner or an admin, in Zoom’s error format otherwise', async () => {
    const { user, c } = await signedInUser(t, client);
    await enrol(c, clock);
    const token = await accountToken(t);
    const url = (id: string) => `${t.url}/zpass/v1/users/${encodeURIComponent(id)}/two_factor`;
    const missing = await call(url('no-such-user'), { method: 'DELETE', token });
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { code: number }).code, 1001);
    assert.equal((await call(url(user.id), { method: 'DELETE' })).status, 401);
    const weak = await appWithToken(t, ['user:read:admin']);
    const refused = await call(url(user.id), { method: 'DELETE', token: weak.token });
    assert.equal(refused.status, 400);
    assert.equal((refused.body as { code: number }).code, 4711);
    const userToken = (await issueUserToken(t.server.ctx, user.email, ['user:write'], 3600)).access_token;
    assert.notEqual((await call(url('me'), { method: 'DELETE', token: userToken })).status, 204);
    // An admin may not reset the owner.
    const adminUser = await addUser(t, { role: 'admin' });
    const adminApp = await appWithToken(t, ['user:write:admin'], adminUser.email);
    const owner = await call(url(t.demo.owner.id), { method: 'DELETE', token: adminApp.token });
    assert.equal(owner.status, 400);
    assert.equal((owner.body as { code: number }).code, 200);
    assert.ok(await twoFactorRow(user.id), 'nothing changed on refusals');

    const ok = await call(url(user.email), { method: 'DELETE', token: adminApp.token });
    assert.equal(ok.status, 204, ok.text);
    assert.equal(await twoFactorRow(user.id), undefined);
    assert.equal((await c.get('/account/password')).location, '/signin');
    await waitFor('reset notice', () => smtp.to(user.email).length > 0);
    assert.match(smtp.to(user.email)[0]!.mail.text ?? '', /An administrator of your account reset it/);
  });

  it('a reset link signs in through the second factor', async () => {
    const { user, c } = await signedInUser(t, client);
    const { secret } = await enrol(c, clock);
    nextStep();
    const asked = await client().submit('/signin/reset', '/signin/reset', { email: user.email });
    assert.equal(asked.status, 303);
    await waitFor('reset mail', () =>
      smtp.to(user.email).some((r) => r.mail.subject?.startsWith('Reset your')),
    );
    const text = smtp.to(user.email).find((r) => r.mail.subject?.startsWith('Reset your'))!.mail.text ?? '';
    const link = /(https?:\/\/\S+\/signin\/reset\/new\?token=[A-Za-z0-9_-]+)/.exec(text)![1]!;
    const r = client();
    const path = new URL(link).pathname + new URL(link).search;
    const page = await r.get(path);
    const token = new URL(link).searchParams.get('token')!;
    const set = await r.post('/signin/reset/new', {
      csrf: csrfOf(page.text),
      token,
      new_password: 'Reset-Through-2FA-9',
      confirm_password: 'Reset-Through-2FA-9',
    });
    assert.equal(set.status, 303);
    assert.equal(set.location, '/signin/two-factor');
    assert.equal((await sendCode(r, codeAt(secret, clock.now()))).location, '/account/password');
    assert.ok((await operations(user.email)).some((d) => d.endsWith('password reset link requested')));
  });
});

describe('two-factor sign-in without ZPASS_SECRET_KEY', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ secretKeys: null });
  });
  after(() => t?.stop());

  it('SQLite makes a key file (0600, named in the log); PostgreSQL offers no enrolment', async () => {
    const { user, c } = await signedInUser(t, () => new WebClient(t.url));
    const file = join(t.dataDir, SECRET_KEY_FILE);
    const logs = t.logs.join('');
    if (!t.databaseUrl) {
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.match(logs, /created the secret key file/);
      assert.ok(logs.includes(file));
      assert.ok(!logs.includes(readFileSync(file, 'utf8').trim()), 'never the key');
      await enrol(c, new ManualClock());
      return;
    }
    assert.match(logs, /two-factor sign-in is not available/);
    const page = await c.get('/account/two-factor');
    assert.match(page.text, /Two-factor sign-in is not available on this server/);
    assert.doesNotMatch(page.text, /Set up<\/button>/);
    const refused = await c.post('/account/two-factor/setup', { csrf: csrfOf(page.text) });
    assert.equal(refused.status, 409);
    const rows = await t.server.store.db
      .selectFrom('two_factor')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    assert.equal(rows.length, 0);
  });
});

describe('rotating the secret key', () => {
  const dataDir = tempDir();
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let t: TestServer | undefined;
  after(() => t?.stop());

  it('rotate-secret-key re-seals under the new key, and a server with only the new key reads the secrets', async () => {
    const clock = new ManualClock();
    t = await startTestServer({ dataDir, clock, secretKeys: { current: oldKey } });
    const { user, c } = await signedInUser(t, () => new WebClient(t!.url));
    const { secret } = await enrol(c, clock);
    const sealed = async () =>
      (
        await t!.server.store.db
          .selectFrom('two_factor')
          .select('secret_sealed')
          .where('user_id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).secret_sealed;
    const before = await sealed();
    await t.stop(false);

    const env = {
      ZPASS_SECRET_KEY: newKey.toString('base64'),
      ZPASS_SECRET_KEY_PREVIOUS: oldKey.toString('hex'),
    };
    const rotateIn = (server: TestServer) => admin(server, ['rotate-secret-key'], env);
    const stopped = { ...t, dataDir } as TestServer;
    const run = await rotateIn(stopped);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^re-sealed 1 two-factor secret\(s\) under key [0-9a-f]{8}\n$/);
    assert.ok(
      !run.stdout.includes(newKey.toString('base64')) && !run.stderr.includes(newKey.toString('base64')),
    );
    const again = await rotateIn(stopped);
    assert.match(again.stdout, /^re-sealed 0 /);
    const bad = await admin(stopped, ['rotate-secret-key'], { ZPASS_SECRET_KEY: 'short' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ZPASS_SECRET_KEY must be 32 bytes/);
    assert.ok(!bad.stderr.includes('short"'), 'the value is not echoed');

    clock.advance(STEP);
    t = await startTestServer({ dataDir, clock, secretKeys: { current: newKey } });
    const after = await sealed();
    assert.notEqual(after, before);
    const ch = new WebClient(t.url);
    assert.equal((await ch.signIn(user.email, PASSWORD)).location, '/signin/two-factor');
    const ok = await ch.submit('/signin/two-factor', '/signin/two-factor', {
      code: codeAt(secret, clock.now()),
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/account/password');
  });
});
