/** The page kit's cookies: the session, the anonymous forms' secret, and their CSRF tokens. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { newToken } from '../../crypto/random.js';
import type { DomainContext } from '../../domain/context.js';
import { type ActiveSession, findSession, SESSION_TTL_MS } from '../../domain/sessions/sessions.js';
import { type AfterPassword, CHALLENGE_TTL_MS } from '../../domain/two-factor/sign-in.js';
import {
  cookie,
  csrfToken,
  csrfValid,
  FORM_COOKIE,
  readCookies,
  SESSION_COOKIE,
  TWO_FACTOR_COOKIE,
} from '../cookies.js';
import { redirect } from './page.js';

export { csrfToken, csrfValid };

export interface CurrentSession {
  active: ActiveSession;
  /** The session id the browser holds (the key of its CSRF tokens). */
  id: string;
}

const secure = (request: FastifyRequest) => request.protocol === 'https';

/** The request's cookies of ours (values of another shape are dropped). */
export const cookiesOf = (request: FastifyRequest) => readCookies(request.headers.cookie);

/** The browser's session, if it holds a live one. */
export async function sessionOf(
  ctx: DomainContext,
  request: FastifyRequest,
): Promise<CurrentSession | undefined> {
  const id = cookiesOf(request)[SESSION_COOKIE];
  const active = await findSession(ctx, id);
  return active && id ? { active, id } : undefined;
}

/** The session id the browser sends, live or not (what a new sign-in replaces). */
export const sessionCookie = (request: FastifyRequest): string | undefined =>
  cookiesOf(request)[SESSION_COOKIE];

export function setSession(request: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.header(
    'set-cookie',
    cookie(SESSION_COOKIE, id, { secure: secure(request), maxAge: Math.floor(SESSION_TTL_MS / 1000) }),
  );
}

export function clearSession(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', cookie(SESSION_COOKIE, '', { secure: secure(request), maxAge: 0 }));
}

/** The CSRF token of an anonymous form: keyed with the browser's form cookie, made when missing. */
export function formCsrf(request: FastifyRequest, reply: FastifyReply): string {
  let secret = cookiesOf(request)[FORM_COOKIE];
  if (!secret) {
    secret = newToken();
    reply.header('set-cookie', cookie(FORM_COOKIE, secret, { secure: secure(request) }));
  }
  return csrfToken(secret, 'form');
}

/** Whether an anonymous form's token matches the browser's form cookie. */
export const formCsrfValid = (request: FastifyRequest, sent: unknown): boolean =>
  csrfValid(cookiesOf(request)[FORM_COOKIE], 'form', sent);

/** The CSRF token of a signed-in form. */
export const sessionCsrf = (session: CurrentSession): string => csrfToken(session.id, 'session');

export const sessionCsrfValid = (session: CurrentSession, sent: unknown): boolean =>
  csrfValid(session.id, 'session', sent);

/** Where a sign-in whose password was right asks for the second factor. */
export const TWO_FACTOR_SIGN_IN_PATH = '/signin/two-factor';

/** The challenge token the browser holds, if any (checked by the domain). */
export const challengeCookie = (request: FastifyRequest): string | undefined =>
  cookiesOf(request)[TWO_FACTOR_COOKIE];

export function clearChallenge(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', cookie(TWO_FACTOR_COOKIE, '', { secure: secure(request), maxAge: 0 }));
}

/**
 * After the right password: the session and `to`, or, when two-factor sign-in is on, the
 * challenge's cookie and the page that asks for the code.
 */
export function continueSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  next: AfterPassword,
  to: string,
): FastifyReply {
  if (next.kind === 'session') {
    setSession(request, reply, next.sessionId);
    return redirect(reply, to);
  }
  reply.header(
    'set-cookie',
    cookie(TWO_FACTOR_COOKIE, next.token, {
      secure: secure(request),
      maxAge: Math.floor(CHALLENGE_TTL_MS / 1000),
    }),
  );
  return redirect(reply, TWO_FACTOR_SIGN_IN_PATH);
}
