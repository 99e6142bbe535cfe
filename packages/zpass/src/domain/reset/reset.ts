/**
 * Self-service password reset (docs/web.md, "Forgotten password"): a user asks for a
 * link by e-mail address, the notice carries a single-use link (256 random bits, only
 * its SHA-256 digest stored, valid 30 minutes), and the link's page sets a new password
 * through the one password-change use case, `via: 'reset'`.
 */
import { digest, newToken } from '../../crypto/random.js';
import type { Db } from '../../store/database.js';
import { outbox } from '../../store/repositories/outbox.js';
import { type PasswordReset, passwordResets } from '../../store/repositories/password-resets.js';
import { credentials } from '../../store/repositories/passwords.js';
import { type User, users } from '../../store/repositories/users.js';
import type { DomainContext } from '../context.js';
import { Errors } from '../errors.js';
import { changePassword } from '../passwords/change.js';
import { recordUserUpdate } from '../reports/operation-log.js';
import { webPrincipal } from '../sessions/sessions.js';
import { EMAIL_MAX } from '../users/directory.js';

/** The page a reset link opens, under zpass's public address (the web pages serve it). */
export const RESET_LINK_PATH = '/signin/reset/new';

/** The outbox kind of the notice that carries a reset link. */
export const RESET_KIND = 'password_reset';

/** A reset link works this long after it was asked for. */
export const RESET_TTL_MS = 30 * 60 * 1000;

/** At most this many reset mails per user in any hour that starts with one (docs/web.md). */
export const RESET_MAILS_PER_HOUR = 3;

const HOUR_MS = 60 * 60 * 1000;

/** The token's shape: base64url of 32 bytes. */
const RESET_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What the reset notice's payload holds: never the link's token. */
export interface ResetPayload {
  user_id: string;
  email: string;
  first_name: string;
  expires_at: number;
}

/** Only an active user who signs in with a password and has one can reset it. */
function mayReset(user: User | undefined): user is User {
  return user?.status === 'active' && user.sign_in === 'password';
}

/**
 * Someone asked for a reset link for `email`. Nothing is said back, whatever happens:
 * an unknown address, a user who does not sign in with a password, a deactivated or
 * pending one, or one over the mail cap get no notice and no change. Otherwise the
 * user's reset is (re)written, voiding any earlier link, and a notice is queued.
 * Returns whether a notice was queued (for tests and logs of the caller; never shown).
 */
export async function requestReset(ctx: DomainContext, email: string): Promise<boolean> {
  const address = email.trim();
  if (address.length === 0 || address.length > EMAIL_MAX || /\p{Cc}/u.test(address)) return false;
  const found = await users.byEmail(ctx.store.db, address);
  if (!mayReset(found)) return false;
  return ctx.store.transaction(async (tx) => {
    const user = await ctx.store.lockedUser(tx, found.id);
    if (!mayReset(user)) return false;
    const cred = await credentials.get(tx, user.id);
    if (!cred) return false;
    const now = ctx.clock.now();
    const open = await passwordResets.forUser(tx, user.id);
    const sameWindow = open !== undefined && now - open.window_started_at < HOUR_MS;
    const mails = sameWindow ? open.mails_in_window : 0;
    if (mails >= RESET_MAILS_PER_HOUR) return false;
    const expiresAt = now + RESET_TTL_MS;
    await passwordResets.put(tx, {
      user_id: user.id,
      account_id: user.account_id,
      token_digest: null,
      credential_version: cred.version,
      requested_at: now,
      expires_at: expiresAt,
      window_started_at: sameWindow ? open.window_started_at : now,
      mails_in_window: mails + 1,
    });
    const payload: ResetPayload = {
      user_id: user.id,
      email: user.email,
      first_name: user.first_name,
      expires_at: expiresAt,
    };
    await outbox.queue(tx, {
      kind: RESET_KIND,
      account_id: user.account_id,
      recipient: user.email,
      payload,
      now,
    });
    // The request is in the account's operation log (the activity report's types are only
    // "Sign in" and "Sign out"): when, and for whom; never the link.
    await recordUserUpdate(
      tx,
      user,
      { email: user.email, userId: user.id },
      'password reset link requested',
      now,
    );
    return true;
  });
}

