/**
 * Zoom's rate-limit categories and plan table live in `@zpass/contract` (shared with the SDK,
 * which paces itself by the same table); the limiter and its users take them from here.
 */
export {
  CATEGORIES,
  type Category,
  effectiveLimits,
  isCategory,
  LIMIT_TYPES,
  type LimitOverride,
  type Limits,
  type LimitType,
  MAX_LIMIT,
  PLAN_LIMITS,
  parseCategory,
  parseLimitType,
} from '@zpass/contract';
