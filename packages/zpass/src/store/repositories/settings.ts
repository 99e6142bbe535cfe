import type { Insertable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

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
