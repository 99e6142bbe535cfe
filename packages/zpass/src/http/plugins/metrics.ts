import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import type { Metrics } from '../../monitoring/metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const GRANT_TYPES = new Set([
  'account_credentials',
  'client_credentials',
  'authorization_code',
  'refresh_token',
]);

/** OAuth answers wrong credentials with 400 as Zoom does: the error, not the status, tells them apart. */
function signInOutcome(status: number, oauthError?: string): string {
  if (status < 400) return 'success';
  if (status === 401 || oauthError === 'invalid_client') return 'bad_credentials';
  if (status === 403) return 'refused';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'error';
  return 'bad_request';
}

/**
 * Counts every answered request by route template (never the URL itself, which holds ids and
 * e-mails), method and status, with its duration; and, by route, 429s of Zoom's rate limits,
 * token issuance and sign-in outcomes. Register before the routes.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  const oauthErrors = new WeakMap<FastifyRequest, string>();
  app.addHook('onError', (request, _reply, err, done) => {
    if (err instanceof OAuthError) oauthErrors.set(request, err.error);
    done();
  });
  // Callback hooks: every request runs this one, and a promise per hook is measurable.
  app.addHook('onResponse', (request, reply, done) => {
    count(request, reply);
    done();
  });

  function count(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = METHODS.has(request.method) ? request.method : 'other';
    const status = reply.statusCode;
    metrics.requests.inc({ route, method, status: String(status) });
    metrics.duration.observe({ route, method }, reply.elapsedTime / 1000);
    const category = request.routeOptions.config?.rateLimit;
    if (status === 429 && category) {
      const type = reply.getHeader('x-ratelimit-type');
      metrics.rateLimited.inc({ category, type: typeof type === 'string' ? type : 'unknown' });
    }
    if (method !== 'POST') return;
    if (route === '/oauth/token') {
      metrics.signIns.inc({ via: 'oauth', outcome: signInOutcome(status, oauthErrors.get(request)) });
      if (status === 200) {
        const query = request.query as Record<string, unknown> | undefined;
        const body = request.body as Record<string, unknown> | undefined;
        const grant = query?.grant_type ?? body?.grant_type;
        metrics.tokensIssued.inc({
          grant_type: typeof grant === 'string' && GRANT_TYPES.has(grant) ? grant : 'other',
        });
      }
    } else if (route === '/signin') {
      metrics.signIns.inc({ via: 'web', outcome: signInOutcome(status) });
    }
  }
}
