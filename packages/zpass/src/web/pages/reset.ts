/**
 * The forgotten-password pages: `/signin/reset` asks for the address and always answers
 * the same, at once (the lookup and the notice happen after the answer, so that its time
 * says nothing of the address); `/signin/reset/new?token=...` is the link's page, where
 * the new password is set through the one password-change use case (`via: 'reset'`) and
 * the user is signed in afresh. docs/web.md, "Forgotten password".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { ResetLinkError, ZoomError } from '../../domain/errors.js';
import { completeReset, RESET_LINK_PATH, requestReset, resetFor } from '../../domain/reset/reset.js';
import { SIGN_IN_PASSWORD_MAX, startSession } from '../../domain/sessions/sessions.js';
import { EMAIL_MAX } from '../../domain/users/directory.js';
import { storedAddress } from '../../edge/address.js';
import type { FailureThrottle } from '../../limits/throttle.js';
import { normalizeEmail, type User } from '../../store/repositories.js';
import { csrfToken, csrfValid, FORM_COOKIE, readCookies, SESSION_COOKIE } from '../cookies.js';
import {
  messagePage,
  type NewPasswordForm,
  type PageError,
  resetNewPasswordPage,
  resetRequestPage,
} from '../html.js';

/** What the pages share with the other pages (until the page kit holds it). */
export interface ResetPageKit {
  html(reply: FastifyReply, status: number, body: string): FastifyReply;
  redirect(reply: FastifyReply, to: string): FastifyReply;
  readForm(request: FastifyRequest, names: readonly string[]): Record<string, string>;
  formSecret(request: FastifyRequest, reply: FastifyReply): string;
  setSession(request: FastifyRequest, reply: FastifyReply, id: string): void;
  formExpired(reply: FastifyReply, back: string): FastifyReply;
  retryMessage(waitMs: number): string;
  newPasswordForm(
    user: Pick<User, 'account_id' | 'email' | 'first_name' | 'last_name' | 'display_name'>,
    sent?: { password: string; confirm: string; error?: ZoomError; errors?: PageError[] },
  ): Promise<NewPasswordForm>;
  newPasswordErrors(err: ZoomError): PageError[];
}

export interface ResetPagesOptions {
  ctx: DomainContext;
  throttle: FailureThrottle;
  kit: ResetPageKit;
}

export const RESET_REQUEST_PATH = '/signin/reset';

