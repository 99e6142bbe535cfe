/**
 * Forgotten-password reset over plain HTTP (a browser without JavaScript), with the real
 * mail relay delivering to a real SMTP server: the same answer for every address, the
 * link from the delivered e-mail, every reason a link is refused, the throttle and the
 * mail cap. The whole flow in a real browser: web-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RESET_MAILS_PER_HOUR } from '../src/domain/reset/reset.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { users } from '../src/store/repositories/users.js';
import { accountToken, addUser, call, putPassword, type TestServer } from './helpers.js';
import { webSessionsFor } from './queries.js';
import { startWithSmtp, type TestSmtp, waitFor } from './smtp.js';
import { csrfOf, errorsOf, noticeOf, titleOf, WebClient } from './web.js';

const SAME_ANSWER =
  'If an account uses this address and signs in with a password, a link to choose a new password is on its way. It works for 30 minutes.';
const REFUSED = 'This reset link cannot be used: it was used, replaced or has expired. Ask for a new one.';

describe('forgotten-password reset', () => {
  let t: TestServer;
  let smtp: TestSmtp;
  let ipSeq = 0;
  const client = () => new WebClient(t.url, `203.0.113.${++ipSeq}`);

  let stop: (() => Promise<void>) | undefined;
  before(async () => {
    ({ t, smtp, stop } = await startWithSmtp());
  });
  after(() => stop?.());

  const resetRows = (email: string) =>
    t.server.store.db
      .selectFrom('outbox')
      .select(['id', 'kind'])
      .where('recipient', '=', email)
      .where('kind', '=', 'password_reset')
      .execute();

  /** Asks for a link from a new client; returns the answer. */
  const ask = async (email: string, c = client()) => {
    const res = await c.submit('/signin/reset', '/signin/reset', { email });
    return res;
  };

  /** The reset links delivered to `email`, oldest first. */
  const links = (email: string) =>
    smtp
      .to(email)
      .filter((r) => r.mail.subject?.startsWith('Reset your'))
      .map((r) => {
        const m = /(https?:\/\/\S+\/signin\/reset\/new\?token=[A-Za-z0-9_-]+)/.exec(r.mail.text ?? '');
        assert.ok(m, r.mail.text);
        return m[1]!;
      });

  const nthLink = async (email: string, n: number) => {
    await waitFor(`reset mail ${n} to ${email}`, () => links(email).length >= n);
    return links(email)[n - 1]!;
  };

  /** Asks for a link for a user who gets none, then for a control user who does: the first is then decided. */
  const assertNoMail = async (email: string) => {
    const answer = await ask(email);
    assert.equal(answer.status, 303);
    assert.equal(answer.location, '/signin/reset?sent=1');
    const control = await addUser(t);
    await ask(control.email);
    await nthLink(control.email, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await resetRows(email)).length, 0, `no reset notice for ${email}`);
  };

  it('answers every address the same way and sends a single-use link that sets the password through the change use case', async () => {
    const u = await addUser(t, { password: 'Before-Reset-1' });
    // A session and a user-level token from before: both end with the reset.
    const old = client();
    assert.equal((await old.signIn(u.email, 'Before-Reset-1')).status, 303);
    const userToken = (await issueUserToken(t.server.ctx, u.email, ['user:read'], 3600)).access_token;
    assert.equal((await call(`${t.url}/v2/users/me`, { token: userToken })).status, 200);

    const c = client();
    const form = await c.get('/signin/reset');
    assert.equal(form.status, 200);
    assert.equal(titleOf(form.text), 'Reset your password');
    const answer = await c.post('/signin/reset', { csrf: csrfOf(form.text), email: u.email.toUpperCase() });
    assert.equal(answer.status, 303);
    assert.equal(answer.location, '/signin/reset?sent=1');
    const unknown = await ask('nobody-here@example.test');
    assert.equal(unknown.status, answer.status);
    assert.equal(unknown.location, answer.location);
    assert.equal(noticeOf((await c.get('/signin/reset?sent=1')).text), SAME_ANSWER);

    const link = await nthLink(u.email, 1);
    assert.ok(link.startsWith(`${t.url}/signin/reset/new?token=`), link);
    const row = (await t.server.store.db
      .selectFrom('password_resets')
      .selectAll()
      .where('user_id', '=', u.id)
      .executeTakeFirst())!;
    assert.match(row.token_digest!, /^[0-9a-f]{64}$/);
    assert.ok(
      !JSON.stringify(await t.server.store.db.selectFrom('outbox').selectAll().execute()).includes(
        new URL(link).searchParams.get('token')!,
      ),
    );

    const page = await c.get(link);
    assert.equal(page.status, 200);
    assert.equal(titleOf(page.text), 'Choose a new password');
    const path = new URL(link).pathname + new URL(link).search;
    const tokenValue = new URL(link).searchParams.get('token')!;
    // The account's rules and the history apply, and the link stays good after a refusal.
    const weak = await c.post('/signin/reset/new', {
      csrf: csrfOf(page.text),
      token: tokenValue,
      new_password: 'short',
      confirm_password: 'short',
    });
    assert.equal(weak.status, 400);
    assert.match(errorsOf(weak.text), /at least 8 characters/);
    const same = await c.post('/signin/reset/new', {
      csrf: csrfOf(page.text),
      token: tokenValue,
      new_password: 'Before-Reset-1',
      confirm_password: 'Before-Reset-1',
    });
    assert.equal(same.status, 400);
    const differ = await c.post('/signin/reset/new', {
      csrf: csrfOf(page.text),
      token: tokenValue,
      new_password: 'After-Reset-22',
      confirm_password: 'After-Reset-23',
    });
    assert.equal(differ.status, 400);
    assert.match(errorsOf(differ.text), /confirmation are not the same/);
    assert.equal((await c.get(path)).status, 200);

    const done = await c.post('/signin/reset/new', {
      csrf: csrfOf(page.text),
      token: tokenValue,
      new_password: 'After-Reset-22',
      confirm_password: 'After-Reset-22',
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/account/password?reset=1');
    const landed = await c.get('/account/password?reset=1');
    assert.equal(landed.status, 200);
    assert.match(noticeOf(landed.text), /new password is set, and you are signed in/);

    // The change went through the one use case: logged via reset, the notice queued.
    const changes = await t.server.store.db
      .selectFrom('password_changes')
      .selectAll()
      .where('user_id', '=', u.id)
      .execute();
    assert.deepEqual(
      changes.map((r) => r.via),
      ['reset'],
    );
    await waitFor('the password-changed notice', () =>
      smtp.to(u.email).some((r) => r.mail.subject?.includes('password was changed')),
    );
    // Every earlier session and user-level token ended; only the new session is left.
    assert.equal((await old.get('/account/password')).status, 303);
    assert.equal((await webSessionsFor(t.server.store.db, u.id)).length, 1);
    const me = await call(`${t.url}/v2/users/me`, { token: userToken });
    assert.equal(me.status, 401);
    // The link is used up: the same answer as any bad link.
    const replay = await c.get(path);
    assert.equal(replay.status, 400);
    assert.equal(titleOf(replay.text), 'This reset link cannot be used');
    assert.equal(errorsOf(replay.text), REFUSED);
    // Old password out, new one in.
    assert.equal((await client().signIn(u.email, 'Before-Reset-1')).status, 401);
    assert.equal((await client().signIn(u.email, 'After-Reset-22')).status, 303);
  });

  it('sends nothing for unknown, deactivated, pending and password-less users, and answers the same', async () => {
    await assertNoMail('nobody-at-all@example.test');
    const inactive = await addUser(t);
    await users.update(t.server.store.db, inactive.id, { status: 'inactive' });
    await assertNoMail(inactive.email);
    const pending = await addUser(t);
    await users.update(t.server.store.db, pending.id, { status: 'pending' });
    await assertNoMail(pending.email);
    const sso = await addUser(t);
    await users.update(t.server.store.db, sso.id, { sign_in: 'sso' });
    await assertNoMail(sso.email);
  });

  it('refuses a link replaced by a newer one, after another password change, after deactivation, expired, tampered or malformed, with one answer and no change', async () => {
    const refused = async (c: WebClient, link: string) => {
      const res = await c.get(link);
      assert.equal(res.status, 400, link);
      assert.equal(errorsOf(res.text), REFUSED);
      const u = new URL(link, t.url);
      const page = await c.get('/signin/reset');
      const post = await c.post('/signin/reset/new', {
        csrf: csrfOf(page.text),
        token: u.searchParams.get('token') ?? '',
        new_password: 'Never-Applied-9',
        confirm_password: 'Never-Applied-9',
      });
      assert.equal(post.status, 400);
      assert.equal(errorsOf(post.text), REFUSED);
    };
    const c = client();
    // Replaced by a newer request.
    const a = await addUser(t);
    await ask(a.email);
    const first = await nthLink(a.email, 1);
    await ask(a.email);
    const second = await nthLink(a.email, 2);
    await refused(c, first);
    assert.equal((await c.get(second)).status, 200);
    // A password change by another way (the API) voids it.
    const admin = await accountToken(t);
    assert.equal((await putPassword(t, admin, a.id, 'Set-By-Admin-7')).status, 204);
    await refused(c, second);
    // Deactivation voids it.
    const b = await addUser(t);
    await ask(b.email);
    const bl = await nthLink(b.email, 1);
    await users.update(t.server.store.db, b.id, { status: 'inactive' });
    await refused(c, bl);
    await users.update(t.server.store.db, b.id, { status: 'active' });
    // Expired.
    const e = await addUser(t);
    await ask(e.email);
    const el = await nthLink(e.email, 1);
    await t.server.store.db
      .updateTable('password_resets')
      .set({ expires_at: Date.now() - 1 })
      .where('user_id', '=', e.id)
      .execute();
    await refused(c, el);
    // Tampered, malformed, missing.
    const tok = new URL(second).searchParams.get('token')!;
    const flipped = `${tok.slice(0, -1)}${tok.endsWith('A') ? 'B' : 'A'}`;
    for (const q of [`?token=${flipped}`, '?token=short', `?token=${'x'.repeat(300)}`, '', '?token[]=a'])
      await refused(c, `/signin/reset/new${q}`);
    // Nothing changed for any of them.
    for (const id of [a.id, b.id, e.id]) {
      const rows = await t.server.store.db
        .selectFrom('password_changes')
        .select('via')
        .where('user_id', '=', id)
        .execute();
      assert.ok(rows.every((r) => r.via !== 'reset'));
    }
  });

  it('refuses forms without their CSRF token, over-long addresses, and throttles requests per address and e-mail', async () => {
    const c = client();
    await c.get('/signin/reset');
    const noCsrf = await c.post('/signin/reset', { email: 'x@example.test' });
    assert.equal(noCsrf.status, 403);
    assert.equal(titleOf(noCsrf.text), 'This form has expired');
    const long = await c.submit('/signin/reset', '/signin/reset', {
      email: `${'a'.repeat(120)}@example.test`,
    });
    assert.equal(long.status, 400);
    assert.match(errorsOf(long.text), /at most 128 characters/);
    const empty = await c.submit('/signin/reset', '/signin/reset', { email: '' });
    assert.equal(empty.status, 400);
    const twice = await c.post(
      '/signin/reset',
      new URLSearchParams([
        ['csrf', 'a'],
        ['csrf', 'b'],
      ]),
    );
    assert.equal(twice.status, 400);
    assert.equal(titleOf(twice.text), 'This form cannot be used');
    // The same e-mail from many addresses: its count blocks after the free requests.
    const target = 'flood-target@example.test';
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) seen.push((await ask(target)).status);
    assert.deepEqual(seen, [303, 303, 303, 303, 303, 429, 429]);
    // One address, many e-mails: blocked too.
    const one = client();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await ask(`many-${i}@example.test`, one)).status);
    assert.equal(statuses.at(-1), 429);
    assert.ok(
      statuses.slice(0, 5).every((s) => s === 303),
      String(statuses),
    );
  });

  it(`sends at most ${RESET_MAILS_PER_HOUR} reset mails per user per hour`, async () => {
    const u = await addUser(t);
    for (let i = 0; i < RESET_MAILS_PER_HOUR + 1; i++) assert.equal((await ask(u.email)).status, 303);
    await nthLink(u.email, RESET_MAILS_PER_HOUR);
    const control = await addUser(t);
    await ask(control.email);
    await nthLink(control.email, 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await resetRows(u.email)).length, RESET_MAILS_PER_HOUR);
  });
});
