import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrl } from '../log/redact.js';
import type { LimitType } from './categories.js';
import type { Counter, Take, TakeResult } from './counter.js';
import { MemoryCounter } from './memory.js';
import { DAY_MS, dayWindow, secondWindow } from './windows.js';

/** ioredis, loaded when a Redis counter is made: a server without Redis never needs it (about 20 MB). */
const redisClient = (): typeof Redis =>
  (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;

/**
 * Check and count in one round trip, atomically (Redis runs a script alone).
 * KEYS: second counter, day counter, forced-QPS, forced-daily.
 * ARGV: QPS limit, daily limit (0: none), second-key TTL ms, day-key TTL ms.
 * Returns {verdict, second count, day count}: verdict 0 allowed, 1 refused by QPS,
 * 2 refused by the daily limit, 3 forced QPS, 4 forced daily.
 */
const TAKE_SCRIPT = `
if tonumber(redis.call('GET', KEYS[4]) or '0') > 0 then
  redis.call('DECR', KEYS[4])
  return {4, 0, 0}
end
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then
  redis.call('DECR', KEYS[3])
  return {3, 0, 0}
end
local daily = tonumber(ARGV[2])
local q = tonumber(redis.call('GET', KEYS[1]) or '0')
local d = 0
if daily > 0 then
  d = tonumber(redis.call('GET', KEYS[2]) or '0')
  if d >= daily then return {2, q, d} end
end
if q >= tonumber(ARGV[1]) then return {1, q, d} end
q = redis.call('INCR', KEYS[1])
if q == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if daily > 0 then
  d = redis.call('INCR', KEYS[2])
  if d == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
end
return {0, q, d}
`;

/** While Redis fails, how often a request tries it again (the others count in memory meanwhile). */
const RETRY_MS = 500;

type RedisWithTake = Redis & {
  zpassTake(...args: (string | number)[]): Promise<[number, number, number]>;
};

export interface RedisCounterOptions {
  url: string;
  /** Prefix of every key (default `zpass:`), so several deployments or tests can share one Redis. */
  prefix?: string;
  /** A command slower than this counts as Redis being unreachable (default 250 ms). */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Counts in Redis, shared by every server using the same Redis and prefix.
 * While Redis cannot be reached (refused, dropped, slower than the timeout), it
 * counts in this process's memory instead, logs that once, and goes back to
 * Redis as soon as a command succeeds again (logging that once too). It never
 * makes a request fail.
 */
export class RedisCounter implements Counter {
  readonly kind = 'redis' as const;
  private readonly redis: RedisWithTake;
  private readonly prefix: string;
  private readonly fallback = new MemoryCounter();
  private readonly logger?: Logger;
  private readonly where: string;
  private degraded = false;
  /** While degraded, Redis is tried again from this time on (real time): a slow Redis slows one request, not all. */
  private retryAt = 0;

  constructor(options: RedisCounterOptions) {
    this.prefix = options.prefix ?? 'zpass:';
    this.logger = options.logger;
    this.where = redactUrl(options.url);
    this.redis = new (redisClient())(options.url, {
      // Fail at once while disconnected rather than queueing: the fallback answers instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? 250,
      connectTimeout: 2000,
      // Reconnect for ever, at most every 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000),
      lazyConnect: false,
    }) as RedisWithTake;
    this.redis.defineCommand('zpassTake', { numberOfKeys: 4, lua: TAKE_SCRIPT });
    // Connection errors are reported through `take` failing; without a listener they would end the process.
    this.redis.on('error', (err) => this.logger?.debug({ error: err.message }, 'redis connection error'));
  }

  async take(t: Take): Promise<TakeResult> {
    if (this.redis.status !== 'ready')
      return this.degrade(t, new Error(`redis connection ${this.redis.status}`));
    if (this.degraded && Date.now() < this.retryAt) return this.fallback.takeSync(t);
    const base = `${this.prefix}rl:${t.accountId}:${t.category}`;
    const sw = secondWindow(t.now);
    const dw = dayWindow(t.now);
    let reply: [number, number, number];
    try {
      reply = await this.redis.zpassTake(
        `${base}:s:${sw}`,
        `${base}:d:${dw}`,
        `${this.prefix}force:${t.accountId}:QPS`,
        `${this.prefix}force:${t.accountId}:Daily-limit`,
        t.limits.qps,
        t.limits.daily ?? 0,
        // A second's key outlives its window a little, so clocks a little apart still share it.
        5000,
        DAY_MS + 3_600_000,
      );
    } catch (err) {
      return this.degrade(t, err as Error);
    }
    if (this.degraded) {
      this.degraded = false;
      this.logger?.warn({ redis: this.where }, 'redis is reachable again: rate limits are shared again');
    }
    const [verdict, second, day] = reply.map(Number) as [number, number, number];
    switch (verdict) {
      case 0:
        return { allowed: true, second, day };
      case 1:
        return { allowed: false, refusedBy: 'QPS', second, day };
      case 2:
        return { allowed: false, refusedBy: 'Daily-limit', second, day };
      case 3:
        return { allowed: false, refusedBy: 'QPS', forced: true, second, day };
      default:
        return { allowed: false, refusedBy: 'Daily-limit', forced: true, second, day };
    }
  }

  async force(accountId: string, type: LimitType, count: number): Promise<void> {
    const key = `${this.prefix}force:${accountId}:${type}`;
    await this.fallback.force(accountId, type, count);
    try {
      if (count <= 0) await this.redis.del(key);
      else await this.redis.set(key, count, 'PX', DAY_MS);
    } catch {
      // Unreachable: the forced refusals apply to this server's fallback counts only (set above).
    }
  }

  /**
   * Waits until the connection is ready, at most `timeoutMs`; whether it is. A server
   * starts counting in Redis from its first request, or in memory if Redis is not there.
   */
  async waitReady(timeoutMs = 2000): Promise<boolean> {
    const ready = await this.readyWithin(timeoutMs);
    if (!ready) this.degrade(undefined, new Error(`no connection within ${timeoutMs} ms`));
    return ready;
  }

  private readyWithin(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.on('ready', onReady);
    });
  }

  /** The connection, for other state shared through the same Redis (the sign-in throttle). */
  get client(): Redis {
    return this.redis;
  }

  get keyPrefix(): string {
    return this.prefix;
  }

  /** Whether counts are going to Redis right now (false while falling back to memory). */
  get shared(): boolean {
    return !this.degraded && this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.fallback.close();
  }

  private degrade(t: Take, err: Error): TakeResult;
  private degrade(t: undefined, err: Error): undefined;
  private degrade(t: Take | undefined, err: Error): TakeResult | undefined {
    this.retryAt = Date.now() + RETRY_MS;
    if (!this.degraded) {
      this.degraded = true;
      this.logger?.warn(
        { redis: this.where, error: err.message },
        'redis is unreachable: rate limits are enforced per server until it returns',
      );
    }
    return t && this.fallback.takeSync(t);
  }
}
