/**
 * Sign-in sessions of the web pages: signing in with e-mail and password, the
 * session behind a cookie, signing out, and the user's own password change.
 * A session id is a 256-bit secret held only by the browser's cookie; the store
 * keeps its SHA-256 digest.
 */
import { normalizePassword } from '@zpass/policy';
import type { Hasher } from '../../crypto/hasher.js';
import { digest, newToken } from '../../crypto/random.js';
import type { Tx } from '../../store/database.js';
import { credentials } from '../../store/repositories/passwords.js';
import { signInActivities } from '../../store/repositories/reports.js';
import { type User, users } from '../../store/repositories/users.js';
import { type WebSession, webSessions } from '../../store/repositories/web-sessions.js';
import type { SignInActivityType } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors } from '../errors.js';
import { changePassword } from '../passwords/change.js';
import type { Principal } from '../principal.js';
import { storedSecurity } from '../settings/account.js';
import { EMAIL_MAX } from '../users/fields.js';
import { webhookEvents } from '../webhooks/emit.js';

/** A session ends this long after sign-in, whatever happens (docs/web.md). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Longest password a sign-in form's value may be before it is refused unread (code units). */
export const SIGN_IN_PASSWORD_MAX = 1024;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** A session's use is written at most this often (the idle rule's resolution). */
export const SEEN_EVERY_MS = 60_000;

/** What a sign-in attempt comes to. `inactive`: the password was right, but the user is deactivated. */
export type SignInOutcome =
  | { ok: true; user: User; sessionId: string }
  | { ok: false; reason: 'invalid' | 'inactive'; user?: User };

/**
 * One argon2id hash per hasher of a password nobody knows: an unknown e-mail is
 * verified against it, so that it costs what a wrong password costs.
 */
const dummyHashes = new WeakMap<Hasher, Promise<string>>();

export function dummyHash(hasher: Hasher): Promise<string> {
  let p = dummyHashes.get(hasher);
  if (!p) {
    p = hasher.hash(newToken());
    // A failed computation (a full queue) is not remembered: the next sign-in tries again.
    p.catch(() => dummyHashes.delete(hasher));
    dummyHashes.set(hasher, p);
  }
  return p;
}

/** The principal a web session acts as: the user themself, allowed to change their own password. */
export function webPrincipal(user: User, sessionDigest: string): Principal {
  return {
    kind: 'user',
    accountId: user.account_id,
    userId: user.id,
    email: user.email,
    role: user.role,
    scopes: new Set(['user:update:password']),
    appId: null,
    tokenDigest: null,
    sessionDigest,
  };
}

export async function startSession(
  ctx: DomainContext,
  user: User,
  opts: { ip: string | null; replaces?: string },
): Promise<{ user: User; sessionId: string } | undefined> {
  const sessionId = newToken();
  return ctx.store.transaction(async (tx) => {
    // Deactivated since the password was checked: no session.
    const locked = await ctx.store.lockedUser(tx, user.id);
    if (locked?.status !== 'active' || locked.account_id !== user.account_id) return undefined;
    const now = ctx.clock.now();
    // A new id at every sign-in: an id known before it (fixation) is worth nothing after.
    if (opts.replaces && SESSION_ID.test(opts.replaces)) await webSessions.delete(tx, digest(opts.replaces));
    // The user's ended sessions go now: rows never outlive the next sign-in.
    await webSessions.deleteExpiredForUser(tx, user.id, now);
    await webSessions.insert(tx, {
      digest: digest(sessionId),
      user_id: user.id,
      account_id: user.account_id,
      ip: opts.ip,
      created_at: now,
      expires_at: now + SESSION_TTL_MS,
    });
    // Signing in with the address proves it (Zoom's `verified`).
    const verifiedAt = locked.email_verified_at ?? now;
    await users.update(tx, user.id, { last_login_at: now, email_verified_at: verifiedAt });
    await recordActivity(tx, locked, 'sign_in', now, opts.ip);
    return { user: { ...locked, last_login_at: now, email_verified_at: verifiedAt }, sessionId };
  });
}

/** What a password check comes to: the user when the password is right and the user active. */
export type PasswordOutcome =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'inactive'; user?: User };

/**
 * The first factor: e-mail and password. An unknown e-mail, a user without a password
 * (pending, SSO, API-only) and a wrong password all verify one argon2id hash and give
 * the same `invalid`; only the right password of a deactivated user gives `inactive`.
 * Changes nothing.
 */
export async function checkPassword(
  ctx: DomainContext,
  input: { email: string; password: string },
): Promise<PasswordOutcome> {
  const db = ctx.store.db;
  const email = input.email.trim();
  const wellFormed = email.length > 0 && email.length <= EMAIL_MAX && !/\p{Cc}/u.test(email);
  const user = wellFormed ? await users.byEmail(db, email) : undefined;
  const cred = user && user.sign_in === 'password' ? await credentials.get(db, user.id) : undefined;
  const password = input.password.length > SIGN_IN_PASSWORD_MAX ? '' : normalizePassword(input.password);
  const phc = cred?.phc ?? (await dummyHash(ctx.hasher));
  const right = (await ctx.hasher.verify(phc, password)) && cred !== undefined && password.length > 0;
  if (!user || !right) return { ok: false, reason: 'invalid' };
  if (user.status !== 'active')
    return { ok: false, reason: user.status === 'inactive' ? 'inactive' : 'invalid', user };
  return { ok: true, user };
}

