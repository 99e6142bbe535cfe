import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export const TRACKING_HEADER = 'x-zm-trackingid';

/** The cluster name in tracking ids when none is configured (`ZPASS_CLUSTER`). */
export const DEFAULT_CLUSTER = 'zp1';

/**
 * A tracking id in Zoom's format, `v=2.0;clid=<cluster>;rid=WEB_<32 hex>` (the contract,
 * section 2): 128 random bits, so unique per request; it is also the request's id in the logs.
 */
export function newTrackingId(cluster: string = DEFAULT_CLUSTER): string {
  return `v=2.0;clid=${cluster};rid=WEB_${randomBytes(16).toString('hex')}`;
}

/** Every response carries the request's tracking id, as Zoom's do. */
export function registerTracking(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(TRACKING_HEADER, request.id);
  });
}
