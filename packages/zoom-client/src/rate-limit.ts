/** Zoom's rate-limit headers, parsed. */

/** Zoom's rate-limit categories (`X-RateLimit-Category`). */
export type RateLimitCategory = 'Light' | 'Medium' | 'Heavy' | 'Resource-intensive' | (string & {});

export interface RateLimitInfo {
  /** `X-RateLimit-Category`: Light, Medium, Heavy... */
  category?: RateLimitCategory;
  /** `X-RateLimit-Type`: `QPS` (per second) or `Daily-limit`. */
  type?: 'QPS' | 'Daily-limit' | (string & {});
  /** `X-RateLimit-Limit`. */
  limit?: number;
  /** `X-RateLimit-Remaining`. */
  remaining?: number;
  /** From `Retry-After` (seconds or a date): how long to wait, in milliseconds, from when the response arrived. */
  retryAfterMs?: number;
  /** From `Retry-After`: when another request may be made. */
  retryAt?: Date;
}

function int(v: string | null): number | undefined {
  if (v === null || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/**
 * `Retry-After` in either form: delta-seconds (`"1"`, `"0.5"` tolerated) or a date — the
 * ISO-8601 time Zoom sends for daily limits (`2026-11-28T00:00:00Z`) or an HTTP date.
 * Returns milliseconds from `now`, at least 0, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number.parseFloat(v) * 1000);
  // A bare number that is not a valid delta (negative, exponent) is unreadable, not a date.
  if (/^[-+]?[\d.eE+-]+$/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The rate-limit state a response's headers describe; `now` is when it arrived. */
export function parseRateLimit(headers: Headers, now: number): RateLimitInfo | undefined {
  const info: RateLimitInfo = {};
  const category = headers.get('x-ratelimit-category');
  const type = headers.get('x-ratelimit-type');
  if (category) info.category = category;
  if (type) info.type = type;
  const limit = int(headers.get('x-ratelimit-limit'));
  const remaining = int(headers.get('x-ratelimit-remaining'));
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfterMs !== undefined) {
    info.retryAfterMs = retryAfterMs;
    info.retryAt = new Date(now + retryAfterMs);
  }
  return Object.keys(info).length > 0 ? info : undefined;
}

/** True when a 429 is Zoom's daily limit (by header, or by its message when the header is missing). */
export function isDailyLimit(info: RateLimitInfo | undefined, message: string | undefined): boolean {
  if (info?.type?.toLowerCase() === 'daily-limit') return true;
  return /daily rate limit/i.test(message ?? '');
}
