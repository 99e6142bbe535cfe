import type { Redis } from 'ioredis';

/**
 * Abuse protection for credential checks (failed `POST /oauth/token`): failures
 * are counted per source address and per client id; after a few free failures
 * each further one blocks the key for a growing delay (1 s, 2 s, 4 s ... capped),
 * and a key forgets its failures after a quiet period. There is no permanent
 * lockout. The per-client-id block does not apply to an address that recently
 * obtained a token for that client, so an attacker guessing from elsewhere
 * cannot lock the real client out.
 */

export interface ThrottleOptions {
  /** Failures allowed before delays start (default 5). */
  freeFailures: number;
  /** Delay after the first failure beyond the free ones, ms (default 1000); doubles with each further one. */
  baseDelayMs: number;
  /** Longest delay, ms (default 60 000). */
  maxDelayMs: number;
  /** A key with no failure for this long starts again from zero, ms (default 15 min). */
  forgetAfterMs: number;
  /** How long a successful address stays exempt from its client id's block, ms (default 30 days). */
  trustForMs: number;
  /** Most keys remembered; the least recently failing are dropped beyond it (default 100 000). */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  forgetAfterMs: 15 * 60_000,
  trustForMs: 30 * 86_400_000,
  maxKeys: 100_000,
};

interface Entry {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
}

/** Where failures are counted: this process's memory, or Redis shared by every server. */
export interface FailureThrottle {
  /** Milliseconds until an attempt from `ip` for `clientId` may be checked; 0 when it may be now. */
  waitMs(clientId: string | undefined, ip: string, now: number): Promise<number>;
  /** A failed attempt: counts against the address and the client id. */
  failure(clientId: string | undefined, ip: string, now: number): Promise<void>;
  /** A successful attempt: clears both keys and exempts the address from the client id's block. */
  success(clientId: string, ip: string, now: number): Promise<void>;
}

/** The delay after `failures` consecutive failures, ms (0: none yet). */
export function delayAfter(failures: number, o: ThrottleOptions): number {
  const beyond = failures - o.freeFailures;
  return beyond < 0 ? 0 : Math.min(o.baseDelayMs * 2 ** Math.min(beyond, 30), o.maxDelayMs);
}

export class MemoryThrottle implements FailureThrottle {
  readonly options: ThrottleOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly trusted = new Map<string, number>();

  constructor(options: Partial<ThrottleOptions> = {}) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  async waitMs(clientId: string | undefined, ip: string, now: number): Promise<number> {
    return this.waitMsSync(clientId, ip, now);
  }

  waitMsSync(clientId: string | undefined, ip: string, now: number): number {
    let wait = this.remaining(`ip:${ip}`, now);
    if (clientId !== undefined && !this.isTrusted(clientId, ip, now))
      wait = Math.max(wait, this.remaining(`client:${clientId}`, now));
    return wait;
  }

  async failure(clientId: string | undefined, ip: string, now: number): Promise<void> {
    this.failureSync(clientId, ip, now);
  }

  failureSync(clientId: string | undefined, ip: string, now: number): void {
    this.fail(`ip:${ip}`, now);
    if (clientId !== undefined) this.fail(`client:${clientId}`, now);
  }

  async success(clientId: string, ip: string, now: number): Promise<void> {
    this.successSync(clientId, ip, now);
  }

  successSync(clientId: string, ip: string, now: number): void {
    this.entries.delete(`ip:${ip}`);
    this.entries.delete(`client:${clientId}`);
    const key = `${clientId}\u0000${ip}`;
    this.trusted.delete(key);
    this.trusted.set(key, now);
    this.bound(this.trusted);
  }

  private isTrusted(clientId: string, ip: string, now: number): boolean {
    const at = this.trusted.get(`${clientId}\u0000${ip}`);
    return at !== undefined && now - at < this.options.trustForMs;
  }

  private remaining(key: string, now: number): number {
    const e = this.entries.get(key);
    return e && e.blockedUntil > now ? e.blockedUntil - now : 0;
  }

  private fail(key: string, now: number): void {
    const o = this.options;
    let e = this.entries.get(key);
    if (!e || now - e.lastFailure >= o.forgetAfterMs) e = { failures: 0, lastFailure: now, blockedUntil: 0 };
    e.failures++;
    e.lastFailure = now;
    const delay = delayAfter(e.failures, o);
    if (delay > 0) e.blockedUntil = now + delay;
    // Re-inserted so that the map's order is least recently failing first.
    this.entries.delete(key);
    this.entries.set(key, e);
    this.bound(this.entries);
  }

