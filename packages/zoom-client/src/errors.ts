/**
 * Errors: one class per HTTP status family, plus connection failures, timeouts and aborts.
 * Every error carries Zoom's `code` and `message`, the response headers and the tracking id;
 * nothing in an error (message, properties, JSON, inspect output) holds a secret.
 */
import { type ErrorKind, isError } from './contract/index.js';
import type { RateLimitInfo } from './rate-limit.js';
import { baseRedactor, type Redactor } from './redact.js';

/** The request an error belongs to, redacted. */
export interface ErrorRequestInfo {
  method: string;
  /** The URL, with secret query parameters masked. */
  url: string;
}

/** One field error of Zoom's `"errors"` array (code 300 "Validation Failed."). */
export interface ZoomFieldError {
  field: string;
  message: string;
}

/** Base class of every error the SDK throws. */
export class ZoomError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A client-side problem: missing credentials, a bad argument. Nothing was sent. */
export class ZoomConfigError extends ZoomError {}

export interface ZoomApiErrorInit {
  status?: number | undefined;
  code?: number | string | undefined;
  message: string;
  headers?: Headers | undefined;
  body?: unknown;
  request?: ErrorRequestInfo | undefined;
  cause?: unknown;
  /** @internal The client's redactor, which knows its secrets. */
  redactor?: Redactor | undefined;
}

/**
 * An error from a request: an answer with a non-2xx status, or (status undefined) no usable
 * answer at all (see {@link ZoomConnectionError}).
 */
export class ZoomApiError extends ZoomError {
  /** HTTP status; undefined when no response arrived. */
  readonly status: number | undefined;
  /** Zoom's `code` (an integer; a string such as `invalid_client` from the OAuth endpoint). */
  readonly code: number | string | undefined;
  /** Response headers (lower-case names); secret-bearing headers are removed. */
  readonly headers: Record<string, string>;
  /** `x-zm-trackingid`: quote it to Zoom support. */
  readonly trackingId: string | undefined;
  /** Zoom's field errors, when the body had them. */
  readonly errors: ZoomFieldError[] | undefined;
  /** The parsed JSON body (redacted), or the start of a non-JSON body. */
  readonly body: unknown;
  /** The request, redacted. */
  readonly request: ErrorRequestInfo | undefined;
  /**
   * True when an earlier attempt of this call failed without telling whether the server
   * processed it (connection failure, timeout, 5xx) and was retried: the call may have taken
   * effect even though it ends in this error. A caller that must not repeat an effect (a bulk
   * password change, for instance) treats the outcome as unknown.
   */
  earlierAttemptMayHaveSucceeded = false;

  constructor(init: ZoomApiErrorInit) {
    const r = init.redactor ?? baseRedactor;
    super(r.text(init.message), init.cause === undefined ? undefined : { cause: safeCause(init.cause, r) });
    this.status = init.status;
    this.code = init.code;
    this.headers = headersRecord(init.headers);
    this.trackingId = init.headers?.get('x-zm-trackingid') ?? undefined;
    this.body = r.value(init.body);
    const errors = (init.body as { errors?: unknown } | undefined)?.errors;
    this.errors = Array.isArray(errors) ? (r.value(errors) as ZoomFieldError[]) : undefined;
    this.request = init.request;
  }

  /**
   * Whether this is the error `kind` of Zoom's catalogue (e.g. `'samePassword'`), judged on its
   * status, code and message as the shared contract writes them: the one place the SDK and its
   * users tell Zoom's errors apart when a code alone does not (code 300 has many meanings).
   */
  is(kind: ErrorKind): boolean {
    return isError(kind, this);
  }

  /** A JSON view without stack or cause: safe to log. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      message: this.message,
      trackingId: this.trackingId,
      errors: this.errors,
      request: this.request,
    };
  }
}

/** 400: validation failures (code 300, 1124-1136...), and Zoom's missing-scope answer (code 4711). */
export class ZoomBadRequestError extends ZoomApiError {
  /** True for code 4711 ("Invalid access token, does not contain scopes"), which Zoom sends as 400. */
  get isMissingScope(): boolean {
    return this.code === 4711;
  }
}
/** 401: invalid or expired token (code 124); also bad client credentials (`invalid_client`, which Zoom sends as 400). */
export class ZoomAuthenticationError extends ZoomApiError {}
/** 403. */
export class ZoomPermissionDeniedError extends ZoomApiError {}
/** 404: unknown user (code 1001). */
export class ZoomNotFoundError extends ZoomApiError {}
/** 409: e.g. code 1005, the e-mail is already used. */
export class ZoomConflictError extends ZoomApiError {}
/** 422. */
export class ZoomUnprocessableEntityError extends ZoomApiError {}
/** 429: per-second or daily limit; see {@link ZoomRateLimitError.rateLimit}. */
export class ZoomRateLimitError extends ZoomApiError {
  /** Category, type, limit, remaining and when to retry. */
  readonly rateLimit: RateLimitInfo;
  constructor(init: ZoomApiErrorInit & { rateLimit: RateLimitInfo }) {
    super(init);
    this.rateLimit = init.rateLimit;
  }
  /** True for the daily limit, which the client never waits out. */
  get isDailyLimit(): boolean {
    return this.rateLimit.type?.toLowerCase() === 'daily-limit' || /daily rate limit/i.test(this.message);
  }
  /** When another request may be made, if the response said. */
  get retryAt(): Date | undefined {
    return this.rateLimit.retryAt;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), rateLimit: this.rateLimit };
  }
}
/** 5xx, including a proxy's HTML error page. */
export class ZoomInternalServerError extends ZoomApiError {}

