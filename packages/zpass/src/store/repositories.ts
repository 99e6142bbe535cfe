import type { Compilable, CompiledQuery, Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database, OperationCategory, OutboxStatus, Plan, Role, UserStatus } from './schema.js';

export type Account = Selectable<Database['accounts']>;
export type User = Selectable<Database['users']>;
export type Credential = Selectable<Database['credentials']>;
export type App = Selectable<Database['apps']>;
export type AccessToken = Selectable<Database['access_tokens']>;
export type OutboxRow = Selectable<Database['outbox']>;
export type PasswordChange = Selectable<Database['password_changes']>;
export type AccountSettingsRow = Selectable<Database['account_settings']>;
export type SettingsChange = Selectable<Database['account_settings_changes']>;
export type HistoryEntry = Selectable<Database['password_history']>;
export type Invitation = Selectable<Database['invitations']>;
export type WebSession = Selectable<Database['web_sessions']>;
export type OperationLog = Selectable<Database['operation_logs']>;
export type SignInActivity = Selectable<Database['sign_in_activities']>;

/** Where a page of a report starts, newest first: strictly before this (time, id). */
export interface LogKey {
  time: number;
  id: number;
}

/** Where a page of users starts: after this (created_at, id). */
export interface UserKey {
  created_at: number;
  id: string;
}

type Q = Kysely<Database>;

/** Stands for the i-th argument while a reusable query is compiled. */
const slot = (i: number) => `\u0000zpass-argument-${i}\u0000`;

/**
 * A query built and compiled once per database handle, then run with each call's
 * arguments: on the hot path (every authenticated request) building and compiling a
 * Kysely query costs about as much as SQLite running it. `build` receives stand-ins
 * for the arguments, which each run replaces in the compiled parameters; it must pass
 * them through unchanged (no normalising inside `build`).
 */
function reusable<A extends string[], R>(arity: A['length'], build: (q: Q, ...args: A) => Compilable<R>) {
  const compiled = new WeakMap<Q, { query: CompiledQuery<R>; slots: number[] }>();
  const stands = Array.from({ length: arity }, (_, i) => slot(i));
  return async (q: Q, ...args: A): Promise<R[]> => {
    let c = compiled.get(q);
    if (!c) {
      const query = build(q, ...(stands as A)).compile();
      const slots = query.parameters.map((p) => (typeof p === 'string' ? stands.indexOf(p) : -1));
      c = { query, slots };
      compiled.set(q, c);
    }
    const { query, slots } = c;
    const parameters = query.parameters.map((p, i) => (slots[i]! >= 0 ? args[slots[i]!] : p));
    return (await q.executeQuery<R>({ ...query, parameters })).rows;
  };
}

const userById = reusable(2, (q: Q, accountId: string, id: string) =>
  q.selectFrom('users').selectAll().where('id', '=', id).where('account_id', '=', accountId),
);

const userByEmail = reusable(2, (q: Q, accountId: string, emailNorm: string) =>
  q.selectFrom('users').selectAll().where('email_norm', '=', emailNorm).where('account_id', '=', accountId),
);

const tokenWithHolder = reusable(1, (q: Q, digest: string) =>
  q
    .selectFrom('access_tokens as t')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('accounts as a', 'a.id', 't.account_id')
    .leftJoin('rate_limit_overrides as o', 'o.account_id', 't.account_id')
    .select([
      't.kind',
      't.account_id',
      't.user_id',
      't.app_id',
      't.scopes',
      't.expires_at',
      't.revoked_at',
      'u.account_id as user_account_id',
      'u.email as user_email',
      'u.role as user_role',
      'u.status as user_status',
      'a.plan',
      'o.category',
      'o.limit_type',
      'o.value',
    ])
    .where('t.digest', '=', digest),
);

/**
 * The store's queries, one method each. Works on the database or inside a
 * transaction (pass the transaction's handle). Use cases call these and never
 * write SQL themselves.
 */
