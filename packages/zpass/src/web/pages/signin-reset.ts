import { completeReset, RESET_LINK_PATH, requestReset, resetFor } from '../../domain/reset/reset.js';
import { EMAIL_MAX } from '../../domain/users/directory.js';
import { normalizeEmail } from '../../domain/users/resolve.js';
import {
  errorRegion,
  esc,
  invalid,
  layout,
  newPasswordFields,
  noticeRegion,
  type PageError,
} from '../kit/markup.js';
import { type TokenPasswordForm, tokenPasswordRoutes } from '../kit/new-password.js';
import { formExpired, html, PAGE_ROUTE, type Page, readForm, redirect, throttled } from '../kit/page.js';
import { formCsrf, formCsrfValid } from '../kit/session.js';

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
    // The reservation is never given back: each request counts, as a failed sign-in does.
    const wait = await throttle.reserve(key, request.ip, ctx.clock.now());
    if (wait > 0) return again(429, [{ message: throttled(reply, wait) }]);
    // Only once the answer has left: whether the address is known changes nothing the
    // requester can time (on SQLite the store's work would otherwise hold the event loop
    // before the answer is written).
    reply.raw.once('finish', () => {
      requestReset(ctx, email).catch((err) => request.log.error({ err }, 'password reset request failed'));
    });
    return redirect(reply, `${RESET_REQUEST_PATH}?sent=1`);
  });

  tokenPasswordRoutes(app, ctx, {
    path: RESET_LINK_PATH,
    expiredBack: RESET_REQUEST_PATH,
    find: (token) => resetFor(ctx, token),
    set: (token, password, confirm, ip) => completeReset(ctx, { token, password, confirm, ip }),
    unusable: (err) => err.kind === 'resetLinkInvalid',
    refused: (err) => ({
      title: 'This reset link cannot be used',
      message: err.message,
      link: { href: RESET_REQUEST_PATH, text: 'Ask for a new link' },
    }),
    render: newPasswordPage,
    signedIn: '/account/password?reset=1',
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

function newPasswordPage(p: TokenPasswordForm): string {
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
