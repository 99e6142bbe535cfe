import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';

/** Whether the request's logger (a pino child: `buildApi` gives Fastify a pino logger) writes at info. */
const infoOn = (request: FastifyRequest) => (request.log as unknown as Logger).isLevelEnabled('info');

/**
 * One line per request at info, "request completed", with what Fastify's two lines hold
 * together: the request (method, URL without query values, peer), the status and the
 * duration, under the request's id. It is written through `lines` (`requestLineLogger`),
 * which skips the redaction pass that this line never needs. Fastify's "incoming request"
 * line is written at debug (`ZPASS_LOG_LEVEL=debug`: to see requests that never finish).
 * A request whose answer failed is logged with its error through the redacting logger.
 */
export class RequestLines extends LogController {
  constructor(private readonly lines: Logger) {
    super();
  }

  override incomingRequest(request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
      return;
    }
    if (!infoOn(request)) return;
    this.lines.info(
      { reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime },
      'request completed',
    );
  }
}
