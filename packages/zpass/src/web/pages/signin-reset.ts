import type { FastifyReply } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { ZoomError } from '../../domain/errors.js';
import { completeReset, RESET_LINK_PATH, requestReset, resetFor } from '../../domain/reset/reset.js';
import { SIGN_IN_PASSWORD_MAX, startSession } from '../../domain/sessions/sessions.js';
import { EMAIL_MAX } from '../../domain/users/directory.js';
import { normalizeEmail, type User } from '../../domain/users/resolve.js';
import { storedAddress } from '../../edge/address.js';
import {
  errorRegion,
  esc,
  invalid,
  layout,
  messagePage,
  type NewPasswordForm,
  newPasswordFields,
  noticeRegion,
  type PageError,
} from '../kit/markup.js';
import { newPasswordErrors, newPasswordForm } from '../kit/new-password.js';
import { formExpired, html, PAGE_ROUTE, type Page, readForm, redirect, throttled } from '../kit/page.js';
import { formCsrf, formCsrfValid, sessionCookie, setSession } from '../kit/session.js';

/**
 * The forgotten-password pages (docs/web.md, "Forgotten password"). `/signin/reset`
 * (where the password-changed e-mail's "reset" link goes, `ZPASS_MAIL_RESET_PATH`) asks
 * for the address and always answers the same, at once: the lookup and the notice happen
 * after the answer, so its time says nothing of the address. `/signin/reset/new?token=...`
 * is the link's page: the new password through the one password-change use case
 * (`via: 'reset'`), then a new session.
 */
export const RESET_REQUEST_PATH = '/signin/reset';

/** The throttle's key for reset requests of an address (sign-in failures use `web:`). */
const resetKey = (email: string) => `reset:${normalizeEmail(email)}`;

const SENT =
  'If an account uses this address and signs in with a password, a link to choose a new password is on its way. It works for 30 minutes.';

type Found = Awaited<ReturnType<typeof resetFor>>;

function refused(reply: FastifyReply, err: ZoomError): FastifyReply {
  return html(
    reply,
    err.status,
    messagePage({
      title: 'This reset link cannot be used',
      message: err.message,
      link: { href: RESET_REQUEST_PATH, text: 'Ask for a new link' },
    }),
  );
}

/** The reset a link names; undefined when it cannot be used (the reply then says so). */
async function findReset(
  ctx: DomainContext,
  reply: FastifyReply,
  token: unknown,
): Promise<Found | undefined> {
  try {
    return await resetFor(ctx, token);
  } catch (err) {
    if (!(err instanceof ZoomError) || err.status >= 500) throw err;
    refused(reply, err);
    return undefined;
  }
}

