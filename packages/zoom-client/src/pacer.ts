import type { RateLimitObservation, ZoomClient } from './client.js';
import { CATEGORIES, PLAN_LIMITS } from './contract/index.js';
import { ZoomRateLimitError } from './errors.js';
import type { RateLimitCategory } from './rate-limit.js';

/**
 * Per-second limits of Zoom's Free plan (the contract's plan table, which the server enforces),
 * the safe start before the headers tell the real one.
 */
export const FREE_PLAN_QPS: Record<string, number> = {
  ...Object.fromEntries(CATEGORIES.map((c) => [c, PLAN_LIMITS.free[c].qps])),
  'Resource-intensive': 1,
};

export interface PacerOptions {
  /** Only responses of this category teach the pacer (the category of the calls it paces). */
  category?: RateLimitCategory;
  /** Per-second limit until a response's `X-RateLimit-Limit` says otherwise. Default: the Free plan's for the category (2 without one). */
  limit?: number;
  /** Keep to this fraction of the limit (other apps of the account share it). Default 0.8. */
  fraction?: number;
  /** Calls in flight at most. Default 16. */
  concurrency?: number;
}

/**
 * Keeps a batch of calls just under the account's per-second limit: starts follow a grid spaced
 * by `1 / (limit × fraction)` seconds; a start that comes late (a busy event loop, a slow
 * machine) is made up by the next ones, at most twice as fast and never more than
 * `floor(limit × fraction)` starts in any one second, so lateness costs no throughput and never
 * causes a burst. The limit is learned from `X-RateLimit-Limit` of QPS
 * responses (a waiting call re-times itself as soon as it changes), a per-second 429 pauses
 * every start until its `Retry-After`, and after a daily limit every further call fails at
 * once with that 429 until the limit resets.
 *
 * ```ts
 * const pacer = new RateLimitPacer(zoom, { category: 'Medium' });
 * await Promise.all(rows.map((r) => pacer.schedule(() => zoom.users.updatePassword(r.email, r.password))));
 * pacer.close();
 * ```
 */
export class RateLimitPacer {
  #limit: number;
  readonly #fraction: number;
  readonly #concurrency: number;
  readonly #category: string | undefined;
  /** When the last call started (epoch ms). */
  #lastStart = Number.NEGATIVE_INFINITY;
  /** The grid: start number `#gridIndex` is due at `#gridAnchor + #gridIndex × spacing`. */
  #gridAnchor = Number.NEGATIVE_INFINITY;
  #gridIndex = 0;
  #gridRate = 0;
  /** Start times of the last second or so (ring of the most recent `floor(rate)` starts). */
  readonly #recent: number[] = [];
  /** No call starts before this (a per-second 429's Retry-After). */
  #pausedUntil = 0;
  /** Calls wait for their turn one after another, in the order they were scheduled. */
  #queue: Promise<void> = Promise.resolve();
  /** Wakes the call at the head of the queue to recompute its wait (the limit changed). */
  #wake: (() => void) | undefined;
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  #daily: ZoomRateLimitError | undefined;
  readonly #unsubscribe: () => void;

  constructor(client: ZoomClient, options: PacerOptions = {}) {
    this.#category = options.category?.toLowerCase();
    this.#limit = options.limit ?? FREE_PLAN_QPS[options.category ?? ''] ?? 2;
    this.#fraction = options.fraction ?? 0.8;
    this.#concurrency = options.concurrency ?? 16;
    if (!(this.#limit > 0) || !(this.#fraction > 0 && this.#fraction <= 1) || !(this.#concurrency >= 1)) {
      throw new RangeError('limit must be > 0, fraction in (0, 1], concurrency >= 1.');
    }
    this.#unsubscribe = client.onRateLimit((o) => this.#observe(o));
  }

  /** The per-second limit the pacer currently believes in. */
  get limit(): number {
    return this.#limit;
  }

  /** Starts per second the pacer allows. */
  get ratePerSecond(): number {
    return this.#limit * this.#fraction;
  }

  /** Runs `fn` when its turn comes; resolves or rejects as it does. */
  async schedule<T>(fn: () => Promise<T>): Promise<T> {
    this.#throwIfDaily();
    await this.#acquire();
    try {
      const turn = this.#queue.then(() => this.#waitTurn());
      this.#queue = turn.catch(() => {});
      await turn;
      this.#throwIfDaily();
      return await fn();
    } catch (err) {
      if (err instanceof ZoomRateLimitError && err.isDailyLimit) this.#daily = err;
      throw err;
    } finally {
      this.#release();
    }
  }

  /** Waits until the spacing, as it stands now, allows the next start (re-checked whenever it changes). */
  async #waitTurn(): Promise<void> {
    for (;;) {
      const rate = this.ratePerSecond;
      const spacing = 1000 / rate;
      const now = Date.now();
      // A new grid when the rate changes, or when the run fell more than a second behind it
      // (after a pause or an idle spell: no catching up on time nobody asked for).
      if (rate !== this.#gridRate || now - (this.#gridAnchor + this.#gridIndex * spacing) > 1000) {
        this.#gridRate = rate;
        this.#gridAnchor = Math.max(now, this.#lastStart + spacing);
        this.#gridIndex = 0;
      }
      const perSecond = Math.max(1, Math.floor(rate));
      const windowStart =
        this.#recent.length >= perSecond ? this.#recent[this.#recent.length - perSecond]! + 1000 : 0;
      const at = Math.max(
        this.#gridAnchor + this.#gridIndex * spacing,
        this.#lastStart + spacing / 2,
        windowStart,
        this.#pausedUntil,
      );
      const wait = at - now;
      if (wait <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    this.#lastStart = Date.now();
    this.#gridIndex++;
    this.#recent.push(this.#lastStart);
    if (this.#recent.length > Math.max(1, Math.floor(this.ratePerSecond)) + 1) this.#recent.shift();
  }

  /** Stops listening to the client. */
  close(): void {
    this.#unsubscribe();
  }

  #throwIfDaily(): void {
    const d = this.#daily;
    if (!d) return;
    const at = d.retryAt?.getTime();
    if (at !== undefined && at <= Date.now()) this.#daily = undefined;
    else throw d;
  }

  #acquire(): Promise<void> {
    if (this.#inFlight < this.#concurrency) {
      this.#inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#inFlight--;
  }

  #observe(o: RateLimitObservation): void {
    const info = o.info;
    if (!info) return;
    if (this.#category && info.category?.toLowerCase() !== this.#category) return;
    let changed = false;
    if (
      info.type?.toLowerCase() === 'qps' &&
      info.limit !== undefined &&
      info.limit > 0 &&
      info.limit !== this.#limit
    ) {
      this.#limit = info.limit;
      changed = true;
    }
    if (o.status === 429 && info.type?.toLowerCase() !== 'daily-limit') {
      this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + (info.retryAfterMs ?? 1000));
      changed = true;
    }
    if (changed) this.#wake?.();
  }
}
