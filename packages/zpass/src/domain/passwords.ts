import { checkPassword, malformedReason, normalizePassword } from '@zpass/policy';
import { credentials, outbox, passwordChanges, type User } from '../store/repositories.js';
import type { ChangeVia } from '../store/schema.js';
import type { DomainContext } from './context.js';
import { Errors } from './errors.js';
import type { Principal } from './principal.js';
import { SCOPES } from './scopes.js';
import { requireScopes, resolveUser } from './users.js';

const DAY_MS = 24 * 60 * 60 * 1000;

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
  const normalized = normalizePassword(value);
  const reason = malformedReason(normalized);
  if (reason) throw Errors.validation([{ field: 'password', message: reason }]);
  return normalized;
}

/** The rules a new password must pass: the first violation is the answer. */
export function enforcePolicy(password: string): void {
  const [first] = checkPassword(password);
  if (first) throw Errors.policy(first.code, first.message);
}

export interface ChangeRequest {
  principal: Principal;
  userId: string;
  password: unknown;
  ip: string | null;
  via: ChangeVia;
}

/** Zoom's prerequisite: an admin may not change the owner's or another admin's password. */
function assertMayChange(principal: Principal, target: User): void {
  if (principal.kind !== 'account' || target.id === principal.userId) return;
  if (principal.role === 'admin' && (target.role === 'owner' || target.role === 'admin')) {
    throw Errors.cannotUpdateAdmin();
  }
}

/**
 * Who made a change, as the notice tells the user: themselves, or someone named only
 * by role (never by name or address), or an operator through the admin CLI.
 */
export type ChangedBy = 'self' | 'owner' | 'admin' | 'operator';

function changedBy(principal: Principal, target: User, via: ChangeVia): ChangedBy {
  if (via === 'admin') return 'operator';
  if (principal.userId === target.id) return 'self';
  return principal.role === 'owner' ? 'owner' : 'admin';
}

/**
 * `PUT /v2/users/{userId}/password`. Checks run cheapest first (scopes, body,
 * user, role, rules, 24-hour cap) so that argon2 runs only for a change that can
 * succeed; then one transaction commits the credential, the change log row and
 * the notice, or nothing.
 */
export async function changePassword(ctx: DomainContext, req: ChangeRequest): Promise<void> {
  const { principal } = req;
  requireScopes(principal, SCOPES.updatePassword);
  const password = acceptPassword(req.password);
  const target = await resolveUser(ctx, principal, req.userId, SCOPES.updatePassword);
  assertMayChange(principal, target);
  enforcePolicy(password);

  const cap = ctx.settings.maxChangesPer24h;
  let newPhc: string | undefined;
  // Each retry follows a change another request committed first, which counts
  // towards the cap, so the loop ends within cap + 1 rounds.
  for (let round = 0; round <= cap + 1; round++) {
    const db = ctx.store.db;
    if ((await passwordChanges.countSince(db, target.id, ctx.clock.now() - DAY_MS)) >= cap) {
      throw Errors.tooManyChanges();
    }
    const current = await credentials.get(db, target.id);
    if (current && (await ctx.hasher.verify(current.phc, password))) throw Errors.samePassword();
    newPhc ??= await ctx.hasher.hash(password);
    const phc = newPhc;
    const committed = await ctx.store.transaction(async (tx) => {
      await ctx.store.lockUser(tx, target.id);
      const now = ctx.clock.now();
      if ((await passwordChanges.countSince(tx, target.id, now - DAY_MS)) >= cap)
        throw Errors.tooManyChanges();
      if (!(await credentials.replace(tx, target.id, current?.version ?? null, phc, now))) return false;
      await passwordChanges.insert(tx, {
        account_id: target.account_id,
        user_id: target.id,
        actor_user_id: principal.userId,
        app_id: principal.appId,
        token_digest: principal.tokenDigest,
        via: req.via,
        ip: req.ip,
        changed_at: now,
      });
      await outbox.insert(tx, {
        kind: 'password_changed',
        account_id: target.account_id,
        recipient: target.email,
        payload: JSON.stringify({
          user_id: target.id,
          email: target.email,
          first_name: target.first_name,
          changed_at: now,
          via: req.via,
          changed_by: changedBy(principal, target, req.via),
        }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        created_at: now,
        sent_at: null,
      });
      return true;
    });
    if (committed) return;
  }
  throw Errors.busy();
}
