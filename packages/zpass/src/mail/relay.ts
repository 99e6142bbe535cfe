import { createHash, randomBytes } from 'node:crypto';
import { isEmail } from '@zpass/contract';
import type { Logger } from 'pino';
import { type Clock, Deadline } from '../clock.js';
import type { MailConfig } from '../config.js';
import type { Store } from '../store/database.js';
import { accounts } from '../store/repositories/accounts.js';
import { type OutboxRow, outbox } from '../store/repositories/outbox.js';
import { type Judged, judge, NoticeError } from './failures.js';
import { PayloadError, RENDERERS, type Renderer } from './templates/index.js';
import type { Delivered, MailTransport, OutgoingMessage } from './transport.js';

/** What the relay needs: the mail settings plus where its public links point. */
export interface RelaySettings
  extends Pick<
    MailConfig,
    | 'from'
    | 'brand'
    | 'resetPath'
    | 'maxAttempts'
    | 'retryBaseMs'
    | 'retryMaxMs'
    | 'pollMs'
    | 'sendTimeoutMs'
    | 'leaseMs'
    | 'concurrency'
  > {
  publicUrl: string;
}

export type NoticePreparer = (
  kind: string,
  payload: Record<string, unknown>,
) => Promise<Record<string, unknown> | undefined>;

export interface RelayOptions {
  store: Store;
  transport: MailTransport;
  clock: Clock;
  logger: Logger;
  settings: RelaySettings;
  /** Templates by kind (default RENDERERS). */
  renderers?: Readonly<Record<string, Renderer>>;
  /** Texts that must never appear in a stored error (e.g. the SMTP password). */
  secrets?: readonly string[];
  /**
   * Completes a notice's payload just before it is rendered (e.g. mints the invitation
   * link, whose token is never stored); undefined when the notice is no longer wanted.
   */
  prepare?: NoticePreparer;
  /** Extra wake-ups, e.g. PostgreSQL notifications from other servers. Returns an unsubscribe. */
  subscribe?: (wake: () => void) => Promise<() => Promise<void>>;
}

/** A plain address a mail server can take: the one e-mail rule of the API and the CLI. */
export function deliverableAddress(a: string): boolean {
  return isEmail(a);
}

/**
 * The Message-ID of one attempt at a notice: the one claimed with the row, so that a
 * retry of the same content is recognised as a duplicate. A notice whose link is minted
 * at sending (an invitation: each attempt makes a new token and the previous link stops
 * working) gets a Message-ID of its own per link, so that a mail system that drops a
 * repeated Message-ID never hides the copy whose link works.
 */
export function messageIdFor(
  row: Pick<OutboxRow, 'kind' | 'id' | 'created_at' | 'message_id'>,
  from: string,
  mintedLink?: string,
): string {
  const base = row.message_id ?? `<${row.kind}.${row.id}.${row.created_at.toString(36)}@${fromDomain(from)}>`;
  if (mintedLink === undefined) return base;
  const tag = createHash('sha256').update(mintedLink).digest('base64url').slice(0, 16);
  return base.replace(/@/, `.${tag}@`);
}