export const signInResetPage: Page = (app, { ctx, throttle }) => {
  app.get<{ Querystring: Record<string, unknown> }>(RESET_REQUEST_PATH, PAGE_ROUTE, async (request, reply) =>
    html(reply, 200, requestForm({ csrf: formCsrf(request, reply), sent: request.query.sent !== undefined })),
  );

  app.post(RESET_REQUEST_PATH, PAGE_ROUTE, async (request, reply) => {
    const f = readForm(request, ['csrf', 'email']);
    if (!formCsrfValid(request, f.csrf)) return formExpired(reply, RESET_REQUEST_PATH);
    const email = (f.email ?? '').trim();
    const again = (status: number, errors: PageError[]) =>
      html(reply, status, requestForm({ csrf: f.csrf!, email: email.slice(0, EMAIL_MAX), errors }));
    if (email.length === 0) return again(400, [{ message: 'Enter your e-mail address.', field: 'email' }]);
    if (email.length > EMAIL_MAX)
      return again(400, [
        { message: `An e-mail address has at most ${EMAIL_MAX} characters.`, field: 'email' },
      ]);
    // Every request counts, known address or not: per address and per e-mail, as sign-in failures do.
    const key = resetKey(email);
    const now = ctx.clock.now();
    // The reservation is never given back: each request counts, as a failed sign-in does.
    const wait = await throttle.reserve(key, request.ip, now);
    if (wait > 0) return again(429, [{ message: throttled(reply, wait) }]);
    // Only once the answer has left: whether the address is known changes nothing the
    // requester can time (on SQLite the store's work would otherwise hold the event loop
    // before the answer is written).
    reply.raw.once('finish', () => {
      requestReset(ctx, email).catch((err) => request.log.error({ err }, 'password reset request failed'));
    });
    return redirect(reply, `${RESET_REQUEST_PATH}?sent=1`);
  });

  app.get<{ Querystring: Record<string, unknown> }>(RESET_LINK_PATH, PAGE_ROUTE, async (request, reply) => {
    const token = request.query.token;
    const found = await findReset(ctx, reply, token);
    if (!found) return reply;
    return html(
      reply,
      200,
      newPasswordPage({
        ...(await newPasswordForm(ctx, found.user)),
        email: found.user.email,
        token: token as string,
        csrf: formCsrf(request, reply),
      }),
    );
  });

  app.post(RESET_LINK_PATH, PAGE_ROUTE, async (request, reply) => {
    const f = readForm(request, ['csrf', 'token', 'new_password', 'confirm_password']);
    if (!formCsrfValid(request, f.csrf)) {
      const back =
        f.token && /^[A-Za-z0-9_-]{20,100}$/.test(f.token)
          ? `${RESET_LINK_PATH}?token=${f.token}`
          : RESET_REQUEST_PATH;
      return formExpired(reply, back);
    }
    const found = await findReset(ctx, reply, f.token);
    if (!found) return reply;
    const password = f.new_password ?? '';
    const confirm = f.confirm_password ?? '';
    const again = async (status: number, errors: PageError[], error?: ZoomError) =>
      html(
        reply,
        status,
        newPasswordPage({
          ...(await newPasswordForm(ctx, found.user, {
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
      if (err.kind === 'resetLinkInvalid') return refused(reply, err);
      return again(err.status, newPasswordErrors(err), err);
    }
    const opened = await startSession(ctx, user, {
      ip: storedAddress(request),
      replaces: sessionCookie(request),
    });
    if (!opened) return redirect(reply, '/signin');
    setSession(request, reply, opened.sessionId);
    return redirect(reply, '/account/password?reset=1');
  });
};

function requestForm(p: { csrf: string; email?: string; errors?: PageError[]; sent?: boolean }): string {
  const body =
    '<h1>Reset your password</h1>' +
    noticeRegion(p.sent ? SENT : undefined) +
    errorRegion(p.errors) +
    '<p>Enter the e-mail address you sign in with. We will send a link to choose a new password.</p>' +
    `<form method="post" action="${RESET_REQUEST_PATH}" novalidate>` +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    '<label for="email">E-mail address</label>' +
    `<input id="email" name="email" type="email" autocomplete="username" required maxlength="128" value="${esc(p.email ?? '')}"${invalid(p.errors, 'email')}>` +
    '<div class="actions"><button type="submit">Send the link</button></div></form>' +
    "<p>If you received an e-mail saying your password was changed and you did not change it, reset it now and tell your account's administrator.</p>" +
    '<p><a href="/signin">Back to sign in</a></p>';
  return layout({ title: 'Reset your password', body });
}

function newPasswordPage(p: NewPasswordForm & { email: string; token: string; csrf: string }): string {
  const body =
    '<h1>Choose a new password</h1>' +
    `<p>Choose the new password you will sign in with as <strong>${esc(p.email)}</strong>.</p>` +
    errorRegion(p.errors) +
    `<form method="post" action="${RESET_LINK_PATH}" novalidate>` +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    `<input type="hidden" name="token" value="${esc(p.token)}">` +
    // Lets password managers store the new password under the right address.
    `<input type="email" name="username" value="${esc(p.email)}" autocomplete="username" hidden readonly>` +
    newPasswordFields(p) +
    '<p class="hint">Setting a new password signs you out everywhere else and revokes the access tokens issued to you as a user.</p>' +
    '<div class="actions"><button type="submit">Set password and sign in</button></div></form>';
  return layout({ title: 'Choose a new password', body, script: true });
}
