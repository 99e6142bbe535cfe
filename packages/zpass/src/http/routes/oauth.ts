import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { OAuthError } from '../../domain/errors.js';
import { issueAccountToken } from '../../domain/tokens/access-tokens.js';
import type { Limits } from '../../limits/categories.js';
import type { Counter } from '../../limits/counter.js';
import type { FailureThrottle } from '../../limits/throttle.js';

type Params = Record<string, unknown>;

function basicCredentials(request: FastifyRequest): { id?: string; secret?: string } {
  const m = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!m) return {};
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function param(query: Params, body: Params | undefined, name: string): string | undefined {
  const v = query[name] ?? body?.[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Refusal while an address or client id is throttled after failed attempts (zpass choice; OAuth error shape). */
/**
 * Tokens issued per app (zpass choice: Zoom limits issuance without publishing a number):
 * at most `qps` a second and `daily` a UTC day, counted where the rate limits are (memory or Redis).
 */
export const DEFAULT_TOKEN_RATE: Limits = { qps: 10, daily: 10_000 };

const tooManyTokens = () =>
  new OAuthError(429, 'too_many_requests', 'Too many token requests for this app. Try again later.');

const tooManyFailures = () =>
  new OAuthError(429, 'too_many_requests', 'Too many failed attempts. Try again later.');

export async function oauthRoutes(
  app: FastifyInstance,
  opts: {
    ctx: DomainContext;
    throttle: FailureThrottle;
    publicUrl: () => string;
    /** Where token issuance per app is counted, and its limits. */
    tokenRate?: { counter: Counter; limits: Limits };
  },
): Promise<void> {
  const { ctx, throttle } = opts;
  app.post<{ Querystring: Params; Body: Params | undefined }>(
    '/oauth/token',
    {
      schema: {
        summary: 'Get an access token (Server-to-Server OAuth)',
        description:
          'Basic authentication with client id and secret; `grant_type=account_credentials` and ' +
          '`account_id` in the query string or a form body.',
        tags: ['OAuth'],
        security: [{ basic: [] }],
        querystring: {
          type: 'object',
          properties: { grant_type: { type: 'string' }, account_id: { type: 'string' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              access_token: { type: 'string' },
              token_type: { type: 'string' },
              expires_in: { type: 'integer' },
              scope: { type: 'string' },
              api_url: { type: 'string' },
            },
          },
          // OAuth's own errors are {reason, error}; anything else refused before the handler
          // (a malformed body, an unsupported content type) keeps Zoom's {code, message}.
          '4xx': {
            type: 'object',
            properties: {
              reason: { type: 'string' },
              error: { type: 'string' },
              code: { type: 'integer' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body && typeof request.body === 'object' ? request.body : undefined;
      const { id, secret } = basicCredentials(request);
      const now = ctx.clock.now();
      // Throttled: refused before the credentials are looked at, so guessing gains nothing. The
      // attempt is reserved (counted as a failure) atomically with the check, so that a burst
      // of concurrent guesses cannot all pass before any failure is counted.
      const wait = await throttle.reserve(id, request.ip, now);
      if (wait > 0) {
        reply.header('retry-after', String(Math.ceil(wait / 1000)));
        throw tooManyFailures();
      }
      let token: Awaited<ReturnType<typeof issueAccountToken>>;
      try {
        token = await issueAccountToken(ctx, {
          grantType: param(request.query, body, 'grant_type'),
          accountId: param(request.query, body, 'account_id'),
          clientId: id,
          clientSecret: secret,
          admit: async (appId) => {
            if (!opts.tokenRate) return;
            const taken = await opts.tokenRate.counter.take({
              accountId: `oauth-app:${appId}`,
              category: 'Light',
              now,
              limits: opts.tokenRate.limits,
            });
            if (!taken.allowed) {
              const daily = taken.refusedBy === 'Daily-limit';
              const wait = daily ? 86_400_000 - (now % 86_400_000) : 1000 - (now % 1000);
              reply.header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))));
              throw tooManyTokens();
            }
          },
        });
      } catch (err) {
        // Only a wrong client id or secret keeps its reservation.
        if (!(err instanceof OAuthError && err.error === 'invalid_client'))
          await throttle.release(id, request.ip, now);
        throw err;
      }
      await throttle.success(id!, request.ip, now);
      reply.header('cache-control', 'no-store');
      return { ...token, api_url: opts.publicUrl() };
    },
  );
}
