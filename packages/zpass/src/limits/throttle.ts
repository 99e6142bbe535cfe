import type { Redis } from 'ioredis';

/**
 * Abuse protection for credential checks (failed `POST /oauth/token`, web sign-ins): failures
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

/**
 * Where failures are counted: this process's memory, or Redis shared by every server.
 * An attempt is reserved before the credentials are checked (it counts as a failure at
 * once, atomically with the check), so that a burst of concurrent attempts cannot all
 * pass before any failure is recorded; a success or a refusal for another reason gives
 * the reservation back.
 */
export interface FailureThrottle {
  /**
   * Reserves an attempt from `ip` for `clientId`: 0 when it may be checked now (it then
   * counts as a failure of both keys until given back), else the milliseconds to wait
   * (nothing counted).
   */
  reserve(clientId: string | undefined, ip: string, now: number): Promise<number>;
  /** The reserved attempt was refused for another reason than the credentials: given back on both keys. */
  release(clientId: string | undefined, ip: string, now: number): Promise<void>;
  /**
   * The reserved attempt succeeded: the address's reservation is given back (its earlier
   * failures stay and decay on their own), the client id's (or e-mail's) count is cleared,
   * and the address is exempt from that client id's block.
   */
  success(clientId: string, ip: string, now: number): Promise<void>;
}

/**
 * How a reserved attempt counts once checked: `failure` keeps the reservation (wrong
 * credentials), `release` gives it back (refused for another reason), `success` as
 * `FailureThrottle.success`.
 */
export type AttemptCount = 'failure' | 'release' | 'success';

/**
 * One throttled attempt under `key` from `ip`: reserved, then `check` run and its result
 * counted as `counts` says. An error thrown by `check` gives the reservation back and is
 * thrown again. Throttled: `{ wait }` (ms), and `check` is not run.
 */
