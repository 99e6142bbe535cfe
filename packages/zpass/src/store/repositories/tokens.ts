import type { Insertable } from 'kysely';
import type { Database } from '../schema.js';
import { overrideRows } from './accounts.js';
import { type Q, reusable } from './query.js';

const tokenWithHolder = reusable(1, (q: Q, digest: string) =>
  q
    .selectFrom('access_tokens as t')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('accounts as a', 'a.id', 't.account_id')
    .leftJoin('rate_limit_overrides as o', 'o.account_id', 't.account_id')
    .select([
      't.kind',
      't.account_id',
      't.user_id',
      't.app_id',
      't.scopes',
      't.expires_at',
      't.revoked_at',
      'u.account_id as user_account_id',
      'u.email as user_email',
      'u.role as user_role',
      'u.status as user_status',
      'a.plan',
      'o.category',
      'o.limit_type',
      'o.value',
    ])
    .where('t.digest', '=', digest),
);

/** Access tokens: issued, looked up by digest, revoked. */
export const tokens = {
  insert: (q: Q, row: Insertable<Database['access_tokens']>) =>
    q.insertInto('access_tokens').values(row).execute(),
  /**
   * What authenticating a request needs, in one query: the token, the user it acts
   * for, and its account's plan and rate-limit overrides (one row per override).
   * Undefined for an unknown digest; the user and plan are null when they are gone.
   */
  withHolder: async (q: Q, digest: string) => {
    const rows = await tokenWithHolder(q, digest);
    const first = rows[0];
    if (!first) return undefined;
    const { category: _c, limit_type: _l, value: _v, plan, ...token } = first;
    return { ...token, limits: plan === null ? undefined : { plan, overrides: overrideRows(rows) } };
  },
  /** Live tokens of an app, oldest first. */
  liveForApp: (q: Q, appId: string, now: number) =>
    q
      .selectFrom('access_tokens')
      .select(['digest', 'issued_at'])
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('issued_at')
      .orderBy('digest')
      .execute(),
  /** Every live token acting for the user stops working now. */
  revokeForUser: (q: Q, userId: string, now: number) =>
    q
      .updateTable('access_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute(),
  /** The user's own user-level tokens stop working now (not those of apps they created). */
  revokeUserLevelForUser: (q: Q, userId: string, now: number) =>
    q
      .updateTable('access_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('kind', '=', 'user')
      .where('revoked_at', 'is', null)
      .execute(),
  /** Deletes the rows of tokens that expired or were revoked at or before `before`; how many. */
  purge: async (q: Q, before: number): Promise<number> => {
    const r = await q
      .deleteFrom('access_tokens')
      .where((eb) => eb.or([eb('expires_at', '<=', before), eb('revoked_at', '<=', before)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },
  revoke: (q: Q, digests: string[], now: number) =>
    digests.length === 0
      ? Promise.resolve()
      : q.updateTable('access_tokens').set({ revoked_at: now }).where('digest', 'in', digests).execute(),
};
