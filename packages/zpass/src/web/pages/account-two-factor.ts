import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { ZoomError } from '../../domain/errors.js';
import { assertCurrentPassword, SIGN_IN_PASSWORD_MAX } from '../../domain/sessions/sessions.js';
import {
  beginEnrolment,
  CODE_FIELD_MAX,
  confirmEnrolment,
  mustEnrol,
  type PendingSecret,
  pendingEnrolment,
  turnOff,
  twoFactorAvailable,
  twoFactorOn,
} from '../../domain/two-factor/two-factor.js';
import {
  codeField,
  errorRegion,
  esc,
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
  sessionEnded,
  signInAttempt,
  throttled,
} from '../kit/page.js';
import { type CurrentSession, sessionCsrf, sessionCsrfValid, sessionOf } from '../kit/session.js';
import { WRONG_CODE } from './signin-two-factor.js';

export const TWO_FACTOR_PATH = '/account/two-factor';

const REQUIRED = 'Your account requires two-factor sign-in. Set it up to continue.';
const UNAVAILABLE =
  "Two-factor sign-in is not available on this server: its operator has not set a secret key. Ask your account's administrator.";
const TURNED_OFF = 'Two-factor sign-in is off.';

/**
 * The user's own two-factor sign-in (docs/web.md, "Two-factor sign-in"): `GET` shows
 * whether it is on; `setup` makes a pending secret (kept sealed on the server, shown as a
 * QR code and as text); `enable` confirms it with one code and shows the recovery codes,
 * once; `disable` turns it off with the password and a code.
 */
export const accountTwoFactorPage: Page = (app, page) => {
  const { ctx } = page;
  const user = (c: CurrentSession) => ({ email: c.active.user.email, csrf: sessionCsrf(c) });

  const overview = async (reply: FastifyReply, status: number, c: CurrentSession, p: Overview = {}) => {
    const on = await twoFactorOn(ctx.store.db, c.active.user.id);
    const required = !on && (await mustEnrol(ctx, c.active.user));
    return html(
      reply,
      status,
      renderOverview({
        ...p,
        user: user(c),
        on,
        available: twoFactorAvailable(ctx),
        required,
        notice: p.notice ?? (required ? REQUIRED : undefined),
      }),
    );
  };

  const setup = async (
    reply: FastifyReply,
    status: number,
    c: CurrentSession,
    pending: PendingSecret,
    errors?: PageError[],
  ) => html(reply, status, renderSetup({ user: user(c), pending, qr: await qrSvg(pending.uri), errors }));

  app.get<{ Querystring: Record<string, unknown> }>(TWO_FACTOR_PATH, PAGE_ROUTE, async (request, reply) => {
    const c = await sessionOf(ctx, request);
    if (!c) return redirect(reply, '/signin');
    return overview(reply, 200, c, {
      notice: request.query.turned_off !== undefined ? TURNED_OFF : undefined,
    });
  });

  app.post(`${TWO_FACTOR_PATH}/setup`, PAGE_ROUTE, async (request, reply) => {
    const c = await sessionOf(ctx, request);
    if (!c) return sessionEnded(reply);
    const f = readForm(request, ['csrf']);
    if (!sessionCsrfValid(c, f.csrf)) return formExpired(reply, TWO_FACTOR_PATH);
    const pending = await beginEnrolment(ctx, c.active.user);
    if (pending === 'on') return redirect(reply, TWO_FACTOR_PATH);
    if (pending === 'unavailable') return overview(reply, 409, c, { errors: [{ message: UNAVAILABLE }] });
    return setup(reply, 200, c, pending);
  });

  app.post(`${TWO_FACTOR_PATH}/enable`, PAGE_ROUTE, async (request, reply) => {
    const c = await sessionOf(ctx, request);
    if (!c) return sessionEnded(reply);
    const f = readForm(request, ['csrf', 'code']);
    if (!sessionCsrfValid(c, f.csrf)) return formExpired(reply, TWO_FACTOR_PATH);
    const pending = await pendingEnrolment(ctx, c.active.user);
    if (!pending) return redirect(reply, TWO_FACTOR_PATH);
    const code = (f.code ?? '').trim();
    if (code.length === 0)
      return setup(reply, 400, c, pending, [{ message: 'Enter the code.', field: 'code' }]);
    if (code.length > CODE_FIELD_MAX)
      return setup(reply, 400, c, pending, [{ message: 'This is longer than any code.', field: 'code' }]);
    const codes = await confirmEnrolment(ctx, c.active.user, code);
    if (!codes) return setup(reply, 400, c, pending, [{ message: WRONG_CODE, field: 'code' }]);
    return html(reply, 200, renderRecoveryCodes({ user: user(c), codes }));
  });

  app.post(`${TWO_FACTOR_PATH}/disable`, PAGE_ROUTE, async (request, reply) => {
    const c = await sessionOf(ctx, request);
    if (!c) return sessionEnded(reply);
    const f = readForm(request, ['csrf', 'password', 'code']);
    if (!sessionCsrfValid(c, f.csrf)) return formExpired(reply, TWO_FACTOR_PATH);
    if (!(await twoFactorOn(ctx.store.db, c.active.user.id))) return redirect(reply, TWO_FACTOR_PATH);
    const password = f.password ?? '';
    const code = (f.code ?? '').trim();
    const errors: PageError[] = [];
    if (password.length === 0) errors.push({ message: 'Enter your password.', field: 'password' });
    else if (password.length > SIGN_IN_PASSWORD_MAX)
      errors.push({ message: 'This password is longer than any zpass accepts.', field: 'password' });
    if (code.length === 0) errors.push({ message: 'Enter the code.', field: 'code' });
    else if (code.length > CODE_FIELD_MAX)
      errors.push({ message: 'This is longer than any code.', field: 'code' });
    if (errors.length > 0) return overview(reply, 400, c, { errors });

    // Password and code guesses count in the sign-in throttle, as on the sign-in pages.
    const tried = await signInAttempt(
      page,
      request,
      c.active.user.email,
      async () => {
        try {
          await assertCurrentPassword(ctx, c.active.user, password);
        } catch (err) {
          if (err instanceof ZoomError && err.kind === 'currentPasswordWrong') return 'wrong password';
          throw err;
        }
        return (await turnOff(ctx, c.active.user, code)) ? 'off' : 'wrong code';
      },
      (result) => (result === 'off' ? 'success' : 'failure'),
    );
    if ('wait' in tried)
      return overview(reply, 429, c, { errors: [{ message: throttled(reply, tried.wait) }] });
    if (tried.result === 'wrong password')
      return overview(reply, 401, c, {
        errors: [{ message: 'The password is not correct.', field: 'password' }],
      });
    if (tried.result === 'wrong code')
      return overview(reply, 401, c, { errors: [{ message: WRONG_CODE, field: 'code' }] });
    return redirect(reply, `${TWO_FACTOR_PATH}?turned_off`);
  });
};

