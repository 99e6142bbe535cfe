/**
 * Creating users: the one path by which a user comes into being. `POST /v2/users` and
 * `zpass admin invite-user` enter through `createAccountUser` (Zoom's actions and checks),
 * `zpass admin create-user` and new accounts' owners through `createUser`; both write the
 * user with `insertUser` (one row shape, its first credential).
 */
import { newId } from '../../crypto/random.js';
import type { Tx } from '../../store/database.js';
import { isUniqueViolation } from '../../store/failures.js';
import { accounts } from '../../store/repositories/accounts.js';
import { normalizeEmail, type User, users } from '../../store/repositories/users.js';
import type { Plan, Role, SignIn, UserStatus } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { AdminError, Errors, type FieldError, ZoomError } from '../errors.js';
import { type InitialCredential, initialCredential, storeInitialCredential } from '../passwords/history.js';
import { checkNewPassword, enforcePolicy } from '../passwords/policy.js';
import { type Actor, OPERATOR } from '../principal.js';
import { recordOperation } from '../reports/operation-log.js';
import { SCOPES } from '../tokens/scopes.js';
import { webhookEvents } from '../webhooks/emit.js';
import {
  DISPLAY_NAME_MAX,
  EMAIL_MAX,
  INVALID_FIELD,
  isEmail,
  isObject,
  NAME_MAX,
  nameField,
  typeField,
} from './fields.js';
import { inviteInTx } from './invitations.js';
import { requireScopes } from './resolve.js';

export const CREATE_ACTIONS = ['create', 'autoCreate', 'custCreate', 'ssoCreate'] as const;
export type CreateAction = (typeof CREATE_ACTIONS)[number];
/**
 * Users an account may create per UTC day with action `create` (Zoom's "Create users":
 * 50 Free, 1,500 Pro, 10,000 Business+).
 */
export const DAILY_CREATE_LIMITS: Record<Plan, number> = { free: 50, pro: 1_500, business: 10_000 };
const DAY_MS = 24 * 3600 * 1000;

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
  const req = parseCreateBody(body);

  const account = await accounts.get(ctx.store.db, accountId);
  if (!account) throw Errors.validation([{ field: 'account_id', message: 'Invalid field.' }]);
  if (req.action === 'create') await assertCreateAllowance(ctx, account.plan, accountId);
  const holder = await users.byEmail(ctx.store.db, req.email);
  if (holder && req.action === 'create' && joinable(holder, accountId))
    return inviteToJoin(ctx, actor, holder, accountId, req.type, opts);
  assertNotHeld(holder, accountId, req.email, req.action);
  const cred = req.action === 'autoCreate' ? await autoCreateCredential(ctx, accountId, req) : undefined;

  const id = newId();
  const fields: NewUserFields = {
    accountId,
    email: req.email,
    first: req.first,
    last: req.last,
    display: req.display,
    type: req.type,
    role: 'member',
    status: req.action === 'create' ? 'pending' : 'active',
    signIn: SIGN_IN[req.action],
    createdVia: req.action,
  };
  try {
    await ctx.store.transaction(async (tx) => {
      const row = newUserRow(id, ctx.clock.now(), fields);
      assertNotHeld(await users.byEmail(tx, req.email), accountId, req.email, req.action);
      await insertUser(tx, row, cred);
      if (req.action === 'create') {
        await inviteInTx(tx, row, {
          now: row.created_at,
          ttlMs: ctx.settings.invitationTtlSeconds * 1000,
          acceptUrl: opts.acceptUrl,
          invitedBy: actor === OPERATOR ? null : actor.email,
        });
      }
      await recordOperation(tx, {
        accountId,
        time: row.created_at,
        by: actor === OPERATOR ? null : actor,
        category: 'user',
        action: 'Add',
        detail: `Add user ${req.email} (${req.action})`,
      });
      await webhookEvents.userCreated(tx, actor === OPERATOR ? null : actor, req.action, row, row.created_at);
    });
  } catch (err) {
    // Two requests racing for one address: the unique index refuses the second.
    if (isUniqueViolation(err)) throw Errors.emailTaken(req.email);
    throw err;
  }
  return { id, first_name: req.first, last_name: req.last, email: req.email, type: req.type };
}

