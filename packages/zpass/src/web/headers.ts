import type { FastifyReply, FastifyRequest } from 'fastify';

/** The pages' Content-Security-Policy: nothing inline, nothing from another site, never framed. */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The headers of every page and asset (docs/web.md). */
export function setPageHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers({
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // Invitation links carry their token in the address: never send it on.
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  });
  if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
}
