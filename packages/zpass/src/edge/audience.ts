import type { FastifyRequest } from 'fastify';

/**
 * A browser asking for a page, not an API client: what decides which edge answers a
 * request no route matched. The API's paths always answer Zoom's JSON.
 */
export function wantsPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  if (path.startsWith('/v2/') || path === '/v2' || path.startsWith('/oauth/')) return false;
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}
