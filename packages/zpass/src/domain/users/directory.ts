/**
 * The Users API of an account: create, look up, list, update, activate or
 * deactivate, delete or disassociate. Each use case takes the principal of the
 * request (or `OPERATOR` for the admin CLI), checks who may do what, and commits
 * its writes in one transaction.
 */
import { newId } from '../../crypto/random.js';
import type { Tx } from '../../store/database.js';
import { isUniqueViolation } from '../../store/failures.js';
import {
  accounts,
  invitations,
  normalizeEmail,
  tokens,
  type User,
  users,
  webSessions,
} from '../../store/repositories.js';
import type { Plan, Role, SignIn, UserStatus } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { isEmail } from '../email.js';
import { Errors, type FieldError, ZoomError } from '../errors.js';
import { openCursor, PAGE_TOKEN_TTL_MS, sealCursor } from '../page-tokens.js';
import { type InitialCredential, initialCredential, storeInitialCredential } from '../passwords/history.js';
import { enforcePolicy, type PolicyInput } from '../passwords/policy.js';
import type { Principal } from '../principal.js';
import { recordOperation } from '../reports/operation-log.js';
import { applyRole, assertMayAssign } from '../roles/roles.js';
import { type EndpointScopes, SCOPES } from '../tokens/scopes.js';
import { webhookEvents } from '../webhooks/emit.js';
import { inviteInTx } from './invitations.js';
import { parseProfile, readProfile } from './profile.js';
import { requireScopes, resolveUser, type UserListItem, userListItem } from './resolve.js';

/** The admin CLI: acts outside any account role, but the owner's protections still hold. */
export const OPERATOR = 'operator' as const;
export type Actor = Principal | typeof OPERATOR;

export const CREATE_ACTIONS = ['create', 'autoCreate', 'custCreate', 'ssoCreate'] as const;
export type CreateAction = (typeof CREATE_ACTIONS)[number];
/** The user types Zoom's current spec allows on create and update (Rivet: `1 | 2 | 4 | 99`). */
export const USER_TYPES = [1, 2, 4, 99] as const;
/** `GET /v2/users?role_id=`: Zoom's built-in roles. */
export const ROLE_FILTERS: Record<string, Role> = { '0': 'owner', '1': 'admin', '2': 'member' };
export const INCLUDE_FIELDS = ['custom_attributes', 'host_key'] as const;
export const LICENSES = ['zoom_workforce_management', 'zoom_compliance_management'] as const;
/**
 * Users an account may create per UTC day with action `create` (Zoom's "Create users":
 * 50 Free, 1,500 Pro, 10,000 Business+).
 */
export const DAILY_CREATE_LIMITS: Record<Plan, number> = { free: 50, pro: 1_500, business: 10_000 };
const DAY_MS = 24 * 3600 * 1000;
export const LIST_STATUSES = ['active', 'inactive', 'pending'] as const;
export const STATUS_ACTIONS = ['activate', 'deactivate'] as const;
export const DELETE_ACTIONS = ['disassociate', 'delete'] as const;

/** Longest names accepted (Zoom: 64 for first and last names). */
export const NAME_MAX = 64;
export const DISPLAY_NAME_MAX = 128;
export const PAGE_SIZE_DEFAULT = 30;
export const PAGE_SIZE_MAX = 300;

export { EMAIL_MAX, isEmail } from '../email.js';

/**
 * The one place a new password given through the Users API (autoCreate) is checked:
 * the account's requirement decides. Returns the password as it will be hashed.
 */
export async function checkNewPassword(
  ctx: DomainContext,
  accountId: string,
  value: unknown,
  user?: PolicyInput['user'],
): Promise<string> {
  return (await enforcePolicy(ctx, { accountId, password: value, user })).password;
}

const ROLE_BY_ID: Record<string, Role> = { '1': 'admin', '2': 'member' };

type Body = Record<string, unknown>;

const INVALID_FIELD = 'Invalid field.';

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name field: a string of at most `max` characters, without control characters. */
function nameField(errors: FieldError[], field: string, value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  // Zoom's field errors all read "Invalid field."; the field's name says which.
  if (typeof value !== 'string' || [...value].length > max || /\p{Cc}/u.test(value)) {
    errors.push({ field, message: INVALID_FIELD });
    return undefined;
  }
  return value.trim();
}

function typeField(errors: FieldError[], field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!(USER_TYPES as readonly unknown[]).includes(value)) {
    errors.push({ field, message: INVALID_FIELD });
    return undefined;
  }
  return value as number;
}

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
 * Everything that lets the user act stops now: their access tokens (user-level, and
 * account-level ones of apps they created) and their sign-in sessions on the web pages.
 */
