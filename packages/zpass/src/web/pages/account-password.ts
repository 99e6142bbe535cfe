import type { FastifyReply } from 'fastify';
import { ZoomError } from '../../domain/errors.js';
import { changeOwnPassword, SIGN_IN_PASSWORD_MAX } from '../../domain/sessions/sessions.js';
import { mustEnrol } from '../../domain/two-factor/two-factor.js';
import { storedAddress } from '../../edge/address.js';
import {
  errorRegion,
  esc,
  layout,
  type NewPasswordForm,
  newPasswordFields,
  noticeRegion,
  type PageError,
  passwordField,
} from '../kit/markup.js';
import { newPasswordErrors, newPasswordForm, type SentPassword } from '../kit/new-password.js';
import {
  formExpired,
  html,
  PAGE_ROUTE,
  type Page,
  readForm,
  redirect,
  sessionEnded,
  signInAttempt,
  throttled,
} from '../kit/page.js';
import { type CurrentSession, sessionCsrf, sessionCsrfValid, sessionOf } from '../kit/session.js';
import { TWO_FACTOR_PATH } from './account-two-factor.js';

const NOTICES: Record<string, string> = {
  changed: 'Your password was changed. Your other sessions were signed out.',
  welcome: 'Your password is set, and you are signed in.',
  reset: 'Your new password is set, and you are signed in. Your other sessions were signed out.',
};

/** `GET/POST /account/password`: change your own password (docs/web.md, "Changing your password"). */
export const accountPasswordPage: Page = (app, page) => {
  const { ctx } = page;
  const show = async (
    reply: FastifyReply,
    status: number,
    current: CurrentSession,
    extra: { notice?: string; sent?: SentPassword } = {},
  ) =>
    html(
      reply,
      status,
      render({
        ...(await newPasswordForm(ctx, current.active.user, extra.sent)),
        email: current.active.user.email,
        csrf: sessionCsrf(current),
        notice: extra.notice,
      }),
    );

  app.get<{ Querystring: Record<string, unknown> }>(
    '/account/password',
    PAGE_ROUTE,
    async (request, reply) => {
      const current = await sessionOf(ctx, request);
      if (!current) return redirect(reply, '/signin');
      if (await mustEnrol(ctx, current.active.user)) return redirect(reply, TWO_FACTOR_PATH);
      const notice = Object.keys(NOTICES).find((k) => request.query[k] !== undefined);
      return show(reply, 200, current, { notice: notice && NOTICES[notice] });
    },
  );

  app.post('/account/password', PAGE_ROUTE, async (request, reply) => {
    const current = await sessionOf(ctx, request);
    if (!current) return sessionEnded(reply);
    // A user who must set up two-factor sign-in reaches nothing else first; nothing changed.
    if (await mustEnrol(ctx, current.active.user)) return redirect(reply, TWO_FACTOR_PATH);
    const f = readForm(request, ['csrf', 'current_password', 'new_password', 'confirm_password']);
    if (!sessionCsrfValid(current, f.csrf)) return formExpired(reply, '/account/password');
    const change = {
      current: f.current_password ?? '',
      password: f.new_password ?? '',
      confirm: f.confirm_password ?? '',
    };
    const sent = (errors: PageError[], error?: ZoomError): SentPassword => ({
      password: change.password.slice(0, SIGN_IN_PASSWORD_MAX),
      confirm: change.confirm.slice(0, SIGN_IN_PASSWORD_MAX),
      errors,
      error,
    });
    const errors = missingOrTooLong(change);
    if (errors.length > 0) return show(reply, 400, current, { sent: sent(errors) });

    const tried = await signInAttempt(
      page,
      request,
      current.active.user.email,
      async () => {
        try {
          await changeOwnPassword(ctx, current.active, { ...change, ip: storedAddress(request) });
          return undefined;
        } catch (err) {
          if (!(err instanceof ZoomError) || err.status >= 500) throw err;
          return err;
        }
      },
      // Only a wrong current password keeps its reservation. A right one forgives the e-mail's
      // failures, as a sign-in does.
      (err) => (err === undefined ? 'success' : err.kind === 'currentPasswordWrong' ? 'failure' : 'release'),
    );
    if ('wait' in tried)
      return show(reply, 429, current, { sent: sent([{ message: throttled(reply, tried.wait) }]) });
    const err = tried.result;
    if (err) return show(reply, err.status, current, { sent: sent(newPasswordErrors(err), err) });
    return redirect(reply, '/account/password?changed=1');
  });
};

function missingOrTooLong(change: { current: string; password: string; confirm: string }): PageError[] {
  const errors: PageError[] = [];
  if (change.current.length === 0)
    errors.push({ message: 'Enter your current password.', field: 'current_password' });
  if (change.password.length === 0) errors.push({ message: 'Enter a new password.', field: 'new_password' });
  for (const [field, value] of [
    ['current_password', change.current],
    ['new_password', change.password],
    ['confirm_password', change.confirm],
  ] as const) {
    if (value.length > SIGN_IN_PASSWORD_MAX)
      errors.push({ message: 'This field is longer than any password zpass accepts.', field });
  }
  return errors;
}

function render(p: NewPasswordForm & { email: string; csrf: string; notice?: string }): string {
  const body =
    '<h1>Change your password</h1>' +
    noticeRegion(p.notice) +
    errorRegion(p.errors) +
    '<form method="post" action="/account/password" novalidate>' +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    passwordField('current_password', 'Current password', 'current-password', p.errors) +
    newPasswordFields(p) +
    '<p class="hint">Changing your password signs you out everywhere else and revokes the access tokens issued to you as a user.</p>' +
    '<div class="actions"><button type="submit">Change password</button></div></form>' +
    '<p><a href="/account/two-factor">Two-factor sign-in</a></p>';
  return layout({
    title: 'Change your password',
    body,
    user: { email: p.email, csrf: p.csrf },
    script: true,
  });
}
