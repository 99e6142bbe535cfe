import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';

export type Account = Selectable<Database['accounts']>;
export type User = Selectable<Database['users']>;
export type Credential = Selectable<Database['credentials']>;
export type App = Selectable<Database['apps']>;
export type AccessToken = Selectable<Database['access_tokens']>;
export type OutboxRow = Selectable<Database['outbox']>;
export type PasswordChange = Selectable<Database['password_changes']>;

type Q = Kysely<Database>;

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
  inAccount: (q: Q, accountId: string, idOrEmail: string) =>
    q
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((e) => e.or([e('id', '=', idOrEmail), e('email_norm', '=', normalizeEmail(idOrEmail))]))
      .executeTakeFirst(),
  listByAccount: (q: Q, accountId: string) =>
    q
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  owner: (q: Q, accountId: string) =>
    q
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('role', '=', 'owner')
      .executeTakeFirst(),
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
  revoke: (q: Q, digests: string[], now: number) =>
    digests.length === 0
      ? Promise.resolve()
      : q.updateTable('access_tokens').set({ revoked_at: now }).where('digest', 'in', digests).execute(),
};

export const outbox = {
  insert: (q: Q, row: Insertable<Database['outbox']>) => q.insertInto('outbox').values(row).execute(),
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
};

export const rateLimitOverrides = {
  /** The account's plan and its rate-limit overrides, in one query; undefined when there is no such account. */
  forAccount: async (q: Q, accountId: string) => {
    const rows = await q
      .selectFrom('accounts')
      .leftJoin('rate_limit_overrides as o', 'o.account_id', 'accounts.id')
      .select(['accounts.plan', 'o.category', 'o.limit_type', 'o.value'])
      .where('accounts.id', '=', accountId)
      .execute();
    if (rows.length === 0) return undefined;
    return {
      plan: rows[0]!.plan,
      overrides: rows
        .filter((r) => r.category !== null && r.limit_type !== null)
        .map((r) => ({
          category: r.category!,
          type: r.limit_type!,
          value: r.value === null ? null : Number(r.value),
        })),
    };
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

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
