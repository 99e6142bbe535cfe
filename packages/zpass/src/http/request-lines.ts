import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';

/** Whether the request's logger (a pino child: `buildApi` gives Fastify a pino logger) writes at info. */
const infoOn = (request: FastifyRequest) => (request.log as unknown as Logger).isLevelEnabled('info');

/**
 * Fastify's two lines per request, "incoming request" and "request completed", written as
 * Fastify writes them (the request's logger, whose one binding is `reqId`, is at the
 * route's level) but through `lines` (`requestLineLogger`), which skips the redaction
 * pass that those lines never need. A request that failed is logged by Fastify itself,
 * with its error, through the redacting logger.
 */
export class RequestLines extends LogController {
  constructor(private readonly lines: Logger) {
    super();
  }

  override incomingRequest(request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request) || !infoOn(request)) return;
    this.lines.info({ reqId: request.id, req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    if (this.isLogDisabled(request) || !infoOn(request)) return;
    this.lines.info({ reqId: request.id, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
