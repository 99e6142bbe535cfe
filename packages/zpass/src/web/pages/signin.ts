import { SIGN_IN_PASSWORD_MAX } from '../../domain/sessions/sessions.js';
import { signInWithPassword } from '../../domain/two-factor/sign-in.js';
import { EMAIL_MAX } from '../../domain/users/directory.js';
import { storedAddress } from '../../edge/address.js';
import {
  errorRegion,
  esc,
  invalid,
  layout,
  noticeRegion,
  type PageError,
  passwordField,
} from '../kit/markup.js';
import {
  formExpired,
  html,
  PAGE_ROUTE,
  type Page,
  readForm,
  redirect,
  signInAttempt,
  throttled,
} from '../kit/page.js';
import { continueSignIn, formCsrf, formCsrfValid, sessionCookie, sessionOf } from '../kit/session.js';

const NOTICES: Record<string, string> = {
  signed_out: 'You have signed out.',
  two_factor_expired: 'Your sign-in was not completed in time. Sign in again.',
};

/** `GET/POST /signin`: e-mail and password; opens a session (docs/web.md, "Signing in"). */
export const signInPage: Page = (app, page) => {
  const { ctx } = page;
  app.get<{ Querystring: Record<string, unknown> }>('/signin', PAGE_ROUTE, async (request, reply) => {
    if (await sessionOf(ctx, request)) return redirect(reply, '/account/password');
    const notice = Object.keys(NOTICES).find((k) => request.query[k] !== undefined);
    return html(reply, 200, render({ csrf: formCsrf(request, reply), notice: notice && NOTICES[notice] }));
  });

  app.post('/signin', PAGE_ROUTE, async (request, reply) => {
    const f = readForm(request, ['csrf', 'email', 'password']);
    if (!formCsrfValid(request, f.csrf)) return formExpired(reply, '/signin');
    const csrf = f.csrf!;
    const email = (f.email ?? '').trim();
    const password = f.password ?? '';
    const again = (status: number, errors: PageError[]) =>
      html(reply, status, render({ csrf, email: email.slice(0, EMAIL_MAX), errors }));
    const errors: PageError[] = [];
    if (email.length === 0) errors.push({ message: 'Enter your e-mail address.', field: 'email' });
    else if (email.length > EMAIL_MAX)
      errors.push({ message: `An e-mail address has at most ${EMAIL_MAX} characters.`, field: 'email' });
    if (password.length === 0) errors.push({ message: 'Enter your password.', field: 'password' });
    else if (password.length > SIGN_IN_PASSWORD_MAX)
      errors.push({ message: 'This password is longer than any zpass accepts.', field: 'password' });
    if (errors.length > 0) return again(400, errors);

    // Reserved (counted as a failure) atomically with the check; given back unless the password was wrong.
    const tried = await signInAttempt(
      page,
      request,
      email,
      () =>
        signInWithPassword(ctx, {
          email,
          password,
          ip: storedAddress(request),
          replaces: sessionCookie(request),
        }),
      (o) => {
        if (o.kind === 'refused') return o.reason === 'inactive' ? 'release' : 'failure';
        // The password was right, but the sign-in is not done: its failures are not forgiven
        // (the code's failures count under the same key), only this attempt is given back.
        if (o.kind === 'challenge') return 'release';
        return 'success';
      },
    );
    if ('wait' in tried) return again(429, [{ message: throttled(reply, tried.wait) }]);
    const outcome = tried.result;
    if (outcome.kind === 'refused') {
      if (outcome.reason === 'inactive')
        return again(403, [
          { message: "This account is deactivated. Ask your account's admin to activate it again." },
        ]);
      return again(401, [{ message: 'The e-mail address or the password is not correct.', field: 'email' }]);
    }
    return continueSignIn(request, reply, outcome, '/account/password');
  });
};

function render(p: { csrf: string; email?: string; errors?: PageError[]; notice?: string }): string {
  const body =
    '<h1>Sign in</h1>' +
    noticeRegion(p.notice) +
    errorRegion(p.errors) +
    '<form method="post" action="/signin" novalidate>' +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    '<label for="email">E-mail address</label>' +
    `<input id="email" name="email" type="email" autocomplete="username" required maxlength="128" value="${esc(p.email ?? '')}"${invalid(p.errors, 'email')}>` +
    passwordField('password', 'Password', 'current-password', p.errors) +
    '<div class="actions"><button type="submit">Sign in</button></div></form>' +
    '<p><a href="/signin/reset">Forgot your password?</a></p>';
  return layout({ title: 'Sign in', body });
}