  private bound(map: Map<string, unknown>): void {
    while (map.size > this.options.maxKeys) {
      const first = map.keys().next().value;
      if (first === undefined) break;
      map.delete(first);
    }
  }
}

/**
 * Check, fail and succeed in one round trip each. Keys: `<prefix>thr:ip:<ip>` and
 * `<prefix>thr:client:<id>` (hashes: f failures, l last failure, u blocked until; expire
 * when forgotten) and `<prefix>thr:trust:<id>:<ip>` (time of the last success).
 */
const WAIT_SCRIPT = `
local now = tonumber(ARGV[1])
local wait = 0
local u = tonumber(redis.call('HGET', KEYS[1], 'u') or '0')
if u > now then wait = u - now end
if ARGV[2] == '1' then
  local at = tonumber(redis.call('GET', KEYS[3]) or '-1')
  if at < 0 or now - at >= tonumber(ARGV[3]) then
    local c = tonumber(redis.call('HGET', KEYS[2], 'u') or '0')
    if c - now > wait then wait = c - now end
  end
end
return wait
`;

const FAIL_SCRIPT = `
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local forget = tonumber(ARGV[5])
for i = 1, tonumber(ARGV[6]) do
  local key = KEYS[i]
  local f = tonumber(redis.call('HGET', key, 'f') or '0')
  local last = tonumber(redis.call('HGET', key, 'l') or '0')
  local u = tonumber(redis.call('HGET', key, 'u') or '0')
  if now - last >= forget then
    f = 0
    u = 0
  end
  f = f + 1
  local beyond = f - free
  if beyond >= 0 then u = now + math.min(base * 2 ^ math.min(beyond, 30), max) end
  redis.call('HSET', key, 'f', f, 'l', now, 'u', u)
  redis.call('PEXPIRE', key, forget + max)
end
return 0
`;

type ThrottleRedis = Redis & {
  zpassThrottleWait(...args: (string | number)[]): Promise<number>;
  zpassThrottleFail(...args: (string | number)[]): Promise<number>;
};

/**
 * Failures counted in Redis, so that every server sharing it throttles the same
 * address and client id. While Redis cannot be reached it counts in memory (the
 * rate-limit counter on the same connection logs that).
 */
export class RedisThrottle implements FailureThrottle {
  readonly options: ThrottleOptions;
  private readonly fallback: MemoryThrottle;
  private readonly redis: ThrottleRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    options: Partial<ThrottleOptions> = {},
  ) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
    this.fallback = new MemoryThrottle(this.options);
    this.redis = redis as ThrottleRedis;
    this.redis.defineCommand('zpassThrottleWait', { numberOfKeys: 3, lua: WAIT_SCRIPT });
    this.redis.defineCommand('zpassThrottleFail', { numberOfKeys: 2, lua: FAIL_SCRIPT });
  }

  private keys(clientId: string | undefined, ip: string): [string, string, string] {
    const c = clientId ?? '';
    return [
      `${this.prefix}thr:ip:${ip}`,
      `${this.prefix}thr:client:${c}`,
      `${this.prefix}thr:trust:${c}:${ip}`,
    ];
  }

  async waitMs(clientId: string | undefined, ip: string, now: number): Promise<number> {
    if (this.redis.status !== 'ready') return this.fallback.waitMsSync(clientId, ip, now);
    try {
      const wait = await this.redis.zpassThrottleWait(
        ...this.keys(clientId, ip),
        now,
        clientId === undefined ? '0' : '1',
        this.options.trustForMs,
      );
      return Math.max(Number(wait), this.fallback.waitMsSync(clientId, ip, now));
    } catch {
      return this.fallback.waitMsSync(clientId, ip, now);
    }
  }

  async failure(clientId: string | undefined, ip: string, now: number): Promise<void> {
    const o = this.options;
    const [ipKey, clientKey] = this.keys(clientId, ip);
    try {
      if (this.redis.status !== 'ready') throw new Error('redis not ready');
      await this.redis.zpassThrottleFail(
        ipKey,
        clientKey,
        now,
        o.freeFailures,
        o.baseDelayMs,
        o.maxDelayMs,
        o.forgetAfterMs,
        clientId === undefined ? 1 : 2,
      );
    } catch {
      this.fallback.failureSync(clientId, ip, now);
    }
  }

  async success(clientId: string, ip: string, now: number): Promise<void> {
    this.fallback.successSync(clientId, ip, now);
    const [ipKey, clientKey, trustKey] = this.keys(clientId, ip);
    try {
      if (this.redis.status !== 'ready') return;
      await this.redis.multi().del(ipKey, clientKey).set(trustKey, now, 'PX', this.options.trustForMs).exec();
    } catch {
      // Counted in memory meanwhile.
    }
  }
}
