/**
 * Zoom's error catalogue as data: every error zpass answers with, under a stable key (`kind`)
 * beside Zoom's HTTP status, code and message. A message may hold `{name}` placeholders that
 * `errorMessage` fills. Callers decide on the key, never on the text.
 */

export interface ErrorEntry {
  /** HTTP status. `null`: given by the situation (e.g. `malformed`, a refusal of the framework). */
  readonly status: number | null;
  /** Zoom's code in the body. `null`: given by the situation (e.g. a password rule's own code). */
  readonly code: number | null;
  /** Zoom's text; `{name}` placeholders are filled by `errorMessage`. */
  readonly message: string;
}

export const ERRORS = {
  invalidJson: { status: 400, code: 300, message: 'Request Body should be a valid JSON object.' },
  validation: { status: 400, code: 300, message: 'Validation Failed.' },
  unsupportedMediaType: {
    status: 415,
    code: 300,
    message:
      'Unsupported Content-Type. Send application/json, multipart/form-data or application/x-www-form-urlencoded.',
  },
  bodyTooLarge: { status: 413, code: 300, message: 'Request Body is too large.' },
  unsupportedCharset: {
    status: 415,
    code: 300,
    message: 'Unsupported charset. Send the request body in UTF-8.',
  },
  invalidEncoding: {
    status: 400,
    code: 300,
    message: 'Request Body is not valid UTF-8 (or holds a percent-escape that does not decode).',
  },
  invalidToken: { status: 401, code: 124, message: 'Invalid access token.' },
  expiredToken: { status: 401, code: 124, message: 'Access token is expired.' },
  tokenInQuery: {
    status: 401,
    code: 124,
    message: 'Invalid access token, this access token is not supported as query parameter string.',
  },
  missingScopes: {
    status: 400,
    code: 4711,
    message: 'Invalid access token, does not contain scopes:[{scopes}].',
  },
  userNotFound: { status: 404, code: 1001, message: 'User does not exist: {userId}.' },
  accountNotFound: { status: 404, code: 2001, message: 'Account does not exist: {accountId}.' },
  passwordReused: {
    status: 400,
    code: 1129,
    message: 'Users cannot reuse any of the last {count} passwords created.',
  },
  cannotUpdateAdmin: { status: 400, code: 1117, message: "Can not update Admin's password" },
  samePassword: { status: 400, code: 300, message: 'Your new password can not match the old password.' },
  tooManyChanges: {
    status: 400,
    code: 300,
    message:
      'This password cannot be changed because it has already been changed the maximum number of times over the past 24 hours.',
  },
  emailTaken: { status: 409, code: 1005, message: 'Email "{email}" has already been used.' },
  activeElsewhere: { status: 400, code: 1009, message: 'The user {email} already holds an active account.' },
  disassociateAdmin: { status: 400, code: 1117, message: 'You can not disassociate an Admin user.' },
  adminStatus: {
    status: 400,
    code: 200,
    message: 'Zoom Room and Admin users can not be activated or deactivated.',
  },
  emailChangePending: { status: 400, code: 1000, message: 'Pending user can not change email.' },
  emailChangeOwner: { status: 400, code: 1000, message: 'Can not change email of account owner.' },
  emailChangeInactive: { status: 400, code: 1000, message: 'This user is locked or inactive.' },
  emailChangeLimit: {
    status: 400,
    code: 300,
    message: "A user's email address can be changed up to 3 times in any 24 hour period.",
  },
  emailRequired: { status: 400, code: 300, message: 'Email is required.' },
  createLimit: {
    status: 429,
    code: 429,
    message:
      'You have exceeded the daily rate limit ({limit}) of user invite requests permitted for this account. You may resume these requests at GMT 00:00:00.',
  },
  noPrivilege: { status: 400, code: 200, message: 'No privilege.' },
  ownerStatus: { status: 400, code: 200, message: 'The account owner can not be deactivated.' },
  ownerDelete: { status: 400, code: 200, message: 'The account owner can not be deleted or disassociated.' },
  ownerRole: { status: 400, code: 200, message: "The account owner's role can not be changed." },
  selfAction: { status: 400, code: 200, message: 'You can not deactivate, delete or disassociate yourself.' },
  noPasswordSignIn: {
    status: 400,
    code: 1123,
    message: 'Can only update password of Zoom work email account',
  },
  userDeactivated: {
    status: 400,
    code: 300,
    message: 'The user is deactivated: activate them before updating their password.',
  },
  userPending: {
    status: 400,
    code: 300,
    message: 'The user has not accepted their invitation yet: they set their first password through it.',
  },
  pendingStatus: {
    status: 400,
    code: 300,
    message: 'The user has not accepted their invitation yet: their status can not be changed.',
  },
  invitationInvalid: {
    status: 400,
    code: 300,
    message: 'This invitation link is not valid: it was used, replaced or withdrawn.',
  },
  invitationExpired: {
    status: 400,
    code: 300,
    message: 'This invitation has expired. Ask your administrator to invite you again.',
  },
  /** A password-reset link that was used, replaced, expired or never was (zpass's pages; one answer for every reason). */
  resetLinkInvalid: {
    status: 400,
    code: 300,
    message: 'This reset link cannot be used: it was used, replaced or has expired. Ask for a new one.',
  },
  currentPasswordWrong: { status: 400, code: 300, message: 'Your current password is not correct.' },
  passwordsDiffer: {
    status: 400,
    code: 300,
    message: 'The new password and its confirmation are not the same.',
  },
  invalidPageToken: { status: 400, code: 300, message: 'The next page token is invalid.' },
  expiredPageToken: {
    status: 400,
    code: 300,
    message: 'The next page token has expired. Start again from the first page.',
  },
  roleNotFound: { status: 404, code: 300, message: 'Role does not exist: {roleId}.' },
  alreadyInRole: { status: 400, code: 300, message: 'User {email} already has the role {role}.' },
  notInRole: { status: 400, code: 300, message: 'User {memberId} does not have the role {role}.' },
  roleNotAssignable: {
    status: 400,
    code: 300,
    message: 'The {role} role can not be assigned or unassigned through this API.',
  },
  reportRange: { status: 400, code: 300, message: '{message}' },
  policy: { status: 400, code: null, message: '{message}' },
  notFound: { status: 404, code: 404, message: 'No API route matches {method} {path}.' },
  methodNotAllowed: { status: 405, code: 405, message: 'Method not allowed.' },
  busy: { status: 503, code: 503, message: 'The server is busy hashing passwords. Try again later.' },
  unavailable: {
    status: 503,
    code: 503,
    message: 'The service is temporarily unavailable. Try again later.',
  },
  rateLimitQps: {
    status: 429,
    code: 429,
    message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
  },
  rateLimitDaily: {
    status: 429,
    code: 429,
    message:
      'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.',
  },
  malformed: { status: null, code: 300, message: 'The request is malformed.' },
  internal: { status: 500, code: 500, message: 'Internal server error.' },
} as const satisfies Record<string, ErrorEntry>;

/** The stable key of an entry of the catalogue. */
export type ErrorKind = keyof typeof ERRORS;

/** The entry's message with its `{name}` placeholders filled (an unknown name stays as written). */
export function errorMessage(
  kind: ErrorKind,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return ERRORS[kind].message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/**
 * Whether an answer received over the wire (status, code, message) is this entry of the
 * catalogue: for clients, which get no key, only Zoom's three fields. Entries with
 * placeholders match on the text around them.
 */
export function isError(
  kind: ErrorKind,
  answer: { status?: number | undefined; code?: number | string | undefined; message: string },
): boolean {
  const entry: ErrorEntry = ERRORS[kind];
  if (entry.status !== null && entry.status !== answer.status) return false;
  if (entry.code !== null && entry.code !== answer.code) return false;
  const parts = entry.message.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^]*')}$`).test(answer.message);
}
