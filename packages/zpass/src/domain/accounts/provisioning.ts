import { digest, newId, randomAlnum } from '../../crypto/random.js';
import type { Tx } from '../../store/database.js';
import { isUniqueViolation } from '../../store/failures.js';
import { accounts, apps, normalizeEmail, users } from '../../store/repositories.js';
import type { Plan, Role } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { EMAIL_MAX, isEmail } from '../email.js';
import { ZoomError } from '../errors.js';
import { type InitialCredential, initialCredential, storeInitialCredential } from '../passwords/history.js';
import { enforcePolicy } from '../passwords/policy.js';
import { DEFAULT_APP_SCOPES, scopesForRole } from '../tokens/scopes.js';
import { webhookEvents } from '../webhooks/emit.js';

/** A mistake in an administrator's request (CLI), with a message meant for them. */
export class AdminError extends Error {}

const PLANS: readonly Plan[] = ['free', 'pro', 'business'];
const ROLES: readonly Role[] = ['owner', 'admin', 'member'];
export function checkEmail(email: string): string {
  const e = email.trim();
  if (!isEmail(e))
    throw new AdminError(
      `Not an e-mail address (at most ${EMAIL_MAX} characters, a domain with a dot): ${JSON.stringify(email)}`,
    );
  return e;
}

export function checkPlan(plan: string): Plan {
  if (!(PLANS as readonly string[]).includes(plan))
    throw new AdminError(`Unknown plan "${plan}": use ${PLANS.join(', ')}.`);
  return plan as Plan;
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

async function insertUser(
  tx: Tx,
  now: number,
  u: NewUser,
  cred: InitialCredential | undefined,
): Promise<CreatedUser> {
  if (!(ROLES as readonly string[]).includes(u.role)) throw new AdminError(`Unknown role "${u.role}".`);
  const email = checkEmail(u.email);
  const id = newId();
  const first = u.firstName ?? '';
  const last = u.lastName ?? '';
  if (await users.byEmail(tx, email)) throw new AdminError(`The e-mail ${email} is already used.`);
  await users.insert(tx, {
    id,
    account_id: u.accountId,
    email,
    email_norm: normalizeEmail(email),
    first_name: first,
    last_name: last,
    display_name: `${first} ${last}`.trim(),
    type: 1,
    role: u.role,
    status: 'active',
    created_at: now,
    last_login_at: null,
  });
  if (cred) await storeInitialCredential(tx, id, cred, now);
  await webhookEvents.userCreated(
    tx,
    null,
    'autoCreate',
    { id, email, first_name: first, last_name: last, type: 1, account_id: u.accountId },
    now,
  );
  return { id, email, role: u.role, account_id: u.accountId };
}

/** Two writers racing for one e-mail: the unique index refuses the second. */
async function emailTaken<T>(email: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AdminError(`The e-mail ${email.trim()} is already used.`);
    throw err;
  }
}

/** Checks a new user's password against the account's policy and hashes it (two computations). */
async function credentialFor(
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

export async function createUser(ctx: DomainContext, u: NewUser): Promise<CreatedUser> {
  if (!(await accounts.get(ctx.store.db, u.accountId))) throw new AdminError(`No account ${u.accountId}.`);
  if (u.role === 'owner') throw new AdminError('An account has one owner, made with the account.');
  const cred = await credentialFor(ctx, u.accountId, u.password, u);
  return emailTaken(
    u.email,
    ctx.store.transaction((tx) => insertUser(tx, ctx.clock.now(), u, cred)),
  );
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
      for (const i of batch) made.push(await insertUser(tx, now, { ...list[i]!, accountId }, creds[i]));
      return made;
    });
    batch.forEach((i, k) => {
      out[i] = { ok: true, user: created[k]! };
    });
  }
  return out;
}

export interface CreatedApp {
  id: string;
  client_id: string;
  client_secret: string;
  scopes: string[];
  creator: string;
}

/** A Server-to-Server app; its secret is returned once and stored only as a digest. */
export async function createApp(
  ctx: DomainContext,
  accountId: string,
  scopes: string[],
  creatorEmail?: string,
): Promise<CreatedApp> {
  return ctx.store.transaction((tx) => insertApp(tx, ctx.clock.now(), accountId, scopes, creatorEmail));
}

async function insertApp(
  db: Tx,
  now: number,
  accountId: string,
  scopes: string[],
  creatorEmail?: string,
): Promise<CreatedApp> {
  if (!(await accounts.get(db, accountId))) throw new AdminError(`No account ${accountId}.`);
  const creator = creatorEmail ? await users.byEmail(db, creatorEmail) : await users.owner(db, accountId);
  if (!creator || creator.account_id !== accountId) {
    throw new AdminError(`No user ${creatorEmail ?? '(owner)'} in account ${accountId}.`);
  }
  if (scopes.length === 0) throw new AdminError('Name at least one scope.');
  const app = {
    id: newId(),
    client_id: randomAlnum(22),
    client_secret: randomAlnum(32),
  };
  await apps.insert(db, {
    id: app.id,
    account_id: accountId,
    name: 'Server-to-Server app',
    kind: 's2s',
    client_id: app.client_id,
    client_secret_digest: digest(app.client_secret),
    scopes: scopes.join(' '),
    creator_user_id: creator.id,
    created_at: now,
  });
  return { ...app, scopes: scopesForRole(scopes, creator.role), creator: creator.email };
}

export interface CreatedAccount {
  account_id: string;
  plan: Plan;
  owner: { id: string; email: string };
  app: { client_id: string; client_secret: string; scopes: string[] };
}

/** An account with its owner and a Server-to-Server app holding the admin scopes. */
export async function createAccount(
  ctx: DomainContext,
  opts: { ownerEmail: string; plan?: string; name?: string; ownerPassword?: string },
): Promise<CreatedAccount> {
  const plan = checkPlan(opts.plan ?? 'pro');
  const email = checkEmail(opts.ownerEmail);
  const accountId = newId();
  const cred = await credentialFor(ctx, accountId, opts.ownerPassword, { email });
  const now = ctx.clock.now();
  const { owner, app } = await emailTaken(
    email,
    ctx.store.transaction(async (tx) => {
      await accounts.insert(tx, { id: accountId, name: opts.name ?? email, plan, created_at: now });
      const owner = await insertUser(tx, now, { accountId, email, role: 'owner' }, cred);
      const app = await insertApp(tx, now, accountId, [...DEFAULT_APP_SCOPES], email);
      return { owner, app };
    }),
  );
  return {
    account_id: accountId,
    plan,
    owner: { id: owner.id, email: owner.email },
    app: { client_id: app.client_id, client_secret: app.client_secret, scopes: app.scopes },
  };
}

/** Moves an account to another plan; its rate limits follow from the next request on. */
export async function setPlan(ctx: DomainContext, accountId: string, plan: string): Promise<Plan> {
  const p = checkPlan(plan);
  if (!(await accounts.setPlan(ctx.store.db, accountId, p))) throw new AdminError(`No account ${accountId}.`);
  return p;
}
