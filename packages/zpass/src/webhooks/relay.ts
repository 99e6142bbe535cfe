/**
 * The webhook relay: drains `webhook_deliveries` as the mail relay drains the outbox.
 * Claims due deliveries (each by exactly one relay: `webhookDeliveries.claim`), signs each
 * attempt when it is sent, posts it outside any transaction, and records the outcome only
 * while its claim holds. Woken at once by commits that queued a delivery, and by a poll.
 */
import { signWebhook } from '@zpass/zoom-client/webhooks';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { WebhookConfig } from '../config.js';
import { openSecret, sealingKey } from '../domain/webhooks/secrets.js';
import type { EndpointAnswer, PostWebhook } from '../domain/webhooks/subscriptions.js';
import { redactQuery } from '../log/redact.js';
import type { Store } from '../store/database.js';
import { type ClaimedDelivery, WEBHOOK_CHANNEL, webhookDeliveries } from '../store/repositories/webhooks.js';

export type WebhookRelaySettings = Pick<
  WebhookConfig,
  'retryScheduleMs' | 'timeoutMs' | 'leaseMs' | 'pollMs' | 'concurrency' | 'perEndpoint'
>;

export interface WebhookRelayOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  settings: WebhookRelaySettings;
  post: PostWebhook;
  /** Extra wake-ups, e.g. PostgreSQL notifications from other servers. Returns an unsubscribe. */
  subscribe?: (wake: () => void) => Promise<() => Promise<void>>;
}

/** The header that carries the event's id: the same on every attempt and every endpoint. */
export const EVENT_ID_HEADER = 'x-zpass-event-id';

/** Whether an answer counts as delivered: Zoom's rule, 200 or 204 (in time, which `post` bounds). */
export function delivered(answer: EndpointAnswer): boolean {
  return answer.status === 200 || answer.status === 204;
}

/** A short, secret-free description of an answer that is not a delivery. */
function answerError(answer: EndpointAnswer): string {
  if (answer.status >= 300 && answer.status < 400)
    return `the endpoint answered ${answer.status} (a redirect: redirects are not followed)`;
  return `the endpoint answered ${answer.status}`;
}

export class WebhookRelay {
  private running = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  private claimFailing = false;
  private readonly inflight = new Map<number, AbortController>();
  /** Deliveries in flight per endpoint (subscription id). */
  private readonly perEndpoint = new Map<string, number>();
  private readonly settled = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Array<() => unknown> = [];
  private key: Buffer | undefined;

  constructor(private readonly o: WebhookRelayOptions) {}

  get maxAttempts(): number {
    return this.o.settings.retryScheduleMs.length + 1;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe.push(this.o.store.listen(WEBHOOK_CHANNEL, () => this.wake()));
    if (this.o.subscribe) this.unsubscribe.push(await this.o.subscribe(() => this.wake()));
    this.timer = setInterval(() => this.wake(), this.o.settings.pollMs);
    this.timer.unref();
    this.o.logger.info(
      { retryScheduleMs: this.o.settings.retryScheduleMs, timeoutMs: this.o.settings.timeoutMs },
      'webhook relay started',
    );
    this.wake();
  }

