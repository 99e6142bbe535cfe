import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { Errors } from '../../domain/errors.js';
import { authenticate } from '../../domain/tokens/access-tokens.js';
import { LIMIT_TYPES, type LimitType } from '../../limits/categories.js';
import type { RateLimiter } from '../../limits/limiter.js';
import { principalOf } from '../plugins/auth.js';
import { errorRef } from './schemas.js';

/** Most forced refusals one call may ask for. */
export const MAX_FORCED = 10_000;

/**
 * Controls for integrators rehearsing retry code, served only with `--test-controls`.
 * `POST /zpass/test/rate-limits` with the account's own bearer token (any scopes) and
 * `{"type": "QPS" | "Daily-limit", "count": N}`: the account's next N rated requests,
 * of any category, answer Zoom's 429 of that type. `count: 0` cancels.
 */
export async function testControlRoutes(
  app: FastifyInstance,
  opts: { ctx: DomainContext; limiter: RateLimiter; reset?: () => Promise<void> },
): Promise<void> {
  const { ctx, limiter, reset } = opts;
  if (reset)
    app.post(
      '/zpass/test/reset',
      {
        schema: {
          summary: 'Reset the store (test controls)',
          description:
            'Every table back to its rows right after the server started (the seed fixtures on a first start): ' +
            'users, apps, tokens and settings made since are gone. No token: it would not survive the reset. ' +
            'Only with `zpass serve --test-controls`.',
          tags: ['Test controls'],
          response: { 204: { type: 'null' } },
        },
      },
      async (_request, reply) => {
        await reset();
        return reply.code(204).send();
      },
    );
  app.post<{ Body: { type: LimitType; count: number } }>(
    '/zpass/test/rate-limits',
    {
      onRequest: async (request) => {
        const m = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(request.headers.authorization ?? '');
        if (!m) throw Errors.invalidToken();
        request.principal = await authenticate(ctx, m[1]!);
      },
      schema: {
        summary: 'Force 429s (test controls)',
        description:
          "The account's next `count` rated requests answer 429 of this type. Only with `zpass serve --test-controls`.",
        tags: ['Test controls'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: [...LIMIT_TYPES] },
            count: { type: 'integer', minimum: 0, maximum: MAX_FORCED },
          },
          required: ['type', 'count'],
          additionalProperties: false,
        },
        response: { 204: { type: 'null' }, '4xx': errorRef },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await limiter.counter.force(
        principal.accountId,
        request.body.type,
        request.body.count,
        ctx.clock.now(),
      );
      return reply.code(204).send();
    },
  );
}
