import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { Errors } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import { authenticate } from '../../domain/tokens/access-tokens.js';
import type { EndpointScopes } from '../../domain/tokens/scopes.js';
import { requireScopes } from '../../domain/users/resolve.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const QUERY_TOKEN = /(?:^|[?&])access_token=/;

/**
 * Bearer authentication and the endpoint's scope check, before the body is read:
 * 401 code 124 for a missing, unknown, expired or query-string token; 400 code 4711
 * when the token holds none of the endpoint's scopes.
 */
export function requireAuth(ctx: DomainContext, scopes: EndpointScopes): onRequestHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const q = request.url.indexOf('?');
    if (q >= 0 && QUERY_TOKEN.test(request.url.slice(q))) throw Errors.tokenInQuery();
    const header = request.headers.authorization;
    const match = header ? /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
    if (!match) throw Errors.invalidToken();
    const principal = await authenticate(ctx, match[1]!);
    requireScopes(principal, scopes);
    request.principal = principal;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw Errors.invalidToken();
  return request.principal;
}