export const accounts = {
  insert: (q: Q, row: Insertable<Database['accounts']>) => q.insertInto('accounts').values(row).execute(),
  get: (q: Q, id: string) => q.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),
  list: (q: Q) => q.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute(),
  setPlan: async (q: Q, id: string, plan: Database['accounts']['plan']) =>
    Number(
      (await q.updateTable('accounts').set({ plan }).where('id', '=', id).executeTakeFirst()).numUpdatedRows,
    ) === 1,
  count: async (q: Q) =>
    Number(
      (
        await q
          .selectFrom('accounts')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
};

export const users = {
  insert: (q: Q, row: Insertable<Database['users']>) => q.insertInto('users').values(row).execute(),
  byId: (q: Q, id: string) => q.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
  byEmail: (q: Q, email: string) =>
    q.selectFrom('users').selectAll().where('email_norm', '=', normalizeEmail(email)).executeTakeFirst(),
  /** A user of the account by id or e-mail; another account's user is not found. */
  inAccount: async (q: Q, accountId: string, idOrEmail: string): Promise<User | undefined> => {
    // Two primary/unique-key reads, the likelier first (ids never hold "@"), instead of one
    // `id = ? or email_norm = ?`, which SQLite answers several times slower.
    const email = normalizeEmail(idOrEmail);
    if (idOrEmail.includes('@'))
      return (await userByEmail(q, accountId, email))[0] ?? (await userById(q, accountId, idOrEmail))[0];
    return (await userById(q, accountId, idOrEmail))[0] ?? (await userByEmail(q, accountId, email))[0];
  },
  listByAccount: (q: Q, accountId: string) =>
    q
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  update: (q: Q, id: string, patch: Updateable<Database['users']>) =>
    q.updateTable('users').set(patch).where('id', '=', id).execute(),
  delete: (q: Q, id: string) => q.deleteFrom('users').where('id', '=', id).execute(),
  /** Users of the account with this status, in (created_at, id) order, strictly after `after`. */
  page: (
    q: Q,
    accountId: string,
    status: UserStatus,
    after: UserKey | null,
    limit: number,
    offset = 0,
    role?: Role,
  ) => {
    let query = q
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('status', '=', status);
    if (role) query = query.where('role', '=', role);
    if (after) {
      query = query.where((e) =>
        e.or([
          e('created_at', '>', after.created_at),
          e.and([e('created_at', '=', after.created_at), e('id', '>', after.id)]),
        ]),
      );
    }
    return query.orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  },
  count: async (q: Q, accountId: string, status: UserStatus, role?: Role) => {
    let query = q
      .selectFrom('users')
      .select((e) => e.fn.countAll().as('n'))
      .where('account_id', '=', accountId)
      .where('status', '=', status);
    if (role) query = query.where('role', '=', role);
    return Number((await query.executeTakeFirstOrThrow()).n);
  },
  /** The account's users counted by status and type (`GET /v2/users/summary`). */
  countByStatusAndType: async (q: Q, accountId: string) =>
    (
      await q
        .selectFrom('users')
        .select(['status', 'type', (e) => e.fn.countAll().as('n')])
        .where('account_id', '=', accountId)
        .groupBy(['status', 'type'])
        .execute()
    ).map((r) => ({ status: r.status, type: r.type, n: Number(r.n) })),
  /** Users the account created with this `POST /v2/users` action since `since`. */
  countCreatedSince: async (q: Q, accountId: string, via: string, since: number) =>
    Number(
      (
        await q
          .selectFrom('users')
          .select((e) => e.fn.countAll().as('n'))
          .where('account_id', '=', accountId)
          .where('created_via', '=', via)
          .where('created_at', '>=', since)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  owner: (q: Q, accountId: string) =>
    q
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('role', '=', 'owner')
      .executeTakeFirst(),
  /** Users of the account holding this role, whatever their status, in (created_at, id) order after `after`. */
  withRole: (q: Q, accountId: string, role: Role, after: UserKey | null, limit: number, offset = 0) => {
    let query = q
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('role', '=', role);
    if (after)
      query = query.where((e) =>
        e.or([
          e('created_at', '>', after.created_at),
          e.and([e('created_at', '=', after.created_at), e('id', '>', after.id)]),
        ]),
      );
    return query.orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  },
  /** How many users of the account hold each role. */
  roleCounts: async (q: Q, accountId: string): Promise<Record<Role, number>> => {
    const rows = await q
      .selectFrom('users')
      .select(['role', (e) => e.fn.countAll().as('n')])
      .where('account_id', '=', accountId)
      .groupBy('role')
      .execute();
    const out: Record<Role, number> = { owner: 0, admin: 0, member: 0 };
    for (const r of rows) out[r.role] = Number(r.n);
    return out;
  },
};

export const credentials = {
  get: (q: Q, userId: string) =>
    q.selectFrom('credentials').selectAll().where('user_id', '=', userId).executeTakeFirst(),
  insert: (q: Q, row: Insertable<Database['credentials']>) =>
    q.insertInto('credentials').values(row).execute(),
  /**
   * Replaces the credential only if it is still at `expectedVersion` (null: none yet).
   * Returns false when another change got there first.
   */
  replace: async (q: Q, userId: string, expectedVersion: number | null, phc: string, now: number) => {
    if (expectedVersion === null) {
      const res = await q
        .insertInto('credentials')
        .values({ user_id: userId, phc, version: 1, updated_at: now })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const res = await q
      .updateTable('credentials')
      .set({ phc, version: expectedVersion + 1, updated_at: now })
      .where('user_id', '=', userId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
};

export const passwordChanges = {
  insert: (q: Q, row: Insertable<Database['password_changes']>) =>
    q.insertInto('password_changes').values(row).execute(),
  countSince: async (q: Q, userId: string, since: number) =>
    Number(
      (
        await q
          .selectFrom('password_changes')
          .select((e) => e.fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .where('changed_at', '>', since)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  forUser: (q: Q, userId: string) =>
    q.selectFrom('password_changes').selectAll().where('user_id', '=', userId).orderBy('id').execute(),
};

export const apps = {
  insert: (q: Q, row: Insertable<Database['apps']>) => q.insertInto('apps').values(row).execute(),
  byClientId: (q: Q, clientId: string) =>
    q.selectFrom('apps').selectAll().where('client_id', '=', clientId).executeTakeFirst(),
  byId: (q: Q, id: string) => q.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst(),
};

export const tokens = {
  insert: (q: Q, row: Insertable<Database['access_tokens']>) =>
    q.insertInto('access_tokens').values(row).execute(),
  byDigest: (q: Q, digest: string) =>
    q.selectFrom('access_tokens').selectAll().where('digest', '=', digest).executeTakeFirst(),
  /**
   * What authenticating a request needs, in one query: the token, the user it acts
   * for, and its account's plan and rate-limit overrides (one row per override).
   * Undefined for an unknown digest; the user and plan are null when they are gone.
   */
  withHolder: async (q: Q, digest: string) => {
    const rows = await tokenWithHolder(q, digest);
    const first = rows[0];
    if (!first) return undefined;
    const { category: _c, limit_type: _l, value: _v, plan, ...token } = first;
    return { ...token, limits: plan === null ? undefined : { plan, overrides: overrideRows(rows) } };
  },
  /** Live tokens of an app, oldest first. */
  liveForApp: (q: Q, appId: string, now: number) =>
    q
      .selectFrom('access_tokens')
      .select(['digest', 'issued_at'])
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('issued_at')
      .orderBy('digest')
      .execute(),
  /** Every live token acting for the user stops working now. */
  revokeForUser: (q: Q, userId: string, now: number) =>
    q
      .updateTable('access_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute(),
  /** The user's own user-level tokens stop working now (not those of apps they created). */
  revokeUserLevelForUser: (q: Q, userId: string, now: number) =>
    q
      .updateTable('access_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('kind', '=', 'user')
      .where('revoked_at', 'is', null)
      .execute(),
  /** Deletes the rows of tokens that expired or were revoked at or before `before`; how many. */
  purge: async (q: Q, before: number): Promise<number> => {
    const r = await q
      .deleteFrom('access_tokens')
      .where((eb) => eb.or([eb('expires_at', '<=', before), eb('revoked_at', '<=', before)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },
  revoke: (q: Q, digests: string[], now: number) =>
    digests.length === 0
      ? Promise.resolve()
      : q.updateTable('access_tokens').set({ revoked_at: now }).where('digest', 'in', digests).execute(),
};

/** Transactions that wrote an outbox row: the store wakes the mail relay when they commit. */
const outboxWriters = new WeakSet<object>();

/** Whether `tx` wrote an outbox row; forgets it. */
export function wroteOutbox(tx: object): boolean {
  const wrote = outboxWriters.has(tx);
  outboxWriters.delete(tx);
  return wrote;
}

export const outbox = {
  /**
   * Queues a notice. Call it inside `store.transaction` with the change it reports:
   * the notice is then committed with it or not at all, and the commit wakes the relay.
   */
  insert: async (q: Q, row: Insertable<Database['outbox']>) => {
    const res = await q.insertInto('outbox').values(row).execute();
    outboxWriters.add(q);
    return res;
  },
  /**
   * Claims up to `limit` due notices for one relay: inside a transaction, the rows are
   * locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent relays take disjoint rows;
   * SQLite: the transaction's write lock) and leased until `now + leaseMs`, so no other
   * relay takes them until the lease runs out. Returns the claimed rows.
   */
  claim: async (
    tx: Q,
    dialect: Dialect,
    now: number,
    limit: number,
    leaseMs: number,
  ): Promise<OutboxRow[]> => {
    let pick = tx
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .limit(limit);
    if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const ids = (await pick.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return tx
      .updateTable('outbox')
      .set((e) => ({ next_attempt_at: now + leaseMs, attempts: e('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  },
  forRecipient: (q: Q, recipient: string) =>
    q.selectFrom('outbox').selectAll().where('recipient', '=', recipient).orderBy('id').execute(),
  byId: (q: Q, id: number) => q.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst(),
  /** Gives a claimed notice its Message-ID, once: later attempts keep the first one. */
  setMessageId: (q: Q, id: number, messageId: string) =>
    q
      .updateTable('outbox')
      .set({ message_id: messageId })
      .where('id', '=', id)
      .where('message_id', 'is', null)
      .execute(),
  /**
   * Records the outcome of the attempt that claimed the row as attempt number `attempt`.
   * The update applies only while the row is still pending at that attempt, so a relay
   * whose lease ran out (and whose row another relay took) cannot overwrite the newer
   * outcome. Returns whether it applied.
   */
  markSent: async (q: Q, id: number, attempt: number, now: number) => {
    const res = await q
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: now, last_attempt_at: now, last_error: null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  markRetry: async (q: Q, id: number, attempt: number, now: number, nextAttemptAt: number, error: string) => {
    const res = await q
      .updateTable('outbox')
      .set({ next_attempt_at: nextAttemptAt, last_attempt_at: now, last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  markFailed: async (q: Q, id: number, attempt: number, now: number, error: string) => {
    const res = await q
      .updateTable('outbox')
      .set({ status: 'failed', last_attempt_at: now, last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  /** Notices for the operator, newest first. */
  list: (q: Q, opts: { status?: OutboxStatus; limit: number }) => {
    let query = q.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(opts.limit);
    if (opts.status) query = query.where('status', '=', opts.status);
    return query.execute();
  },
  /**
   * Puts failed notices back in the queue with a fresh count of attempts, due now.
   * `ids` undefined: every failed notice. Only failed rows change (a sent notice is
   * never sent again). Returns the ids that were requeued.
   */
  requeueFailed: async (q: Q, now: number, ids?: number[]) => {
    if (ids && ids.length === 0) return [];
    let query = q
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now })
      .where('status', '=', 'failed');
    if (ids) query = query.where('id', 'in', ids);
    return (await query.returning('id').execute()).map((r) => r.id);
  },
  /** When the next pending notice is due (undefined: none pending). */
  nextDue: async (q: Q) =>
    (
      await q
        .selectFrom('outbox')
        .select((e) => e.fn.min('next_attempt_at').as('due'))
        .where('status', '=', 'pending')
        .executeTakeFirst()
    )?.due ?? undefined,
};

export const accountSettings = {
  get: (q: Q, accountId: string) =>
    q.selectFrom('account_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst(),
  /** Inserts or replaces the account's row. */
  put: (q: Q, row: Insertable<Database['account_settings']>) =>
    q
      .insertInto('account_settings')
      .values(row)
      .onConflict((oc) =>
        oc.column('account_id').doUpdateSet({
          password_requirement: row.password_requirement,
          ...(row.security === undefined ? {} : { security: row.security }),
          updated_at: row.updated_at,
        }),
      )
      .execute(),
};

export const settingsChanges = {
  insert: (q: Q, row: Insertable<Database['account_settings_changes']>) =>
    q.insertInto('account_settings_changes').values(row).execute(),
  forAccount: (q: Q, accountId: string) =>
    q
      .selectFrom('account_settings_changes')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute(),
};

export const passwordHistory = {
  /** The user's remembered passwords, newest first. */
  forUser: (q: Q, userId: string) =>
    q
      .selectFrom('password_history')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .execute(),
  insert: (q: Q, row: Insertable<Database['password_history']>) =>
    q.insertInto('password_history').values(row).execute(),
  /** Forgets all but the user's `keep` newest entries. */
  prune: async (q: Q, userId: string, keep: number) => {
    const old = await q
      .selectFrom('password_history')
      .select('id')
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1_000_000)
      .execute();
    if (old.length > 0)
      await q
        .deleteFrom('password_history')
        .where(
          'id',
          'in',
          old.map((r) => r.id),
        )
        .execute();
  },
};

export const invitations = {
  insert: (q: Q, row: Insertable<Database['invitations']>) =>
    q.insertInto('invitations').values(row).execute(),
  forUser: (q: Q, userId: string) =>
    q.selectFrom('invitations').selectAll().where('user_id', '=', userId).executeTakeFirst(),
  byDigest: (q: Q, tokenDigest: string) =>
    q.selectFrom('invitations').selectAll().where('token_digest', '=', tokenDigest).executeTakeFirst(),
  /** A new link replaces the previous one: only the latest token's digest is kept. */
  setToken: (q: Q, userId: string, tokenDigest: string, now: number) =>
    q
      .updateTable('invitations')
      .set({ token_digest: tokenDigest, link_issued_at: now })
      .where('user_id', '=', userId)
      .execute(),
  delete: (q: Q, userId: string) => q.deleteFrom('invitations').where('user_id', '=', userId).execute(),
};

export const emailChanges = {
  insert: (q: Q, userId: string, now: number) =>
    q.insertInto('email_changes').values({ user_id: userId, changed_at: now }).execute(),
  countSince: async (q: Q, userId: string, since: number) =>
    Number(
      (
        await q
          .selectFrom('email_changes')
          .select((e) => e.fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .where('changed_at', '>', since)
          .executeTakeFirstOrThrow()
      ).n,
    ),
};

/** A user's password and its history go: a user joining another account starts afresh there. */
export async function forgetPasswords(q: Q, userId: string): Promise<void> {
  await q.deleteFrom('password_history').where('user_id', '=', userId).execute();
  await q.deleteFrom('credentials').where('user_id', '=', userId).execute();
}

export const serverKeys = {
  get: (q: Q, name: string) =>
    q.selectFrom('server_keys').selectAll().where('name', '=', name).executeTakeFirst(),
  /** Stores the key unless another server stored one first; either way the stored one wins. */
  insertIfAbsent: (q: Q, row: Insertable<Database['server_keys']>) =>
    q
      .insertInto('server_keys')
      .values(row)
      .onConflict((oc) => oc.column('name').doNothing())
      .execute(),
  /**
   * Every key whose name starts with `prefix` (e.g. the access-token keys, one per rotation).
   * The table holds a handful of rows: filtered here rather than with LIKE, whose `_` is a wildcard.
   */
  withPrefix: async (q: Q, prefix: string) =>
    (await q.selectFrom('server_keys').selectAll().execute()).filter((r) => r.name.startsWith(prefix)),
};

/** An account's plan and its rate-limit overrides as stored (the limiter parses them). */
export interface AccountLimitRows {
  plan: Plan;
  overrides: Array<{ category: string; type: string; value: number | null }>;
}

/** The overrides of a left join on rate_limit_overrides (no override: one row of nulls). */
function overrideRows(
  rows: Array<{ category: string | null; limit_type: string | null; value: number | string | bigint | null }>,
): AccountLimitRows['overrides'] {
  return rows
    .filter((r) => r.category !== null && r.limit_type !== null)
    .map((r) => ({
      category: r.category!,
      type: r.limit_type!,
      value: r.value === null ? null : Number(r.value),
    }));
}

export const rateLimitOverrides = {
  /** The account's plan and its rate-limit overrides, in one query; undefined when there is no such account. */
  forAccount: async (q: Q, accountId: string): Promise<AccountLimitRows | undefined> => {
    const rows = await q
      .selectFrom('accounts')
      .leftJoin('rate_limit_overrides as o', 'o.account_id', 'accounts.id')
      .select(['accounts.plan', 'o.category', 'o.limit_type', 'o.value'])
      .where('accounts.id', '=', accountId)
      .execute();
    if (rows.length === 0) return undefined;
    return { plan: rows[0]!.plan, overrides: overrideRows(rows) };
  },
  set: (q: Q, accountId: string, category: string, type: string, value: number | null, now: number) =>
    q
      .insertInto('rate_limit_overrides')
      .values({ account_id: accountId, category, limit_type: type, value, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['account_id', 'category', 'limit_type']).doUpdateSet({ value, updated_at: now }),
      )
      .execute(),
  clear: async (q: Q, accountId: string, category: string, type: string) =>
    Number(
      (
        await q
          .deleteFrom('rate_limit_overrides')
          .where('account_id', '=', accountId)
          .where('category', '=', category)
          .where('limit_type', '=', type)
          .executeTakeFirst()
      ).numDeletedRows,
    ) > 0,
};

export const webSessions = {
  insert: (q: Q, row: Insertable<Database['web_sessions']>) =>
    q.insertInto('web_sessions').values(row).execute(),
  byDigest: (q: Q, digest: string) =>
    q.selectFrom('web_sessions').selectAll().where('digest', '=', digest).executeTakeFirst(),
  forUser: (q: Q, userId: string) =>
    q.selectFrom('web_sessions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute(),
  delete: (q: Q, digest: string) => q.deleteFrom('web_sessions').where('digest', '=', digest).execute(),
  /** Ends every session of the user, except the one whose digest is `keep`. */
  deleteForUser: (q: Q, userId: string, keep?: string) => {
    let query = q.deleteFrom('web_sessions').where('user_id', '=', userId);
    if (keep !== undefined) query = query.where('digest', '!=', keep);
    return query.execute();
  },
  touch: (q: Q, digest: string, now: number) =>
    q.updateTable('web_sessions').set({ last_seen_at: now }).where('digest', '=', digest).execute(),
  deleteExpiredForUser: (q: Q, userId: string, now: number) =>
    q.deleteFrom('web_sessions').where('user_id', '=', userId).where('expires_at', '<=', now).execute(),
};

export const operationLogs = {
  insert: (q: Q, row: Insertable<Database['operation_logs']>) =>
    q.insertInto('operation_logs').values(row).execute(),
  page: (
    q: Q,
    accountId: string,
    range: { from: number; to: number },
    categories: readonly OperationCategory[] | null,
    before: LogKey | null,
    limit: number,
  ): Promise<OperationLog[]> => {
    let query = q
      .selectFrom('operation_logs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('time', '>=', range.from)
      .where('time', '<', range.to);
    if (before)
      query = query.where((e) =>
        e.or([e('time', '<', before.time), e.and([e('time', '=', before.time), e('id', '<', before.id)])]),
      );
    if (categories) {
      if (categories.length === 0) return Promise.resolve([]);
      query = query.where('category', 'in', categories);
    }
    return query.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },
};

export const signInActivities = {
  insert: (q: Q, row: Insertable<Database['sign_in_activities']>) =>
    q.insertInto('sign_in_activities').values(row).execute(),
  page: (
    q: Q,
    accountId: string,
    range: { from: number; to: number },
    before: LogKey | null,
    limit: number,
  ): Promise<SignInActivity[]> => {
    let query = q
      .selectFrom('sign_in_activities')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('time', '>=', range.from)
      .where('time', '<', range.to);
    if (before)
      query = query.where((e) =>
        e.or([e('time', '<', before.time), e.and([e('time', '=', before.time), e('id', '<', before.id)])]),
      );
    return query.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },
};

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
