/**
 * The page kit: what every page in web/pages/ is built from. A page is one file that
 * exports a `Page`; web/pages/index.ts lists them. Markup lives in ./markup.ts, the
 * session and form cookies in ./session.ts, the new-password form in ./new-password.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { normalizeEmail } from '../../domain/users/resolve.js';
import { type AttemptCount, attempt, type FailureThrottle } from '../../limits/throttle.js';
import { messagePage } from './markup.js';

/** What a page is given besides the Fastify instance it registers its routes on. */
export interface PageContext {
  ctx: DomainContext;
  /** The failed-attempt throttle the OAuth endpoint uses: sign-in failures count in it too. */
  throttle: FailureThrottle;
}

/** One page: registers its routes (every one with `{ schema: { hide: true } }`: pages are not the API). */
export type Page = (app: FastifyInstance, page: PageContext) => void | Promise<void>;

/** Route options of every page: kept out of the API reference. */
export const PAGE_ROUTE = { schema: { hide: true } } as const;

/** A form that is not what the page sends (a field repeated, or not text): answered 400 by web/errors.ts. */
export class BadForm extends Error {}

export type Form = Record<string, string>;

/** The named fields of a urlencoded or multipart form, each text or absent. */
export function readForm(request: FastifyRequest, names: readonly string[]): Form {
  const body = request.body;
  const out: Form = {};
  if (body === undefined || body === null) return out;
  if (typeof body !== 'object' || Array.isArray(body)) throw new BadForm();
  for (const name of names) {
    const v = (body as Record<string, unknown>)[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new BadForm();
    out[name] = v;
  }
  return out;
}

export function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

export function redirect(reply: FastifyReply, to: string): FastifyReply {
  return reply.code(303).header('location', to).send();
}

/** A signed-in form sent without a session (it ended, or never was): nothing changed. */
export function sessionEnded(reply: FastifyReply): FastifyReply {
  return html(
    reply,
    403,
    messagePage({
      title: 'Your session has ended',
      message: 'You are not signed in any more, so nothing was changed. Sign in again.',
      link: { href: '/signin', text: 'Sign in' },
    }),
  );
}

/** A form whose CSRF token is missing or wrong: nothing changed; `back` is the page that sends it. */
export function formExpired(reply: FastifyReply, back: string): FastifyReply {
  return html(
    reply,
    403,
    messagePage({
      title: 'This form has expired',
      message:
        'The form did not come from this page as it is now, so nothing was changed. Open the page again and send the form from there.',
      link: { href: back, text: 'Open the page again' },
    }),
  );
}

/** The throttle's key for sign-in failures of an address (the OAuth endpoint keys by client id). */
export const throttleKey = (email: string) => `web:${normalizeEmail(email)}`;

/** What a throttled form says, with `Retry-After` set on the reply. */
export function throttled(reply: FastifyReply, waitMs: number): string {
  const s = Math.max(1, Math.ceil(waitMs / 1000));
  reply.header('retry-after', String(s));
  return `Too many failed attempts. Try again in ${s} second${s === 1 ? '' : 's'}.`;
}

/**
 * One attempt to prove who `email` is (a password or a code) from the request's address,
 * counted in the sign-in throttle under the address's key: `attempt` in limits/throttle.ts.
 */
export function signInAttempt<T>(
  page: PageContext,
  request: FastifyRequest,
  email: string,
  check: () => Promise<T>,
  counts: (result: T) => AttemptCount,
): Promise<{ wait: number } | { result: T }> {
  return attempt(page.throttle, throttleKey(email), request.ip, page.ctx.clock.now(), check, counts);
}
