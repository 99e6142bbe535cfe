/**
 * Two-factor sign-in with an authenticator app (docs/web.md, "Two-factor sign-in"): a TOTP
 * secret (RFC 6238: SHA-1, 6 digits, 30 seconds), sealed with the operator's secret key,
 * on once one code confirms it; ten one-time recovery codes known by their digests; a code
 * accepted once (its step must be later than the last accepted one), one step of clock
 * skew either way. Enrolment, turning off, recovery-code use and resets are written to
 * the operation log (GET /v2/report/activities types only "Sign in" and "Sign out").
 */
import { randomBytes } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import { digest } from '../../crypto/random.js';
import { SecretKeyring } from '../../crypto/secret-keys.js';
import type { Db, Tx } from '../../store/database.js';
import { outbox } from '../../store/repositories/outbox.js';
import { recoveryCodes, twoFactors } from '../../store/repositories/two-factor.js';
import { type User, users } from '../../store/repositories/users.js';
import { webSessions } from '../../store/repositories/web-sessions.js';
import type { DomainContext } from '../context.js';
import { Errors } from '../errors.js';
import { type Actor, OPERATOR } from '../principal.js';
import { recordOperation } from '../reports/operation-log.js';
import { storedSecurity } from '../settings/account.js';
import { SCOPES } from '../tokens/scopes.js';
import { assertMayManage } from '../users/directory.js';
import { ROLE_IDS, requireScopes, resolveUser } from '../users/resolve.js';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock skew allowed either way. */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** Longest `code` field read (a recovery code with spaces and dashes fits easily). */
export const CODE_FIELD_MAX = 64;
/** The outbox kind of the notice sent when a user's two-factor sign-in is reset for them. */
export const TWO_FACTOR_RESET_KIND = 'two_factor_reset';

/** The associated data of a user's sealed secret: a sealed value copied onto another user does not open. */
const aad = (userId: string) => `two-factor:${userId}`;

/** The issuer shown in authenticator apps. */
const ISSUER = 'zpass';

/** Two-factor sign-in needs the operator's secret key; without one it is not offered. */
export const twoFactorAvailable = (ctx: DomainContext): boolean => ctx.secrets !== undefined;

function keyring(ctx: DomainContext): SecretKeyring {
  // Callers check `twoFactorAvailable` first: reaching here without a key is a bug.
  if (!ctx.secrets) throw new Error('two-factor sign-in needs the secret key');
  return ctx.secrets;
}

/** Whether the user's two-factor sign-in is on. */
export async function twoFactorOn(db: Db, userId: string): Promise<boolean> {
  const row = await twoFactors.forUser(db, userId);
  return row?.enabled_at != null;
}

/**
 * Whether the account's `sign_in_with_two_factor_auth` requires it of the user: `all`, or
 * `role` with the user's role id ("0" owner, "1" admin, "2" member) in
 * `sign_in_with_two_factor_auth_roles`. `group` requires it of nobody: zpass has no groups.
 */
export async function twoFactorRequired(db: Db, user: User): Promise<boolean> {
  const s = await storedSecurity(db, user.account_id);
  if (s.sign_in_with_two_factor_auth === 'all') return true;
  if (s.sign_in_with_two_factor_auth === 'role')
    return s.sign_in_with_two_factor_auth_roles.includes(ROLE_IDS[user.role]);
  return false;
}

/**
 * Whether the user must set up two-factor sign-in before reaching any other signed-in
 * page: required of them, not on, and available on this server (without the secret key
 * nobody can enrol, so nobody is held at the door).
 */
export async function mustEnrol(ctx: DomainContext, user: User): Promise<boolean> {
  if (!twoFactorAvailable(ctx)) return false;
  const db = ctx.store.db;
  return (await twoFactorRequired(db, user)) && !(await twoFactorOn(db, user.id));
}

export interface PendingSecret {
  /** Base32, as authenticator apps take it. */
  secret: string;
  /** The `otpauth://` URI the QR code carries. */
  uri: string;
}

function totpOf(user: User, secret: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: user.email,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
  });
}

const pendingOf = (user: User, secret: string): PendingSecret => ({
  secret,
  uri: totpOf(user, secret).toString(),
});

/**
 * Starts enrolment: a new secret, sealed, pending (replacing an earlier pending one).
 * Refused (`unavailable`: no secret key; `on`: it is on already) with nothing changed.
 */
export async function beginEnrolment(
  ctx: DomainContext,
  user: User,
): Promise<PendingSecret | 'unavailable' | 'on'> {
  if (!ctx.secrets) return 'unavailable';
  const keys = ctx.secrets;
  const secret = new Secret({ size: 20 }).base32;
  const refused = await ctx.store.transaction(async (tx) => {
    const locked = await ctx.store.lockedUser(tx, user.id);
    if (locked?.status !== 'active') return 'unavailable' as const;
    const row = await twoFactors.forUser(tx, user.id);
    if (row?.enabled_at != null) return 'on' as const;
    await twoFactors.putPending(tx, {
      user_id: user.id,
      account_id: user.account_id,
      secret_sealed: keys.seal(secret, aad(user.id)),
      created_at: ctx.clock.now(),
      enabled_at: null,
      last_step: null,
    });
    return undefined;
  });
  return refused ?? pendingOf(user, secret);
}

