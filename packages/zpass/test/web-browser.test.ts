/**
 * The web pages in a real browser: Debian's chromium driven by playwright-core
 * (never a downloaded browser). Each page is saved as a screenshot in
 * docs/screenshots/, at 320 px wide and on a desktop; the README shows them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../src/clock.js';
import { createUser } from '../src/domain/accounts/provisioning.js';
import { users } from '../src/store/repositories/users.js';
import { activeId, alertText, DESKTOP, launchChromium, NARROW, openPage, shot, signIn } from './browser.js';
import { accountToken, call, setSecurity, startTestServer, type TestServer } from './helpers.js';
import { passwordChangesFor, webSessionsFor } from './queries.js';
import { TestSmtp, waitFor } from './smtp.js';

const WRONG = 'The form was not accepted: The e-mail address or the password is not correct.';

describe('web pages in a real browser', () => {
  let t: TestServer;
  let smtp: TestSmtp;
  let browser: Browser;
  let n = 0;

  before(async () => {
    // The mail relay delivers the notices to a real SMTP server in this process.
    smtp = await new TestSmtp().start();
    t = await startTestServer({
      mail: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, pollMs: 100, retryBaseMs: 100, retryMaxMs: 400 },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    await smtp?.stop();
  });

  const open = (viewport = DESKTOP, javaScriptEnabled = true): Promise<Page> =>
    openPage(browser, t.url, viewport, javaScriptEnabled);

  const newUser = async (password: string) => {
    n++;
    return createUser(t.server.ctx, {
      accountId: t.demo.account_id,
      email: `robin.hale${n}@example.test`,
      role: 'member',
      firstName: 'Robin',
      lastName: 'Hale',
      password,
    });
  };

  it('signs in with the keyboard alone, changes the password, ends the other session; old password out, new one in', async () => {
    const u = await newUser('Robin-First-1');
    const page = await open();
    await page.goto('/signin');
    await shot(page, 'sign-in-desktop');
    // Keyboard only: Tab to the e-mail field, type, Tab, type, Enter.
    let tabs = 0;
    while ((await activeId(page)) !== 'email') {
      await page.keyboard.press('Tab');
      assert.ok(++tabs <= 4, 'the e-mail field is not reached with Tab');
    }
    await page.keyboard.type(u.email);
    await page.keyboard.press('Tab');
    assert.equal(await activeId(page), 'password');
    await page.keyboard.type('Robin-First-1');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/account/password');
    assert.equal(await page.locator('h1').textContent(), 'Change your password');
    assert.equal(await page.locator('.who span').textContent(), `Signed in as ${u.email}`);

    // A second session, on a narrow screen.
    const other = await open(NARROW);
    await signIn(other, u.email, 'Robin-First-1');
    await other.waitForURL('**/account/password');
    await shot(other, 'change-password-320');
    assert.equal((await webSessionsFor(t.server.store.db, u.id)).length, 2);

    // The live checklist judges as the user types.
    await page.getByLabel('Current password').fill('Robin-First-1');
    await page.getByLabel('New password', { exact: true }).pressSequentially('abcdefgh1');
    const rule = (r: string) => page.locator(`#requirements li[data-rule="${r}"]`);
    assert.equal(await rule('length').getAttribute('class'), 'met');
    assert.equal(await rule('number').getAttribute('class'), 'met');
    assert.equal(await rule('case').getAttribute('class'), 'unmet');
    assert.equal(await rule('match').getAttribute('class'), 'unmet');
    assert.equal(await rule('case').locator('.state').textContent(), 'not met: ');
    assert.equal(await page.locator('#requirements-summary').textContent(), '6 of 8 requirements met.');
    await page.getByLabel('New password again').fill('abcdefgh1');
    assert.equal(await rule('match').getAttribute('class'), 'met');
    await shot(page, 'change-password-checklist-desktop');

    // Sent anyway: the server's message, the API's, announced in the alert region.
    await page.getByRole('button', { name: 'Change password' }).click();
    // The answer is a new page at the same address: wait for its error list.
    await page.locator('#form-errors li').first().waitFor();
    const alert = page.getByRole('alert');
    assert.equal(
      await alertText(page),
      'The form was not accepted: Include both Upper case and Lower case characters',
    );
    assert.equal(await page.locator('#new_password').getAttribute('aria-invalid'), 'true');
    assert.equal(await rule('case').getAttribute('class'), 'unmet');
    await shot(page, 'change-password-violation-desktop');
    // The error links to its field.
    await alert.getByRole('link').click();
    assert.equal(await activeId(page), 'new_password');

    await page.getByLabel('Current password').fill('Robin-First-1');
    await page.getByLabel('New password', { exact: true }).fill('Robin-Second-2');
    await page.getByLabel('New password again').fill('Robin-Second-2');
    assert.equal(await page.locator('#requirements-summary').textContent(), '8 of 8 requirements met.');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL('**/account/password?changed=1');
    assert.equal(
      await page.getByRole('status').textContent(),
      'Your password was changed. Your other sessions were signed out.',
    );
    await shot(page, 'change-password-done-desktop');

    // The other session has ended.
    await other.reload();
    assert.equal(new URL(other.url()).pathname, '/signin');
    // The change is logged via web, and its notice is queued like the API's.
    const changes = await passwordChangesFor(t.server.store.db, u.id);
    assert.deepEqual(
      changes.map((c) => [c.via, c.ip]),
      [['web', '127.0.0.1']],
    );
    const notices = await t.server.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', u.email)
      .where('kind', '=', 'password_changed')
      .execute();
    assert.equal(notices.length, 1);
    assert.equal(JSON.parse(notices[0]!.payload).via, 'web');
    // ... and delivered: one e-mail, saying the user made the change.
    await waitFor('the password-changed e-mail', () => smtp.to(u.email).length === 1);
    const mail = smtp.to(u.email)[0]!.mail;
    assert.equal(mail.subject, 'Your zpass password was changed');
    assert.match(mail.text ?? '', /^You changed it yourself\.$/m);
    assert.doesNotMatch(mail.text ?? '', /Robin-Second-2/);

    // The old password no longer signs in; the new one does.
    const fresh = await open(NARROW);
    await signIn(fresh, u.email, 'Robin-First-1');
    await fresh.locator('#form-errors li').first().waitFor();
    assert.equal(new URL(fresh.url()).pathname, '/signin');
    assert.equal(await alertText(fresh), WRONG);
    await shot(fresh, 'sign-in-error-320');
    await signIn(fresh, u.email, 'Robin-Second-2');
    await fresh.waitForURL('**/account/password');

    // Sign out.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin?signed_out=1');
    assert.equal(await page.getByRole('status').textContent(), 'You have signed out.');
    await shot(page, 'signed-out-desktop');
  });

  it("resets a forgotten password from the notice's link through the delivered e-mail, then signs in with the new one", async () => {
    const u = await newUser('Robin-Forgot-1');
    // Someone else sets the password (here: an admin through the API); the notice arrives.
    const token = await accountToken(t);
    const set = await call(`${t.url}/v2/users/${u.id}/password`, {
      method: 'PUT',
      token,
      json: { password: 'Unknown-To-Robin-9' },
    });
    assert.equal(set.status, 204, set.text);
    await waitFor('the password-changed e-mail', () => smtp.to(u.email).length === 1);
    const notice = smtp.to(u.email)[0]!.mail.text ?? '';
    const resetAt = /reset your password now at\n(\S+)\n/.exec(notice)?.[1];
    assert.equal(resetAt, `${t.url}/signin/reset`, notice);

    const page = await open();
    await page.goto(resetAt!);
    assert.equal(await page.locator('h1').textContent(), 'Reset your password');
    await shot(page, 'reset-request-desktop');
    await page.getByLabel('E-mail address').fill(u.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.waitForURL('**/signin/reset?sent=1');
    assert.match(
      (await page.getByRole('status').textContent()) ?? '',
      /a link to choose a new password is on its way/,
    );
    await shot(page, 'reset-sent-desktop');

    await waitFor('the reset e-mail', () => smtp.to(u.email).length === 2);
    const mail = smtp.to(u.email)[1]!.mail;
    assert.equal(mail.subject, 'Reset your zpass password');
    const link = /(http:\/\/\S+\/signin\/reset\/new\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    assert.ok(link?.startsWith(`${t.url}/signin/reset/new?token=`), mail.text);

    const narrow = await open(NARROW);
    await narrow.goto(link!);
    assert.equal(await narrow.locator('h1').textContent(), 'Choose a new password');
    await narrow.getByLabel('New password', { exact: true }).fill('Robin-Again-2026');
    await narrow.getByLabel('New password again').fill('Robin-Again-2026');
    await shot(narrow, 'reset-new-password-320');
    await narrow.getByRole('button', { name: 'Set password and sign in' }).click();
    await narrow.waitForURL('**/account/password?reset=1');
    assert.match(
      (await narrow.getByRole('status').textContent()) ?? '',
      /new password is set, and you are signed in/,
    );
    const changes = await passwordChangesFor(t.server.store.db, u.id);
    assert.equal(changes.at(-1)?.via, 'reset');
    // The link is used up.
    await narrow.goto(link!);
    assert.equal(await narrow.locator('h1').textContent(), 'This reset link cannot be used');
    await shot(narrow, 'reset-link-used-320');
    // Signing in afresh with the new password works; the admin's does not.
    const fresh = await open();
    await signIn(fresh, u.email, 'Unknown-To-Robin-9');
    await fresh.locator('#form-errors li').first().waitFor();
    await signIn(fresh, u.email, 'Robin-Again-2026');
    await fresh.waitForURL('**/account/password');
  });

  it("signs a browser out after the account's idle period, by the test clock", async () => {
    const clock = new ManualClock();
    const own = await startTestServer({ clock });
    try {
      await setSecurity(own, { sign_again_period_for_inactivity_on_web: 5 });
      const u = await createUser(own.server.ctx, {
        accountId: own.demo.account_id,
        email: 'idle.reader@example.test',
        role: 'member',
        password: 'Idle-Reader-2026',
      });
      const page = await openPage(browser, own.url);
      await signIn(page, u.email, 'Idle-Reader-2026');
      await page.waitForURL('**/account/password');
      // In use every 4 minutes: still signed in after 12.
      for (let i = 0; i < 3; i++) {
        clock.advance(4 * 60_000);
        await page.reload();
        assert.equal(new URL(page.url()).pathname, '/account/password');
      }
      // Then idle for 6 minutes: the next page asks to sign in again.
      clock.advance(6 * 60_000);
      await page.reload();
      assert.equal(new URL(page.url()).pathname, '/signin');
      assert.equal(await page.locator('h1').textContent(), 'Sign in');
    } finally {
      await own.stop();
    }
  });

  it('an invitation link sets the first password and signs the user in', async () => {
    const token = await accountToken(t);
    const email = `new.starter${++n}@example.test`;
    const created = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'create', user_info: { email, type: 1, first_name: 'Noor', last_name: 'Ash' } },
    });
    assert.equal(created.status, 201, created.text);
    const id = (created.body as { id: string }).id;
    // The link as the invitation e-mail delivers it.
    await waitFor('the invitation e-mail', () => smtp.to(email).length === 1);
    const link = /(http:\/\/\S+\/invitations\/accept\?token=[A-Za-z0-9_-]+)/.exec(
      smtp.to(email)[0]!.mail.text ?? '',
    )?.[1];
    assert.ok(link?.startsWith(`${t.url}/invitations/accept?token=`), smtp.to(email)[0]!.mail.text);
    const page = await open(NARROW);
    await page.goto(link!);
    assert.equal(await page.locator('h1').textContent(), 'Set your password');
    // The address for password managers is in the form, not on the screen.
    assert.equal(await page.locator('input[name="username"]').isVisible(), false);
    await page.getByLabel('New password', { exact: true }).fill('Noor-Ash-2026');
    await page.getByLabel('New password again').fill('Noor-Ash-2026');
    assert.equal(await page.locator('#requirements-summary').textContent(), '8 of 8 requirements met.');
    await shot(page, 'invitation-320');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL('**/account/password?welcome=1');
    assert.equal(
      await page.getByRole('status').textContent(),
      'Your password is set, and you are signed in.',
    );
    assert.equal((await users.byId(t.server.store.db, id))!.status, 'active');
    // The same link again: refused, with a way on.
    await page.goto(link!);
    assert.equal(await page.locator('h1').textContent(), 'This invitation cannot be used');
    await shot(page, 'invitation-used-320');
  });

  it('without JavaScript, the server shows the same checklist and messages', async () => {
    const u = await newUser('Plain-First-1');
    const page = await open(DESKTOP, false);
    await signIn(page, u.email, 'Plain-First-1');
    await page.waitForURL('**/account/password');
    await page.getByLabel('Current password').fill('Plain-First-1');
    await page.getByLabel('New password', { exact: true }).fill('PLAINPASS9');
    await page.getByLabel('New password again').fill('PLAINPASS9');
    await page.getByRole('button', { name: 'Change password' }).click();
    // The answer is a new page at the same address: wait for its error list.
    await page.locator('#form-errors li').first().waitFor();
    assert.equal(
      await alertText(page),
      'The form was not accepted: Include both Upper case and Lower case characters',
    );
    const rule = (r: string) => page.locator(`#requirements li[data-rule="${r}"]`);
    assert.equal(await rule('case').getAttribute('class'), 'unmet');
    assert.equal(await rule('length').getAttribute('class'), 'met');
    assert.equal(await rule('match').getAttribute('class'), 'met');
    await shot(page, 'change-password-no-javascript-desktop');
    await page.getByLabel('Current password').fill('Plain-First-1');
    await page.getByLabel('New password', { exact: true }).fill('Plain-Second-2');
    await page.getByLabel('New password again').fill('Plain-Second-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL('**/account/password?changed=1');
  });

  it('the API reference and the sign-in page read at 320 px and on a desktop', async () => {
    const narrow = await open(NARROW);
    await narrow.goto('/signin');
    await shot(narrow, 'sign-in-320');
    await narrow.goto('/docs');
    assert.equal(await narrow.locator('h1').textContent(), 'zpass: Zoom-compatible user password API');
    await shot(narrow, 'docs-320', false);
    const wide = await open(DESKTOP);
    await wide.goto('/docs');
    assert.ok((await wide.locator('section.op').count()) >= 10);
    await shot(wide, 'docs-desktop', false);
  });
});
