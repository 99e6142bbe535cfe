/** Where time comes from: injected so that windows and expiry are testable without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to (tests). */
export class ManualClock implements Clock {
  constructor(private t: number = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * A signal that aborts when `outer` does (a shutdown) or after `ms`, whichever comes
 * first, for work whose end is bounded in time: a notice's or an event's delivery.
 * `end()` when the work is over clears the timer and lets go of `outer`, so that a
 * delivery finished in milliseconds holds nothing for the rest of `ms` (what
 * `AbortSignal.timeout` joined by `AbortSignal.any` would do, for each delivery).
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #outer: AbortSignal | undefined;
  readonly #onOuter = () => this.#controller.abort(this.#outer?.reason);
  /** True once `ms` passed before the work ended (and not a shutdown first). */
  expired = false;

  constructor(outer: AbortSignal | undefined, ms: number) {
    this.#outer = outer;
    this.#timer = setTimeout(() => {
      if (this.#controller.signal.aborted) return;
      this.expired = true;
      this.#controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, ms);
    this.#timer.unref();
    if (outer?.aborted) this.#onOuter();
    else outer?.addEventListener('abort', this.#onOuter, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  end(): void {
    clearTimeout(this.#timer);
    this.#outer?.removeEventListener('abort', this.#onOuter);
  }
}