/** The pending secret of an enrolment under way, if any. */
export async function pendingEnrolment(ctx: DomainContext, user: User): Promise<PendingSecret | undefined> {
  const row = await twoFactors.forUser(ctx.store.db, user.id);
  const secret = row && row.enabled_at == null ? openOrUndefined(ctx, row.secret_sealed, user.id) : undefined;
  return secret === undefined ? undefined : pendingOf(user, secret);
}

function openOrUndefined(ctx: DomainContext, sealed: string, userId: string): string | undefined {
  try {
    return ctx.secrets?.open(sealed, aad(userId));
  } catch {
    return undefined;
  }
}

/** The digits of a TOTP code as sent (spaces allowed), or undefined when it is not one. */
const totpDigits = (code: string): string | undefined => {
  const d = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(d) ? d : undefined;
};

/** A recovery code as stored: 20 base32 characters, lower case, without spaces or dashes. */
const recoveryForm = (code: string): string | undefined => {
  const c = code.replace(/[\s-]+/g, '').toLowerCase();
  return /^[a-z2-7]{20}$/.test(c) ? c : undefined;
};

/** The step of a TOTP code within the skew window of `now`, or undefined. */
function stepOf(secret: string, code: string, now: number): number | undefined {
  const digits = totpDigits(code);
  if (!digits) return undefined;
  const counter = Math.floor(now / 1000 / TOTP_PERIOD_S);
  const delta = HOTP.validate({
    token: digits,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    counter,
    window: TOTP_WINDOW,
  });
  return delta === null ? undefined : counter + delta;
}

/** Ten new recovery codes (100 random bits each), shown once as `xxxxx-xxxxx-xxxxx-xxxxx`. */
function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(20);
    const chars = [...bytes].map((b) => alphabet[b & 31]).join('');
    return chars.match(/.{5}/g)!.join('-');
  });
}

const logDetail = (user: User, what: string) => `Update user ${user.email} - ${what}`;

/**
 * Confirms enrolment with a code of the pending secret: two-factor is on, ten recovery
 * codes replace any earlier ones and are returned (the only time they are shown).
 * Undefined for a wrong code or no enrolment under way: nothing changes then.
 */
export async function confirmEnrolment(
  ctx: DomainContext,
  user: User,
  code: string,
): Promise<string[] | undefined> {
  if (!ctx.secrets || code.length > CODE_FIELD_MAX) return undefined;
  return ctx.store.transaction(async (tx) => {
    const locked = await ctx.store.lockedUser(tx, user.id);
    if (locked?.status !== 'active') return undefined;
    const row = await twoFactors.forUser(tx, user.id);
    if (!row || row.enabled_at != null) return undefined;
    const now = ctx.clock.now();
    const secret = openOrUndefined(ctx, row.secret_sealed, user.id);
    const step = secret === undefined ? undefined : stepOf(secret, code, now);
    if (step === undefined) return undefined;
    await twoFactors.enable(tx, user.id, now, step);
    const codes = newRecoveryCodes();
    await recoveryCodes.replace(
      tx,
      user.id,
      codes.map((c) => digest(recoveryForm(c)!)),
    );
    await recordOperation(tx, {
      accountId: user.account_id,
      time: now,
      by: { email: user.email, userId: user.id },
      category: 'user',
      action: 'Update',
      detail: logDetail(user, 'two-factor sign-in turned on'),
    });
    return codes;
  });
}

/**
 * Checks a second factor inside the caller's transaction and uses it up: a TOTP code of a
 * later step than the last accepted one, or an unused recovery code (logged). Returns how
 * it passed, or undefined (wrong, replayed, used, or two-factor not on).
 */
export async function useSecondFactor(
  ctx: DomainContext,
  tx: Tx,
  user: User,
  code: string,
): Promise<'code' | 'recovery' | undefined> {
  const row = await twoFactors.forUser(tx, user.id);
  if (!row || row.enabled_at == null || code.length > CODE_FIELD_MAX) return undefined;
  const now = ctx.clock.now();
  if (totpDigits(code)) {
    // Without the key that sealed the secret (unset, or dropped from the previous keys) no
    // code passes; recovery codes, known by their digests, still do.
    const secret = openOrUndefined(ctx, row.secret_sealed, user.id);
    const step = secret === undefined ? undefined : stepOf(secret, code, now);
    if (step === undefined || !(await twoFactors.acceptStep(tx, user.id, step))) return undefined;
    return 'code';
  }
  const recovery = recoveryForm(code);
  if (!recovery || !(await recoveryCodes.use(tx, user.id, digest(recovery), now))) return undefined;
  const left = await recoveryCodes.unusedCount(tx, user.id);
  await recordOperation(tx, {
    accountId: user.account_id,
    time: now,
    by: { email: user.email, userId: user.id },
    category: 'user',
    action: 'Update',
    detail: logDetail(user, `recovery code used for two-factor sign-in (${left} left)`),
  });
  return 'recovery';
}

