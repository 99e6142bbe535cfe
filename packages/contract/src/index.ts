export { EMAIL_MAX, isEmail } from './email.js';
export { ERRORS, type ErrorEntry, type ErrorKind, errorMessage, isError } from './errors.js';
export { PHONE_LABELS, type PhoneNumber, type Profile } from './profile.js';
export {
  CATEGORIES,
  type Category,
  DAILY_CREATE_LIMITS,
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
} from './rate-limits.js';
export {
  type ChangeVia,
  PLANS,
  type Plan,
  ROLE_IDS,
  ROLES,
  type Role,
  SIGN_INS,
  type SignIn,
  USER_STATUSES,
  USER_TYPES,
  type UserStatus,
  type UserType,
} from './vocabulary.js';
