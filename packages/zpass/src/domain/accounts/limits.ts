import {
  CATEGORIES,
  type Category,
  effectiveLimits,
  LIMIT_TYPES,
  type LimitOverride,
  type Limits,
  type LimitType,
  MAX_LIMIT,
  parseCategory,
  parseLimitType,
} from '@zpass/contract';
import { accounts, rateLimitOverrides } from '../../store/repositories/accounts.js';
import type { DomainContext } from '../context.js';
import { AdminError } from '../errors.js';

export interface AccountLimitsView {
  account_id: string;
  plan: string;
  limits: Record<Category, Limits & { overridden: LimitType[] }>;
}

async function overridesOf(ctx: DomainContext, accountId: string) {
  const row = await rateLimitOverrides.forAccount(ctx.store.db, accountId);
  if (!row) throw new AdminError(`No account ${accountId}.`);
  const overrides: LimitOverride[] = [];
  for (const o of row.overrides) {
    const category = parseCategory(o.category);
    const type = parseLimitType(o.type);
    if (category && type) overrides.push({ category, type, value: o.value });
  }
  return { plan: row.plan, overrides };
}

/** The limits in force for an account, category by category, and which are overridden. */
export async function showLimits(ctx: DomainContext, accountId: string): Promise<AccountLimitsView> {
  const { plan, overrides } = await overridesOf(ctx, accountId);
  const limits = {} as AccountLimitsView['limits'];
  for (const c of CATEGORIES) {
    limits[c] = {
      ...effectiveLimits(plan, c, overrides),
      overridden: overrides.filter((o) => o.category === c).map((o) => o.type),
    };
  }
  return { account_id: accountId, plan, limits };
}

/**
 * Replaces one plan limit of one account. `value`: a whole number of requests
 * (1 .. 1e9), `none` (daily only: no daily limit), or `default` (back to the plan's).
 */
export async function setLimit(
  ctx: DomainContext,
  accountId: string,
  category: string,
  type: string,
  value: string,
): Promise<AccountLimitsView> {
  const c = parseCategory(category);
  if (!c) throw new AdminError(`Unknown category "${category}": use ${CATEGORIES.join(', ')}.`);
  const t = parseLimitType(type);
  if (!t)
    throw new AdminError(`Unknown limit type "${type}": use ${LIMIT_TYPES.join(' (or qps), ')} (or daily).`);
  if (!(await accounts.get(ctx.store.db, accountId))) throw new AdminError(`No account ${accountId}.`);
  const v = value.trim().toLowerCase();
  if (v === 'default') {
    await rateLimitOverrides.clear(ctx.store.db, accountId, c, t);
  } else if (v === 'none') {
    if (t === 'QPS')
      throw new AdminError('Every category keeps a per-second limit: give a number or "default".');
    await rateLimitOverrides.set(ctx.store.db, accountId, c, t, null, ctx.clock.now());
  } else {
    if (!/^\d{1,10}$/.test(v) || Number(v) < 1 || Number(v) > MAX_LIMIT)
      throw new AdminError(`The limit must be a whole number from 1 to ${MAX_LIMIT}, "none" or "default".`);
    await rateLimitOverrides.set(ctx.store.db, accountId, c, t, Number(v), ctx.clock.now());
  }
  return showLimits(ctx, accountId);
}
