/**
 * Password history at the cost of one argon2id computation, whatever its depth.
 *
 * Every user has a history salt: 16 random bytes, the same for all their
 * remembered passwords. Each remembered password (the current one included) is
 * stored as an argon2id PHC string (OWASP parameters) under that salt. Hashing
 * a candidate once under the history salt gives a string that equals the stored
 * one exactly when the candidate is that password, so one computation checks
 * the current password and the whole history. The credential the user signs in
 * with is a second, ordinary argon2id hash with its own random salt. The
 * security reasoning is in docs/policy.md.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Tx } from '../../store/database.js';
import {
  type Credential,
  credentials,
  type HistoryEntry,
  passwordHistory,
} from '../../store/repositories/passwords.js';
import type { DomainContext } from '../context.js';

export const HISTORY_SALT_BYTES = 16;

/** The salt of a PHC string (`$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>`), or undefined. */
export function phcSalt(phc: string): Buffer | undefined {
  const parts = phc.split('$');
  if (parts.length !== 6 || parts[1] !== 'argon2id' || !parts[4]) return undefined;
  const salt = Buffer.from(parts[4], 'base64');
  return salt.length >= 8 ? salt : undefined;
}

/** Constant-time equality of two PHC strings. */
export function samePhc(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** The user's history salt: the one of their newest remembered password, or a new one. */
export function historySalt(entries: readonly HistoryEntry[]): Buffer {
  for (const e of entries) {
    const salt = phcSalt(e.phc);
    if (salt) return salt;
  }
  return randomBytes(HISTORY_SALT_BYTES);
}

/** A new user's first credential: the sign-in hash and the history entry (two computations). */
export interface InitialCredential {
  phc: string;
  historyPhc: string;
}

export async function initialCredential(ctx: DomainContext, password: string): Promise<InitialCredential> {
  const phc = await ctx.hasher.hash(password);
  // Admitted with the first computation: the second is never refused, and goes first.
  const historyPhc = await ctx.hasher.hashWithSalt(password, randomBytes(HISTORY_SALT_BYTES), {
    followUp: true,
  });
  return { phc, historyPhc };
}

/** Stores a new user's first credential (version 1) and its history entry, inside the caller's transaction. */
export async function storeInitialCredential(
  tx: Tx,
  userId: string,
  cred: InitialCredential,
  now: number,
): Promise<void> {
  await credentials.insert(tx, { user_id: userId, phc: cred.phc, version: 1, updated_at: now });
  await passwordHistory.insert(tx, {
    user_id: userId,
    phc: cred.historyPhc,
    credential_version: 1,
    created_at: now,
  });
}

/** What the history says about a candidate, given its hash under the history salt. */
export type HistoryVerdict = 'current' | 'reused' | 'new';

/**
 * Compares the candidate's history hash with the entries: the one of the current
 * credential (`current`), then the `depth` previous passwords (`reused`). Every
 * entry is compared, in constant time each.
 */
export function judge(
  candidate: string,
  entries: readonly HistoryEntry[],
  current: Credential | undefined,
  depth: number,
): HistoryVerdict {
  let verdict: HistoryVerdict = 'new';
  let previous = 0;
  for (const e of entries) {
    const isCurrent = current !== undefined && e.credential_version === current.version;
    if (!isCurrent) previous++;
    const match = samePhc(candidate, e.phc);
    if (match && isCurrent) verdict = 'current';
    else if (match && previous <= depth && verdict === 'new') verdict = 'reused';
  }
  return verdict;
}