export async function revokeAccess(tx: Tx, userId: string, now: number): Promise<void> {
  await tokens.revokeForUser(tx, userId, now);
  await webSessions.deleteForUser(tx, userId);
}

// ---------------------------------------------------------------- create

export interface CreateUserResult {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  type: number;
}

export interface CreateUserOptions {
  /** The invitation page (create): the link is `${acceptUrl}?token=...`. */
  acceptUrl: string;
  /** The account, for the admin CLI; a principal's own account otherwise. */
  accountId?: string;
}

const SIGN_IN: Record<CreateAction, SignIn> = {
  create: 'password',
  autoCreate: 'password',
  custCreate: 'none',
  ssoCreate: 'sso',
};

/** `POST /v2/users`: a pending user with an invitation (create), or an active one (the others). */
export async function createAccountUser(
  ctx: DomainContext,
  actor: Actor,
  body: unknown,
  opts: CreateUserOptions,
): Promise<CreateUserResult> {
  if (actor !== OPERATOR) {
    requireScopes(actor, SCOPES.createUser);
    if (actor.role === 'member') throw Errors.noPrivilege();
  }
  const accountId = actor === OPERATOR ? opts.accountId : actor.accountId;
  if (!accountId) throw Errors.validation([{ field: 'account_id', message: 'account_id is required.' }]);
  if (!isObject(body)) throw Errors.validation([{ field: 'action', message: 'action is required.' }]);
  const errors: FieldError[] = [];
  const action = body.action;
  if (action === undefined) errors.push({ field: 'action', message: 'action is required.' });
  else if (!(CREATE_ACTIONS as readonly unknown[]).includes(action))
    errors.push({ field: 'action', message: INVALID_FIELD });
  const info = body.user_info;
  if (!isObject(info)) {
    errors.push({ field: 'user_info', message: 'user_info is required.' });
    throw Errors.validation(errors);
  }
  if (info.email === undefined)
    errors.push({ field: 'user_info.email', message: 'user_info.email is required.' });
  else if (!isEmail(info.email)) errors.push({ field: 'user_info.email', message: 'Invalid field.' });
  if (info.type === undefined)
    errors.push({ field: 'user_info.type', message: 'user_info.type is required.' });
  const type = typeField(errors, 'user_info.type', info.type);
  const first = nameField(errors, 'user_info.first_name', info.first_name, NAME_MAX) ?? '';
  const last = nameField(errors, 'user_info.last_name', info.last_name, NAME_MAX) ?? '';
  const display = nameField(errors, 'user_info.display_name', info.display_name, DISPLAY_NAME_MAX);
  if (errors.length > 0) throw Errors.validation(errors);
  const act = action as CreateAction;
  const email = (info.email as string).trim();

  const account = await accounts.get(ctx.store.db, accountId);
  if (!account) throw Errors.validation([{ field: 'account_id', message: 'Invalid field.' }]);
  if (act === 'create') await assertCreateAllowance(ctx, account.plan, accountId);
  const holder = await users.byEmail(ctx.store.db, email);
  if (holder && act === 'create' && joinable(holder, accountId))
    return inviteToJoin(ctx, actor, holder, accountId, type as number, opts);
  assertNotHeld(holder, accountId, email, act);
  let cred: InitialCredential | undefined;
  if (act === 'autoCreate') {
    let password: string;
    try {
      password = await checkNewPassword(ctx, accountId, info.password, {
        email,
        first_name: first,
        last_name: last,
        display_name: display ?? `${first} ${last}`.trim(),
      });
    } catch (err) {
      // The password sits in user_info: name the field where the client put it.
      if (err instanceof ZoomError && err.errors)
        throw Errors.validation(
          err.errors.map((e) => ({ field: `user_info.${e.field}`, message: e.message })),
        );
      throw err;
    }
    cred = await initialCredential(ctx, password);
  }

  const id = newId();
  try {
    await ctx.store.transaction(async (tx) => {
      const now = ctx.clock.now();
      assertNotHeld(await users.byEmail(tx, email), accountId, email, act);
      const row = {
        id,
        account_id: accountId,
        email,
        email_norm: normalizeEmail(email),
        first_name: first,
        last_name: last,
        display_name: display ?? `${first} ${last}`.trim(),
        type: type as number,
        role: 'member' as const,
        status: (act === 'create' ? 'pending' : 'active') as UserStatus,
        created_at: now,
        last_login_at: null,
        sign_in: SIGN_IN[act],
        created_via: act,
      };
      await users.insert(tx, row);
      if (cred) await storeInitialCredential(tx, id, cred, now);
      if (act === 'create') {
        await inviteInTx(tx, row, {
          now,
          ttlMs: ctx.settings.invitationTtlSeconds * 1000,
          acceptUrl: opts.acceptUrl,
          invitedBy: actor === OPERATOR ? null : actor.email,
        });
      }
      await recordOperation(tx, {
        accountId,
        time: now,
        by: actor === OPERATOR ? null : actor,
        category: 'user',
        action: 'Add',
        detail: `Add user ${email} (${act})`,
      });
      await webhookEvents.userCreated(tx, actor === OPERATOR ? null : actor, act, row, now);
    });
  } catch (err) {
    // Two requests racing for one address: the unique index refuses the second.
    if (isUniqueViolation(err)) throw Errors.emailTaken(email);
    throw err;
  }
  return { id, first_name: first, last_name: last, email, type: type as number };
}