/** The throttle's key for reset requests of an address (sign-in failures use `web:`). */
const resetKey = (email: string) => `reset:${normalizeEmail(email)}`;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export async function resetPages(app: FastifyInstance, opts: ResetPagesOptions): Promise<void> {
  const { ctx, throttle, kit } = opts;

  app.get<{ Querystring: Record<string, unknown> }>(
    RESET_REQUEST_PATH,
    { schema: { hide: true } },
    async (request, reply) =>
      kit.html(
        reply,
        200,
        resetRequestPage({
          csrf: csrfToken(kit.formSecret(request, reply), 'form'),
          sent: request.query.sent !== undefined,
        }),
      ),
  );

  app.post(RESET_REQUEST_PATH, { schema: { hide: true } }, async (request, reply) => {
    const cookies = readCookies(request.headers.cookie);
    const f = kit.readForm(request, ['csrf', 'email']);
    if (!csrfValid(cookies[FORM_COOKIE], 'form', f.csrf)) return kit.formExpired(reply, RESET_REQUEST_PATH);
    const email = (f.email ?? '').trim();
    const again = (status: number, errors: PageError[]) =>
      kit.html(reply, status, resetRequestPage({ csrf: f.csrf!, email: email.slice(0, EMAIL_MAX), errors }));
    if (email.length === 0) return again(400, [{ message: 'Enter your e-mail address.', field: 'email' }]);
    if (email.length > EMAIL_MAX)
      return again(400, [
        { message: `An e-mail address has at most ${EMAIL_MAX} characters.`, field: 'email' },
      ]);
    // Every request counts, known address or not: per address and per e-mail, as sign-in failures do.
    const key = resetKey(email);
    const now = ctx.clock.now();
    const wait = await throttle.waitMs(key, request.ip, now);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return again(429, [{ message: kit.retryMessage(wait) }]);
    }
    await throttle.failure(key, request.ip, now);
    // After the answer: whether the address is known changes nothing the requester can time.
    setImmediate(() => {
      requestReset(ctx, email).catch((err) => request.log.error({ err }, 'password reset request failed'));
    });
    return kit.redirect(reply, `${RESET_REQUEST_PATH}?sent=1`);
  });

  const linkRefused = (reply: FastifyReply, err: ZoomError) =>
    kit.html(
      reply,
      err.status,
      messagePage({
        title: 'This reset link cannot be used',
        message: err.message,
        link: { href: RESET_REQUEST_PATH, text: 'Ask for a new link' },
      }),
    );

  const refusedOr = (reply: FastifyReply, err: unknown) => {
    if (err instanceof ZoomError && err.status < 500) return linkRefused(reply, err);
    throw err;
  };

  app.get<{ Querystring: Record<string, unknown> }>(
    RESET_LINK_PATH,
    { schema: { hide: true } },
    async (request, reply) => {
      const token = request.query.token;
      let found: Awaited<ReturnType<typeof resetFor>>;
      try {
        found = await resetFor(ctx, token);
      } catch (err) {
        return refusedOr(reply, err);
      }
      return kit.html(
        reply,
        200,
        resetNewPasswordPage({
          ...(await kit.newPasswordForm(found.user)),
          email: found.user.email,
          token: token as string,
          csrf: csrfToken(kit.formSecret(request, reply), 'form'),
        }),
      );
    },
  );

  app.post(RESET_LINK_PATH, { schema: { hide: true } }, async (request, reply) => {
    const cookies = readCookies(request.headers.cookie);
    const f = kit.readForm(request, ['csrf', 'token', 'new_password', 'confirm_password']);
    if (!csrfValid(cookies[FORM_COOKIE], 'form', f.csrf)) {
      const back =
        f.token && TOKEN_SHAPE.test(f.token) ? `${RESET_LINK_PATH}?token=${f.token}` : RESET_REQUEST_PATH;
      return kit.formExpired(reply, back);
    }
    let found: Awaited<ReturnType<typeof resetFor>>;
    try {
      found = await resetFor(ctx, f.token);
    } catch (err) {
      return refusedOr(reply, err);
    }
    const password = f.new_password ?? '';
    const confirm = f.confirm_password ?? '';
    const again = async (status: number, errors: PageError[], error?: ZoomError) =>
      kit.html(
        reply,
        status,
        resetNewPasswordPage({
          ...(await kit.newPasswordForm(found.user, {
            password: password.slice(0, SIGN_IN_PASSWORD_MAX),
            confirm: confirm.slice(0, SIGN_IN_PASSWORD_MAX),
            errors,
            error,
          })),
          email: found.user.email,
          token: f.token!,
          csrf: f.csrf!,
        }),
      );
    if (password.length === 0)
      return again(400, [{ message: 'Enter a new password.', field: 'new_password' }]);
    if (password.length > SIGN_IN_PASSWORD_MAX || confirm.length > SIGN_IN_PASSWORD_MAX)
      return again(400, [
        { message: 'This field is longer than any password zpass accepts.', field: 'new_password' },
      ]);
    let user: User;
    try {
      user = await completeReset(ctx, { token: f.token, password, confirm, ip: storedAddress(request) });
    } catch (err) {
      if (!(err instanceof ZoomError) || err.status >= 500) throw err;
      if (err instanceof ResetLinkError) return linkRefused(reply, err);
      return again(err.status, kit.newPasswordErrors(err), err);
    }
    const opened = await startSession(ctx, user, {
      ip: storedAddress(request),
      replaces: cookies[SESSION_COOKIE],
    });
    if (!opened) return kit.redirect(reply, '/signin');
    kit.setSession(request, reply, opened.sessionId);
    return kit.redirect(reply, '/account/password?reset=1');
  });
}
