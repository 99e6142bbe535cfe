/**
 * Two-factor sign-in in a real browser (Debian's chromium through playwright-core, as
 * web-browser.test.ts): enrolment by reading the secret off the page and computing the
 * codes here with otpauth (RFC 6238: SHA-1, 6 digits, 30 s), sign-in with a code and
 * with a recovery code, refusals of a replayed, wrong or used one, a sign-in left at the
 * code too long, turning it off, an admin's reset, and enforcement by the account's
 * `sign_in_with_two_factor_auth`. The server runs on the test clock, so a new 30-second
 * window is a step of the clock, not a wait. The new pages are saved as screenshots for
 * the README. Both stores (scripts/test.mjs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../src/clock.js';
import { alertText, assertFits, DESKTOP, launchChromium, NARROW, openPage, shot, signIn } from './browser.js';
import { accountToken, addUser, call, setSecurity, startTestServer, type TestServer } from './helpers.js';

const PASSWORD = 'Two-Factor-Pass-1';
const NOT_CORRECT = 'The form was not accepted: The code is not correct.';
const REQUIRED = 'Your account requires two-factor sign-in. Set it up to continue.';
const STEP = 30_000;

/** The authenticator app's code for the secret at this time. */
function codeAt(secret: string, timestamp: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp,
  });
}