/**
 * Signing in with e-mail and password alone (`checkPassword`, then a session replacing
 * `replaces`, the id the browser had, and `last_login_at`). The sign-in page goes through
 * domain/two-factor/sign-in.ts, which asks for the second factor when it applies.
 */
export async function signIn(
  ctx: DomainContext,
  input: { email: string; password: string; ip: string | null; replaces?: string },
): Promise<SignInOutcome> {
  const checked = await checkPassword(ctx, input);
  if (!checked.ok) return checked;
  const opened = await startSession(ctx, checked.user, { ip: input.ip, replaces: input.replaces });
  return opened ? { ok: true, ...opened } : { ok: false, reason: 'inactive', user: checked.user };
}

/** A session the browser holds and its user, while both are good: unexpired, the user active. */
export interface ActiveSession {
  session: WebSession;
  user: User;
}

export async function findSession(
  ctx: DomainContext,
  sessionId: string | undefined,
): Promise<ActiveSession | undefined> {
  if (!sessionId || !SESSION_ID.test(sessionId)) return undefined;
  const db = ctx.store.db;
  const session = await webSessions.byDigest(db, digest(sessionId));
  const now = ctx.clock.now();
  if (!session || session.expires_at <= now) return undefined;
  const user = await users.byId(db, session.user_id);
  if (user?.status !== 'active' || user.account_id !== session.account_id) return undefined;
  // The account's rule: a session idle longer than its period must sign in again (0: off).
  const seen = session.last_seen_at ?? session.created_at;
  const idleMinutes = (await storedSecurity(db, session.account_id)).sign_again_period_for_inactivity_on_web;
  if (idleMinutes > 0 && now - seen > idleMinutes * 60_000) {
    await webSessions.delete(db, session.digest);
    return undefined;
  }
  if (now - seen >= SEEN_EVERY_MS) await webSessions.touch(db, session.digest, now);
  return { session, user };
}

/** How the web pages appear in Zoom's sign-in report: a browser, with no client version. */
export const WEB_CLIENT_TYPE = 'Browser';

/** One row of the account's sign-in and sign-out report, in the transaction of the event. */
async function recordActivity(
  tx: Tx,
  user: User,
  type: SignInActivityType,
  now: number,
  ip: string | null,
): Promise<void> {
  await signInActivities.insert(tx, {
    account_id: user.account_id,
    user_id: user.id,
    email: user.email,
    time: now,
    type,
    ip,
    client_type: WEB_CLIENT_TYPE,
    version: '',
  });
  await (type === 'sign_in' ? webhookEvents.signedIn : webhookEvents.signedOut)(tx, user, now);
}

/** Signing out: the session ends now, and the sign-out is recorded if there was a session to end. */
export async function endSession(
  ctx: DomainContext,
  sessionId: string | undefined,
  opts: { ip?: string | null } = {},
): Promise<void> {
  if (!sessionId || !SESSION_ID.test(sessionId)) return;
  const d = digest(sessionId);
  await ctx.store.transaction(async (tx) => {
    const session = await webSessions.byDigest(tx, d);
    if (!session) return;
    await webSessions.delete(tx, d);
    const user = await users.byId(tx, session.user_id);
    if (user?.account_id === session.account_id)
      await recordActivity(tx, user, 'sign_out', ctx.clock.now(), opts.ip ?? null);
  });
}

/** The signed-in user's password, asked again before a change: `currentPasswordWrong` unless right. */
export async function assertCurrentPassword(ctx: DomainContext, user: User, sent: string): Promise<void> {
  const cred = await credentials.get(ctx.store.db, user.id);
  const current = sent.length > SIGN_IN_PASSWORD_MAX ? '' : normalizePassword(sent);
  if (!cred || current.length === 0 || !(await ctx.hasher.verify(cred.phc, current)))
    throw Errors.currentPasswordWrong();
}

export interface OwnChange {
  current: string;
  password: string;
  confirm: string;
  ip: string | null;
}

/**
 * The user changes their own password on the web pages: the confirmation must match
 * and the current password must be right (`currentPasswordWrong`, which the caller
 * counts as a failed attempt); then the same use case as the API, via "web", which
 * ends the user's other sessions and revokes their user-level tokens.
 */
export async function changeOwnPassword(
  ctx: DomainContext,
  active: ActiveSession,
  change: OwnChange,
): Promise<void> {
  if (change.password !== change.confirm) throw Errors.passwordsDiffer();
  await assertCurrentPassword(ctx, active.user, change.current);
  await changePassword(ctx, {
    principal: webPrincipal(active.user, active.session.digest),
    userId: active.user.id,
    password: change.password,
    ip: change.ip,
    via: 'web',
  });
}
