/**
 * @zpass/zoom-client: a typed client for Zoom's Users and account-settings APIs, with no
 * runtime dependencies (global fetch). Works against https://api.zoom.us/v2 and against zpass.
 *
 * @packageDocumentation
 */

export {
  MemoryTokenStore,
  type StoredToken,
  type TokenStore,
} from './auth.js';
export {
  type ApiRequest,
  type ApiResponse,
  backoff,
  type HttpMethod,
  type Logger,
  type RateLimitObservation,
  type RequestOptions,
  VERSION,
  ZoomClient,
  ZoomClient as default,
  type ZoomClientOptions,
} from './client.js';
export { EMAIL_MAX, type ErrorKind, isEmail } from './contract/index.js';
export {
  type ErrorRequestInfo,
  errorClassFor,
  ZoomApiError,
  type ZoomApiErrorInit,
  ZoomAuthenticationError,
  ZoomBadRequestError,
  ZoomConfigError,
  ZoomConflictError,
  ZoomConnectionError,
  ZoomError,
  type ZoomFieldError,
  ZoomInternalServerError,
  ZoomNotFoundError,
  ZoomPasswordPolicyError,
  ZoomPermissionDeniedError,
  ZoomRateLimitError,
  ZoomTimeoutError,
  ZoomUnprocessableEntityError,
  ZoomUserAbortError,
} from './errors.js';
export { FREE_PLAN_QPS, type PacerOptions, RateLimitPacer } from './pacer.js';
export { type Page, type PageFetcher, PagePromise } from './pagination.js';
export {
  type CheckContext,
  checkPassword,
  MAX_LENGTH,
  MIN_LENGTH,
  malformedReason,
  normalizePassword,
  type PasswordRequirement,
  type Violation,
} from './policy/index.js';
export { parseRateLimit, parseRetryAfter, type RateLimitCategory, type RateLimitInfo } from './rate-limit.js';
export { REDACTED } from './redact.js';
export { Accounts } from './resources/accounts.js';
export { Reports } from './resources/reports.js';
export { Roles } from './resources/roles.js';
export { type PasswordViolation, type UpdatePasswordOptions, Users } from './resources/users.js';
export type * from './types.js';
export * from './webhooks/index.js';