/**
 * The user turns their two-factor sign-in off: the caller has checked the password; the
 * code (TOTP or recovery) must pass. False, with nothing changed, when it does not.
 */
export async function turnOff(ctx: DomainContext, user: User, code: string): Promise<boolean> {
  return ctx.store.transaction(async (tx) => {
    const locked = await ctx.store.lockedUser(tx, user.id);
    if (locked?.status !== 'active') return false;
    if (!(await useSecondFactor(ctx, tx, locked, code))) return false;
    await twoFactors.deleteForUser(tx, user.id);
    await recordOperation(tx, {
      accountId: user.account_id,
      time: ctx.clock.now(),
      by: { email: user.email, userId: user.id },
      category: 'user',
      action: 'Update',
      detail: logDetail(user, 'two-factor sign-in turned off'),
    });
    return true;
  });
}

/** Who reset a user's two-factor sign-in, as the notice says it. */
const resetBy = (actor: Actor): 'operator' | 'owner' | 'admin' =>
  actor === OPERATOR ? 'operator' : actor.role === 'owner' ? 'owner' : 'admin';

async function resetIn(ctx: DomainContext, actor: Actor, user: User): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const locked = await ctx.store.lockedUser(tx, user.id);
    if (locked?.account_id !== user.account_id) throw Errors.userNotFound(user.id);
    const now = ctx.clock.now();
    await twoFactors.deleteForUser(tx, user.id);
    // Whoever signed in with the old second factor signs in again.
    await webSessions.deleteForUser(tx, user.id);
    await recordOperation(tx, {
      accountId: user.account_id,
      time: now,
      by: actor === OPERATOR ? null : actor,
      category: 'user',
      action: 'Update',
      detail: logDetail(user, 'two-factor sign-in reset'),
    });
    await outbox.queue(tx, {
      kind: TWO_FACTOR_RESET_KIND,
      account_id: user.account_id,
      recipient: user.email,
      payload: {
        user_id: user.id,
        email: user.email,
        first_name: user.first_name,
        reset_at: now,
        reset_by: resetBy(actor),
      },
      now,
    });
  });
}

/**
 * `zpass admin reset-2fa`: the user's secret, recovery codes and waiting sign-ins go, their
 * web sessions end, the change is logged and the user gets a notice. Whether the user
 * had two-factor sign-in (on or being set up) is returned; the reset happens either way.
 */
export async function resetTwoFactorAsOperator(ctx: DomainContext, idOrEmail: string): Promise<User> {
  if (/\p{Cc}/u.test(idOrEmail)) throw Errors.userNotFound(idOrEmail);
  const db = ctx.store.db;
  const user = (await users.byId(db, idOrEmail)) ?? (await users.byEmail(db, idOrEmail));
  if (!user) throw Errors.userNotFound(idOrEmail);
  await resetIn(ctx, OPERATOR, user);
  return user;
}

/**
 * `DELETE /zpass/v1/users/{userId}/two_factor` (a zpass extension): the account's owner,
 * or an admin for a member, resets a user's two-factor sign-in, as `resetTwoFactorAsOperator`.
 */
export async function resetTwoFactor(
  ctx: DomainContext,
  principal: Exclude<Actor, typeof OPERATOR>,
  userId: string,
): Promise<void> {
  requireScopes(principal, SCOPES.resetTwoFactor);
  const user = await resolveUser(ctx, principal, userId, SCOPES.resetTwoFactor);
  assertMayManage(principal, user, 'profile');
  await resetIn(ctx, principal, user);
}

/**
 * `zpass admin rotate-secret-key`: every sealed secret not sealed under the current key
 * is opened with the key it names (current or previous) and sealed again under the
 * current one. Returns how many were re-sealed and how many could not be opened (their
 * key is not configured); a second run re-seals nothing.
 */
export async function resealSecrets(ctx: DomainContext): Promise<{ resealed: number; unreadable: string[] }> {
  const keys = keyring(ctx);
  let resealed = 0;
  const unreadable: string[] = [];
  for (const row of await twoFactors.all(ctx.store.db)) {
    if (keys.isCurrent(row.secret_sealed)) continue;
    let plain: string;
    try {
      plain = keys.open(row.secret_sealed, aad(row.user_id));
    } catch {
      unreadable.push(row.user_id);
      continue;
    }
    await twoFactors.reseal(ctx.store.db, row.user_id, row.secret_sealed, keys.seal(plain, aad(row.user_id)));
    resealed++;
  }
  return { resealed, unreadable };
}

/** The key ids the store's sealed secrets name, with counts (for the rotation command's report). */
export async function sealedKeyIds(ctx: DomainContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const row of await twoFactors.all(ctx.store.db)) {
    const id = SecretKeyring.keyOf(row.secret_sealed) ?? 'unknown';
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}
