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

export class FailureThrottle {
  readonly options: ThrottleOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly trusted = new Map<string, number>();

  constructor(options: Partial<ThrottleOptions> = {}) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  /** Milliseconds until an attempt from `ip` for `clientId` may be checked; 0 when it may be now. */
  waitMs(clientId: string | undefined, ip: string, now: number): number {
    let wait = this.remaining(`ip:${ip}`, now);
    if (clientId !== undefined && !this.isTrusted(clientId, ip, now))
      wait = Math.max(wait, this.remaining(`client:${clientId}`, now));
    return wait;
  }

  /** A failed attempt: counts against the address and the client id. */
  failure(clientId: string | undefined, ip: string, now: number): void {
    this.fail(`ip:${ip}`, now);
    if (clientId !== undefined) this.fail(`client:${clientId}`, now);
  }

  /** A successful attempt: clears both keys and exempts the address from the client id's block. */
  success(clientId: string, ip: string, now: number): void {
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
    const beyond = e.failures - o.freeFailures;
    if (beyond >= 0) e.blockedUntil = now + Math.min(o.baseDelayMs * 2 ** Math.min(beyond, 30), o.maxDelayMs);
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