  /** Look for due deliveries now (coalesces: many wakes during one pass cause one more pass). */
  wake(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async pump(): Promise<void> {
    const { concurrency, leaseMs, perEndpoint } = this.o.settings;
    while (this.running && this.inflight.size < concurrency) {
      let rows: ClaimedDelivery[];
      const limit = concurrency - this.inflight.size;
      try {
        rows = await this.o.store.transaction((tx) =>
          webhookDeliveries.claim(
            tx,
            this.o.store.dialect,
            this.o.clock.now(),
            limit,
            leaseMs,
            perEndpoint,
            this.perEndpoint,
          ),
        );
      } catch (err) {
        if (!this.claimFailing) {
          this.claimFailing = true;
          this.o.logger.warn(
            { error: (err as Error).message },
            'webhook relay cannot reach the store; will keep trying',
          );
        }
        return;
      }
      if (this.claimFailing) {
        this.claimFailing = false;
        this.o.logger.info('webhook relay reaches the store again');
      }
      for (const row of rows) this.launch(row);
      // Fewer than asked for: nothing else is due now (a finished delivery wakes the relay again).
      if (rows.length < limit) return;
    }
  }

  private launch(row: ClaimedDelivery): void {
    const abort = new AbortController();
    this.inflight.set(row.id, abort);
    this.perEndpoint.set(row.subscription_id, (this.perEndpoint.get(row.subscription_id) ?? 0) + 1);
    const done: Promise<void> = this.deliver(row, abort.signal)
      .catch((err) =>
        this.o.logger.error({ delivery: row.id, error: (err as Error).message }, 'webhook relay error'),
      )
      .finally(() => {
        this.inflight.delete(row.id);
        const n = (this.perEndpoint.get(row.subscription_id) ?? 1) - 1;
        if (n <= 0) this.perEndpoint.delete(row.subscription_id);
        else this.perEndpoint.set(row.subscription_id, n);
        this.settled.delete(done);
        this.wake();
      });
    this.settled.add(done);
  }

  private async secret(row: ClaimedDelivery): Promise<string> {
    if (!row.secret_sealed) throw new Error("the app has no secret token (it was removed): can't sign");
    this.key ??= await sealingKey(this.o.store.db, this.o.clock.now());
    return openSecret(this.key, row.app_id, row.secret_sealed);
  }

  private async deliver(row: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.o;
    const attempt = row.attempts;
    const log = {
      delivery: row.id,
      event_id: row.event_id,
      event: row.event,
      url: redactQuery(row.url),
      attempt,
    };
    let answer: EndpointAnswer;
    try {
      const signed = await signWebhook({
        secretToken: await this.secret(row),
        body: row.body,
        timestamp: Math.floor(clock.now() / 1000),
      });
      answer = await this.o.post(
        row.url,
        { body: signed.body, headers: { ...signed.headers, [EVENT_ID_HEADER]: row.event_id } },
        signal,
      );
    } catch (err) {
      await this.recordFailure(row, attempt, null, (err as Error).message, signal.aborted);
      return;
    }
    if (!delivered(answer)) {
      await this.recordFailure(row, attempt, answer.status, answerError(answer), false);
      return;
    }
    // The endpoint has it: recording it must not turn into a second delivery, so a store
    // that is briefly unreachable is tried again here rather than treated as a failure.
    for (let i = 1; ; i++) {
      try {
        const recorded = await webhookDeliveries.markDelivered(
          this.o.store.db,
          row.id,
          attempt,
          clock.now(),
          answer.status,
        );
        if (recorded) logger.info({ ...log, status: answer.status }, 'webhook delivered');
        else logger.warn(log, 'webhook delivered, but its claim had passed to another relay');
        return;
      } catch (err) {
        if (i >= 5 || !this.running) {
          logger.error(
            { ...log, error: (err as Error).message },
            'webhook delivered but not recorded; it will be sent again, with the same event id, when its claim runs out',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * i));
      }
    }
  }

  private async recordFailure(
    row: ClaimedDelivery,
    attempt: number,
    httpStatus: number | null,
    error: string,
    stopping: boolean,
  ): Promise<void> {
    const { store, clock, logger, settings } = this.o;
    const now = clock.now();
    const log = {
      delivery: row.id,
      event_id: row.event_id,
      event: row.event,
      url: redactQuery(row.url),
      attempt,
    };
    if (stopping) {
      // Due again at once, for this relay after a restart or for another one; the
      // interrupted attempt does not count.
      await webhookDeliveries.release(store.db, row.id, attempt, now, error).catch(() => {});
      return;
    }
    if (attempt >= this.maxAttempts) {
      await webhookDeliveries.markAttempt(store.db, row.id, attempt, {
        now,
        status: 'failed',
        nextAttemptAt: now,
        httpStatus,
        error,
      });
      logger.warn({ ...log, error }, `webhook failed after ${attempt} attempts`);
      return;
    }
    const wait = settings.retryScheduleMs[attempt - 1]!;
    await webhookDeliveries.markAttempt(store.db, row.id, attempt, {
      now,
      status: 'pending',
      nextAttemptAt: now + wait,
      httpStatus,
      error,
    });
    logger.warn({ ...log, retryInMs: wait, error }, 'webhook not delivered; will retry');
  }

  /** Stops claiming; lets deliveries in flight finish for up to `graceMs`, then interrupts them. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    for (const u of this.unsubscribe.splice(0)) await u();
    await this.pumping;
    if (this.settled.size > 0) {
      const grace = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([Promise.all(this.settled), grace]);
      for (const c of this.inflight.values()) c.abort();
      await Promise.all(this.settled);
    }
  }
}
