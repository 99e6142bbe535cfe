import { randomBytes, randomFillSync } from 'node:crypto';
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

/** Random bytes drawn at once for this many tracking ids: one call into the CSPRNG instead of one per request. */
const IDS_PER_DRAW = 256;

/**
 * `newTrackingId` for every request of one server: the same form and the same 128 random
 * bits each, taken from a buffer refilled from the CSPRNG every 256 ids.
 */
export function trackingIds(cluster: string = DEFAULT_CLUSTER): () => string {
  const pool = Buffer.alloc(16 * IDS_PER_DRAW);
  let next = IDS_PER_DRAW;
  const prefix = `v=2.0;clid=${cluster};rid=WEB_`;
  return () => {
    if (next === IDS_PER_DRAW) {
      randomFillSync(pool);
      next = 0;
    }
    const at = 16 * next++;
    return prefix + pool.toString('hex', at, at + 16);
  };
}

/** Every response carries the request's tracking id, as Zoom's do. */
export function registerTracking(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(TRACKING_HEADER, request.id);
  });
}
