import type { Q } from '../src/store/repositories/query.js';

/**
 * Queries only the tests ask: what the server wrote, read back to check it. The
 * server's own queries are in src/store/repositories/.
 */

/** The notices queued for an address, oldest first. */
export const outboxFor = (q: Q, recipient: string) =>
  q.selectFrom('outbox').selectAll().where('recipient', '=', recipient).orderBy('id').execute();

/** The user's password changes, oldest first. */
export const passwordChangesFor = (q: Q, userId: string) =>
  q.selectFrom('password_changes').selectAll().where('user_id', '=', userId).orderBy('id').execute();

/** The user's web sessions, oldest first. */
export const webSessionsFor = (q: Q, userId: string) =>
  q.selectFrom('web_sessions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
