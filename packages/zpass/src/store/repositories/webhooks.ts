import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { Database, WebhookDeliveryStatus, WebhookSubscriptionStatus } from '../schema.js';
import type { Tx } from '../tx.js';

export type WebhookSecretRow = Selectable<Database['webhook_secrets']>;
export type WebhookSubscription = Selectable<Database['webhook_subscriptions']>;
export type WebhookDelivery = Selectable<Database['webhook_deliveries']>;

/** A claimed delivery with what sending it needs: the endpoint and the app's sealed secret. */
export interface ClaimedDelivery extends WebhookDelivery {
  url: string;
  app_id: string;
  secret_sealed: string | null;
}

type Q = Kysely<Database>;

/** The channel a commit that queued a delivery announces (`Tx.announce`): it wakes the webhook relays. */
export const WEBHOOK_CHANNEL = 'zpass_webhooks';

export const webhookSecrets = {
  get: (q: Q, appId: string) =>
    q.selectFrom('webhook_secrets').selectAll().where('app_id', '=', appId).executeTakeFirst(),
  /** Stores the app's first secret unless one exists; either way the stored one wins. */
  insertIfAbsent: (q: Q, row: Insertable<Database['webhook_secrets']>) =>
    q
      .insertInto('webhook_secrets')
      .values(row)
      .onConflict((oc) => oc.column('app_id').doNothing())
      .execute(),
  replace: (q: Q, appId: string, sealed: string, now: number) =>
    q
      .updateTable('webhook_secrets')
      .set({ secret_sealed: sealed, rotated_at: now })
      .where('app_id', '=', appId)
      .execute(),
};

export const webhookSubscriptions = {
  insert: (q: Q, row: Insertable<Database['webhook_subscriptions']>) =>
    q.insertInto('webhook_subscriptions').values(row).execute(),
  byId: (q: Q, id: string) =>
    q.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst(),
  byAppUrl: (q: Q, appId: string, url: string) =>
    q
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where('app_id', '=', appId)
      .where('url', '=', url)
      .executeTakeFirst(),
  /** Active subscriptions of an account: the candidates for each of its events. */
  activeForAccount: (q: Q, accountId: string) =>
    q
      .selectFrom('webhook_subscriptions')
      .select(['id', 'events'])
      .where('account_id', '=', accountId)
      .where('status', '=', 'active')
      .orderBy('id')
      .execute(),
  /** Every endpoint (or an app's) with its app's client id, oldest first. */
  list: (q: Q, appId?: string) => {
    let query = q
      .selectFrom('webhook_subscriptions as s')
      .innerJoin('apps as a', 'a.id', 's.app_id')
      .selectAll('s')
      .select('a.client_id')
      .orderBy('s.created_at')
      .orderBy('s.id');
    if (appId) query = query.where('s.app_id', '=', appId);
    return query.execute();
  },
  update: (
    q: Q,
    id: string,
    patch: {
      events: string;
      status: WebhookSubscriptionStatus;
      last_error: string | null;
      validated_at: number | null;
    },
  ) => q.updateTable('webhook_subscriptions').set(patch).where('id', '=', id).execute(),
  delete: async (q: Q, id: string) =>
    Number(
      (await q.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst()).numDeletedRows,
    ) === 1,
};

/** A delivery as the operator sees it, with its endpoint. */
export type DeliveryListing = WebhookDelivery & { url: string | null };