/** A code of six digits that is none of the secret's codes from two windows before to two after. */
function wrongCode(secret: string, timestamp: number): string {
  const near = new Set([-2, -1, 0, 1, 2].map((k) => codeAt(secret, timestamp + k * STEP)));
  let n = Number(codeAt(secret, timestamp));
  let code: string;
  do {
    n = (n + 1) % 1_000_000;
    code = String(n).padStart(6, '0');
  } while (near.has(code));
  return code;
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

/**
 * Sends the page's form with this button; returns the status of the answer to the POST
 * itself (a redirect's 303), once the page it leads to has loaded.
 */
async function send(page: Page, button: string): Promise<number> {
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().frame() === page.mainFrame()),
    page.waitForEvent('domcontentloaded'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return answer.status();
}

describe('two-factor sign-in in a real browser', () => {
  let t: TestServer;
  let browser: Browser;
  const clock = new ManualClock();

  before(async () => {
    t = await startTestServer({ clock });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** A fresh window of codes: every earlier code is out of use from here on. */
  const nextWindow = () => clock.advance(STEP);

  /**
   * From a signed-in page: sets two-factor up and turns it on with the current code.
   * Returns the secret and the recovery codes shown.
   */
  async function enrol(page: Page, screenshots = false): Promise<{ secret: string; recovery: string[] }> {
    await page.goto('/account/two-factor');
    assert.equal(await page.locator('h1').textContent(), 'Two-factor sign-in');
    assert.equal(await send(page, 'Set up'), 200);
    // The QR code is drawn in the page: an inline SVG, no image fetched.
    assert.equal(await page.locator('#totp-qr svg').count(), 1);
    assert.equal(await page.locator('#totp-qr img').count(), 0);
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}=*$/, 'the secret is base32');
    if (screenshots) await shot(page, 'two-factor-setup-desktop');
    else await assertFits(page, 'two-factor setup');
    await page.locator('input[name="code"]').fill(codeAt(secret, clock.now()));
    assert.equal(await send(page, 'Turn on'), 200);
    const recovery = await page.locator('#recovery-codes li code').allTextContents();
    assert.equal(recovery.length, 10);
    assert.equal(new Set(recovery).size, 10, 'ten different recovery codes');
    assert.equal(
      await page.getByRole('link', { name: 'Continue' }).getAttribute('href'),
      '/account/password',
    );
    if (screenshots) await shot(page, 'two-factor-recovery-codes-desktop');
    else await assertFits(page, 'recovery codes');
    return { secret, recovery: recovery.map((c) => c.trim()) };
  }

  /** A new user of the demo account, signed in on a page of its own (left on the recovery codes), with two-factor on. */
  async function enrolled(viewport = DESKTOP, email?: string) {
    const u = await addUser(t, { password: PASSWORD, email });
    const page = await openPage(browser, t.url, viewport);
    await signIn(page, u.email, PASSWORD);
    await page.waitForURL('**/account/password');
    return { u, page, ...(await enrol(page)) };
  }

  /** A fresh browser past the password: on the code page. */
  async function challenged(email: string, viewport = DESKTOP): Promise<Page> {
    const page = await openPage(browser, t.url, viewport);
    await signIn(page, email, PASSWORD);
    await page.waitForURL('**/signin/two-factor');
    assert.equal(await page.locator('h1').textContent(), 'Two-factor sign-in');
    return page;
  }

  /** Sends a code on the code page; returns the status of the answer. */
  async function verify(page: Page, code: string): Promise<number> {
    await page.locator('input[name="code"]').fill(code);
    return send(page, 'Verify');
  }

  it('sets two-factor up from the account page: a QR code drawn in the page, the secret as text, ten recovery codes; nothing from another site, nothing the page policy refuses', async () => {
    const u = await addUser(t, { password: PASSWORD, email: 'sam.reed@example.test' });
    const page = await openPage(browser, t.url);
    const requested: string[] = [];
    page.context().on('request', (r) => requested.push(r.url()));
    // The content security policy allows no inline style or script: a page that needs any says so here.
    const complaints: string[] = [];
    page.on('console', (m) => {
      // Answers with an error status (the refusals' 400 and 401, the browser's own
      // /favicon.ico 404) are logged as failed loads; their statuses are checked elsewhere.
      if (m.text().startsWith('Failed to load resource: the server responded with a status of')) return;
      if (m.type() === 'error' || m.type() === 'warning') complaints.push(m.text());
    });
    page.on('pageerror', (e) => complaints.push(String(e)));
    await signIn(page, u.email, PASSWORD);
    await page.waitForURL('**/account/password');
    // The account page leads to the two-factor page.
    await page.getByRole('link', { name: 'Two-factor sign-in' }).click();
    await page.waitForURL('**/account/two-factor');
    assert.equal(await page.getByRole('button', { name: 'Set up' }).count(), 1);
    await shot(page, 'two-factor-off-desktop');

    // A wrong code does not turn it on.
    await page.getByRole('button', { name: 'Set up' }).click();
    await page.locator('#totp-secret').waitFor();
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    await page.locator('input[name="code"]').fill(wrongCode(secret, clock.now()));
    assert.equal(await send(page, 'Turn on'), 400);
    assert.equal(await alertText(page), NOT_CORRECT);
    assert.equal(await page.locator('#recovery-codes').count(), 0);

    // Then the whole enrolment, from the start.
    const { recovery } = await enrol(page, true);
    for (const c of recovery) assert.match(c, /\S{8,}/, `a recovery code: ${c}`);
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL('**/account/password');
    await page.goto('/account/two-factor');
    assert.match((await page.locator('main').textContent()) ?? '', /Two-factor sign-in is on\./);
    assert.equal(await page.getByRole('button', { name: 'Turn off' }).count(), 1);

    const origins = new Set(requested.map((u) => new URL(u).origin));
    assert.deepEqual([...origins], [new URL(t.url).origin], requested.join('\n'));
    assert.deepEqual(complaints, []);
  });

  it('signs in with a code after the password; the same code again, and a wrong one, are refused', async () => {
    const { u, secret } = await enrolled();
    nextWindow();
    const code = codeAt(secret, clock.now());

    const page = await challenged(u.email, NARROW);
    await shot(page, 'sign-in-two-factor-320');
    // Past the password but not the code: no account page yet.
    await page.goto('/account/password');
    assert.notEqual(pathOf(page), '/account/password');
    await page.goto('/signin/two-factor');
    assert.equal(await page.locator('h1').textContent(), 'Two-factor sign-in');
    await page.locator('input[name="code"]').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/account/password');
    assert.equal(await page.locator('.who span').textContent(), `Signed in as ${u.email}`);

    // The code just accepted, in a fresh sign-in within its window: a replay.
    const again = await challenged(u.email);
    assert.equal(await verify(again, code), 401);
    assert.equal(await alertText(again), NOT_CORRECT);
    assert.equal(pathOf(again), '/signin/two-factor');
    // A wrong code.
    assert.equal(await verify(again, wrongCode(secret, clock.now())), 401);
    assert.equal(await alertText(again), NOT_CORRECT);
    await shot(again, 'sign-in-two-factor-wrong-desktop');
    // The refusals ended nothing: the next window's code goes through on the same page.
    nextWindow();
    assert.equal(await verify(again, codeAt(secret, clock.now())), 303);
    assert.equal(pathOf(again), '/account/password');
  });

  it('signs in with a recovery code once; the same recovery code again is refused', async () => {
    const { u, recovery } = await enrolled(NARROW);
    const page = await challenged(u.email);
    assert.equal(await verify(page, recovery[3]!), 303);
    assert.equal(pathOf(page), '/account/password');

    const again = await challenged(u.email);
    assert.equal(await verify(again, recovery[3]!), 401);
    assert.equal(await alertText(again), NOT_CORRECT);
    // Another of the ten still works.
    assert.equal(await verify(again, recovery[7]!), 303);
    assert.equal(pathOf(again), '/account/password');
  });

  it('a sign-in left at the code for over five minutes of the test clock starts again from the password', async () => {
    const { u, secret } = await enrolled();
    const page = await challenged(u.email);
    clock.advance(5 * 60_000 + 1);
    await page.locator('input[name="code"]').fill(codeAt(secret, clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/signin?two_factor_expired');
    assert.equal(
      await page.getByRole('status').textContent(),
      'Your sign-in was not completed in time. Sign in again.',
    );
    // The code was not used up: the next sign-in takes it.
    await signIn(page, u.email, PASSWORD);
    await page.waitForURL('**/signin/two-factor');
    assert.equal(await verify(page, codeAt(secret, clock.now())), 303);
    assert.equal(pathOf(page), '/account/password');
  });

  it('turns two-factor off with the password and a code; then the password alone signs in', async () => {
    const { u, secret } = await enrolled(DESKTOP, 'kai.morrow@example.test');
    const page = await openPage(browser, t.url);
    nextWindow();
    await signIn(page, u.email, PASSWORD);
    await page.waitForURL('**/signin/two-factor');
    assert.equal(await verify(page, codeAt(secret, clock.now())), 303);
    await page.goto('/account/two-factor');
    assert.match((await page.locator('main').textContent()) ?? '', /Two-factor sign-in is on\./);
    await shot(page, 'two-factor-on-desktop');

    // A wrong password, then a wrong code: refused, still on.
    nextWindow();
    await page.locator('input[name="password"]').fill('Not-The-Password-1');
    await page.locator('input[name="code"]').fill(codeAt(secret, clock.now()));
    assert.notEqual(await send(page, 'Turn off'), 303);
    assert.notEqual(await alertText(page), '');
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('input[name="code"]').fill(wrongCode(secret, clock.now()));
    assert.notEqual(await send(page, 'Turn off'), 303);
    assert.equal(await alertText(page), NOT_CORRECT);
    await page.goto('/account/two-factor');
    assert.match((await page.locator('main').textContent()) ?? '', /Two-factor sign-in is on\./);

    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('input[name="code"]').fill(codeAt(secret, clock.now()));
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.waitForURL('**/account/two-factor?turned_off');
    assert.match((await page.locator('main').textContent()) ?? '', /Two-factor sign-in is off\./);
    assert.equal(await page.getByRole('button', { name: 'Set up' }).count(), 1);

    const fresh = await openPage(browser, t.url);
    await signIn(fresh, u.email, PASSWORD);
    await fresh.waitForURL('**/account/password');
  });

  it("an admin's reset through the API signs the user's browser out; the password alone signs in again, and the user is told", async () => {
    // Signed in with two-factor on, on the account page.
    const { u, page } = await enrolled();
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL('**/account/password');
    const reset = await call(`${t.url}/zpass/v1/users/${u.id}/two_factor`, {
      method: 'DELETE',
      token: await accountToken(t),
    });
    assert.equal(reset.status, 204, reset.text);
    await page.reload();
    assert.equal(pathOf(page), '/signin');
    await signIn(page, u.email, PASSWORD);
    await page.waitForURL('**/account/password');
    await page.goto('/account/two-factor');
    assert.equal(await page.getByRole('button', { name: 'Set up' }).count(), 1);
    const notices = await t.server.store.db
      .selectFrom('outbox')
      .select('kind')
      .where('recipient', '=', u.email)
      .where('kind', '=', 'two_factor_reset')
      .execute();
    assert.equal(notices.length, 1);
  });

  it("takes a user without two-factor to set it up when the account's sign_in_with_two_factor_auth is all, before any other page", async () => {
    // A server of its own: the setting applies to every user of the account.
    const own = await startTestServer({ clock });
    try {
      await setSecurity(own, { sign_in_with_two_factor_auth: 'all' });
      const u = await addUser(own, { password: PASSWORD, email: 'noor.vale@example.test' });
      const page = await openPage(browser, own.url, NARROW);
      await signIn(page, u.email, PASSWORD);
      await page.waitForURL('**/account/two-factor');
      assert.match(
        (await page.locator('main').textContent()) ?? '',
        new RegExp(REQUIRED.replace(/\./g, '\\.')),
      );
      await shot(page, 'two-factor-required-320');
      // Every other page leads back here until it is on.
      for (const path of ['/account/password', '/']) {
        await page.goto(path);
        assert.equal(pathOf(page), '/account/two-factor', `from ${path}`);
      }
      await page.getByRole('button', { name: 'Set up' }).click();
      await page.locator('#totp-secret').waitFor();
      const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s+/g, '');
      await page.locator('input[name="code"]').fill(codeAt(secret, clock.now()));
      assert.equal(await send(page, 'Turn on'), 200);
      assert.equal(await page.locator('#recovery-codes li').count(), 10);
      await page.getByRole('link', { name: 'Continue' }).click();
      await page.waitForURL('**/account/password');
      assert.equal(await page.locator('h1').textContent(), 'Change your password');

      // From now on the code is asked at sign-in.
      nextWindow();
      const fresh = await openPage(browser, own.url);
      await signIn(fresh, u.email, PASSWORD);
      await fresh.waitForURL('**/signin/two-factor');
      assert.equal(await verify(fresh, codeAt(secret, clock.now())), 303);
      assert.equal(pathOf(fresh), '/account/password');
    } finally {
      await own.stop();
    }
  });
});
