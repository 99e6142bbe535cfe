import { accounts } from '../../store/repositories/accounts.js';
import type { DomainContext } from '../context.js';
import { AdminError, ZoomError } from '../errors.js';
import { applySettings, settingsFromBody } from '../settings/account.js';
import { DEFAULT_APP_SCOPES } from '../tokens/scopes.js';
import { createAccount, createApp, createUser } from './provisioning.js';

/**
 * Seed fixtures (`zpass serve --seed fixtures.json`, `startServer({ seed })`): accounts with
 * known ids, their owner, users with passwords, apps with known client credentials, and
 * settings (the body of `PATCH /v2/accounts/{accountId}/settings`).
 */
export interface Fixtures {
  accounts: FixtureAccount[];
}

export interface FixtureUser {
  email: string;
  password?: string;
  role?: 'admin' | 'member';
  first_name?: string;
  last_name?: string;
}

export interface FixtureAccount {
  id: string;
  name?: string;
  plan?: string;
  owner: { email: string; password?: string };
  users?: FixtureUser[];
  apps?: Array<{ client_id: string; client_secret: string; scopes?: string[] }>;
  settings?: Record<string, unknown>;
}

/** A fixtures file that cannot be applied: the message names the field (`accounts[0].owner.email`). */
export class FixtureError extends Error {}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(ok: boolean, field: string, what: string): void {
  if (!ok) throw new FixtureError(`${field}: ${what}`);
}

function allowOnly(o: Record<string, unknown>, at: string, names: string[]): void {
  for (const k of Object.keys(o)) check(names.includes(k), `${at}.${k}`.replace(/^\./, ''), 'unknown field');
}

function optString(o: Record<string, unknown>, k: string, at: string): void {
  check(o[k] === undefined || typeof o[k] === 'string', `${at}.${k}`, 'must be a string');
}

/** Checks the shape of fixtures (the first mistake found, naming its field); values are checked when applied. */
export function parseFixtures(raw: unknown): Fixtures {
  check(isObject(raw), '(top level)', 'must be an object with "accounts"');
  const root = raw as Record<string, unknown>;
  allowOnly(root, '', ['accounts']);
  check(Array.isArray(root.accounts) && root.accounts.length > 0, 'accounts', 'must be a non-empty array');
  const ids = new Set<string>();
  (root.accounts as unknown[]).forEach((a, i) => {
    const at = `accounts[${i}]`;
    check(isObject(a), at, 'must be an object');
    const acc = a as Record<string, unknown>;
    allowOnly(acc, at, ['id', 'name', 'plan', 'owner', 'users', 'apps', 'settings']);
    check(
      typeof acc.id === 'string' && ID.test(acc.id),
      `${at}.id`,
      'must be 1 to 64 letters, digits, _ or -',
    );
    check(!ids.has(acc.id as string), `${at}.id`, `the same id as an account before it`);
    ids.add(acc.id as string);
    optString(acc, 'name', at);
    optString(acc, 'plan', at);
    check(isObject(acc.owner), `${at}.owner`, 'must be an object with "email"');
    const owner = acc.owner as Record<string, unknown>;
    allowOnly(owner, `${at}.owner`, ['email', 'password']);
    check(typeof owner.email === 'string', `${at}.owner.email`, 'must be a string');
    optString(owner, 'password', `${at}.owner`);
    check(acc.users === undefined || Array.isArray(acc.users), `${at}.users`, 'must be an array');
    ((acc.users as unknown[] | undefined) ?? []).forEach((u, j) => {
      const uat = `${at}.users[${j}]`;
      check(isObject(u), uat, 'must be an object with "email"');
      const user = u as Record<string, unknown>;
      allowOnly(user, uat, ['email', 'password', 'role', 'first_name', 'last_name']);
      check(typeof user.email === 'string', `${uat}.email`, 'must be a string');
      for (const k of ['password', 'first_name', 'last_name']) optString(user, k, uat);
      check(
        user.role === undefined || user.role === 'admin' || user.role === 'member',
        `${uat}.role`,
        'must be "admin" or "member" (the owner is accounts[].owner)',
      );
    });
    check(acc.apps === undefined || Array.isArray(acc.apps), `${at}.apps`, 'must be an array');
    ((acc.apps as unknown[] | undefined) ?? []).forEach((p, j) => {
      const pat = `${at}.apps[${j}]`;
      check(isObject(p), pat, 'must be an object with "client_id" and "client_secret"');
      const app = p as Record<string, unknown>;
      allowOnly(app, pat, ['client_id', 'client_secret', 'scopes']);
      check(
        typeof app.client_id === 'string' && CLIENT_ID.test(app.client_id),
        `${pat}.client_id`,
        'must be 1 to 64 letters, digits, _ or -',
      );
      check(
        typeof app.client_secret === 'string' &&
          app.client_secret.length >= 8 &&
          app.client_secret.length <= 128,
        `${pat}.client_secret`,
        'must be a string of 8 to 128 characters',
      );
      check(
        j > 0 || app.scopes === undefined,
        `${pat}.scopes`,
        "the first app is the account's own, with every admin scope: give scopes to the apps after it",
      );
      check(
        app.scopes === undefined ||
          (Array.isArray(app.scopes) &&
            app.scopes.length > 0 &&
            app.scopes.every((s) => typeof s === 'string')),
        `${pat}.scopes`,
        'must be a non-empty array of scope names',
      );
    });
    check(acc.settings === undefined || isObject(acc.settings), `${at}.settings`, 'must be an object');
  });
  return root as unknown as Fixtures;
}

/** Runs one step of seeding; a refusal becomes a FixtureError naming the field. */
async function at<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AdminError) throw new FixtureError(`${field}: ${err.message}`);
    if (err instanceof ZoomError) {
      const detail = err.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
      throw new FixtureError(`${field}: ${err.message}${detail ? ` (${detail})` : ''}`);
    }
    throw err;
  }
}

/**
 * Applies fixtures to an empty store (no account yet) and returns true; on a store that
 * already has an account it changes nothing and returns false, so that a restart keeps the
 * data the tests made. Each account is created in turn: a mistake found while applying
 * (a password the policy refuses, an e-mail used twice) stops seeding with a FixtureError.
 */
export async function seedStore(ctx: DomainContext, fixtures: Fixtures): Promise<boolean> {
  if ((await accounts.count(ctx.store.db)) > 0) return false;
  for (const [i, acc] of fixtures.accounts.entries()) {
    const base = `accounts[${i}]`;
    const [first, ...more] = acc.apps ?? [];
    await at(base, () =>
      createAccount(ctx, {
        accountId: acc.id,
        ownerEmail: acc.owner.email,
        ownerPassword: acc.owner.password,
        plan: acc.plan,
        name: acc.name,
        app: first ? { client_id: first.client_id, client_secret: first.client_secret } : undefined,
      }),
    );
    if (acc.settings)
      await at(`${base}.settings`, async () => {
        await applySettings(ctx, acc.id, settingsFromBody(acc.settings), { via: 'admin', ip: null });
      });
    for (const [j, u] of (acc.users ?? []).entries())
      await at(`${base}.users[${j}]`, () =>
        createUser(ctx, {
          accountId: acc.id,
          email: u.email,
          password: u.password,
          role: u.role ?? 'member',
          firstName: u.first_name,
          lastName: u.last_name,
        }),
      );
    for (const [j, p] of more.entries())
      await at(`${base}.apps[${j + 1}]`, () =>
        createApp(ctx, acc.id, p.scopes ?? [...DEFAULT_APP_SCOPES], undefined, p),
      );
  }
  return true;
}
