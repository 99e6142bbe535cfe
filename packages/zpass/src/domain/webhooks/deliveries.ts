/** The operator's view of deliveries, and sending failed ones again. */

import { type DeliveryListing, webhookDeliveries } from '../../store/repositories/webhooks.js';
import type { WebhookDeliveryStatus } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { WebhookError } from '../errors.js';

export interface DeliveryView {
  id: number;
  event_id: string;
  event: string;
  subscription_id: string;
  url: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

function view(r: DeliveryListing): DeliveryView {
  return {
    id: r.id,
    event_id: r.event_id,
    event: r.event,
    subscription_id: r.subscription_id,
    url: r.url,
    status: r.status,
    attempts: r.attempts,
    created_at: r.created_at,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
    last_attempt_at: r.last_attempt_at,
    last_status: r.last_status,
    last_error: r.last_error,
    delivered_at: r.delivered_at,
  };
}

/** Deliveries, newest first (`status` narrows them). */
export async function listDeliveries(
  ctx: DomainContext,
  opts: { status?: WebhookDeliveryStatus; limit: number },
): Promise<DeliveryView[]> {
  return (await webhookDeliveries.list(ctx.store.db, opts)).map(view);
}

/**
 * Puts one failed delivery (or every failed one, `id` undefined) back in the queue with fresh
 * attempts. A delivered or pending delivery is refused: it is never sent again by this.
 */
export async function redeliver(ctx: DomainContext, id?: number): Promise<number[]> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx) => {
    const done = await webhookDeliveries.requeueFailed(tx, now, id === undefined ? undefined : [id]);
    if (id !== undefined && done.length === 0) {
      const row = await webhookDeliveries.byId(tx, id);
      if (!row) throw new WebhookError('delivery_not_found', `There is no delivery ${id}.`);
      throw new WebhookError(
        'delivery_not_failed',
        `Delivery ${id} is ${row.status}, not failed: nothing to send again.`,
      );
    }
    return done;
  });
}