/** A `POST /v2/users` body, checked field by field (every mistake reported at once). */
interface CreateRequest {
  action: CreateAction;
  email: string;
  type: number;
  first: string;
  last: string;
  display: string | undefined;
  password: unknown;
}

function parseCreateBody(body: unknown): CreateRequest {
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
  return {
    action: action as CreateAction,
    email: (info.email as string).trim(),
    type: type as number,
    first,
    last,
    display,
    password: info.password,
  };
}

/** autoCreate: the password in `user_info`, checked against the account's requirement and hashed. */
async function autoCreateCredential(
  ctx: DomainContext,
  accountId: string,
  req: CreateRequest,
): Promise<InitialCredential> {
  let password: string;
  try {
    password = await checkNewPassword(ctx, accountId, req.password, {
      email: req.email,
      first_name: req.first,
      last_name: req.last,
      display_name: req.display ?? `${req.first} ${req.last}`.trim(),
    });
  } catch (err) {
    // The password sits in user_info: name the field where the client put it.
    if (err instanceof ZoomError && err.errors)
      throw Errors.validation(err.errors.map((e) => ({ field: `user_info.${e.field}`, message: e.message })));
    throw err;
  }
  return initialCredential(ctx, password);
}

/** What a new user is made of, whichever door they came in by. */
interface NewUserFields {
  accountId: string;
  email: string;
  first: string;
  last: string;
  display?: string;
  type: number;
  role: Role;
  status: UserStatus;
  signIn?: SignIn;
  createdVia?: string;
}

/** The row as written, with what the invitation needs of it. */
type NewUserRow = Parameters<typeof users.insert>[1] &
  Pick<User, 'id' | 'account_id' | 'email' | 'first_name' | 'last_name' | 'created_at'>;

function newUserRow(id: string, now: number, u: NewUserFields): NewUserRow {
  return {
    id,
    account_id: u.accountId,
    email: u.email,
    email_norm: normalizeEmail(u.email),
    first_name: u.first,
    last_name: u.last,
    display_name: u.display ?? `${u.first} ${u.last}`.trim(),
    type: u.type,
    role: u.role,
    status: u.status,
    created_at: now,
    last_login_at: null,
    ...(u.signIn !== undefined ? { sign_in: u.signIn } : {}),
    ...(u.createdVia !== undefined ? { created_via: u.createdVia } : {}),
  };
}

/** Writes a new user and, when given, their first credential (in the caller's transaction). */
async function insertUser(tx: Tx, row: NewUserRow, cred: InitialCredential | undefined): Promise<void> {
  await users.insert(tx, row);
  if (cred) await storeInitialCredential(tx, row.id, cred, row.created_at);
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

// ---------------------------------------------------------------- the administrator's door

const ROLES: readonly Role[] = ['owner', 'admin', 'member'];

/** An address an administrator typed (CLI), trimmed; an `AdminError` otherwise (the one e-mail rule). */
export function checkEmail(email: string): string {
  const e = email.trim();
  if (!isEmail(e))
    throw new AdminError(
      `Not an e-mail address (at most ${EMAIL_MAX} characters, a domain with a dot): ${JSON.stringify(email)}`,
    );
  return e;
}

export interface NewUser {
  accountId: string;
  email: string;
  role: Role;
  firstName?: string;
  lastName?: string;
  /** Plain password to set (checked against the rules), or none. */
  password?: string;
}

export interface CreatedUser {
  id: string;
  email: string;
  role: Role;
  account_id: string;
}

/**
 * An active user made by an administrator (`zpass admin create-user`, the demo account, a new
 * account's owner through `insertAdminUser`), outside Zoom's API: any role but owner.
 */
export async function createUser(ctx: DomainContext, u: NewUser): Promise<CreatedUser> {
  if (!(await accounts.get(ctx.store.db, u.accountId))) throw new AdminError(`No account ${u.accountId}.`);
  if (u.role === 'owner') throw new AdminError('An account has one owner, made with the account.');
  const cred = await credentialFor(ctx, u.accountId, u.password, u);
  return adminEmailTaken(
    u.email,
    ctx.store.transaction((tx) => insertAdminUser(ctx, tx, u, cred)),
  );
}

/** An administrator's user in the caller's transaction (also a new account's owner). */
export async function insertAdminUser(
  ctx: DomainContext,
  tx: Tx,
  u: NewUser,
  cred: InitialCredential | undefined,
  now: number = ctx.clock.now(),
): Promise<CreatedUser> {
  if (!(ROLES as readonly string[]).includes(u.role)) throw new AdminError(`Unknown role "${u.role}".`);
  const email = checkEmail(u.email);
  if (await users.byEmail(tx, email)) throw new AdminError(`The e-mail ${email} is already used.`);
  const row = newUserRow(newId(), now, {
    accountId: u.accountId,
    email,
    first: u.firstName ?? '',
    last: u.lastName ?? '',
    type: 1,
    role: u.role,
    status: 'active',
  });
  await insertUser(tx, row, cred);
  await webhookEvents.userCreated(tx, null, 'autoCreate', row, now);
  return { id: row.id, email, role: u.role, account_id: u.accountId };
}

/** Two writers racing for one e-mail: the unique index refuses the second. */
export async function adminEmailTaken<T>(email: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AdminError(`The e-mail ${email.trim()} is already used.`);
    throw err;
  }
}

