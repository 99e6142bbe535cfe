/**
 * The account's password requirement (Zoom's `password_requirement`) and the one check of a
 * new password against it. The settings API that edits it is domain/settings/account.ts.
 */
import {
  checkPassword,
  DEFAULT_REQUIREMENT,
  effectiveRequirement,
  malformedReason,
  normalizePassword,
  type PasswordOwner,
  type PasswordRequirement,
} from '@zpass/policy';
import type { Db } from '../../store/database.js';
import { accountSettings } from '../../store/repositories/settings.js';
import type { DomainContext } from '../context.js';
import { Errors } from '../errors.js';

/** The defaults of this deployment: Zoom's, with the 24-hour cap from the domain settings. */
export function defaultRequirement(ctx: DomainContext): PasswordRequirement {
  return { ...DEFAULT_REQUIREMENT, max_changes_per_day: ctx.settings.maxChangesPer24h };
}

function parseStored(json: string): Partial<PasswordRequirement> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Partial<PasswordRequirement>) : {};
  } catch {
    return {};
  }
}

/** The fields an account has set explicitly (the rest take the defaults). */
export async function storedRequirement(db: Db, accountId: string): Promise<Partial<PasswordRequirement>> {
  const row = await accountSettings.get(db, accountId);
  return row ? parseStored(row.password_requirement) : {};
}

/** The account's `password_requirement`, every field filled in. */
export async function accountRequirement(
  ctx: DomainContext,
  accountId: string,
  db: Db = ctx.store.db,
): Promise<PasswordRequirement> {
  return effectiveRequirement(await storedRequirement(db, accountId), defaultRequirement(ctx));
}

/**
 * The password as it will be checked and hashed: a string, NFKC-normalised,
 * without control characters, at most 31 code points. Otherwise 300 "Validation Failed.".
 */
export function acceptPassword(value: unknown): string {
  if (value === undefined || value === null) {
    throw Errors.validation([{ field: 'password', message: 'Password is required.' }]);
  }
  if (typeof value !== 'string')
    throw Errors.validation([{ field: 'password', message: 'Password must be a string.' }]);
  // U+FFFD stands for bytes that did not decode: the password would not be what the user typed.
  if (value.includes('\uFFFD'))
    throw Errors.validation([
      { field: 'password', message: 'Password must not contain the replacement character U+FFFD.' },
    ]);
  const normalized = normalizePassword(value);
  const reason = malformedReason(normalized);
  if (reason) throw Errors.validation([{ field: 'password', message: reason }]);
  return normalized;
}

export interface PolicyInput {
  accountId: string;
  /** The value a client sent: checked to be a string, normalised (NFKC), at most 31 code points. */
  password: unknown;
  /** The user the password is for: weak detection refuses their e-mail and name. */
  user?: PasswordOwner;
}

export interface PolicyResult {
  /** The password as it is to be hashed (NFKC-normalised). */
  password: string;
  /** The account's requirement it was checked against. */
  requirement: PasswordRequirement;
}

/**
 * The one domain entry point for "may this be the user's new password?": the
 * account's requirement (read now, so a policy change applies to the next
 * password set) and every rule of @zpass/policy. Throws the first violation in
 * Zoom's format (300, 1124..1131, 1136). History and the current password are
 * checked where the credential is written (`changePassword`), where they cost argon2.
 */
export async function enforcePolicy(ctx: DomainContext, input: PolicyInput): Promise<PolicyResult> {
  const password = acceptPassword(input.password);
  const requirement = await accountRequirement(ctx, input.accountId);
  const [first] = checkPassword(password, { requirement, user: input.user });
  if (first) {
    throw first.errors ? Errors.validation(first.errors) : Errors.policy(first.code, first.message);
  }
  return { password, requirement };
}

/**
 * The one place a new password given through the Users API (autoCreate) or an invitation
 * is checked: the account's requirement decides. Returns the password as it will be hashed.
 */
export async function checkNewPassword(
  ctx: DomainContext,
  accountId: string,
  value: unknown,
  user?: PolicyInput['user'],
): Promise<string> {
  return (await enforcePolicy(ctx, { accountId, password: value, user })).password;
}
