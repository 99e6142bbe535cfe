/**
 * Zoom's three built-in roles ("0" Owner, "1" Admin, "2" Member) and the Roles API
 * around them: list the roles, list a role's members, assign a role (how one makes an
 * admin), unassign it (back to Member). A role change has one path, `applyRole`, which
 * `PATCH /v2/users/{userId}` (`role_id`) and `zpass admin set-role` take as well.
 */
import type { Tx } from '../../store/database.js';
import { type User, users } from '../../store/repositories/users.js';
import type { Role } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors, type FieldError } from '../errors.js';
import { PAGE_TOKEN_TTL_MS, seal, unseal } from '../page-tokens.js';
import type { Actor, Principal } from '../principal.js';
import { queryInt } from '../query.js';
import { recordOperation } from '../reports/operation-log.js';
import { SCOPES } from '../tokens/scopes.js';
import { requireScopes, zoomTime } from '../users/resolve.js';
import { webhookEvents } from '../webhooks/emit.js';

export interface BuiltInRole {
  id: string;
  role: Role;
  name: string;
  description: string;
}

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  {
    id: '0',
    role: 'owner',
    name: 'Owner',
    description: 'Account owner, has full privileges to access and manage the account.',
  },
  {
    id: '1',
    role: 'admin',
    name: 'Admin',
    description:
      'Admin, has wide privileges to access and manage the account, except the owner and other admins.',
  },
  { id: '2', role: 'member', name: 'Member', description: 'Member, has access to basic features.' },
];

/** Most members one `POST /v2/roles/{roleId}/members` may name (Zoom: 30). */
export const ROLE_MEMBERS_MAX = 30;
export const MEMBERS_PAGE_SIZE_DEFAULT = 30;
export const MEMBERS_PAGE_SIZE_MAX = 300;

export function roleById(roleId: string): BuiltInRole {
  const found = BUILT_IN_ROLES.find((r) => r.id === roleId);
  if (!found) throw Errors.roleNotFound(roleId);
  return found;
}

function roleByName(role: Role): BuiltInRole {
  return BUILT_IN_ROLES.find((r) => r.role === role) as BuiltInRole;
}

/**
 * Who may change a role: the owner (and the admin CLI); never the owner's own role,
 * which changes only by transferring the account. Admins may not make admins (Zoom
 * leaves role management to the owner unless a custom role grants it, and zpass has
 * no custom roles).
 */
export function assertMayAssign(actor: Actor, target: User): void {
  if (target.role === 'owner') throw Errors.ownerRole();
  if (actor === 'operator') return;
  if (actor.role !== 'owner') throw Errors.noPrivilege();
}

/** The one role change: the row, and the operation log, in the caller's transaction. */
export async function applyRole(tx: Tx, actor: Actor, user: User, role: Role, now: number): Promise<void> {
  if (user.role === role) return;
  await users.update(tx, user.id, { role });
  await recordOperation(tx, {
    accountId: user.account_id,
    time: now,
    by: actor === 'operator' ? null : actor,
    category: 'role',
    action: 'Update',
    detail: `Change role of user ${user.email}: ${roleByName(user.role).name} to ${roleByName(role).name}`,
  });
  await webhookEvents.roleChanged(tx, actor === 'operator' ? null : actor, user, role, now);
}

// ---------------------------------------------------------------- GET /v2/roles

export interface RoleList {
  total_records: number;
  roles: { id: string; name: string; description: string; type: string; total_members: number }[];
}

export async function listRoles(ctx: DomainContext, principal: Principal): Promise<RoleList> {
  requireScopes(principal, SCOPES.listRoles);
  const counts = await users.roleCounts(ctx.store.db, principal.accountId);
  return {
    total_records: BUILT_IN_ROLES.length,
    roles: BUILT_IN_ROLES.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      type: 'common',
      total_members: counts[r.role],
    })),
  };
}

// ---------------------------------------------------------------- GET /v2/roles/{roleId}/members

export interface RoleMember {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  type: number;
}

export interface RoleMemberPage {
  page_count: number;
  page_number?: number;
  page_size: number;
  total_records: number;
  next_page_token: string;
  members: RoleMember[];
}

export interface MembersQuery {
  page_size?: unknown;
  page_number?: unknown;
  next_page_token?: unknown;
}

