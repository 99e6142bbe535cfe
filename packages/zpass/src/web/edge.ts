/**
 * The pages' edge (sign in, change your own password, accept an invitation, sign out,
 * the API reference): one Fastify plugin, its own security headers and error pages, and
 * the pages of web/pages/, built on the page kit (web/kit/). The pages call the same use
 * cases as the API; docs/web.md records the choices made here.
 */
import type { FastifyInstance } from 'fastify';
import { dummyHash } from '../domain/sessions/sessions.js';
import { registerPageErrors } from './errors.js';
import { setPageHeaders } from './headers.js';
import type { PageContext } from './kit/page.js';
import { PAGES } from './pages/index.js';

export type WebOptions = PageContext;

export async function webEdge(app: FastifyInstance, opts: WebOptions): Promise<void> {
  // Computed now, so that the first unknown e-mail costs what any wrong password costs.
  await dummyHash(opts.ctx.hasher);
  app.addHook('onRequest', async (request, reply) => setPageHeaders(request, reply));
  registerPageErrors(app);
  for (const page of PAGES) await page(app, opts);
}