/** The domain of the From address (for Message-IDs). */
export function fromDomain(from: string): string {
  const m = /@([^\s@>]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'localhost';
}

/**
 * The delay before attempt `attempt + 1`: base × 2^(attempt-1), capped, with "equal
 * jitter" (between half and all of it), so that notices held up by one outage do not
 * all return at the same instant.
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

/**
 * Drains the outbox: claims due notices (each by exactly one relay, see
 * `outbox.claim`), renders and delivers them outside any transaction, and records
 * the outcome. Woken at once by commits that queued a notice, and by a poll.
 * Deliveries run side by side up to `concurrency`, so one stalled server connection
 * holds up only its own notice.
 */
export class MailRelay {
  private readonly renderers: Readonly<Record<string, Renderer>>;
  private running = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  /** A pass stopped at `concurrency` deliveries in flight: more notices may be due. */
  private backlog = false;
  private claimFailing = false;
  private readonly inflight = new Map<number, AbortController>();
  private readonly settled = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Array<() => unknown> = [];

  constructor(private readonly o: RelayOptions) {
    this.renderers = o.renderers ?? RENDERERS;
  }

  get transport(): MailTransport {
    return this.o.transport;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe.push(this.o.store.onOutbox(() => this.wake()));
    if (this.o.subscribe) this.unsubscribe.push(await this.o.subscribe(() => this.wake()));
    this.timer = setInterval(() => this.wake(), this.o.settings.pollMs);
    this.timer.unref();
    this.o.logger.info({ transport: this.o.transport.description }, 'mail relay started');
    // Tell the operator at once about a server that cannot be reached or refuses the
    // credentials; notices wait in the outbox meanwhile.
    this.o.transport.check?.().then(
      () => this.o.logger.info({ transport: this.o.transport.description }, 'mail server reachable'),
      (err) =>
        this.o.logger.warn(
          { transport: this.o.transport.description, error: judge(err, this.o.secrets ?? []).reason },
          'mail server not usable yet; notices wait in the outbox',
        ),
    );
    this.wake();
  }

  /** Look for due notices now (coalesces: many wakes during one pass cause one more pass). */
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
    const { concurrency, leaseMs } = this.o.settings;
    while (this.running) {
      const room = concurrency - this.inflight.size;
      if (room <= 0) {
        // Notices may be waiting: a delivery that finishes looks again.
        this.backlog = true;
        return;
      }
      this.backlog = false;
      let rows: OutboxRow[];
      try {
        rows = await this.claim(room, leaseMs);
      } catch (err) {
        if (!this.claimFailing) {
          this.claimFailing = true;
          this.o.logger.warn(
            { error: (err as Error).message },
            'mail relay cannot reach the store; will keep trying',
          );
        }
        return;
      }
      if (this.claimFailing) {
        this.claimFailing = false;
        this.o.logger.info('mail relay reaches the store again');
      }
      for (const row of rows) this.launch(row);
      // Fewer than asked for: none was left due. A later notice wakes the relay with its
      // commit, a retry's turn comes with the poll; claiming again now would find nothing.
      if (rows.length < room) return;
    }
  }

  private async claim(limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const { store, clock } = this.o;
    const domain = fromDomain(this.o.settings.from);
    return store.transaction(async (tx) => {
      const rows = await outbox.claim(tx, store.dialect, clock.now(), limit, leaseMs);
      for (const row of rows) {
        if (row.message_id) continue;
        const id = `<${row.kind}.${row.id}.${row.created_at.toString(36)}.${randomBytes(6).toString('hex')}@${domain}>`;
        await outbox.setMessageId(tx, row.id, id);
        row.message_id = id;
      }
      return rows;
    });
  }

  private launch(row: OutboxRow): void {
    const abort = new AbortController();
    this.inflight.set(row.id, abort);
    const done: Promise<void> = this.deliver(row, abort.signal)
      .catch((err) => this.o.logger.error({ id: row.id, error: (err as Error).message }, 'mail relay error'))
      .finally(() => {
        this.inflight.delete(row.id);
        this.settled.delete(done);
        if (this.backlog) this.wake();
      });
    this.settled.add(done);
  }

  /** Renders a claimed notice into a message. */
  async compose(row: OutboxRow): Promise<OutgoingMessage> {
    const render = this.renderers[row.kind];
    if (!render) throw new NoticeError(`no template for notices of kind "${row.kind}"`, false);
    if (!deliverableAddress(row.recipient)) {
      throw new NoticeError(`the recipient address ${JSON.stringify(row.recipient)} is malformed`, true);
    }
    let payload: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(row.payload);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      payload = parsed as Record<string, unknown>;
    } catch {
      throw new NoticeError("the notice's payload is not a JSON object", true);
    }
    let minted: string | undefined;
    if (this.o.prepare) {
      const before = payload.link;
      const prepared = await this.o.prepare(row.kind, payload);
      if (prepared && typeof prepared.link === 'string' && prepared.link !== before) minted = prepared.link;
      if (!prepared)
        throw new NoticeError(
          'the notice is no longer wanted (its invitation was used, withdrawn or has expired)',
          true,
        );
      payload = prepared;
    }
    const db = this.o.store.db;
    const account = await accounts.get(db, row.account_id);
    // Local times follow the time zone recorded with the notice, if any (else UTC only).
    const tz = (typeof payload.timezone === 'string' && payload.timezone) || undefined;
    const s = this.o.settings;
    let rendered: ReturnType<Renderer>;
    try {
      rendered = render(payload, {
        brand: s.brand,
        publicUrl: s.publicUrl.replace(/\/+$/, ''),
        resetPath: s.resetPath,
        account: account ? { id: account.id, name: account.name } : undefined,
        timezone: tz,
      });
    } catch (err) {
      if (err instanceof PayloadError) throw new NoticeError(err.message, true);
      throw err;
    }
    return {
      id: row.id,
      kind: row.kind,
      from: s.from,
      to: row.recipient,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: messageIdFor(row, s.from, minted),
      date: new Date(row.created_at),
    };
  }

  private async deliver(row: OutboxRow, signal: AbortSignal): Promise<void> {
    const { clock, logger, settings } = this.o;
    const attempt = row.attempts;
    const deadline = new Deadline(signal, settings.sendTimeoutMs);
    let message: OutgoingMessage;
    let result: Delivered;
    try {
      message = await this.compose(row);
      result = await abortable(this.o.transport.send(message, deadline.signal), deadline.signal);
    } catch (err) {
      const stopping = signal.aborted && !deadline.expired;
      const judged = stopping
        ? {
            permanent: false,
            reason: 'interrupted by shutdown (the message may or may not have been delivered)',
          }
        : deadline.expired
          ? {
              permanent: false,
              reason: `no answer within ${settings.sendTimeoutMs} ms (the message may or may not have been delivered)`,
            }
          : judge(err, this.o.secrets ?? []);
      await this.recordFailure(row, attempt, judged, stopping);
      return;
    } finally {
      deadline.end();
    }
    if (result.file) {
      logger.info(
        { id: row.id, kind: row.kind, to: row.recipient, file: result.file },
        `mail written to ${result.file}`,
      );
    } else {
      logger.info(
        {
          id: row.id,
          kind: row.kind,
          to: row.recipient,
          messageId: message.messageId,
          attempt,
          reply: result.detail,
        },
        'mail sent',
      );
    }
    // The message is out: recording it must not turn into a second delivery, so a store
    // that is briefly unreachable is tried again here rather than treated as a failed send.
    for (let i = 1; ; i++) {
      try {
        const recorded = await outbox.markSent(this.o.store.db, row.id, attempt, clock.now());
        if (!recorded) logger.warn({ id: row.id }, 'mail sent, but its claim had passed to another relay');
        return;
      } catch (err) {
        if (i >= 5 || !this.running) {
          logger.error(
            { id: row.id, error: (err as Error).message },
            'mail sent but not recorded; it will be sent again, with the same Message-ID, when its claim runs out',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * i));
      }
    }
  }

  private async recordFailure(
    row: OutboxRow,
    attempt: number,
    judged: Judged,
    stopping: boolean,
  ): Promise<void> {
    const { store, clock, logger, settings } = this.o;
    const now = clock.now();
    if (stopping) {
      // Due again at once, for this relay after a restart or for another one.
      await outbox.markRetry(store.db, row.id, attempt, now, now, judged.reason).catch(() => {});
      return;
    }
    if (judged.permanent || attempt >= settings.maxAttempts) {
      await outbox.markFailed(store.db, row.id, attempt, now, judged.reason);
      logger.warn(
        { id: row.id, kind: row.kind, to: row.recipient, attempt, error: judged.reason },
        judged.permanent ? 'mail failed permanently' : `mail failed after ${attempt} attempts`,
      );
      return;
    }
    const delay = backoffMs(attempt, settings.retryBaseMs, settings.retryMaxMs);
    await outbox.markRetry(store.db, row.id, attempt, now, now + delay, judged.reason);
    logger.warn(
      { id: row.id, kind: row.kind, to: row.recipient, attempt, retryInMs: delay, error: judged.reason },
      'mail not delivered; will retry',
    );
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
    await this.o.transport.close();
  }
}

/** Rejects as soon as `signal` aborts, even if the work itself does not notice. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
