import { availableParallelism } from 'node:os';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id parameters: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Thrown when the hashing queue is full: the server sheds the request instead of queueing it. */
export class HasherBusyError extends Error {
  constructor() {
    super('password hashing queue is full');
  }
}

export interface HasherOptions {
  /** Hashes computed at once (default: the number of cores). */
  concurrency?: number;
  /** Requests allowed to wait for a slot before new ones are refused. */
  maxQueue?: number;
}

/**
 * argon2id off the event loop, with bounded concurrency and a bounded queue.
 * Each hash, hashWithSalt or verify is one "computation"; a password change costs at most two.
 */
export class Hasher {
  readonly concurrency: number;
  readonly maxQueue: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(options: HasherOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? availableParallelism());
    this.maxQueue = Math.max(0, options.maxQueue ?? this.concurrency * 32);
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  hash(password: string): Promise<string> {
    return this.run(() => hash(password, ARGON2_OPTIONS));
  }

  /**
   * argon2id with a given salt instead of a fresh random one: the history
   * check hashes a candidate once under the user's history salt (docs/policy.md).
   */
  hashWithSalt(password: string, salt: Uint8Array): Promise<string> {
    return this.run(() => hash(password, { ...ARGON2_OPTIONS, salt }));
  }

  verify(phc: string, password: string): Promise<boolean> {
    return this.run(() => verify(phc, password));
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) throw new HasherBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
