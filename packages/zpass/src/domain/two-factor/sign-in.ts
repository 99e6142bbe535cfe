/**
 * Signing in on the pages when two-factor sign-in is on: the right password opens no
 * session but a challenge (a 256-bit token in a short-lived cookie, known to the store by
 * its digest), which a TOTP or recovery code turns into a session through `startSession`
 * (the sign-in activity and `user.signed_in` as for any sign-in). Every reason a
 * challenge is not good (unknown, malformed, expired, used, out of attempts, the user
 * deactivated or their two-factor reset) is the same `undefined`.
 */
import { digest, newToken } from '../../crypto/random.js';
import { twoFactorChallenges } from '../../store/repositories/two-factor.js';
import { type User, users } from '../../store/repositories/users.js';
import type { DomainContext } from '../context.js';
import { checkPassword, startSession } from '../sessions/sessions.js';
import { twoFactorOn, useSecondFactor } from './two-factor.js';

/** A challenge waits this long for its code. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Wrong codes one challenge takes before it ends (the sign-in throttle counts them too). */
export const CHALLENGE_ATTEMPTS = 5;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What comes after the right password: a session, or a challenge asking for the code. */
export type AfterPassword =
  | { kind: 'session'; user: User; sessionId: string }
  | { kind: 'challenge'; user: User; token: string };

/**
 * The password was right (on the sign-in page, or a new one was set through a reset link):
 * a challenge when the user's two-factor sign-in is on, else a session. Undefined when
 * the user was deactivated meanwhile.
 */
export async function afterPassword(
  ctx: DomainContext,
  user: User,
  opts: { ip: string | null; replaces?: string },
): Promise<AfterPassword | undefined> {
  if (await twoFactorOn(ctx.store.db, user.id)) {
    const token = newToken();
    const opened = await ctx.store.transaction(async (tx) => {
      const locked = await ctx.store.lockedUser(tx, user.id);
      if (locked?.status !== 'active' || locked.account_id !== user.account_id) return false;
      const now = ctx.clock.now();
      await twoFactorChallenges.deleteExpiredForUser(tx, user.id, now);
      await twoFactorChallenges.insert(tx, {
        token_digest: digest(token),
        user_id: user.id,
        account_id: user.account_id,
        created_at: now,
        expires_at: now + CHALLENGE_TTL_MS,
        attempts: 0,
      });
      return true;
    });
    return opened ? { kind: 'challenge', user, token } : undefined;
  }
  const opened = await startSession(ctx, user, opts);
  return opened ? { kind: 'session', ...opened } : undefined;
}

export type PasswordSignIn = AfterPassword | { kind: 'refused'; reason: 'invalid' | 'inactive' };

/** The sign-in page's e-mail and password: `checkPassword`, then `afterPassword`. */
export async function signInWithPassword(
  ctx: DomainContext,
  input: { email: string; password: string; ip: string | null; replaces?: string },
): Promise<PasswordSignIn> {
  const checked = await checkPassword(ctx, input);
  if (!checked.ok) return { kind: 'refused', reason: checked.reason };
  return (await afterPassword(ctx, checked.user, input)) ?? { kind: 'refused', reason: 'inactive' };
}

/** The user a challenge token waits for, while it is good. Changes nothing. */
export async function challengeUser(
  ctx: DomainContext,
  token: string | undefined,
): Promise<User | undefined> {
  if (!token || !TOKEN.test(token)) return undefined;
  const db = ctx.store.db;
  const challenge = await twoFactorChallenges.byDigest(db, digest(token));
  if (!challenge || challenge.expires_at <= ctx.clock.now() || challenge.attempts >= CHALLENGE_ATTEMPTS)
    return undefined;
  const user = await users.byId(db, challenge.user_id);
  if (user?.status !== 'active' || user.account_id !== challenge.account_id) return undefined;
  return (await twoFactorOn(db, user.id)) ? user : undefined;
}

export type ChallengeAnswer =
  | { kind: 'session'; user: User; sessionId: string; via: 'code' | 'recovery' }
  | { kind: 'wrong'; user: User }
  | { kind: 'unknown' };

/**
 * A code sent for a challenge: when it passes (a TOTP code of a later step than the last
 * accepted, or an unused recovery code) the challenge is used up and a session opens;
 * a wrong one counts against the challenge's attempts.
 */
export async function answerChallenge(
  ctx: DomainContext,
  token: string | undefined,
  code: string,
  opts: { ip: string | null; replaces?: string },
): Promise<ChallengeAnswer> {
  const user = await challengeUser(ctx, token);
  if (!user || !token) return { kind: 'unknown' };
  const d = digest(token);
  const passed = await ctx.store.transaction(async (tx) => {
    const locked = await ctx.store.lockedUser(tx, user.id);
    const challenge = await twoFactorChallenges.byDigest(tx, d);
    if (
      !locked ||
      !challenge ||
      challenge.user_id !== locked.id ||
      challenge.expires_at <= ctx.clock.now() ||
      challenge.attempts >= CHALLENGE_ATTEMPTS
    )
      return 'unknown' as const;
    const via = await useSecondFactor(ctx, tx, locked, code);
    if (!via) {
      await twoFactorChallenges.countAttempt(tx, d);
      return 'wrong' as const;
    }
    await twoFactorChallenges.delete(tx, d);
    return via;
  });
  if (passed === 'unknown') return { kind: 'unknown' };
  if (passed === 'wrong') return { kind: 'wrong', user };
  const opened = await startSession(ctx, user, opts);
  return opened ? { kind: 'session', ...opened, via: passed } : { kind: 'unknown' };
}
