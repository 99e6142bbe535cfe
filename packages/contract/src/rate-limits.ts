import type { Plan } from './vocabulary.js';

/** Zoom's rate-limit labels; every rated endpoint carries one. */
export type Category = 'Light' | 'Medium' | 'Heavy';
export const CATEGORIES: readonly Category[] = ['Light', 'Medium', 'Heavy'];

/** The two kinds of limit, as Zoom names them in `X-RateLimit-Type`. */
export type LimitType = 'QPS' | 'Daily-limit';
export const LIMIT_TYPES: readonly LimitType[] = ['QPS', 'Daily-limit'];

/** One account's limits for one category: requests per second, and per UTC day (null: none). */
export interface Limits {
  qps: number;
  daily: number | null;
}

/** Zoom's published limits (per account, shared by all its apps). Business covers Business and above. */
export const PLAN_LIMITS: Readonly<Record<Plan, Readonly<Record<Category, Readonly<Limits>>>>> = {
  free: {
    Light: { qps: 4, daily: 6000 },
    Medium: { qps: 2, daily: 2000 },
    Heavy: { qps: 1, daily: 1000 },
  },
  pro: {
    Light: { qps: 30, daily: null },
    Medium: { qps: 20, daily: null },
    Heavy: { qps: 10, daily: null },
  },
  business: {
    Light: { qps: 80, daily: null },
    Medium: { qps: 60, daily: null },
    Heavy: { qps: 40, daily: null },
  },
};

/** An operator's replacement for one plan limit of one account. `null` removes a daily limit. */
export interface LimitOverride {
  category: Category;
  type: LimitType;
  value: number | null;
}

/** The limits in force: the plan's, with the account's overrides applied. */
export function effectiveLimits(plan: Plan, category: Category, overrides: readonly LimitOverride[]): Limits {
  const limits = { ...(PLAN_LIMITS[plan] ?? PLAN_LIMITS.free)[category] };
  for (const o of overrides) {
    if (o.category !== category) continue;
    if (o.type === 'QPS' && o.value !== null) limits.qps = o.value;
    if (o.type === 'Daily-limit') limits.daily = o.value;
  }
  return limits;
}

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

/** `Light`, `light`, `LIGHT` all name Light. */
export function parseCategory(value: string): Category | undefined {
  return CATEGORIES.find((c) => c.toLowerCase() === value.trim().toLowerCase());
}

/** `QPS`/`qps`/`second` and `Daily-limit`/`daily`/`day`. */
export function parseLimitType(value: string): LimitType | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'qps' || v === 'second' || v === 'per-second') return 'QPS';
  if (v === 'daily-limit' || v === 'daily' || v === 'day') return 'Daily-limit';
  return undefined;
}

/**
 * Users an account may create per UTC day with action `create` (Zoom's "Create users":
 * 50 Free, 1,500 Pro, 10,000 Business+).
 */
export const DAILY_CREATE_LIMITS: Readonly<Record<Plan, number>> = { free: 50, pro: 1_500, business: 10_000 };

/** Largest limit an override may set: beyond it a limit means nothing and counters could overflow. */
export const MAX_LIMIT = 1_000_000_000;
