import type { FastifyPluginAsync } from 'fastify';
import type { ReadinessReport } from '../../monitoring/readiness.js';

export interface HealthOptions {
  readiness: () => Promise<ReadinessReport>;
}

/**
 * `GET /healthz`: the process serves HTTP (200 while it does). `GET /readyz`: it should
 * receive traffic (200), or not (503), with each check by name. No authentication, no rate
 * limit, and no log line per call at level info (probes call every few seconds).
 */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { readiness }) => {
  const route = { logLevel: 'warn' as const, schema: { hide: true } };
  app.get('/healthz', route, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });
  app.get('/readyz', route, async (_request, reply) => {
    const report = await readiness();
    reply.code(report.ready ? 200 : 503).header('cache-control', 'no-store');
    return { status: report.ready ? 'ready' : 'not ready', checks: report.checks };
  });
};
