import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

export type Invitation = Selectable<Database['invitations']>;

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
