import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HasherBusyError } from '../../crypto/hasher.js';
import { Errors, type FieldError, OAuthError, ZoomError } from '../../domain/errors.js';
import { isUnavailable } from '../../store/failures.js';
import { setPageHeaders, wantsPage } from '../../web/headers.js';
import { messagePage } from '../../web/html.js';
import { newTrackingId, TRACKING_HEADER } from './tracking.js';

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

/** Maps anything thrown while handling a request to Zoom's error format. */
export function toZoomError(err: unknown): ZoomError | OAuthError {
  if (err instanceof ZoomError || err instanceof OAuthError) return err;
  if (err instanceof HasherBusyError) return Errors.busy();
  if (isUnavailable(err)) return Errors.unavailable();
  const e = err as FastifyError & { validation?: AjvError[]; part?: unknown };
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
  if (status >= 400 && status < 500) return new ZoomError(status, 300, 'The request is malformed.');
  return Errors.internal();
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toZoomError(err);
    if (mapped.status >= 500 && mapped.status !== 503) {
      request.log.error({ err }, 'request failed');
    } else {
      request.log.info(
        { status: mapped.status, code: 'code' in mapped ? mapped.code : mapped.error },
        'request refused',
      );
    }
    // Answered before the body was read: close the connection rather than leave an
    // unread body holding it open (and a graceful shutdown waiting on it).
    if (request.body === undefined && hasBody(request)) reply.header('connection', 'close');
    if (mapped instanceof OAuthError) {
      return reply
        .code(mapped.status)
        .header('cache-control', 'no-store')
        .send({ reason: mapped.reason, error: mapped.error });
    }
    if (mapped.headers) reply.headers(mapped.headers);
    return reply.code(mapped.status).send(mapped.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    // A browser that strays from the web pages gets a page; the API keeps Zoom's JSON.
    if (wantsPage(request)) {
      setPageHeaders(request, reply);
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(
          messagePage({
            title: 'There is no such page',
            message: 'Nothing is at this address. Check the link, or start again.',
            link: { href: '/', text: 'Go to the start page' },
          }),
        );
    }
    const e = Errors.notFound(request.method, request.url);
    return reply.code(e.status).send(e.toBody());
  });
}

/** Errors Fastify raises before routing (a URL that does not decode, a path parameter too long). */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toZoomError(err);
  const status = mapped.status >= 400 && mapped.status < 500 ? mapped.status : 400;
  request.log.info({ status, code: err.code }, 'request refused');
  reply
    .code(status)
    .header(TRACKING_HEADER, request.id)
    .send({ code: 300, message: 'The request is malformed.' });
}

/** A request Node's HTTP parser cannot read at all: answered in Zoom's format, then the socket closes. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request header fields are too large.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive.']
        : [400, 'Bad Request', 'The request is malformed.'];
  const body = JSON.stringify({ code: 300, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\n${TRACKING_HEADER}: ${newTrackingId()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