/** Keyset paging on (created_at, id), as `GET /v2/users`; `page_number` pages by offset. */
export async function listRoleMembers(
  ctx: DomainContext,
  principal: Principal,
  roleId: string,
  q: MembersQuery,
): Promise<RoleMemberPage> {
  requireScopes(principal, SCOPES.listRoleMembers);
  const role = roleById(roleId);
  const errors: FieldError[] = [];
  const pageSize =
    queryInt(errors, 'page_size', q.page_size, 1, MEMBERS_PAGE_SIZE_MAX) ?? MEMBERS_PAGE_SIZE_DEFAULT;
  const pageNumber = queryInt(errors, 'page_number', q.page_number, 1, 1_000_000_000);
  if (q.next_page_token !== undefined && typeof q.next_page_token !== 'string')
    errors.push({ field: 'next_page_token', message: 'next_page_token must be a string.' });
  if (errors.length > 0) throw Errors.validation(errors);

  const db = ctx.store.db;
  const now = ctx.clock.now();
  const token = q.next_page_token as string | undefined;
  let rows: User[];
  if (token) {
    const v = await unseal(db, token, now);
    const [kind, account, r, createdAt, id, expiresAt] = v;
    if (
      v.length !== 6 ||
      kind !== 'role_members' ||
      account !== principal.accountId ||
      r !== role.id ||
      typeof createdAt !== 'number' ||
      typeof id !== 'string' ||
      typeof expiresAt !== 'number'
    )
      throw Errors.invalidPageToken();
    if (expiresAt <= now) throw Errors.expiredPageToken();
    rows = await users.withRole(
      db,
      principal.accountId,
      role.role,
      { created_at: createdAt, id },
      pageSize + 1,
    );
  } else {
    const offset = pageNumber !== undefined ? (pageNumber - 1) * pageSize : 0;
    rows = await users.withRole(db, principal.accountId, role.role, null, pageSize + 1, offset);
  }
  const total = (await users.roleCounts(db, principal.accountId))[role.role];
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  const next =
    rows.length > pageSize && last
      ? await seal(
          db,
          ['role_members', principal.accountId, role.id, last.created_at, last.id, now + PAGE_TOKEN_TTL_MS],
          now,
        )
      : '';
  const out: RoleMemberPage = {
    page_count: Math.ceil(total / pageSize),
    page_size: pageSize,
    total_records: total,
    next_page_token: next,
    members: page.map((u) => ({
      id: u.id,
      email: u.email,
      first_name: u.first_name,
      last_name: u.last_name,
      type: u.type,
    })),
  };
  if (pageNumber !== undefined && !token) out.page_number = pageNumber;
  return out;
}

// ---------------------------------------------------------------- POST /v2/roles/{roleId}/members

export interface AssignResult {
  /** The members' ids, comma-separated (Zoom's shape). */
  ids: string;
  add_at: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body's members, each named by `id` or `email` (Zoom: `{"members":[{"id"|"email"}]}`). */
function memberKeys(body: unknown): string[] {
  const members = isObject(body) ? body.members : undefined;
  if (members === undefined) throw Errors.validation([{ field: 'members', message: 'members is required.' }]);
  if (!Array.isArray(members) || members.length === 0)
    throw Errors.validation([{ field: 'members', message: 'Invalid field.' }]);
  if (members.length > ROLE_MEMBERS_MAX)
    throw Errors.validation([
      { field: 'members', message: `members must NOT have more than ${ROLE_MEMBERS_MAX} items.` },
    ]);
  const errors: FieldError[] = [];
  const keys = members.map((m, i) => {
    const key = isObject(m) ? (m.id ?? m.email) : undefined;
    if (typeof key !== 'string' || key.length === 0 || key.length > 256 || /\p{Cc}/u.test(key)) {
      errors.push({ field: `members[${i}]`, message: 'Invalid field.' });
      return '';
    }
    return key;
  });
  if (errors.length > 0) throw Errors.validation(errors);
  return keys;
}

/**
 * Gives the role to every named member, all or nothing: each must be a user of the
 * caller's account (404 1001 otherwise), not the owner, and not already in the role.
 */
export async function addRoleMembers(
  ctx: DomainContext,
  principal: Principal,
  roleId: string,
  body: unknown,
): Promise<AssignResult> {
  requireScopes(principal, SCOPES.addRoleMembers);
  const role = roleById(roleId);
  if (role.role === 'owner') throw Errors.roleNotAssignable(role.name);
  const keys = memberKeys(body);
  const db = ctx.store.db;
  const targets: User[] = [];
  for (const key of keys) {
    const user = await users.inAccount(db, principal.accountId, key);
    if (!user) throw Errors.userNotFound(key);
    assertMayAssign(principal, user);
    if (user.role === role.role) throw Errors.alreadyInRole(user.email, role.name);
    if (!targets.some((t) => t.id === user.id)) targets.push(user);
  }
  const now = await ctx.store.transaction(async (tx) => {
    const at = ctx.clock.now();
    for (const t of targets) {
      const current = await ctx.store.lockedUser(tx, t.id);
      if (current?.account_id !== principal.accountId) throw Errors.userNotFound(t.id);
      if (current.role === 'owner') throw Errors.ownerRole();
      if (current.role === role.role) throw Errors.alreadyInRole(current.email, role.name);
      await applyRole(tx, principal, current, role.role, at);
    }
    return at;
  });
  return { ids: targets.map((t) => t.id).join(','), add_at: zoomTime(now) };
}

// ---------------------------------------------------------------- DELETE /v2/roles/{roleId}/members/{memberId}

/** Unassigning the Admin role makes the user a Member again; the owner's and members' roles stay. */
export async function removeRoleMember(
  ctx: DomainContext,
  principal: Principal,
  roleId: string,
  memberId: string,
): Promise<void> {
  requireScopes(principal, SCOPES.removeRoleMember);
  const role = roleById(roleId);
  if (role.role === 'owner') throw Errors.ownerRole();
  if (role.role === 'member') throw Errors.roleNotAssignable(role.name);
  if (/\p{Cc}/u.test(memberId)) throw Errors.userNotFound(memberId);
  const user = await users.inAccount(ctx.store.db, principal.accountId, memberId);
  if (!user) throw Errors.userNotFound(memberId);
  assertMayAssign(principal, user);
  if (user.role !== role.role) throw Errors.notInRole(memberId, role.name);
  await ctx.store.transaction(async (tx) => {
    const current = await ctx.store.lockedUser(tx, user.id);
    if (current?.account_id !== principal.accountId) throw Errors.userNotFound(memberId);
    if (current.role !== role.role) throw Errors.notInRole(memberId, role.name);
    await applyRole(tx, principal, current, 'member', ctx.clock.now());
  });
}
