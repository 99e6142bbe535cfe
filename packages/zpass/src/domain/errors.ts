/**
 * The one catalogue of errors zpass answers with, in Zoom's format:
 * `{"code": <int>, "message": "<text>"}` plus optional field errors. Statuses, codes and texts
 * come from `@zpass/contract` (shared with the SDK and the CLI); each error carries the entry's
 * stable key (`kind`), which callers decide on, never the message. Handlers throw these; each
 * edge renders them.
 */
import { ERRORS, type ErrorKind, errorMessage } from '@zpass/contract';

export type { ErrorKind };

export interface FieldError {
  field: string;
  message: string;
}

export class ZoomError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toBody(): { code: number; message: string; errors?: FieldError[] } {
    return this.errors
      ? { code: this.code, message: this.message, errors: this.errors }
      : { code: this.code, message: this.message };
  }
}

interface Situation {
  /** Fills the entry's `{name}` placeholders. */
  params?: Record<string, string | number>;
  /** For entries whose status or code the situation gives (`null` in the catalogue). */
  status?: number;
  code?: number;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

/** The catalogue's entry `kind` as a ZoomError. */
function zoomError(kind: ErrorKind, s: Situation = {}): ZoomError {
  const entry: { status: number | null; code: number | null } = ERRORS[kind];
  return new ZoomError(
    kind,
    entry.status ?? s.status ?? 400,
    entry.code ?? s.code ?? 300,
    errorMessage(kind, s.params),
    s.errors,
    s.headers,
  );
}

/** Errors of the OAuth endpoint, which Zoom renders in another shape: `{"reason", "error"}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** A mistake in an administrator's request (CLI), with a message meant for them. */
export class AdminError extends Error {}

/** Longest part of a client-supplied value echoed back in a message. */
const ECHO_MAX = 128;

function echo(value: string): string {
  return value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}...` : value;
}

export const Errors = {
  invalidJson: () => zoomError('invalidJson'),
  validation: (errors: FieldError[]) => zoomError('validation', { errors }),
  unsupportedMediaType: () => zoomError('unsupportedMediaType'),
  bodyTooLarge: () => zoomError('bodyTooLarge'),
  /** A body declared in another charset than UTF-8 (zpass choice: 415, code 300, as other unsupported bodies). */
  unsupportedCharset: () => zoomError('unsupportedCharset'),
  /** Bytes that are not UTF-8, or a percent-escape that does not decode to UTF-8 (zpass choice). */
  invalidEncoding: () => zoomError('invalidEncoding'),
  invalidToken: () => zoomError('invalidToken'),
  expiredToken: () => zoomError('expiredToken'),
  tokenInQuery: () => zoomError('tokenInQuery'),
  missingScopes: (accepted: readonly string[]) =>
    zoomError('missingScopes', { params: { scopes: accepted.join(', ') } }),
  userNotFound: (userId: string) => zoomError('userNotFound', { params: { userId: echo(userId) } }),
  accountNotFound: (accountId: string) =>
    zoomError('accountNotFound', { params: { accountId: echo(accountId) } }),
  passwordReused: (count: number) => zoomError('passwordReused', { params: { count } }),
  cannotUpdateAdmin: () => zoomError('cannotUpdateAdmin'),
  samePassword: () => zoomError('samePassword'),
  tooManyChanges: () => zoomError('tooManyChanges'),
  /** POST /v2/users with an address some user already has (in any account: addresses are unique). */
  emailTaken: (email: string) => zoomError('emailTaken', { params: { email: echo(email) } }),
  /** POST /v2/users (autoCreate, custCreate, ssoCreate) for an address a user of another account holds. */
  activeElsewhere: (email: string) => zoomError('activeElsewhere', { params: { email: echo(email) } }),
  /** DELETE /v2/users/{userId} (disassociate) naming an admin. */
  disassociateAdmin: () => zoomError('disassociateAdmin'),
  /** PUT /v2/users/{userId}/status naming an admin or the owner. */
  adminStatus: () => zoomError('adminStatus'),
  /** PUT /v2/users/{userId}/email: Zoom's three refusals, all code 1000. */
  emailChangePending: () => zoomError('emailChangePending'),
  emailChangeOwner: () => zoomError('emailChangeOwner'),
  emailChangeInactive: () => zoomError('emailChangeInactive'),
  /** Zoom: "A user's email address can be changed up to 3 times in any 24 hour period." */
  emailChangeLimit: () => zoomError('emailChangeLimit'),
  /** GET /v2/users/email without `email`. */
  emailRequired: () => zoomError('emailRequired'),
  /** POST /v2/users with action `create` past the plan's daily number of created users. */
  createLimit: (limit: number, headers: Record<string, string>) =>
    zoomError('createLimit', { params: { limit }, headers }),
  /** An admin acting on the owner or another admin, or a change only the owner may make. */
  noPrivilege: () => zoomError('noPrivilege'),
  ownerStatus: () => zoomError('ownerStatus'),
  ownerDelete: () => zoomError('ownerDelete'),
  ownerRole: () => zoomError('ownerRole'),
  selfAction: () => zoomError('selfAction'),
  /** custCreate and ssoCreate users have no password to update. */
  noPasswordSignIn: () => zoomError('noPasswordSignIn'),
  userDeactivated: () => zoomError('userDeactivated'),
  userPending: () => zoomError('userPending'),
  pendingStatus: () => zoomError('pendingStatus'),
  invitationInvalid: () => zoomError('invitationInvalid'),
  invitationExpired: () => zoomError('invitationExpired'),
  /** The web pages' own password change: the current password must be given, right. */
  resetLinkInvalid: () => zoomError('resetLinkInvalid'),
  currentPasswordWrong: () => zoomError('currentPasswordWrong'),
  passwordsDiffer: () => zoomError('passwordsDiffer'),
  invalidPageToken: () => zoomError('invalidPageToken'),
  expiredPageToken: () => zoomError('expiredPageToken'),
  /** A role id other than Zoom's three built-in ones ("0" Owner, "1" Admin, "2" Member). */
  roleNotFound: (roleId: string) => zoomError('roleNotFound', { params: { roleId: echo(roleId) } }),
  /** Assigning a role the user already holds. */
  alreadyInRole: (email: string, role: string) =>
    zoomError('alreadyInRole', { params: { email: echo(email), role } }),
  notInRole: (memberId: string, role: string) =>
    zoomError('notInRole', { params: { memberId: echo(memberId), role } }),
  /** The Owner role is given by transferring the account, and the Member role by unassigning another one. */
  roleNotAssignable: (role: string) => zoomError('roleNotAssignable', { params: { role } }),
  /** A report's dates: Zoom's `yyyy-mm-dd`, `from` not after `to`, at most one month apart. */
  reportRange: (message: string) => zoomError('reportRange', { params: { message } }),
  /** A password rule of `@zpass/policy` broken: the rule's own code and text. */
  policy: (code: number, message: string) => zoomError('policy', { code, params: { message } }),
  notFound: (method: string, path: string) =>
    zoomError('notFound', { params: { method, path: echo(path.split('?')[0] ?? '') } }),
  methodNotAllowed: () => zoomError('methodNotAllowed'),
  busy: () => zoomError('busy', { headers: { 'Retry-After': '1' } }),
  unavailable: () => zoomError('unavailable', { headers: { 'Retry-After': '1' } }),
  /** Zoom's 429 for a full one-second window; `headers` carry the X-RateLimit-* set and Retry-After. */
  rateLimitQps: (headers: Record<string, string>) => zoomError('rateLimitQps', { headers }),
  /** Zoom's 429 for an exhausted daily limit. */
  rateLimitDaily: (headers: Record<string, string>) => zoomError('rateLimitDaily', { headers }),
  /** A request Fastify refused for a reason none of the entries above names (a 4xx of its own). */
  malformed: (status: number) => zoomError('malformed', { status }),
  internal: () => zoomError('internal'),
} satisfies Record<ErrorKind, (...args: never[]) => ZoomError>;

/** Why a webhook subscription or delivery command was refused (the operator's commands). */
export type WebhookErrorKind =
  | 'app_not_found'
  | 'invalid_url'
  | 'host_not_allowed'
  | 'unknown_event'
  | 'no_events'
  | 'duplicate_url'
  | 'validation_failed'
  | 'subscription_not_found'
  | 'delivery_not_found'
  | 'delivery_not_failed';

/** A refused webhook command: `kind` says which refusal, the message says it to the operator. */
export class WebhookError extends Error {
  constructor(
    readonly kind: WebhookErrorKind,
    message: string,
  ) {
    super(message);
  }
}
