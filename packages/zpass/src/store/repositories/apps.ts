import type { Insertable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

export const apps = {
  insert: (q: Q, row: Insertable<Database['apps']>) => q.insertInto('apps').values(row).execute(),
  byClientId: (q: Q, clientId: string) =>
    q.selectFrom('apps').selectAll().where('client_id', '=', clientId).executeTakeFirst(),
};