export const webhookDeliveries = {
  /** Queues deliveries inside the transaction of the change they report; the commit wakes the relay. */
  insertMany: async (tx: Tx, rows: Insertable<Database['webhook_deliveries']>[]) => {
    if (rows.length === 0) return;
    await tx.insertInto('webhook_deliveries').values(rows).execute();
    await tx.announce(WEBHOOK_CHANNEL);
  },
  /**
   * Claims up to `limit` due deliveries for one relay, inside a transaction. A row is due
   * only when no earlier row with its ordering key is still pending (an endpoint gets one
   * user's events in order, the next only once the previous is delivered or given up).
   * PostgreSQL locks the candidates with FOR UPDATE SKIP LOCKED, so concurrent relays take
   * disjoint rows; SQLite's write lock already excludes them. At most `perEndpoint` rows per
   * endpoint are in flight for this relay (`inFlight` counts those it already has), so that a
   * slow endpoint cannot fill every slot. Taken rows are leased until `now + leaseMs` and their attempt
   * counted.
   */
  claim: async (
    tx: Q,
    dialect: Dialect,
    now: number,
    limit: number,
    leaseMs: number,
    perEndpoint: number,
    inFlight: ReadonlyMap<string, number>,
  ): Promise<ClaimedDelivery[]> => {
    // Endpoints with every slot taken are left out of the pick, so that their rows, however
    // many, never crowd out other endpoints' rows.
    const full = [...inFlight].filter(([, n]) => n >= perEndpoint).map(([id]) => id);
    let pick = tx
      .selectFrom('webhook_deliveries as d')
      .select(['d.id', 'd.subscription_id'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_deliveries as e')
              .select('e.id')
              .whereRef('e.ordering_key', '=', 'd.ordering_key')
              .where('e.status', '=', 'pending')
              .whereRef('e.id', '<', 'd.id'),
          ),
        ),
      )
      .orderBy('d.id')
      .limit(limit * 4);
    if (full.length > 0) pick = pick.where('d.subscription_id', 'not in', full);
    if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const candidates = await pick.execute();
    const taken = new Map<string, number>();
    const ids: number[] = [];
    for (const c of candidates) {
      if (ids.length >= limit) break;
      const n = taken.get(c.subscription_id) ?? inFlight.get(c.subscription_id) ?? 0;
      if (n >= perEndpoint) continue;
      taken.set(c.subscription_id, n + 1);
      ids.push(c.id);
    }
    if (ids.length === 0) return [];
    await tx
      .updateTable('webhook_deliveries')
      .set((e) => ({ next_attempt_at: now + leaseMs, attempts: e('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .execute();
    return tx
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
      .leftJoin('webhook_secrets as k', 'k.app_id', 's.app_id')
      .selectAll('d')
      .select(['s.url', 's.app_id', 'k.secret_sealed'])
      .where('d.id', 'in', ids)
      .orderBy('d.id')
      .execute();
  },
  byId: (q: Q, id: number) =>
    q.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst(),
  forSubscription: (q: Q, subscriptionId: string) =>
    q
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .orderBy('id')
      .execute(),
  /**
   * Records the outcome of the attempt that claimed the row as attempt number `attempt`;
   * applies only while that claim holds (the row still pending at that attempt), so a relay
   * whose lease ran out cannot overwrite a newer outcome. Returns whether it applied.
   */
  markDelivered: async (q: Q, id: number, attempt: number, now: number, httpStatus: number) =>
    Number(
      (
        await q
          .updateTable('webhook_deliveries')
          .set({
            status: 'delivered',
            delivered_at: now,
            last_attempt_at: now,
            last_status: httpStatus,
            last_error: null,
          })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .where('attempts', '=', attempt)
          .executeTakeFirst()
      ).numUpdatedRows,
    ) === 1,
  markAttempt: async (
    q: Q,
    id: number,
    attempt: number,
    outcome: {
      now: number;
      status: Extract<WebhookDeliveryStatus, 'pending' | 'failed'>;
      nextAttemptAt: number;
      httpStatus: number | null;
      error: string;
    },
  ) =>
    Number(
      (
        await q
          .updateTable('webhook_deliveries')
          .set({
            status: outcome.status,
            next_attempt_at: outcome.nextAttemptAt,
            last_attempt_at: outcome.now,
            last_status: outcome.httpStatus,
            last_error: outcome.error,
          })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .where('attempts', '=', attempt)
          .executeTakeFirst()
      ).numUpdatedRows,
    ) === 1,
  /**
   * Gives back a claimed delivery whose attempt was interrupted (the relay is stopping):
   * due again at once, the interrupted attempt not counted. Only while the claim holds.
   */
  release: (q: Q, id: number, attempt: number, now: number, error: string) =>
    q
      .updateTable('webhook_deliveries')
      .set({ attempts: attempt - 1, next_attempt_at: now, last_attempt_at: now, last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempt)
      .execute(),
  /** Deliveries for the operator, newest first, with their endpoint's URL. */
  list: (q: Q, opts: { status?: WebhookDeliveryStatus; limit: number }): Promise<DeliveryListing[]> => {
    let query = q
      .selectFrom('webhook_deliveries as d')
      .leftJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
      .selectAll('d')
      .select('s.url')
      .orderBy('d.id', 'desc')
      .limit(opts.limit);
    if (opts.status) query = query.where('d.status', '=', opts.status);
    return query.execute();
  },
  /**
   * Puts failed deliveries back in the queue with a fresh count of attempts, due now
   * (`ids` undefined: every failed one). Delivered rows never change. Returns the ids requeued.
   */
  requeueFailed: async (tx: Tx, now: number, ids?: number[]) => {
    if (ids && ids.length === 0) return [];
    let query = tx
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now })
      .where('status', '=', 'failed');
    if (ids) query = query.where('id', 'in', ids);
    const done = (await query.returning('id').execute()).map((r) => r.id);
    if (done.length > 0) await tx.announce(WEBHOOK_CHANNEL);
    return done;
  },
};
