import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Store } from '../store/database.js';
import type { Counter } from './counter.js';
import { RateLimiter } from './limiter.js';
import { MemoryCounter } from './memory.js';
import { RedisCounter } from './redis.js';

export * from './categories.js';
export type { Counter, Take, TakeResult } from './counter.js';
export { type RateDecision, RateLimiter, rateLimitHeaders } from './limiter.js';
export { MemoryCounter } from './memory.js';
export { RedisCounter } from './redis.js';
export { checkRedisUrl } from './redis-url.js';
export { type FailureThrottle, MemoryThrottle, RedisThrottle, type ThrottleOptions } from './throttle.js';

export interface LimitsConfig {
  /** `redis://...`: counters shared by every server using it; unset: in this process's memory. */
  redisUrl?: string;
  /** Prefix of every Redis key (default `zpass:`). */
  redisPrefix?: string;
  /** A Redis command slower than this falls back to memory (default 250 ms). */
  redisTimeoutMs?: number;
}

export function createCounter(config: LimitsConfig, logger?: Logger): Counter {
  if (!config.redisUrl) return new MemoryCounter();
  return new RedisCounter({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    timeoutMs: config.redisTimeoutMs,
    logger,
  });
}

export function createRateLimiter(
  store: Store,
  clock: Clock,
  config: LimitsConfig,
  logger?: Logger,
): RateLimiter {
  return new RateLimiter(store, createCounter(config, logger), clock);
}
