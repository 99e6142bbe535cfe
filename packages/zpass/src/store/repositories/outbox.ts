import type { Insertable, Selectable } from 'kysely';
import { type Dialect, dialectOf } from '../dialect.js';
import { OUTBOX_CHANNEL } from '../outbox-channel.js';
import type { Database, OutboxStatus } from '../schema.js';
import type { Tx } from '../tx.js';
import type { Q } from './query.js';

export type OutboxRow = Selectable<Database['outbox']>;

export const outbox = {
  /**
   * Queues a notice. Call it inside `store.transaction` with the change it reports:
   * the notice is then committed with it or not at all, and the commit wakes the relay
   * (it announces OUTBOX_CHANNEL: see `Tx.announce`).
   */
  insert: async (tx: Tx, row: Insertable<Database['outbox']>) => {
    const res = await tx.insertInto('outbox').values(row).execute();
    await tx.announce(OUTBOX_CHANNEL);
    return res;
  },
  /** Queues a notice due now (`insert` with a fresh row's bookkeeping). */
  queue: (tx: Tx, n: { kind: string; account_id: string; recipient: string; payload: object; now: number }) =>
    outbox.insert(tx, {
      kind: n.kind,
      account_id: n.account_id,
      recipient: n.recipient,
      payload: JSON.stringify(n.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: n.now,
      last_error: null,
      created_at: n.now,
      sent_at: null,
    }),
  /**
   * Claims up to `limit` due notices for one relay: inside a transaction, the rows are
   * locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent relays take disjoint rows;
   * SQLite: the transaction's write lock) and leased until `now + leaseMs`, so no other
   * relay takes them until the lease runs out. Returns the claimed rows.
   */
  claim: async (
    tx: Q,
    dialect: Dialect,
    now: number,
    limit: number,
    leaseMs: number,
  ): Promise<OutboxRow[]> => {
    const pick = dialectOf(dialect).claimRows(
      tx
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('id')
        .limit(limit),
    );
    const ids = (await pick.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return tx
      .updateTable('outbox')
      .set((e) => ({ next_attempt_at: now + leaseMs, attempts: e('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  },
  byId: (q: Q, id: number) => q.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst(),
  /** Gives a claimed notice its Message-ID, once: later attempts keep the first one. */
  setMessageId: (q: Q, id: number, messageId: string) =>
    q
      .updateTable('outbox')
      .set({ message_id: messageId })
      .where('id', '=', id)
      .where('message_id', 'is', null)
      .execute(),
  /**
   * Records the outcome of the attempt that claimed the row as attempt number `attempt`.
   * The update applies only while the row is still pending at that attempt, so a relay
   * whose lease ran out (and whose row another relay took) cannot overwrite the newer
   * outcome. Returns whether it applied.
   */
  markSent: async (q: Q, id: number, attempt: number, now: number) => {
    const res = await q
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: now, last_attempt_at: now, last_error: null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  markRetry: async (q: Q, id: number, attempt: number, now: number, nextAttemptAt: number, error: string) => {
    const res = await q
      .updateTable('outbox')
      .set({ next_attempt_at: nextAttemptAt, last_attempt_at: now, last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  markFailed: async (q: Q, id: number, attempt: number, now: number, error: string) => {
    const res = await q
      .updateTable('outbox')
      .set({ status: 'failed', last_attempt_at: now, last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  /** Notices for the operator, newest first. */
  list: (q: Q, opts: { status?: OutboxStatus; limit: number }) => {
    let query = q.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(opts.limit);
    if (opts.status) query = query.where('status', '=', opts.status);
    return query.execute();
  },
  /**
   * Puts failed notices back in the queue with a fresh count of attempts, due now.
   * `ids` undefined: every failed notice. Only failed rows change (a sent notice is
   * never sent again). Returns the ids that were requeued.
   */
  requeueFailed: async (q: Q, now: number, ids?: number[]) => {
    if (ids && ids.length === 0) return [];
    let query = q
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now })
      .where('status', '=', 'failed');
    if (ids) query = query.where('id', 'in', ids);
    return (await query.returning('id').execute()).map((r) => r.id);
  },
};
