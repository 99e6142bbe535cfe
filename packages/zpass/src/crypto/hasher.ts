import { availableParallelism } from 'node:os';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id parameters: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Thrown when a computation would wait too long: the server sheds the request instead of queueing it. */
export class HasherBusyError extends Error {
  constructor() {
    super('password hashing queue is full');
  }
}

/** Default of HasherOptions.maxWaitMs. */
export const DEFAULT_MAX_WAIT_MS = 50;

export interface HasherOptions {
  /** Hashes computed at once (default: the number of cores). */
  concurrency?: number;
  /** Computations allowed to wait for a slot, whatever their estimated wait (default 32 per core). */
  maxQueue?: number;
  /**
   * The longest estimated wait a new request's computation is queued for, ms (default 50):
   * beyond it, it is refused at once (see `estimatedWaitMs`).
   */
  maxWaitMs?: number;
  /** Duration assumed for one computation until computations have been measured, ms (default 20). */
  initialMeanMs?: number;
  /** Monotonic milliseconds (tests inject their own). */
  now?: () => number;
}

/** How a computation is queued. */
export interface HashCall {
  /**
   * The computation continues a request whose earlier computation was admitted (the
   * second computation of a password change): it waits ahead of new requests' and is
   * never refused, so that admitted work finishes and no computation is wasted.
   */
  followUp?: boolean;
}

/** Weight of the newest measurement in the running mean of computation times. */
const MEAN_WEIGHT = 0.2;

/**
 * argon2id off the event loop, with bounded concurrency and a wait queue bounded by
 * time: a new request's computation is refused (HasherBusyError, answered 503) when
 * the wait it would face, estimated as
 *
 *   (computations queued + 1) × mean computation time ÷ concurrency,
 *
 * exceeds `maxWaitMs`, or when `maxQueue` computations already wait. The mean is a
 * running (exponentially weighted) mean of measured computations, so the bound follows
 * the machine's speed and load. Each hash, hashWithSalt or verify is one "computation";
 * a password change costs at most two, the second queued as a follow-up.
 */
export class Hasher {
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly maxWaitMs: number;
  private running = 0;
  private mean: number;
  private readonly now: () => number;
  /** Follow-up computations, served first. */
  private readonly urgent: Array<() => void> = [];
  private readonly waiting: Array<() => void> = [];
  /** Computations refused since start (HasherBusyError: the request is answered 503). */
  shed = 0;
  /** Told how long each computation waited for a slot, ms (0 when one was free): for metrics. */
  onWait?: (ms: number) => void;

  constructor(options: HasherOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? availableParallelism());
    this.maxQueue = Math.max(0, options.maxQueue ?? this.concurrency * 32);
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
    this.mean = Math.max(0, options.initialMeanMs ?? 20);
    this.now = options.now ?? (() => performance.now());
  }

  /** Computations waiting for a slot. */
  get queued(): number {
    return this.urgent.length + this.waiting.length;
  }

  /** The running mean of one computation's duration, ms. */
  get meanMs(): number {
    return this.mean;
  }

  /** The wait a computation queued now would face, ms (0 while a slot is free). */
  estimatedWaitMs(): number {
    if (this.running < this.concurrency) return 0;
    return ((this.queued + 1) * this.mean) / this.concurrency;
  }

  hash(password: string, call?: HashCall): Promise<string> {
    return this.run(() => hash(password, ARGON2_OPTIONS), call);
  }

  /**
   * argon2id with a given salt instead of a fresh random one: the history
   * check hashes a candidate once under the user's history salt (docs/policy.md).
   */
  hashWithSalt(password: string, salt: Uint8Array, call?: HashCall): Promise<string> {
    return this.run(() => hash(password, { ...ARGON2_OPTIONS, salt }), call);
  }

  verify(phc: string, password: string, call?: HashCall): Promise<boolean> {
    return this.run(() => verify(phc, password), call);
  }

  /** Runs one computation under the pool's rules (subclasses and tests use it with other work). */
  protected async run<T>(work: () => Promise<T>, call: HashCall = {}): Promise<T> {
    const queuedAt = this.now();
    if (this.running >= this.concurrency) {
      if (
        !call.followUp &&
        (this.waiting.length >= this.maxQueue || this.estimatedWaitMs() > this.maxWaitMs)
      ) {
        this.shed++;
        throw new HasherBusyError();
      }
      await new Promise<void>((resolve) => (call.followUp ? this.urgent : this.waiting).push(resolve));
    } else {
      this.running++;
    }
    const started = this.now();
    this.onWait?.(started - queuedAt);
    try {
      return await work();
    } finally {
      this.mean += MEAN_WEIGHT * (this.now() - started - this.mean);
      const next = this.urgent.shift() ?? this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
