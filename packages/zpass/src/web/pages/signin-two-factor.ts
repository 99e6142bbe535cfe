import { answerChallenge, challengeUser } from '../../domain/two-factor/sign-in.js';
import { CODE_FIELD_MAX } from '../../domain/two-factor/two-factor.js';
import { storedAddress } from '../../edge/address.js';
import { codeField, errorRegion, esc, layout, type PageError } from '../kit/markup.js';
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
import {
  challengeCookie,
  clearChallenge,
  formCsrf,
  formCsrfValid,
  sessionCookie,
  setSession,
  TWO_FACTOR_SIGN_IN_PATH,
} from '../kit/session.js';

/** Where every bad challenge goes: the same answer whatever the reason (docs/web.md). */
const EXPIRED = '/signin?two_factor_expired';

export const WRONG_CODE = 'The code is not correct.';

/**
 * `GET/POST /signin/two-factor`: the second step of signing in when two-factor sign-in
 * is on (docs/web.md, "Two-factor sign-in"). The challenge cookie names the sign-in;
 * a code from the authenticator app or a recovery code completes it. Wrong codes count
 * in the sign-in throttle under the user's address, like wrong passwords.
 */
export const signInTwoFactorPage: Page = (app, page) => {
  const { ctx } = page;
  app.get(TWO_FACTOR_SIGN_IN_PATH, PAGE_ROUTE, async (request, reply) => {
    if (!(await challengeUser(ctx, challengeCookie(request)))) {
      clearChallenge(request, reply);
      return redirect(reply, EXPIRED);
    }
    return html(reply, 200, render({ csrf: formCsrf(request, reply) }));
  });

  app.post(TWO_FACTOR_SIGN_IN_PATH, PAGE_ROUTE, async (request, reply) => {
    const f = readForm(request, ['csrf', 'code']);
    if (!formCsrfValid(request, f.csrf)) return formExpired(reply, TWO_FACTOR_SIGN_IN_PATH);
    const csrf = f.csrf!;
    const code = (f.code ?? '').trim();
    const token = challengeCookie(request);
    const user = await challengeUser(ctx, token);
    if (!user) {
      clearChallenge(request, reply);
      return redirect(reply, EXPIRED);
    }
    const again = (status: number, errors: PageError[]) => html(reply, status, render({ csrf, errors }));
    if (code.length === 0) return again(400, [{ message: 'Enter the code.', field: 'code' }]);
    if (code.length > CODE_FIELD_MAX)
      return again(400, [{ message: 'This is longer than any code.', field: 'code' }]);

    const tried = await signInAttempt(
      page,
      request,
      user.email,
      () =>
        answerChallenge(ctx, token, code, { ip: storedAddress(request), replaces: sessionCookie(request) }),
      // A wrong, replayed or used code keeps its reservation: it counts as a failed sign-in.
      (a) => (a.kind === 'unknown' ? 'release' : a.kind === 'wrong' ? 'failure' : 'success'),
    );
    if ('wait' in tried) return again(429, [{ message: throttled(reply, tried.wait) }]);
    const answer = tried.result;
    if (answer.kind === 'unknown') {
      clearChallenge(request, reply);
      return redirect(reply, EXPIRED);
    }
    if (answer.kind === 'wrong') return again(401, [{ message: WRONG_CODE, field: 'code' }]);
    clearChallenge(request, reply);
    setSession(request, reply, answer.sessionId);
    return redirect(reply, '/account/password');
  });
};

function render(p: { csrf: string; errors?: PageError[] }): string {
  const body =
    '<h1>Two-factor sign-in</h1>' +
    errorRegion(p.errors) +
    '<p>Enter the 6-digit code your authenticator app shows for zpass, or one of your recovery codes.</p>' +
    `<form method="post" action="${TWO_FACTOR_SIGN_IN_PATH}" novalidate>` +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    codeField(p.errors, true) +
    '<div class="actions"><button type="submit">Verify</button></div></form>' +
    '<p><a href="/signin">Back to sign in</a></p>';
  return layout({ title: 'Two-factor sign-in', body });
}
