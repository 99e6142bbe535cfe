/**
 * The one catalogue of errors zpass answers with, in Zoom's format:
 * `{"code": <int>, "message": "<text>"}` plus optional field errors.
 * Handlers throw these; one hook in the HTTP layer renders them.
 */

export interface FieldError {
  field: string;
  message: string;
}

/** The stable name of an entry of the catalogue: what callers decide on, never the message. */
export type ErrorKind = keyof typeof Errors;

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

/**
 * A mistake in an administrator's request (the admin CLI, the demo account), with a message
 * meant for them; not part of Zoom's API.
 */
export class AdminError extends Error {}

/** Longest part of a client-supplied value echoed back in a message. */
const ECHO_MAX = 128;

function echo(value: string): string {
  return value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}...` : value;
}

export const Errors = {
  invalidJson: () => new ZoomError('invalidJson', 400, 300, 'Request Body should be a valid JSON object.'),
  validation: (errors: FieldError[]) => new ZoomError('validation', 400, 300, 'Validation Failed.', errors),
  unsupportedMediaType: () =>
    new ZoomError(
      'unsupportedMediaType',
      415,
      300,
      'Unsupported Content-Type. Send application/json, multipart/form-data or application/x-www-form-urlencoded.',
    ),
  bodyTooLarge: () => new ZoomError('bodyTooLarge', 413, 300, 'Request Body is too large.'),
  /** A body declared in another charset than UTF-8 (zpass choice: 415, code 300, as other unsupported bodies). */
  unsupportedCharset: () =>
    new ZoomError('unsupportedCharset', 415, 300, 'Unsupported charset. Send the request body in UTF-8.'),
  /** Bytes that are not UTF-8, or a percent-escape that does not decode to UTF-8 (zpass choice). */
  invalidEncoding: () =>
    new ZoomError(
      'invalidEncoding',
      400,
      300,
      'Request Body is not valid UTF-8 (or holds a percent-escape that does not decode).',
    ),
  invalidToken: () => new ZoomError('invalidToken', 401, 124, 'Invalid access token.'),
  expiredToken: () => new ZoomError('expiredToken', 401, 124, 'Access token is expired.'),
  tokenInQuery: () =>
    new ZoomError(
      'tokenInQuery',
      401,
      124,
      'Invalid access token, this access token is not supported as query parameter string.',
    ),
  missingScopes: (accepted: readonly string[]) =>
    new ZoomError(
      'missingScopes',
      400,
      4711,
      `Invalid access token, does not contain scopes:[${accepted.join(', ')}].`,
    ),
  userNotFound: (userId: string) =>
    new ZoomError('userNotFound', 404, 1001, `User does not exist: ${echo(userId)}.`),
  accountNotFound: (accountId: string) =>
    new ZoomError('accountNotFound', 404, 2001, `Account does not exist: ${echo(accountId)}.`),
  passwordReused: (count: number) =>
    new ZoomError(
      'passwordReused',
      400,
      1129,
      `Users cannot reuse any of the last ${count} passwords created.`,
    ),
  cannotUpdateAdmin: () => new ZoomError('cannotUpdateAdmin', 400, 1117, "Can not update Admin's password"),
  samePassword: () =>
    new ZoomError('samePassword', 400, 300, 'Your new password can not match the old password.'),
  tooManyChanges: () =>
    new ZoomError(
      'tooManyChanges',
      400,
      300,
      'This password cannot be changed because it has already been changed the maximum number of times over the past 24 hours.',
    ),
  /** POST /v2/users with an address some user already has (in any account: addresses are unique). */
  emailTaken: (email: string) =>
    new ZoomError('emailTaken', 409, 1005, `Email "${echo(email)}" has already been used.`),
  /** POST /v2/users (autoCreate, custCreate, ssoCreate) for an address a user of another account holds. */
  activeElsewhere: (email: string) =>
    new ZoomError('activeElsewhere', 400, 1009, `The user ${echo(email)} already holds an active account.`),
  /** DELETE /v2/users/{userId} (disassociate) naming an admin. */
  disassociateAdmin: () =>
    new ZoomError('disassociateAdmin', 400, 1117, 'You can not disassociate an Admin user.'),
  /** PUT /v2/users/{userId}/status naming an admin or the owner. */
  adminStatus: () =>
    new ZoomError('adminStatus', 400, 200, 'Zoom Room and Admin users can not be activated or deactivated.'),
  /** PUT /v2/users/{userId}/email: Zoom's three refusals, all code 1000. */
  emailChangePending: () =>
    new ZoomError('emailChangePending', 400, 1000, 'Pending user can not change email.'),
  emailChangeOwner: () =>
    new ZoomError('emailChangeOwner', 400, 1000, 'Can not change email of account owner.'),
  emailChangeInactive: () =>
    new ZoomError('emailChangeInactive', 400, 1000, 'This user is locked or inactive.'),
  /** Zoom: "A user's email address can be changed up to 3 times in any 24 hour period." */
  emailChangeLimit: () =>
    new ZoomError(
      'emailChangeLimit',
      400,
      300,
      "A user's email address can be changed up to 3 times in any 24 hour period.",
    ),
  /** GET /v2/users/email without `email`. */
  emailRequired: () => new ZoomError('emailRequired', 400, 300, 'Email is required.'),
  /** POST /v2/users with action `create` past the plan's daily number of created users. */
  createLimit: (limit: number, headers: Record<string, string>) =>
    new ZoomError(
      'createLimit',
      429,
      429,
      `You have exceeded the daily rate limit (${limit}) of user invite requests permitted for this account. You may resume these requests at GMT 00:00:00.`,
      undefined,
      headers,
    ),
  /** An admin acting on the owner or another admin, or a change only the owner may make. */
  noPrivilege: () => new ZoomError('noPrivilege', 400, 200, 'No privilege.'),
  ownerStatus: () => new ZoomError('ownerStatus', 400, 200, 'The account owner can not be deactivated.'),
  ownerDelete: () =>
    new ZoomError('ownerDelete', 400, 200, 'The account owner can not be deleted or disassociated.'),
  ownerRole: () => new ZoomError('ownerRole', 400, 200, "The account owner's role can not be changed."),
  selfAction: () =>
    new ZoomError('selfAction', 400, 200, 'You can not deactivate, delete or disassociate yourself.'),
  /** custCreate and ssoCreate users have no password to update. */
  noPasswordSignIn: () =>
    new ZoomError('noPasswordSignIn', 400, 1123, 'Can only update password of Zoom work email account'),
  userDeactivated: () =>
    new ZoomError(
      'userDeactivated',
      400,
      300,
      'The user is deactivated: activate them before updating their password.',
    ),
  userPending: () =>
    new ZoomError(
      'userPending',
      400,
      300,
      'The user has not accepted their invitation yet: they set their first password through it.',
    ),
  pendingStatus: () =>
    new ZoomError(
      'pendingStatus',
      400,
      300,
      'The user has not accepted their invitation yet: their status can not be changed.',
    ),
  invitationInvalid: () =>
    new ZoomError(
      'invitationInvalid',
      400,
      300,
      'This invitation link is not valid: it was used, replaced or withdrawn.',
    ),
  invitationExpired: () =>
    new ZoomError(
      'invitationExpired',
      400,
      300,
      'This invitation has expired. Ask your administrator to invite you again.',
    ),
  /** A password-reset link that cannot be used, whatever the reason (one answer for all). */
  resetLinkInvalid: () =>
    new ZoomError(
      'resetLinkInvalid',
      400,
      300,
      'This reset link cannot be used: it was used, replaced or has expired. Ask for a new one.',
    ),
  /** The web pages' own password change: the current password must be given, right. */
  currentPasswordWrong: () =>
    new ZoomError('currentPasswordWrong', 400, 300, 'Your current password is not correct.'),
  passwordsDiffer: () =>
    new ZoomError('passwordsDiffer', 400, 300, 'The new password and its confirmation are not the same.'),
  invalidPageToken: () => new ZoomError('invalidPageToken', 400, 300, 'The next page token is invalid.'),
  expiredPageToken: () =>
    new ZoomError(
      'expiredPageToken',
      400,
      300,
      'The next page token has expired. Start again from the first page.',
    ),
  /** A role id other than Zoom's three built-in ones ("0" Owner, "1" Admin, "2" Member). */
  roleNotFound: (roleId: string) =>
    new ZoomError('roleNotFound', 404, 300, `Role does not exist: ${echo(roleId)}.`),
  /** Assigning a role the user already holds. */
  alreadyInRole: (email: string, role: string) =>
    new ZoomError('alreadyInRole', 400, 300, `User ${echo(email)} already has the role ${role}.`),
  notInRole: (memberId: string, role: string) =>
    new ZoomError('notInRole', 400, 300, `User ${echo(memberId)} does not have the role ${role}.`),
  /** The Owner role is given by transferring the account, and the Member role by unassigning another one. */
  roleNotAssignable: (role: string) =>
    new ZoomError(
      'roleNotAssignable',
      400,
      300,
      `The ${role} role can not be assigned or unassigned through this API.`,
    ),
  /** A report's dates: Zoom's `yyyy-mm-dd`, `from` not after `to`, at most one month apart. */
  reportRange: (message: string) => new ZoomError('reportRange', 400, 300, message),
  policy: (code: number, message: string) => new ZoomError('policy', 400, code, message),
  notFound: (method: string, path: string) =>
    new ZoomError('notFound', 404, 404, `No API route matches ${method} ${echo(path.split('?')[0] ?? '')}.`),
  methodNotAllowed: () => new ZoomError('methodNotAllowed', 405, 405, 'Method not allowed.'),
  busy: () =>
    new ZoomError('busy', 503, 503, 'The server is busy hashing passwords. Try again later.', undefined, {
      'Retry-After': '1',
    }),
  unavailable: () =>
    new ZoomError(
      'unavailable',
      503,
      503,
      'The service is temporarily unavailable. Try again later.',
      undefined,
      {
        'Retry-After': '1',
      },
    ),
  /** Zoom's 429 for a full one-second window; `headers` carry the X-RateLimit-* set and Retry-After. */
  rateLimitQps: (headers: Record<string, string>) =>
    new ZoomError(
      'rateLimitQps',
      429,
      429,
      'You have reached the maximum per-second rate limit for this API. Try again later.',
      undefined,
      headers,
    ),
  /** Zoom's 429 for an exhausted daily limit. */
  rateLimitDaily: (headers: Record<string, string>) =>
    new ZoomError(
      'rateLimitDaily',
      429,
      429,
      'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.',
      undefined,
      headers,
    ),
  /** A request Fastify refused for a reason none of the entries above names (a 4xx of its own). */
  malformed: (status: number) => new ZoomError('malformed', status, 300, 'The request is malformed.'),
  internal: () => new ZoomError('internal', 500, 500, 'Internal server error.'),
};

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