/** The QR code of the `otpauth://` URI as inline SVG (drawn here: no request leaves the page). */
async function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 200 });
}

/** The secret in groups of four, as authenticator apps show it. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

type SignedIn = { email: string; csrf: string };

interface Overview {
  notice?: string;
  errors?: PageError[];
}

function renderOverview(
  p: Overview & { user: SignedIn; on: boolean; available: boolean; required: boolean },
): string {
  let form: string;
  if (p.on) {
    form =
      '<p>Two-factor sign-in is on.</p>' +
      '<p>To turn it off, enter your password and a code from your authenticator app (or a recovery code).</p>' +
      `<form method="post" action="${TWO_FACTOR_PATH}/disable" novalidate>` +
      `<input type="hidden" name="csrf" value="${esc(p.user.csrf)}">` +
      passwordField('password', 'Password', 'current-password', p.errors) +
      codeField(p.errors) +
      '<div class="actions"><button type="submit">Turn off</button></div></form>';
  } else if (!p.available) {
    form = `<p>${esc(UNAVAILABLE)}</p>`;
  } else {
    form =
      '<p>Two-factor sign-in is off. With it on, signing in asks for a code from an authenticator app on your phone after your password.</p>' +
      `<form method="post" action="${TWO_FACTOR_PATH}/setup" novalidate>` +
      `<input type="hidden" name="csrf" value="${esc(p.user.csrf)}">` +
      '<div class="actions"><button type="submit">Set up</button></div></form>';
  }
  const body =
    '<h1>Two-factor sign-in</h1>' +
    noticeRegion(p.notice) +
    errorRegion(p.errors) +
    form +
    // A user the account holds here has no account page to go back to until they enrol.
    (p.required ? '' : '<p><a href="/account/password">Back to your account</a></p>');
  return layout({ title: 'Two-factor sign-in', body, user: p.user });
}

function renderSetup(p: {
  user: SignedIn;
  pending: PendingSecret;
  qr: string;
  errors?: PageError[];
}): string {
  const body =
    '<h1>Set up two-factor sign-in</h1>' +
    errorRegion(p.errors) +
    '<p>Scan this code with your authenticator app, or type the key below into it.</p>' +
    `<figure id="totp-qr">${p.qr}<figcaption>QR code for your authenticator app</figcaption></figure>` +
    `<p>Key: <code id="totp-secret">${esc(grouped(p.pending.secret))}</code></p>` +
    '<p>Then enter the 6-digit code the app shows, to turn two-factor sign-in on.</p>' +
    `<form method="post" action="${TWO_FACTOR_PATH}/enable" novalidate>` +
    `<input type="hidden" name="csrf" value="${esc(p.user.csrf)}">` +
    codeField(p.errors) +
    '<div class="actions"><button type="submit">Turn on</button></div></form>';
  return layout({ title: 'Set up two-factor sign-in', body, user: p.user });
}

function renderRecoveryCodes(p: { user: SignedIn; codes: string[] }): string {
  const body =
    '<h1>Two-factor sign-in is on</h1>' +
    '<p>Keep these recovery codes somewhere safe. Each signs you in once when you do not have your phone. They are shown only now.</p>' +
    `<ol id="recovery-codes">${p.codes.map((c) => `<li><code>${esc(c)}</code></li>`).join('')}</ol>` +
    '<p><a href="/account/password">Continue</a></p>';
  return layout({ title: 'Recovery codes', body, user: p.user });
}
