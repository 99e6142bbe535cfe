import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database>;

export type PasswordReset = Selectable<Database['password_resets']>;

/** Open self-service password resets, one per user (migration 0012). */
export const passwordResets = {
  forUser: (q: Q, userId: string) =>
    q.selectFrom('password_resets').selectAll().where('user_id', '=', userId).executeTakeFirst(),
  byDigest: (q: Q, tokenDigest: string) =>
    q.selectFrom('password_resets').selectAll().where('token_digest', '=', tokenDigest).executeTakeFirst(),
  /** Writes the user's reset, replacing any earlier one (whose link then stops working). */
  put: async (q: Q, row: Insertable<Database['password_resets']>) => {
    await q.deleteFrom('password_resets').where('user_id', '=', row.user_id).execute();
    await q.insertInto('password_resets').values(row).execute();
  },
  setToken: (q: Q, userId: string, tokenDigest: string) =>
    q
      .updateTable('password_resets')
      .set({ token_digest: tokenDigest })
      .where('user_id', '=', userId)
      .execute(),
  delete: (q: Q, userId: string) => q.deleteFrom('password_resets').where('user_id', '=', userId).execute(),
};
