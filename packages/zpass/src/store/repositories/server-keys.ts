import type { Insertable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

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
