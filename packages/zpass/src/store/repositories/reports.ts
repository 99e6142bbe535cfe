import type { Insertable, Selectable } from 'kysely';
import type { Database, OperationCategory } from '../schema.js';
import type { Q } from './query.js';

export type OperationLog = Selectable<Database['operation_logs']>;
export type SignInActivity = Selectable<Database['sign_in_activities']>;

/** Where a page of a report starts, newest first: strictly before this (time, id). */
export interface LogKey {
  time: number;
  id: number;
}

export const operationLogs = {
  insert: (q: Q, row: Insertable<Database['operation_logs']>) =>
    q.insertInto('operation_logs').values(row).execute(),
  page: (
    q: Q,
    accountId: string,
    range: { from: number; to: number },
    categories: readonly OperationCategory[] | null,
    before: LogKey | null,
    limit: number,
  ): Promise<OperationLog[]> => {
    let query = q
      .selectFrom('operation_logs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('time', '>=', range.from)
      .where('time', '<', range.to);
    if (before)
      query = query.where((e) =>
        e.or([e('time', '<', before.time), e.and([e('time', '=', before.time), e('id', '<', before.id)])]),
      );
    if (categories) {
      if (categories.length === 0) return Promise.resolve([]);
      query = query.where('category', 'in', categories);
    }
    return query.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },
};

export const signInActivities = {
  insert: (q: Q, row: Insertable<Database['sign_in_activities']>) =>
    q.insertInto('sign_in_activities').values(row).execute(),
  page: (
    q: Q,
    accountId: string,
    range: { from: number; to: number },
    before: LogKey | null,
    limit: number,
  ): Promise<SignInActivity[]> => {
    let query = q
      .selectFrom('sign_in_activities')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('time', '>=', range.from)
      .where('time', '<', range.to);
    if (before)
      query = query.where((e) =>
        e.or([e('time', '<', before.time), e.and([e('time', '=', before.time), e('id', '<', before.id)])]),
      );
    return query.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },
};
