import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database, Role, UserStatus } from '../schema.js';
import { type Q, reusable } from './query.js';

export type User = Selectable<Database['users']>;

/** Where a page of users starts: after this (created_at, id). */
export interface UserKey {
  created_at: number;
  id: string;
}

const userById = reusable(2, (q: Q, accountId: string, id: string) =>
  q.selectFrom('users').selectAll().where('id', '=', id).where('account_id', '=', accountId),
);

const userByEmail = reusable(2, (q: Q, accountId: string, emailNorm: string) =>
  q.selectFrom('users').selectAll().where('email_norm', '=', emailNorm).where('account_id', '=', accountId),
);

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

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
