import type { Insertable } from 'kysely';
import type { Database, Plan } from '../schema.js';
import type { Q } from './query.js';

export const accounts = {
  insert: (q: Q, row: Insertable<Database['accounts']>) => q.insertInto('accounts').values(row).execute(),
  get: (q: Q, id: string) => q.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),
  list: (q: Q) => q.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute(),
  setPlan: async (q: Q, id: string, plan: Database['accounts']['plan']) =>
    Number(
      (await q.updateTable('accounts').set({ plan }).where('id', '=', id).executeTakeFirst()).numUpdatedRows,
    ) === 1,
  count: async (q: Q) =>
    Number(
      (
        await q
          .selectFrom('accounts')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
};

/** An account's plan and its rate-limit overrides as stored (the limiter parses them). */
export interface AccountLimitRows {
  plan: Plan;
  overrides: Array<{ category: string; type: string; value: number | null }>;
}

/** The overrides of a left join on rate_limit_overrides (no override: one row of nulls). */
export function overrideRows(
  rows: Array<{ category: string | null; limit_type: string | null; value: number | string | bigint | null }>,
): AccountLimitRows['overrides'] {
  return rows
    .filter((r) => r.category !== null && r.limit_type !== null)
    .map((r) => ({
      category: r.category!,
      type: r.limit_type!,
      value: r.value === null ? null : Number(r.value),
    }));
}

export const rateLimitOverrides = {
  /** The account's plan and its rate-limit overrides, in one query; undefined when there is no such account. */
  forAccount: async (q: Q, accountId: string): Promise<AccountLimitRows | undefined> => {
    const rows = await q
      .selectFrom('accounts')
      .leftJoin('rate_limit_overrides as o', 'o.account_id', 'accounts.id')
      .select(['accounts.plan', 'o.category', 'o.limit_type', 'o.value'])
      .where('accounts.id', '=', accountId)
      .execute();
    if (rows.length === 0) return undefined;
    return { plan: rows[0]!.plan, overrides: overrideRows(rows) };
  },
  set: (q: Q, accountId: string, category: string, type: string, value: number | null, now: number) =>
    q
      .insertInto('rate_limit_overrides')
      .values({ account_id: accountId, category, limit_type: type, value, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['account_id', 'category', 'limit_type']).doUpdateSet({ value, updated_at: now }),
      )
      .execute(),
  clear: async (q: Q, accountId: string, category: string, type: string) =>
    Number(
      (
        await q
          .deleteFrom('rate_limit_overrides')
          .where('account_id', '=', accountId)
          .where('category', '=', category)
          .where('limit_type', '=', type)
          .executeTakeFirst()
      ).numDeletedRows,
    ) > 0,
};