/**
 * An address is one user's across the deployment. Held in this account, or by a user
 * of another account who is not active: 409 1005. Held by an active user of another
 * account: Zoom's 1009 (`create` invites them to join instead, see `inviteToJoin`,
 * unless they own their account).
 */
function assertNotHeld(holder: User | undefined, accountId: string, email: string, act: CreateAction): void {
  if (!holder) return;
  if (
    holder.account_id !== accountId &&
    holder.status === 'active' &&
    (act !== 'create' || holder.role === 'owner')
  )
    throw Errors.activeElsewhere(email);
  throw Errors.emailTaken(email);
}

/** Whether `create` may invite this user of another account to join: active, and not its owner. */
function joinable(holder: User, accountId: string): boolean {
  return holder.account_id !== accountId && holder.status === 'active' && holder.role !== 'owner';
}

/**
 * `POST /v2/users` (create) for an active user of another account: as Zoom, an
 * invitation to join. The user stays where they are until they accept it through the
 * link sent to their address; accepting moves them into this account as a member of
 * the requested type, with the password they choose then (invitations.ts).
 */
async function inviteToJoin(
  ctx: DomainContext,
  actor: Actor,
  holder: User,
  accountId: string,
  type: number,
  opts: CreateUserOptions,
): Promise<CreateUserResult> {
  await ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, holder.id);
    const current = await users.byId(tx, holder.id);
    if (!current || !joinable(current, accountId)) throw Errors.emailTaken(holder.email);
    const now = ctx.clock.now();
    await inviteInTx(
      tx,
      { ...current, account_id: accountId },
      {
        now,
        ttlMs: ctx.settings.invitationTtlSeconds * 1000,
        acceptUrl: opts.acceptUrl,
        invitedBy: actor === OPERATOR ? null : actor.email,
        joinType: type,
      },
    );
    await recordOperation(tx, {
      accountId,
      time: now,
      by: actor === OPERATOR ? null : actor,
      category: 'user',
      action: 'Add',
      detail: `Add user ${current.email} (create: invitation to join)`,
    });
  });
  return {
    id: holder.id,
    first_name: holder.first_name,
    last_name: holder.last_name,
    email: holder.email,
    type,
  };
}

/** Zoom's daily number of users an account may create with action `create`, by plan (per UTC day). */
async function assertCreateAllowance(ctx: DomainContext, plan: Plan, accountId: string): Promise<void> {
  const now = ctx.clock.now();
  const dayStart = now - (now % DAY_MS);
  const limit = DAILY_CREATE_LIMITS[plan] ?? DAILY_CREATE_LIMITS.free;
  const used = await users.countCreatedSince(ctx.store.db, accountId, 'create', dayStart);
  if (used >= limit) {
    const reset = dayStart + DAY_MS;
    throw Errors.createLimit(limit, {
      'Retry-After': new Date(reset).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'X-RateLimit-Type': 'Daily-limit',
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': '0',
    });
  }
}

// ---------------------------------------------------------------- read

/**
 * `GET /v2/users/email?email=`: whether a user of the caller's account signs in with this
 * address. Zoom answers false for another account's user and for SSO users.
 */
export async function emailExists(
  ctx: DomainContext,
  principal: Principal,
  email: unknown,
): Promise<boolean> {
  requireScopes(principal, SCOPES.checkEmail);
  if (email === undefined || email === '') throw Errors.emailRequired();
  if (!isEmail(email)) throw Errors.validation([{ field: 'email', message: INVALID_FIELD }]);
  const user = await users.byEmail(ctx.store.db, email);
  return user !== undefined && user.account_id === principal.accountId && user.sign_in !== 'sso';
}

