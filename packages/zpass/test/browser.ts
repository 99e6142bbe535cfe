/**
 * What the browser tests share: Debian's chromium driven by playwright-core (never a
 * downloaded browser), pages in their own contexts, the screenshots for the README
 * (docs/screenshots/, at 320 px wide and on a desktop), and the sign-in form.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const SHOTS = new URL('../../../docs/screenshots/', import.meta.url);
export const DESKTOP = { width: 1280, height: 800 };
export const NARROW = { width: 320, height: 640 };

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium, headless; the screenshots' folder made. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** A page in a context of its own (its own cookies), addresses relative to the server's. */
export async function openPage(
  browser: Browser,
  baseURL: string,
  viewport = DESKTOP,
  javaScriptEnabled = true,
): Promise<Page> {
  const context = await browser.newContext({ viewport, javaScriptEnabled, baseURL });
  return context.newPage();
}

/** The id of the focused element (evaluated in the page, which has a DOM; this file's types do not). */
export const activeId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');

/** What the alert region says: its paragraph and list items, one space between. */
export const alertText = async (page: Page) =>
  (await page.locator('[role="alert"] p, [role="alert"] li').allTextContents()).join(' ');

/** Checks the page fits its width (nothing to scroll sideways). */
export async function assertFits(page: Page, name: string): Promise<void> {
  const fits = await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
  assert.equal(fits, true, `${name}: the page is wider than the window`);
}

/** Saves the page as docs/screenshots/<name>.png once it is checked to fit its width. */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await assertFits(page, name);
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage });
}

/** Fills and sends the sign-in form (the caller waits for where it lands). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
