import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export const TRACKING_HEADER = 'x-zm-trackingid';

export function newTrackingId(): string {
  return `ZP_${randomUUID().replace(/-/g, '')}`;
}

/** Every response carries the request's tracking id, as Zoom's do. */
export function registerTracking(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(TRACKING_HEADER, request.id);
  });
}
