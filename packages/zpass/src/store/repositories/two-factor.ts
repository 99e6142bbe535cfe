import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { Q } from './query.js';

export type TwoFactor = Selectable<Database['two_factor']>;
export type TwoFactorChallenge = Selectable<Database['two_factor_challenges']>;

/** Users' TOTP secrets (migration 0013), one row per user, pending or enabled. */
export const twoFactors = {
  forUser: (q: Q, userId: string) =>
    q.selectFrom('two_factor').selectAll().where('user_id', '=', userId).executeTakeFirst(),
  /** Writes a pending secret, replacing any earlier pending one. */
  putPending: async (q: Q, row: Insertable<Database['two_factor']>) => {
    await q.deleteFrom('two_factor').where('user_id', '=', row.user_id).execute();
    await q.insertInto('two_factor').values(row).execute();
  },
  enable: (q: Q, userId: string, now: number, step: number) =>
    q
      .updateTable('two_factor')
      .set({ enabled_at: now, last_step: step })
      .where('user_id', '=', userId)
      .where('enabled_at', 'is', null)
      .execute(),
  /** Records an accepted code's step; false when a code of this step or a later one was accepted first. */
  acceptStep: async (q: Q, userId: string, step: number) => {
    const res = await q
      .updateTable('two_factor')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  reseal: (q: Q, userId: string, from: string, to: string) =>
    q
      .updateTable('two_factor')
      .set({ secret_sealed: to })
      .where('user_id', '=', userId)
      .where('secret_sealed', '=', from)
      .execute(),
  all: (q: Q) => q.selectFrom('two_factor').select(['user_id', 'secret_sealed']).execute(),
  /** The user's secret, recovery codes and waiting sign-ins go; whether there was a secret. */
  deleteForUser: async (q: Q, userId: string) => {
    await q.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await q.deleteFrom('two_factor_challenges').where('user_id', '=', userId).execute();
    const res = await q.deleteFrom('two_factor').where('user_id', '=', userId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },
};

export const recoveryCodes = {
  /** Replaces the user's codes with these digests. */
  replace: async (q: Q, userId: string, digests: string[]) => {
    await q.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await q
      .insertInto('recovery_codes')
      .values(digests.map((code_digest) => ({ user_id: userId, code_digest, used_at: null })))
      .execute();
  },
  /** Uses the code up; false when it is not the user's or was used before. */
  use: async (q: Q, userId: string, codeDigest: string, now: number) => {
    const res = await q
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('code_digest', '=', codeDigest)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  unusedCount: async (q: Q, userId: string) =>
    Number(
      (
        await q
          .selectFrom('recovery_codes')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .where('used_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    ),
};

export const twoFactorChallenges = {
  insert: (q: Q, row: Insertable<Database['two_factor_challenges']>) =>
    q.insertInto('two_factor_challenges').values(row).execute(),
  byDigest: (q: Q, digest: string) =>
    q.selectFrom('two_factor_challenges').selectAll().where('token_digest', '=', digest).executeTakeFirst(),
  countAttempt: (q: Q, digest: string) =>
    q
      .updateTable('two_factor_challenges')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('token_digest', '=', digest)
      .execute(),
  delete: (q: Q, digest: string) =>
    q.deleteFrom('two_factor_challenges').where('token_digest', '=', digest).execute(),
  /** The user's ended challenges go whenever a new one starts: rows never outlive the next sign-in. */
  deleteExpiredForUser: (q: Q, userId: string, now: number) =>
    q
      .deleteFrom('two_factor_challenges')
      .where('user_id', '=', userId)
      .where('expires_at', '<=', now)
      .execute(),
};