export async function attempt<T>(
  throttle: FailureThrottle,
  key: string,
  ip: string,
  now: number,
  check: () => Promise<T>,
  counts: (result: T) => AttemptCount,
): Promise<{ wait: number } | { result: T }> {
  const wait = await throttle.reserve(key, ip, now);
  if (wait > 0) return { wait };
  let result: T;
  try {
    result = await check();
  } catch (err) {
    await throttle.release(key, ip, now);
    throw err;
  }
  const count = counts(result);
  if (count === 'release') await throttle.release(key, ip, now);
  else if (count === 'success') await throttle.success(key, ip, now);
  return { result };
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

  async reserve(clientId: string | undefined, ip: string, now: number): Promise<number> {
    return this.reserveSync(clientId, ip, now);
  }

  reserveSync(clientId: string | undefined, ip: string, now: number): number {
    let wait = this.remaining(`ip:${ip}`, now);
    if (clientId !== undefined && !this.isTrusted(clientId, ip, now))
      wait = Math.max(wait, this.remaining(`client:${clientId}`, now));
    if (wait > 0) return wait;
    this.fail(`ip:${ip}`, now);
    if (clientId !== undefined) this.fail(`client:${clientId}`, now);
    return 0;
  }

  async release(clientId: string | undefined, ip: string, now: number): Promise<void> {
    this.releaseSync(clientId, ip, now);
  }

  releaseSync(clientId: string | undefined, ip: string, now: number): void {
    this.giveBack(`ip:${ip}`, now);
    if (clientId !== undefined) this.giveBack(`client:${clientId}`, now);
  }

  async success(clientId: string, ip: string, now: number): Promise<void> {
    this.successSync(clientId, ip, now);
  }

  successSync(clientId: string, ip: string, now: number): void {
    this.giveBack(`ip:${ip}`, now);
    this.entries.delete(`client:${clientId}`);
    const key = `${clientId}\u0000${ip}`;
    this.trusted.delete(key);
    this.trusted.set(key, now);
    this.bound(this.trusted);
  }

  /**
   * One failure reserved at `now` given back: the count drops by one, and the block it set
   * is lifted (the reservation passed, so the key was not blocked before it), unless a later
   * failure has set another one since.
   */
  private giveBack(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    const setHere = e.blockedUntil === now + delayAfter(e.failures, this.options);
    e.failures = Math.max(0, e.failures - 1);
    if (setHere || e.failures < this.options.freeFailures) e.blockedUntil = Math.min(e.blockedUntil, now);
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
 * Reserve and give back in one round trip each. Keys: `<prefix>thr:ip:<ip>` and
 * `<prefix>thr:client:<id>` (hashes: f failures, l last failure, u blocked until; expire
 * when forgotten) and `<prefix>thr:trust:<id>:<ip>` (time of the last success).
 * ARGV: now, has client id (1/0), trust period, free failures, base delay, max delay, forget after.
 */
const COMMON = `
local now = tonumber(ARGV[1])
local hasClient = ARGV[2] == '1'
local trustFor = tonumber(ARGV[3])
local free = tonumber(ARGV[4])
local base = tonumber(ARGV[5])
local max = tonumber(ARGV[6])
local forget = tonumber(ARGV[7])
local function delay(f)
  local beyond = f - free
  if beyond < 0 then return 0 end
  return math.min(base * 2 ^ math.min(beyond, 30), max)
end
`;

const RESERVE_SCRIPT = `${COMMON}
local wait = 0
local u = tonumber(redis.call('HGET', KEYS[1], 'u') or '0')
if u > now then wait = u - now end
if hasClient then
  local at = tonumber(redis.call('GET', KEYS[3]) or '-1')
  if at < 0 or now - at >= trustFor then
    local c = tonumber(redis.call('HGET', KEYS[2], 'u') or '0')
    if c - now > wait then wait = c - now end
  end
end
if wait > 0 then return wait end
local n = 1
if hasClient then n = 2 end
for i = 1, n do
  local key = KEYS[i]
  local f = tonumber(redis.call('HGET', key, 'f') or '0')
  local last = tonumber(redis.call('HGET', key, 'l') or '0')
  if now - last >= forget then f = 0 end
  f = f + 1
  local d = delay(f)
  local until_ = 0
  if d > 0 then until_ = now + d end
  redis.call('HSET', key, 'f', f, 'l', now, 'u', until_)
  redis.call('PEXPIRE', key, forget + max)
end
return 0
`;

/** ARGV[8]: 'success' (give back the address's, clear the client id's, trust) or 'release' (give back both). */
const GIVE_BACK_SCRIPT = `${COMMON}
local function giveBack(key)
  if redis.call('EXISTS', key) == 0 then return end
  local f = tonumber(redis.call('HGET', key, 'f') or '0')
  local u = tonumber(redis.call('HGET', key, 'u') or '0')
  local setHere = u == now + delay(f)
  f = f - 1
  if f < 0 then f = 0 end
  if (setHere or f < free) and u > now then u = now end
  redis.call('HSET', key, 'f', f, 'u', u)
end
giveBack(KEYS[1])
if ARGV[8] == 'success' then
  redis.call('DEL', KEYS[2])
  redis.call('SET', KEYS[3], now, 'PX', trustFor)
elseif hasClient then
  giveBack(KEYS[2])
end
return 0
`;

type ThrottleRedis = Redis & {
  zpassThrottleReserve(...args: (string | number)[]): Promise<number>;
  zpassThrottleGiveBack(...args: (string | number)[]): Promise<number>;
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
    this.redis.defineCommand('zpassThrottleReserve', { numberOfKeys: 3, lua: RESERVE_SCRIPT });
    this.redis.defineCommand('zpassThrottleGiveBack', { numberOfKeys: 3, lua: GIVE_BACK_SCRIPT });
  }

  private keys(clientId: string | undefined, ip: string): [string, string, string] {
    const c = clientId ?? '';
    return [
      `${this.prefix}thr:ip:${ip}`,
      `${this.prefix}thr:client:${c}`,
      `${this.prefix}thr:trust:${c}:${ip}`,
    ];
  }

  private args(clientId: string | undefined, ip: string, now: number): (string | number)[] {
    const o = this.options;
    return [
      ...this.keys(clientId, ip),
      now,
      clientId === undefined ? '0' : '1',
      o.trustForMs,
      o.freeFailures,
      o.baseDelayMs,
      o.maxDelayMs,
      o.forgetAfterMs,
    ];
  }

  async reserve(clientId: string | undefined, ip: string, now: number): Promise<number> {
    if (this.redis.status !== 'ready') return this.fallback.reserveSync(clientId, ip, now);
    try {
      return Number(await this.redis.zpassThrottleReserve(...this.args(clientId, ip, now)));
    } catch {
      return this.fallback.reserveSync(clientId, ip, now);
    }
  }

  async release(clientId: string | undefined, ip: string, now: number): Promise<void> {
    this.fallback.releaseSync(clientId, ip, now);
    try {
      if (this.redis.status !== 'ready') return;
      await this.redis.zpassThrottleGiveBack(...this.args(clientId, ip, now), 'release');
    } catch {
      // Counted in memory meanwhile.
    }
  }

  async success(clientId: string, ip: string, now: number): Promise<void> {
    this.fallback.successSync(clientId, ip, now);
    try {
      if (this.redis.status !== 'ready') return;
      await this.redis.zpassThrottleGiveBack(...this.args(clientId, ip, now), 'success');
    } catch {
      // Counted in memory meanwhile.
    }
  }
}
