import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

export type WebSession = Selectable<Database['web_sessions']>;

export const webSessions = {
  insert: (q: Q, row: Insertable<Database['web_sessions']>) =>
    q.insertInto('web_sessions').values(row).execute(),
  byDigest: (q: Q, digest: string) =>
    q.selectFrom('web_sessions').selectAll().where('digest', '=', digest).executeTakeFirst(),
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
