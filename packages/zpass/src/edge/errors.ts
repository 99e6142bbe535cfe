/**
 * The error policy both edges share: anything thrown while a request is handled (a
 * catalogue error, a failure of the hasher or the store, a framework failure such as a
 * schema error or a body too large) becomes one catalogue error, with Zoom's status, code
 * and message and its `kind`. The API renders it as Zoom's JSON (http/plugins/errors.ts),
 * the pages as an HTML page (web/errors.ts); what to log and whether to close the
 * connection is decided here, once, and by kind, never by message.
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import { Errors, type FieldError, OAuthError, ZoomError } from '../domain/errors.js';
import { failureAsError } from '../domain/failures.js';

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Fastify's schema errors as Zoom's field errors. */
function fieldErrors(validation: AjvError[]): FieldError[] {
  return validation.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (v.keyword === 'required') {
      const field = [path, String(v.params.missingProperty)].filter(Boolean).join('.');
      return { field, message: `${field} is required.` };
    }
    const field = path || 'body';
    // Zoom names the field and says no more: "Invalid field." (its error-codes page).
    return { field, message: 'Invalid field.' };
  });
}

/** Anything thrown while handling a request, as the catalogue's error (or the OAuth endpoint's). */
export function classify(err: unknown): ZoomError | OAuthError {
  if (err instanceof ZoomError || err instanceof OAuthError) return err;
  const failure = failureAsError(err);
  if (failure) return failure;
  const e = err as FastifyError & { validation?: AjvError[] };
  if (Array.isArray(e.validation)) return Errors.validation(fieldErrors(e.validation));
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return Errors.unsupportedMediaType();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return Errors.bodyTooLarge();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return Errors.invalidJson();
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_PROTO_VIOLATION':
      return Errors.validation([{ field: 'body', message: 'The multipart body is malformed.' }]);
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return Errors.bodyTooLarge();
  if (status === 415) return Errors.unsupportedMediaType();
  if (status >= 400 && status < 500) return Errors.malformed(status);
  return Errors.internal();
}

/** A fault of the server (logged with its stack), as opposed to a refusal or a temporary overload. */
export function isFault(mapped: ZoomError | OAuthError): boolean {
  return mapped instanceof ZoomError && mapped.kind === 'internal';
}

/** Logs what was answered: a fault at error level with the error, a refusal at info with its status and code. */
export function logOutcome(request: FastifyRequest, err: unknown, mapped: ZoomError | OAuthError): void {
  if (isFault(mapped)) request.log.error({ err }, 'request failed');
  else
    request.log.info(
      { status: mapped.status, code: mapped instanceof ZoomError ? mapped.code : mapped.error },
      'request refused',
    );
}

/**
 * Answered before the body was read: the connection should close rather than leave an
 * unread body holding it open (and a graceful shutdown waiting on it).
 */
export function bodyLeftUnread(request: FastifyRequest): boolean {
  if (request.body !== undefined) return false;
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}