/** No usable response: connection refused or reset, a response cut short, DNS failure. */
export class ZoomConnectionError extends ZoomApiError {
  constructor(init: Omit<ZoomApiErrorInit, 'status'>) {
    super({ ...init, status: undefined });
  }
}
/** The request (one attempt) took longer than its timeout. */
export class ZoomTimeoutError extends ZoomConnectionError {}
/** The caller's `signal` aborted the request. */
export class ZoomUserAbortError extends ZoomApiError {
  constructor(init: Omit<ZoomApiErrorInit, 'status' | 'message'> & { message?: string }) {
    super({ ...init, status: undefined, message: init.message ?? 'Request was aborted.' });
  }
}

/** The password breaks the account's rules; found locally, so nothing was sent. */
export class ZoomPasswordPolicyError extends ZoomError {
  constructor(
    /** Every rule broken, Zoom's code and message for each, first the one the server would report. */
    readonly violations: Array<{ code: number; message: string }>,
  ) {
    super(violations[0]?.message ?? 'Password rejected.');
  }
  get code(): number | undefined {
    return this.violations[0]?.code;
  }
}

/** The error class for a status. */
export function errorClassFor(status: number): typeof ZoomApiError {
  if (status === 400) return ZoomBadRequestError;
  if (status === 401) return ZoomAuthenticationError;
  if (status === 403) return ZoomPermissionDeniedError;
  if (status === 404) return ZoomNotFoundError;
  if (status === 409) return ZoomConflictError;
  if (status === 422) return ZoomUnprocessableEntityError;
  if (status >= 500) return ZoomInternalServerError;
  return ZoomApiError;
}

const HIDDEN_RESPONSE_HEADERS = new Set(['set-cookie', 'authorization', 'www-authenticate']);

function headersRecord(h: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  h.forEach((value, key) => {
    if (!HIDDEN_RESPONSE_HEADERS.has(key)) out[key] = value;
  });
  return out;
}

/** A cause that keeps its name, message and code, with secrets scrubbed, and nothing else. */
function safeCause(cause: unknown, r: Redactor): unknown {
  if (!(cause instanceof Error)) return typeof cause === 'string' ? r.text(cause) : undefined;
  const e = new Error(r.text(cause.message));
  e.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') (e as Error & { code?: string }).code = code;
  const inner = (cause as { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const c = new Error(r.text(inner.message));
    c.name = inner.name;
    const innerCode = (inner as { code?: unknown }).code;
    if (typeof innerCode === 'string') (c as Error & { code?: string }).code = innerCode;
    (e as Error & { cause?: unknown }).cause = c;
  }
  if (e.stack) e.stack = r.text(e.stack);
  return e;
}

/** Why `verifyWebhook` refused a request. */
export type WebhookErrorReason =
  /** No `x-zm-signature` header. */
  | 'missing_signature'
  /** No `x-zm-request-timestamp` header. */
  | 'missing_timestamp'
  /** The signature is not `v0=` and 64 hexadecimal digits (or the header came twice). */
  | 'malformed_signature'
  /** The timestamp is not a whole number of seconds (or the header came twice). */
  | 'malformed_timestamp'
  /** The signature is not the secret token's over this timestamp and body: a wrong secret, a changed body, or a forgery. */
  | 'signature_mismatch'
  /** Authentic, but older than the tolerance allows: a replay, a clock behind, or a very late delivery. */
  | 'timestamp_too_old'
  /** Authentic, but dated further ahead than the tolerance allows: a clock ahead. */
  | 'timestamp_in_future'
  /** Authentic, but the body is not JSON (or not UTF-8). */
  | 'invalid_json'
  /** Authentic JSON, but not an event: no string `event`, or a URL validation without a `plainToken`. */
  | 'invalid_event';

/**
 * A webhook request that `verifyWebhook` refused. The message names the reason and never
 * holds the secret token, the received signature or the expected one.
 */
export class ZoomWebhookError extends ZoomError {
  constructor(
    /** Why, as a stable key to branch on. */
    readonly reason: WebhookErrorReason,
    message: string,
  ) {
    super(message);
  }

  /** A JSON view: safe to log. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, reason: this.reason, message: this.message };
  }
}
