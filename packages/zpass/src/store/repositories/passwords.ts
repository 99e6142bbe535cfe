import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

export type Credential = Selectable<Database['credentials']>;
export type HistoryEntry = Selectable<Database['password_history']>;

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
  /** Forgets all but the user's `keep` newest entries, in one statement (one round trip). */
  prune: async (q: Q, userId: string, keep: number) => {
    await q
      .deleteFrom('password_history')
      .where('user_id', '=', userId)
      .where('id', 'not in', (sub) =>
        sub
          .selectFrom('password_history')
          .select('id')
          .where('user_id', '=', userId)
          .orderBy('id', 'desc')
          .limit(keep),
      )
      .execute();
  },
};

/** A user's password and its history go: a user joining another account starts afresh there. */
export async function forgetPasswords(q: Q, userId: string): Promise<void> {
  await q.deleteFrom('password_history').where('user_id', '=', userId).execute();
  await q.deleteFrom('credentials').where('user_id', '=', userId).execute();
}