/** Checks an administrator's password for a new user against the account's policy and hashes it. */
export async function credentialFor(
  ctx: DomainContext,
  accountId: string,
  password: string | undefined,
  user: { email: string; firstName?: string; lastName?: string },
): Promise<InitialCredential | undefined> {
  if (password === undefined) return undefined;
  const checked = await enforcePolicy(ctx, {
    accountId,
    password,
    user: { email: user.email, first_name: user.firstName, last_name: user.lastName },
  });
  return initialCredential(ctx, checked.password);
}

/** One row of `createUsers`: the user created, or why not. */
export type ImportOutcome = { ok: true; user: CreatedUser } | { ok: false; message: string };

/**
 * Many users at once (an operator's import): each row checked (e-mail, role, not already used,
 * not twice in the list, the password against the account's policy), passwords hashed only for
 * rows that have one, then the valid rows inserted `batchSize` to a transaction. A row that
 * fails its checks is reported and skipped; the others are created.
 */
export async function createUsers(
  ctx: DomainContext,
  accountId: string,
  list: Array<Omit<NewUser, 'accountId'>>,
  batchSize = 500,
): Promise<ImportOutcome[]> {
  if (!(await accounts.get(ctx.store.db, accountId))) throw new AdminError(`No account ${accountId}.`);
  const out: ImportOutcome[] = new Array(list.length);
  const seen = new Map<string, number>();
  const creds: Array<InitialCredential | undefined> = new Array(list.length);
  const fail = (i: number, message: string) => {
    out[i] = { ok: false, message };
  };
  await Promise.all(
    list.map(async (u, i) => {
      try {
        if (!(ROLES as readonly string[]).includes(u.role) || u.role === 'owner')
          throw new AdminError(`Unknown role "${u.role}": use admin or member.`);
        const norm = normalizeEmail(checkEmail(u.email));
        const first = seen.get(norm);
        if (first !== undefined) throw new AdminError(`The same e-mail as row ${first + 1}.`);
        seen.set(norm, i);
        if (await users.byEmail(ctx.store.db, u.email.trim()))
          throw new AdminError(`The e-mail ${u.email.trim()} is already used.`);
        creds[i] = await credentialFor(ctx, accountId, u.password, u);
      } catch (err) {
        if (err instanceof AdminError) return fail(i, err.message);
        if (err instanceof ZoomError) {
          const detail = err.errors?.map((e) => e.message).join(' ') ?? '';
          return fail(i, `${err.message}${detail ? ` ${detail}` : ''} (code ${err.code})`);
        }
        throw err;
      }
    }),
  );
  const valid = list.flatMap((_, i) => (out[i] ? [] : [i]));
  for (let b = 0; b < valid.length; b += batchSize) {
    const batch = valid.slice(b, b + batchSize);
    const now = ctx.clock.now();
    const created = await ctx.store.transaction(async (tx) => {
      const made: CreatedUser[] = [];
      for (const i of batch)
        made.push(await insertAdminUser(ctx, tx, { ...list[i]!, accountId }, creds[i], now));
      return made;
    });
    batch.forEach((i, k) => {
      out[i] = { ok: true, user: created[k]! };
    });
  }
  return out;
}