/** Whether an open reset still stands for this user, as the store holds them now. */
async function stillGood(
  q: Db,
  reset: PasswordReset | undefined,
  user: User | undefined,
  now: number,
): Promise<boolean> {
  if (!reset || reset.expires_at <= now || !mayReset(user) || user.account_id !== reset.account_id)
    return false;
  const cred = await credentials.get(q, user.id);
  // A change by any other way since the request moved the version: the link is void.
  return cred?.version === reset.credential_version;
}

/**
 * A new link for the user's open reset: what the mail relay calls when it sends a
 * `password_reset` notice. Each call mints a new token (only its digest is stored), so
 * only the latest link works. Undefined when the reset no longer stands (expired,
 * replaced by a password change, the user deactivated): the relay then drops the notice.
 */
export async function issueResetLink(
  ctx: Pick<DomainContext, 'store' | 'clock'>,
  userId: string,
  pageUrl: string,
): Promise<{ link: string; expires_at: number } | undefined> {
  return ctx.store.transaction(async (tx) => {
    const user = await ctx.store.lockedUser(tx, userId);
    const reset = await passwordResets.forUser(tx, userId);
    if (!reset || !(await stillGood(tx, reset, user, ctx.clock.now()))) return undefined;
    const token = newToken();
    await passwordResets.setToken(tx, userId, digest(token));
    const sep = pageUrl.includes('?') ? '&' : '?';
    return { link: `${pageUrl}${sep}token=${encodeURIComponent(token)}`, expires_at: reset.expires_at };
  });
}

/**
 * Whose reset a link's token opens, while it stands. Changes nothing. Every reason a
 * token is bad (malformed, unknown, used, replaced, expired, the password changed since,
 * the user deactivated) gives the same `resetLinkInvalid`.
 */
export async function resetFor(
  ctx: DomainContext,
  token: unknown,
): Promise<{ user: User; expires_at: number }> {
  if (typeof token !== 'string' || !RESET_TOKEN.test(token)) throw Errors.resetLinkInvalid();
  const db = ctx.store.db;
  const reset = await passwordResets.byDigest(db, digest(token));
  const user = reset ? await users.byId(db, reset.user_id) : undefined;
  if (!reset || !(await stillGood(db, reset, user, ctx.clock.now())) || !user)
    throw Errors.resetLinkInvalid();
  return { user, expires_at: reset.expires_at };
}

/**
 * Sets a new password through a reset link: the confirmation must match, then the one
 * password-change use case (the account's rules, history, 24-hour cap, change log and
 * notice) with the user as principal and `via: 'reset'`, which ends every session and
 * user-level token of the user. The link is used up in the change's transaction.
 */
export async function completeReset(
  ctx: DomainContext,
  input: { token: unknown; password: string; confirm: string; ip: string | null },
): Promise<User> {
  const { user } = await resetFor(ctx, input.token);
  if (input.password !== input.confirm) throw Errors.passwordsDiffer();
  const d = digest(input.token as string);
  await changePassword(ctx, {
    principal: { ...webPrincipal(user, ''), sessionDigest: undefined },
    userId: user.id,
    password: input.password,
    ip: input.ip,
    via: 'reset',
    inTx: async (tx, locked) => {
      const reset = await passwordResets.byDigest(tx, d);
      if (reset?.user_id !== locked.id || !(await stillGood(tx, reset, locked, ctx.clock.now())))
        throw Errors.resetLinkInvalid();
      await passwordResets.delete(tx, locked.id);
    },
  });
  const after = await users.byId(ctx.store.db, user.id);
  if (!after) throw Errors.resetLinkInvalid();
  return after;
}
