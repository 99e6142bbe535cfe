/**
 * Users API use cases around a user's sign-in: change the sign-in e-mail, sign the
 * user out everywhere, the permissions their role gives, and the account's counts.
 */
import type { Tx } from '../../store/database.js';
import { isUniqueViolation } from '../../store/failures.js';
import { tokens } from '../../store/repositories/tokens.js';
import { emailChanges, normalizeEmail, users } from '../../store/repositories/users.js';
import { webSessions } from '../../store/repositories/web-sessions.js';
import type { Role } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors } from '../errors.js';
import type { Principal } from '../principal.js';
import { recordOperation } from '../reports/operation-log.js';
import { SCOPES } from '../tokens/scopes.js';
import { webhookEvents } from '../webhooks/emit.js';
import { assertMayManage } from './directory.js';
import { isEmail } from './fields.js';
import { requireScopes, resolveUser } from './resolve.js';

/** Zoom: "A user's email address can be changed up to 3 times in any 24 hour period." */
export const EMAIL_CHANGES_PER_DAY = 3;
const DAY_MS = 24 * 3600 * 1000;

/**
 * `PUT /v2/users/{userId}/email`. The address must be free across the deployment
 * (409 1005 otherwise, as `POST /v2/users`). The new address is not proven yet
 * (`verified` goes back to 0 until the user signs in with it), and everything signed
 * in under the old one ends: web sessions and the user's own user-level tokens.
 */
export async function changeEmail(
  ctx: DomainContext,
  principal: Principal,
  userId: string,
  body: unknown,
): Promise<void> {
  requireScopes(principal, SCOPES.updateUserEmail);
  const email = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined;
  if (email === undefined) throw Errors.validation([{ field: 'email', message: 'email is required.' }]);
  if (!isEmail(email)) throw Errors.validation([{ field: 'email', message: 'Invalid field.' }]);
  const user = await resolveUser(ctx, principal, userId, SCOPES.updateUserEmail);
  assertMayManage(principal, user, 'profile');
  if (user.role === 'owner') throw Errors.emailChangeOwner();
  if (user.status === 'pending') throw Errors.emailChangePending();
  if (user.status === 'inactive') throw Errors.emailChangeInactive();
  const next = email.trim();
  if (normalizeEmail(next) === user.email_norm && next === user.email) return;
  try {
    await ctx.store.transaction(async (tx) => {
      const current = await ctx.store.lockedUser(tx, user.id);
      if (!current || current.account_id !== user.account_id) throw Errors.userNotFound(userId);
      const holder = await users.byEmail(tx, next);
      if (holder && holder.id !== user.id) throw Errors.emailTaken(next);
      const sameAddress = normalizeEmail(next) === current.email_norm;
      const now = ctx.clock.now();
      if (!sameAddress) {
        if ((await emailChanges.countSince(tx, user.id, now - DAY_MS)) >= EMAIL_CHANGES_PER_DAY)
          throw Errors.emailChangeLimit();
        await emailChanges.insert(tx, user.id, now);
      }
      await users.update(tx, user.id, {
        email: next,
        email_norm: normalizeEmail(next),
        // Only the letters' case changed: still the address the user proved.
        ...(sameAddress ? {} : { email_verified_at: null }),
      });
      if (!sameAddress) await endSignIns(tx, user.id, now);
      await recordOperation(tx, {
        accountId: current.account_id,
        time: now,
        by: principal,
        category: 'user',
        action: 'Update',
        detail: `Update user ${current.email} - email: ${next}`,
      });
      await webhookEvents.profileUpdated(tx, principal, current, now);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw Errors.emailTaken(next);
    throw err;
  }
}

/** Every web session of the user and every user-level token acting as them ends now. */
async function endSignIns(tx: Tx, userId: string, now: number): Promise<void> {
  await webSessions.deleteForUser(tx, userId);
  await tokens.revokeUserLevelForUser(tx, userId, now);
}

/**
 * `DELETE /v2/users/{userId}/token` (Zoom's "Revoke a user's SSO token"): the user is
 * signed out everywhere: every web session and every user-level token acting as them.
 * Account-level tokens of apps they created are the app's and stay.
 */
export async function signOutEverywhere(
  ctx: DomainContext,
  principal: Principal,
  userId: string,
): Promise<void> {
  requireScopes(principal, SCOPES.revokeUserToken);
  const user = await resolveUser(ctx, principal, userId, SCOPES.revokeUserToken);
  assertMayManage(principal, user, 'profile');
  await ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, user.id);
    const now = ctx.clock.now();
    await endSignIns(tx, user.id, now);
    await recordOperation(tx, {
      accountId: user.account_id,
      time: now,
      by: principal,
      category: 'user',
      action: 'Update',
      detail: `Update user ${user.email} - sign out from all devices`,
    });
    await webhookEvents.signedOutEverywhere(tx, principal, user, now);
  });
}

/**
 * The privileges each of Zoom's built-in roles gives in zpass, in Zoom's
 * `Resource:Action` form: what the role lets its holder do through the API and pages.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly string[]> = {
  owner: [
    'AccountProfile:Read',
    'AccountSetting:Read',
    'AccountSetting:Edit',
    'User:Read',
    'User:Edit',
    'Role:Read',
    'Role:Edit',
    'Report:Read',
  ],
  admin: [
    'AccountProfile:Read',
    'AccountSetting:Read',
    'AccountSetting:Edit',
    'User:Read',
    'User:Edit',
    'Role:Read',
    'Report:Read',
  ],
  member: [],
};

/** `GET /v2/users/{userId}/permissions`: `{"permissions": [...]}` from the user's role. */
export async function userPermissions(
  ctx: DomainContext,
  principal: Principal,
  userId: string,
): Promise<{ permissions: string[] }> {
  requireScopes(principal, SCOPES.userPermissions);
  const user = await resolveUser(ctx, principal, userId, SCOPES.userPermissions);
  return { permissions: [...ROLE_PERMISSIONS[user.role]] };
}

/** Rivet's `UsersGetUserSummaryResponse`. */
export interface UserSummary {
  licensed_users_count: number;
  basic_users_count: number;
  on_prem_users_count: number;
  room_users_count: number;
  pending_users_count: number;
  join_only_users_count: number;
  total_users_count: number;
}

/**
 * `GET /v2/users/summary`. Pending users count only as pending; active and inactive
 * users count by type (2 licensed, 1 basic, 4 join only; 99 only in the total).
 * zpass has no on-premise or Zoom Rooms users: those counts are 0.
 */
export async function userSummary(ctx: DomainContext, principal: Principal): Promise<UserSummary> {
  requireScopes(principal, SCOPES.userSummary);
  const out: UserSummary = {
    licensed_users_count: 0,
    basic_users_count: 0,
    on_prem_users_count: 0,
    room_users_count: 0,
    pending_users_count: 0,
    join_only_users_count: 0,
    total_users_count: 0,
  };
  for (const { status, type, n } of await users.countByStatusAndType(ctx.store.db, principal.accountId)) {
    out.total_users_count += n;
    if (status === 'pending') out.pending_users_count += n;
    else if (type === 2) out.licensed_users_count += n;
    else if (type === 1) out.basic_users_count += n;
    else if (type === 4) out.join_only_users_count += n;
  }
  return out;
}
