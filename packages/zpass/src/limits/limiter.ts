import type { Clock } from '../clock.js';
import type { Store } from '../store/database.js';
import { type AccountLimitRows, rateLimitOverrides } from '../store/repositories/accounts.js';
import {
  type Category,
  effectiveLimits,
  type LimitOverride,
  type Limits,
  type LimitType,
  PLAN_LIMITS,
  parseCategory,
  parseLimitType,
} from './categories.js';
import type { Counter } from './counter.js';
import { isoSeconds, nextSecond, nextUtcMidnight } from './windows.js';

/** What the limiter decided for one request, and what its headers say. */
export interface RateDecision {
  allowed: boolean;
  category: Category;
  /** The limit the headers describe: the one that refused the request, or the nearer one to running out. */
  type: LimitType;
  limit: number;
  remaining: number;
  /** On a refusal: seconds ("1") for QPS, an ISO 8601 UTC time for the daily limit. */
  retryAfter?: string;
  /** When the refusal was forced by a test control. */
  forced?: boolean;
}

/** An account's plan and overrides, as the limiter needs them. */
export interface AccountLimits {
  plan: keyof typeof PLAN_LIMITS;
  overrides: LimitOverride[];
}

function parseLimits(row: AccountLimitRows | undefined): AccountLimits | undefined {
  if (!row) return undefined;
  const overrides: LimitOverride[] = [];
  for (const o of row.overrides) {
    const category = parseCategory(o.category);
    const type = parseLimitType(o.type);
    if (category && type) overrides.push({ category, type, value: o.value });
  }
  return { plan: row.plan, overrides };
}

/**
 * Zoom's rate limits for one deployment: per account (all its apps together),
 * per category, by the account's plan and the operator's overrides, counted in
 * the given counter (memory or Redis).
 */
export class RateLimiter {
  constructor(
    private readonly store: Store,
    readonly counter: Counter,
    private readonly clock: Clock,
  ) {}

  /** The account's plan and overrides; undefined for an unknown account. */
  async accountLimits(accountId: string): Promise<AccountLimits | undefined> {
    return parseLimits(await rateLimitOverrides.forAccount(this.store.db, accountId));
  }

  async limitsFor(accountId: string, category: Category): Promise<Limits | undefined> {
    const a = await this.accountLimits(accountId);
    return a && effectiveLimits(a.plan, category, a.overrides);
  }

  /**
   * Checks and counts one request of the account in this category. `known`: the
   * account's plan and overrides when the caller has just read them (authentication
   * reads them with the token); otherwise they are read here. `null`: the account is gone.
   */
  async check(accountId: string, category: Category, known?: AccountLimitRows | null): Promise<RateDecision> {
    const now = this.clock.now();
    const account =
      known === undefined ? await this.accountLimits(accountId) : parseLimits(known ?? undefined);
    // An account deleted under a live token still has a plan's worth of limits: the strictest.
    const limits =
      (account && effectiveLimits(account.plan, category, account.overrides)) ?? PLAN_LIMITS.free[category];
    const r = await this.counter.take({ accountId, category, now, limits });
    if (!r.allowed) {
      if (r.refusedBy === 'Daily-limit') {
        return {
          allowed: false,
          category,
          type: 'Daily-limit',
          // A forced daily refusal on a plan without daily limits shows the Free plan's limit.
          limit: limits.daily ?? PLAN_LIMITS.free[category].daily!,
          remaining: 0,
          retryAfter: isoSeconds(nextUtcMidnight(now)),
          forced: r.forced,
        };
      }
      return {
        allowed: false,
        category,
        type: 'QPS',
        limit: limits.qps,
        remaining: 0,
        retryAfter: String(Math.max(1, Math.ceil((nextSecond(now) - now) / 1000))),
        forced: r.forced,
      };
    }
    const qpsLeft = Math.max(0, limits.qps - r.second);
    if (limits.daily !== null) {
      const dayLeft = Math.max(0, limits.daily - r.day);
      if (dayLeft < qpsLeft)
        return { allowed: true, category, type: 'Daily-limit', limit: limits.daily, remaining: dayLeft };
    }
    return { allowed: true, category, type: 'QPS', limit: limits.qps, remaining: qpsLeft };
  }

  close(): Promise<void> {
    return this.counter.close();
  }
}

/** The response headers of a rated request. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const h: Record<string, string> = {
    'X-RateLimit-Category': d.category,
    'X-RateLimit-Type': d.type,
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(d.remaining),
  };
  if (d.retryAfter !== undefined) h['Retry-After'] = d.retryAfter;
  return h;
}
