import type { Category, Limits, LimitType } from './categories.js';

/** One rated request to count against an account's limits for a category. */
export interface Take {
  accountId: string;
  category: Category;
  /** When the request arrived (ms since the epoch, from the injected clock). */
  now: number;
  limits: Limits;
}

export interface TakeResult {
  /** Counted and allowed, or refused (and then counted nowhere). */
  allowed: boolean;
  /** The limit that refused it. */
  refusedBy?: LimitType;
  /** The refusal was one forced by a test control, not a full window. */
  forced?: boolean;
  /** Requests counted in the current one-second window, this one included when allowed. */
  second: number;
  /** Requests counted in the current UTC day (0 when the category has no daily limit). */
  day: number;
}

/**
 * Where the counts live. `take` checks and counts atomically: of concurrent
 * requests for one account and category, never more than the limit are allowed
 * in one window, however many servers share the counter.
 */
export interface Counter {
  readonly kind: 'memory' | 'redis';
  take(t: Take): Promise<TakeResult>;
  /** Test control: the account's next `count` rated requests answer 429 of this type. */
  force(accountId: string, type: LimitType, count: number, now: number): Promise<void>;
  close(): Promise<void>;
}
