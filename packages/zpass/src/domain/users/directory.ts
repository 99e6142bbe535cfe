/**
 * The Users API's changes to an existing user: update, activate or deactivate, delete or
 * disassociate (creating is create.ts, reading list.ts). Each use case takes the actor of the
 * request (a principal, or `OPERATOR` for the admin CLI), checks who may do what, and commits
 * its writes in one transaction.
 */
import { newId } from '../../crypto/random.js';
import type { Tx } from '../../store/database.js';
import { accounts } from '../../store/repositories/accounts.js';
import { invitations } from '../../store/repositories/invitations.js';
import { type User, users } from '../../store/repositories/users.js';
import type { Role } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors, type FieldError } from '../errors.js';
import { type Actor, OPERATOR } from '../principal.js';
import { recordOperation } from '../reports/operation-log.js';
import { applyRole, assertMayAssign } from '../roles/roles.js';
import { type EndpointScopes, SCOPES } from '../tokens/scopes.js';
import { revokeAccess } from './access.js';
import {
  DISPLAY_NAME_MAX,
  INVALID_FIELD,
  isEmail,
  isObject,
  NAME_MAX,
  nameField,
  typeField,
} from './fields.js';
import { parseProfile, readProfile } from './profile.js';
import { requireScopes, resolveUser } from './resolve.js';

export { checkNewPassword } from '../passwords/policy.js';
// Where these lived before the Users API was split (callers keep their imports).
export { type Actor, OPERATOR } from '../principal.js';
export { revokeAccess } from './access.js';
export {
  CREATE_ACTIONS,
  type CreateAction,
  type CreateUserOptions,
  type CreateUserResult,
  createAccountUser,
  DAILY_CREATE_LIMITS,
} from './create.js';
export { DISPLAY_NAME_MAX, EMAIL_MAX, isEmail, NAME_MAX, USER_TYPES } from './fields.js';
export {
  emailExists,
  INCLUDE_FIELDS,
  LICENSES,
  LIST_STATUSES,
  type ListQuery,
  listUsers,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  ROLE_FILTERS,
  type UserPage,
} from './list.js';

import { webhookEvents } from '../webhooks/emit.js';

export const STATUS_ACTIONS = ['activate', 'deactivate'] as const;
export const DELETE_ACTIONS = ['disassociate', 'delete'] as const;

const ROLE_BY_ID: Record<string, Role> = { '1': 'admin', '2': 'member' };

/** Who may act on whom, beyond the scopes: the owner is protected from everyone, admins from admins. */
export function assertMayManage(actor: Actor, target: User, what: 'profile' | 'status' | 'delete'): void {
  // Zoom: "Zoom Room and Admin users can not be activated or deactivated." (the owner is an admin too).
  if (what === 'status' && target.role !== 'member') throw Errors.adminStatus();
  if (target.role === 'owner') {
    if (what === 'delete') throw Errors.ownerDelete();
  }
  if (actor === OPERATOR) return;
  const self = target.id === actor.userId;
  if (self && (what === 'status' || what === 'delete')) throw Errors.selfAction();
  if (self) return;
  if (actor.role === 'member') throw Errors.noPrivilege();
  if (actor.role === 'admin' && (target.role === 'owner' || target.role === 'admin'))
    throw Errors.noPrivilege();
}

async function target(
  ctx: DomainContext,
  actor: Actor,
  userId: string,
  endpoint: EndpointScopes,
): Promise<User> {
  if (actor !== OPERATOR) return resolveUser(ctx, actor, userId, endpoint);
  if (/\p{Cc}/u.test(userId)) throw Errors.userNotFound(userId);
  const user = (await users.byId(ctx.store.db, userId)) ?? (await users.byEmail(ctx.store.db, userId));
  if (!user) throw Errors.userNotFound(userId);
  return user;
}

/**
 * `PATCH /v2/users/{userId}`: first_name, last_name, display_name, type, role_id
 * ("1" admin, "2" member; the owner only) and the profile fields of
 * `users/profile.ts`. Other fields of Zoom's body are ignored.
 */
export async function updateProfile(
  ctx: DomainContext,
  actor: Actor,
  userId: string,
  body: unknown,
): Promise<void> {
  if (actor !== OPERATOR) requireScopes(actor, SCOPES.updateUser);
  if (!isObject(body)) throw Errors.invalidJson();
  const errors: FieldError[] = [];
  const first = nameField(errors, 'first_name', body.first_name, NAME_MAX);
  const last = nameField(errors, 'last_name', body.last_name, NAME_MAX);
  const display = nameField(errors, 'display_name', body.display_name, DISPLAY_NAME_MAX);
  const type = typeField(errors, 'type', body.type);
  let role: Role | undefined;
  if (body.role_id !== undefined) {
    role = typeof body.role_id === 'string' ? ROLE_BY_ID[body.role_id] : undefined;
    if (!role) errors.push({ field: 'role_id', message: INVALID_FIELD });
  }
  const profile = parseProfile(errors, body, isEmail);
  if (errors.length > 0) throw Errors.validation(errors);

  const user = await target(ctx, actor, userId, SCOPES.updateUser);
  assertMayManage(actor, user, 'profile');
  if (role !== undefined && role !== user.role) assertMayAssign(actor, user);
  // A user-level token edits its own profile, not its licence.
  if (type !== undefined && type !== user.type && actor !== OPERATOR && actor.kind === 'user')
    throw Errors.noPrivilege();

  await ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, user.id);
    const current = await users.byId(tx, user.id);
    if (!current) throw Errors.userNotFound(userId);
    const patch: Partial<User> = {};
    if (first !== undefined) patch.first_name = first;
    if (last !== undefined) patch.last_name = last;
    if (display !== undefined) patch.display_name = display;
    else if (
      (first !== undefined || last !== undefined) &&
      current.display_name === `${current.first_name} ${current.last_name}`.trim()
    ) {
      // A display name that was derived from the names follows them.
      patch.display_name = `${first ?? current.first_name} ${last ?? current.last_name}`.trim();
    }
    if (type !== undefined) patch.type = type;
    const now = ctx.clock.now();
    const changed = Object.keys(patch).filter((k) => patch[k as keyof User] !== current[k as keyof User]);
    if (Object.keys(profile).length > 0) {
      const before = readProfile(current.profile);
      const after = { ...before, ...profile };
      patch.profile = JSON.stringify(after);
      for (const k of Object.keys(profile) as (keyof typeof profile)[])
        if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changed.push(k);
    }
    if (Object.keys(patch).length > 0) await users.update(tx, user.id, patch);
    if (changed.length > 0)
      await recordOperation(tx, {
        accountId: current.account_id,
        time: now,
        by: actor === OPERATOR ? null : actor,
        category: 'user',
        action: 'Update',
        detail: `Update user ${current.email} - ${changed.join(', ')}`,
      });
    if (role !== undefined) await applyRole(tx, actor, current, role, now);
    await webhookEvents.profileUpdated(tx, actor === OPERATOR ? null : actor, current, now);
  });
}

