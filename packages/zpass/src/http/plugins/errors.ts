import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, OAuthError } from '../../domain/errors.js';
import { bodyLeftUnread, classify, logOutcome } from '../../edge/errors.js';
import { newTrackingId, TRACKING_HEADER } from './tracking.js';

/** Renders an error as Zoom's JSON (the OAuth endpoint's own shape for its errors). */
export function sendApiError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = classify(err);
  logOutcome(request, err, mapped);
  if (bodyLeftUnread(request)) reply.header('connection', 'close');
  if (mapped instanceof OAuthError) {
    return reply
      .code(mapped.status)
      .header('cache-control', 'no-store')
      .send({ reason: mapped.reason, error: mapped.error });
  }
  if (mapped.headers) reply.headers(mapped.headers);
  return reply.code(mapped.status).send(mapped.toBody());
}

/** The API's error handler: Zoom's JSON for every error of the routes registered in `app`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(sendApiError);
}

/** No route matched: Zoom's 404. */
export function apiNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = Errors.notFound(request.method, request.url);
  return reply.code(e.status).send(e.toBody());
}

/** Errors Fastify raises before routing (a URL that does not decode, a path parameter too long). */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = classify(err);
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
