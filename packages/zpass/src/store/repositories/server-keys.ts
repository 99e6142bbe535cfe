import { randomBytes } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

export const serverKeys = {
  /**
   * The 32-byte key stored under `name`, created (random) by the first server or command
   * that needs it and shared by every server of the store (page tokens, webhook secrets).
   */
  ensure: async (q: Q, name: string, now: number): Promise<Buffer> => {
    let row = await serverKeys.get(q, name);
    if (!row) {
      await serverKeys.insertIfAbsent(q, {
        name,
        secret: randomBytes(32).toString('base64url'),
        created_at: now,
      });
      row = await serverKeys.get(q, name);
    }
    if (!row) throw new Error(`the key ${name} could not be stored`);
    return Buffer.from(row.secret, 'base64url');
  },
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
