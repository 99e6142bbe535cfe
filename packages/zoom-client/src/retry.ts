/**
 * The one retry policy: after a failed attempt, whether to send the request again and after
 * how long. API requests and token requests both follow it (see docs/sdk.md, "Retries").
 */
import { type ZoomApiError, ZoomConnectionError, ZoomRateLimitError } from './errors.js';
import { parseRetryAfter } from './rate-limit.js';

/** Answers that may come before or after the request was processed, and that may pass. */
const RETRYABLE_STATUS = new Set([408, 500, 502, 503, 504]);

export interface RetryLimits {
  /** Retries allowed after the first attempt. */
  maxRetries: number;
  /** The longest wait accepted before a retry (ms); a longer one surfaces the error instead. */
  maxRetryDelay: number;
}

/** Why a failed attempt is sent again. */
export type RetryReason = 'connection' | 'rate-limit' | 'server-error';

export interface RetryDecision {
  reason: RetryReason;
  /** How long to wait before the next attempt (ms). */
  delayMs: number;
  /**
   * The failed attempt may have been processed (a connection failure, a timeout, a 408 or a
   * 5xx): the next one repeats it. A 429 was not processed, so it is not ambiguous.
   */
  ambiguous: boolean;
}

/**
 * Whether to retry after `err`, the failure of an attempt. `retries`: the retries made so far;
 * `idempotent`: may the request be sent again when the failed attempt may have been processed
 * (a POST that creates something may not; asking for a token again is harmless).
 * Returns undefined when the error is to surface.
 */
export function retryDecision(
  err: ZoomApiError,
  retries: number,
  idempotent: boolean,
  limits: RetryLimits,
): RetryDecision | undefined {
  if (retries >= limits.maxRetries) return undefined;
  let decision: RetryDecision;
  if (err instanceof ZoomConnectionError) {
    if (!idempotent) return undefined;
    decision = { reason: 'connection', delayMs: backoff(retries), ambiguous: true };
  } else if (err instanceof ZoomRateLimitError) {
    // The daily limit resets at midnight UTC: never waited out.
    if (err.isDailyLimit) return undefined;
    decision = {
      reason: 'rate-limit',
      delayMs: err.rateLimit.retryAfterMs ?? backoff(retries),
      ambiguous: false,
    };
  } else if (err.status !== undefined && RETRYABLE_STATUS.has(err.status)) {
    if (!idempotent) return undefined;
    const retryAfter = parseRetryAfter(err.headers['retry-after'], Date.now());
    decision = { reason: 'server-error', delayMs: retryAfter ?? backoff(retries), ambiguous: true };
  } else {
    return undefined;
  }
  return decision.delayMs <= limits.maxRetryDelay ? decision : undefined;
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s... up to 8 s, each less up to a quarter. */
export function backoff(retry: number): number {
  const base = Math.min(500 * 2 ** retry, 8_000);
  return Math.round(base * (1 - Math.random() * 0.25));
}