export interface ListQuery {
  status?: unknown;
  role_id?: unknown;
  include_fields?: unknown;
  license?: unknown;
  page_size?: unknown;
  next_page_token?: unknown;
  page_number?: unknown;
}

export interface UserPage {
  page_count: number;
  page_number?: number;
  page_size: number;
  total_records: number;
  next_page_token: string;
  users: UserListItem[];
}

/** A query-string integer: digits only, within bounds; otherwise a field error. */
function queryInt(
  errors: FieldError[],
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.push({ field, message: INVALID_FIELD });
    return undefined;
  }
  return n;
}

/**
 * `GET /v2/users`: keyset paging on (created_at, id). A `next_page_token` seals the
 * last row of the page, so the next page starts right after it whatever was created
 * or deleted meanwhile: every user present for the whole walk is seen exactly once.
 * `page_number` (older clients) pages by offset instead.
 */
export async function listUsers(ctx: DomainContext, principal: Principal, q: ListQuery): Promise<UserPage> {
  requireScopes(principal, SCOPES.listUsers);
  const errors: FieldError[] = [];
  let status: UserStatus = 'active';
  if (q.status !== undefined) {
    if ((LIST_STATUSES as readonly unknown[]).includes(q.status)) status = q.status as UserStatus;
    else errors.push({ field: 'status', message: INVALID_FIELD });
  }
  const pageSize = queryInt(errors, 'page_size', q.page_size, 1, PAGE_SIZE_MAX) ?? PAGE_SIZE_DEFAULT;
  const pageNumber = queryInt(errors, 'page_number', q.page_number, 1, 1_000_000_000);
  if (q.next_page_token !== undefined && typeof q.next_page_token !== 'string')
    errors.push({ field: 'next_page_token', message: INVALID_FIELD });
  let role: Role | undefined;
  if (q.role_id !== undefined && q.role_id !== '') {
    role = typeof q.role_id === 'string' ? ROLE_FILTERS[q.role_id] : undefined;
    if (!role) errors.push({ field: 'role_id', message: INVALID_FIELD });
  }
  // Accepted as Zoom's: custom_attributes comes back empty (zpass keeps none), host_key is not kept.
  const include = typeof q.include_fields === 'string' ? q.include_fields.split(',') : [];
  if (
    q.include_fields !== undefined &&
    (typeof q.include_fields !== 'string' ||
      !include.every((f) => (INCLUDE_FIELDS as readonly string[]).includes(f)))
  )
    errors.push({ field: 'include_fields', message: INVALID_FIELD });
  // zpass has no add-on licences: a licence filter matches nobody.
  if (q.license !== undefined && !(LICENSES as readonly unknown[]).includes(q.license))
    errors.push({ field: 'license', message: INVALID_FIELD });
  if (errors.length > 0) throw Errors.validation(errors);

  const db = ctx.store.db;
  const now = ctx.clock.now();
  const token = q.next_page_token as string | undefined;
  let rows: User[];
  if (token) {
    const cursor = await openCursor(db, token, principal.accountId, now);
    if (q.status !== undefined && cursor.status !== status) throw Errors.invalidPageToken();
    status = cursor.status;
    if (q.role_id !== undefined && cursor.role !== role) throw Errors.invalidPageToken();
    role = cursor.role;
    rows = await users.page(db, principal.accountId, status, cursor.after, pageSize + 1, 0, role);
  } else {
    const offset = pageNumber !== undefined ? (pageNumber - 1) * pageSize : 0;
    rows = await users.page(db, principal.accountId, status, null, pageSize + 1, offset, role);
  }
  if (q.license !== undefined) rows = [];
  const total = q.license !== undefined ? 0 : await users.count(db, principal.accountId, status, role);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  const next =
    rows.length > pageSize && last
      ? await sealCursor(
          db,
          {
            accountId: principal.accountId,
            status,
            role,
            after: { created_at: last.created_at, id: last.id },
            expiresAt: now + PAGE_TOKEN_TTL_MS,
          },
          now,
        )
      : '';
  const out: UserPage = {
    page_count: Math.ceil(total / pageSize),
    page_size: pageSize,
    total_records: total,
    next_page_token: next,
    users: page.map((u) => userListItem(u, { customAttributes: include.includes('custom_attributes') })),
  };
  if (pageNumber !== undefined && !token) out.page_number = pageNumber;
  return out;
}

// ---------------------------------------------------------------- update

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
