import type { FastifyInstance } from 'fastify';
import { Errors } from '../../domain/errors.js';
import { CATEGORIES, type Category, isCategory } from '../../limits/categories.js';
import { type RateLimiter, rateLimitHeaders } from '../../limits/limiter.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's rate-limit label (Zoom's category). Every `/v2` route declares one:
     * `config: { rateLimit: 'Medium' }`.
     */
    rateLimit?: Category;
  }
}

/**
 * Zoom's rate limits on every labelled route: one hook, after authentication
 * (the route's own onRequest hooks) and before the body is read, counts the
 * request against the principal's account and sets the X-RateLimit-* headers;
 * over the limit it answers Zoom's 429 with Retry-After. Register before the routes.
 */
export function registerRateLimits(app: FastifyInstance, limiter: RateLimiter): void {
  app.addHook('onRoute', (route) => {
    const label = route.config?.rateLimit;
    if (label !== undefined && !isCategory(label))
      throw new Error(`${route.method} ${route.url}: rateLimit must be one of ${CATEGORIES.join(', ')}.`);
    if (label === undefined && route.url.startsWith('/v2/'))
      throw new Error(
        `${route.method} ${route.url}: every /v2 route declares config.rateLimit (its Zoom label).`,
      );
  });
  app.addHook('preParsing', async (request, reply) => {
    const category = request.routeOptions.config.rateLimit;
    const principal = request.principal;
    if (!category || !principal) return;
    // The plan and overrides were read with the token, in the same query (null: the account is gone).
    const decision = await limiter.check(principal.accountId, category, principal.limits ?? null);
    const headers = rateLimitHeaders(decision);
    reply.headers(headers);
    // The error handler logs the refusal (status and code), as it does every other.
    if (!decision.allowed)
      throw decision.type === 'QPS' ? Errors.rateLimitQps(headers) : Errors.rateLimitDaily(headers);
  });
}