/**
 * `PUT /v2/users/{userId}/status`. Deactivation revokes every token acting for the
 * user at once; activation restores sign-in, not the old tokens. A pending user
 * becomes active by accepting their invitation, not through this endpoint.
 */
export async function setStatus(
  ctx: DomainContext,
  actor: Actor,
  userId: string,
  action: unknown,
): Promise<void> {
  if (actor !== OPERATOR) requireScopes(actor, SCOPES.updateStatus);
  if (action === undefined) throw Errors.validation([{ field: 'action', message: 'action is required.' }]);
  if (!(STATUS_ACTIONS as readonly unknown[]).includes(action))
    throw Errors.validation([{ field: 'action', message: INVALID_FIELD }]);
  const user = await target(ctx, actor, userId, SCOPES.updateStatus);
  // Admins and the owner, whichever the action (Zoom: code 200); then who may act on whom.
  assertMayManage(actor, user, 'status');
  await ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, user.id);
    const current = await users.byId(tx, user.id);
    if (!current || current.account_id !== user.account_id) throw Errors.userNotFound(userId);
    if (current.status === 'pending') throw Errors.pendingStatus();
    const now = ctx.clock.now();
    const to = action === 'deactivate' ? 'inactive' : 'active';
    if (action === 'deactivate') {
      if (current.status !== 'inactive') await users.update(tx, user.id, { status: 'inactive' });
      await revokeAccess(tx, user.id, now);
    } else if (current.status !== 'active') {
      await users.update(tx, user.id, { status: 'active' });
    }
    if (current.status !== to) {
      await recordOperation(tx, {
        accountId: current.account_id,
        time: now,
        by: actor === OPERATOR ? null : actor,
        category: 'user',
        action: action === 'deactivate' ? 'Deactivate' : 'Activate',
        detail: `${action === 'deactivate' ? 'Deactivate' : 'Activate'} user ${current.email}`,
      });
      await webhookEvents.statusChanged(
        tx,
        actor === OPERATOR ? null : actor,
        action === 'deactivate' ? 'user.deactivated' : 'user.activated',
        current,
        now,
      );
    }
  });
}

/**
 * `DELETE /v2/users/{userId}`. `delete` erases the user, their credential and
 * invitation. `disassociate` (the default, as Zoom's) keeps the user, with their
 * password, as the owner of a new free account of their own; a pending user has
 * nothing to keep and is deleted. Either way their tokens stop working at once.
 */
export async function removeUser(
  ctx: DomainContext,
  actor: Actor,
  userId: string,
  action: unknown,
): Promise<void> {
  if (actor !== OPERATOR) requireScopes(actor, SCOPES.deleteUser);
  const act = action === undefined ? 'disassociate' : action;
  if (!(DELETE_ACTIONS as readonly unknown[]).includes(act))
    throw Errors.validation([{ field: 'action', message: INVALID_FIELD }]);
  const user = await target(ctx, actor, userId, SCOPES.deleteUser);
  assertMayManage(actor, user, 'delete');
  // Zoom: an admin is demoted before being disassociated (deletion is allowed).
  if (act === 'disassociate' && user.role === 'admin') throw Errors.disassociateAdmin();
  await ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, user.id);
    const current = await users.byId(tx, user.id);
    if (!current || current.account_id !== user.account_id) throw Errors.userNotFound(userId);
    const now = ctx.clock.now();
    await revokeAccess(tx, user.id, now);
    const erased = act === 'delete' || current.status === 'pending';
    await recordOperation(tx, {
      accountId: current.account_id,
      time: now,
      by: actor === OPERATOR ? null : actor,
      category: 'user',
      action: erased ? 'Delete' : 'Disassociate',
      detail: `${erased ? 'Delete' : 'Disassociate'} user ${current.email}`,
    });
    await webhookEvents.removed(tx, actor === OPERATOR ? null : actor, erased, current, now);
    if (erased) {
      await users.delete(tx, user.id);
      return;
    }
    await disassociate(tx, current, now);
  });
}

async function disassociate(tx: Tx, user: User, now: number): Promise<void> {
  const accountId = newId();
  // The account's name holds at most 255 characters; addresses stored before the one e-mail limit may be longer.
  await accounts.insert(tx, { id: accountId, name: user.email.slice(0, 255), plan: 'free', created_at: now });
  await invitations.delete(tx, user.id);
  await users.update(tx, user.id, { account_id: accountId, role: 'owner', status: 'active', type: 1 });
}
