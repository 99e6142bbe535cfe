import type { FastifyReply } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { Errors, ZoomError } from '../../domain/errors.js';
import { SIGN_IN_PASSWORD_MAX, startSession } from '../../domain/sessions/sessions.js';
import { acceptInvitation, INVITATION_PATH, invitationFor } from '../../domain/users/invitations.js';
import type { User } from '../../domain/users/resolve.js';
import { storedAddress } from '../../edge/address.js';
import {
  errorRegion,
  esc,
  layout,
  messagePage,
  type NewPasswordForm,
  newPasswordFields,
  type PageError,
} from '../kit/markup.js';
import { newPasswordErrors, newPasswordForm } from '../kit/new-password.js';
import { formExpired, html, PAGE_ROUTE, type Page, readForm, redirect } from '../kit/page.js';
import { formCsrf, formCsrfValid, sessionCookie, setSession } from '../kit/session.js';

type Found = Awaited<ReturnType<typeof invitationFor>>;

function refused(reply: FastifyReply, err: ZoomError): FastifyReply {
  return html(
    reply,
    err.status,
    messagePage({
      title: 'This invitation cannot be used',
      message: `${err.message} If you have set your password already, sign in.`,
      link: { href: '/signin', text: 'Sign in' },
    }),
  );
}

/** The invitation a link names; undefined when it cannot be used (the reply then says why). */
async function findInvitation(
  ctx: DomainContext,
  reply: FastifyReply,
  token: unknown,
): Promise<Found | undefined> {
  try {
    return await invitationFor(ctx, token);
  } catch (err) {
    if (!(err instanceof ZoomError) || err.status >= 500) throw err;
    refused(reply, err);
    return undefined;
  }
}

/** `GET/POST /invitations/accept?token=...`: set the first password, signed in (docs/web.md). */
export const invitationPage: Page = (app, { ctx }) => {
  app.get<{ Querystring: Record<string, unknown> }>(INVITATION_PATH, PAGE_ROUTE, async (request, reply) => {
    const token = request.query.token;
    const found = await findInvitation(ctx, reply, token);
    if (!found) return reply;
    return html(
      reply,
      200,
      render({
        ...(await newPasswordForm(ctx, found.user)),
        email: found.user.email,
        token: token as string,
        csrf: formCsrf(request, reply),
      }),
    );
  });

  app.post(INVITATION_PATH, PAGE_ROUTE, async (request, reply) => {
    const f = readForm(request, ['csrf', 'token', 'new_password', 'confirm_password']);
    if (!formCsrfValid(request, f.csrf)) {
      // Back to the invitation page (its token was in the form already), or to sign-in.
      const back =
        f.token && /^[A-Za-z0-9_-]{20,100}$/.test(f.token)
          ? `${INVITATION_PATH}?token=${f.token}`
          : '/signin';
      return formExpired(reply, back);
    }
    const found = await findInvitation(ctx, reply, f.token);
    if (!found) return reply;
    const password = f.new_password ?? '';
    const confirm = f.confirm_password ?? '';
    const again = async (status: number, errors: PageError[], error?: ZoomError) =>
      html(
        reply,
        status,
        render({
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
    if (password !== confirm) {
      const e = Errors.passwordsDiffer();
      return again(400, newPasswordErrors(e), e);
    }
    let user: User;
    try {
      user = await acceptInvitation(ctx, f.token, password, { ip: storedAddress(request) });
    } catch (err) {
      if (!(err instanceof ZoomError) || err.status >= 500) throw err;
      if (err.kind === 'invitationInvalid' || err.kind === 'invitationExpired') return refused(reply, err);
      return again(err.status, newPasswordErrors(err), err);
    }
    const opened = await startSession(ctx, user, {
      ip: storedAddress(request),
      replaces: sessionCookie(request),
    });
    if (!opened) return redirect(reply, '/signin');
    setSession(request, reply, opened.sessionId);
    return redirect(reply, '/account/password?welcome=1');
  });
};

function render(p: NewPasswordForm & { email: string; token: string; csrf: string }): string {
  const body =
    '<h1>Set your password</h1>' +
    `<p>Welcome to zpass. Choose the password you will sign in with as <strong>${esc(p.email)}</strong>.</p>` +
    errorRegion(p.errors) +
    '<form method="post" action="/invitations/accept" novalidate>' +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    `<input type="hidden" name="token" value="${esc(p.token)}">` +
    // Lets password managers store the new password under the right address.
    `<input type="email" name="username" value="${esc(p.email)}" autocomplete="username" hidden readonly>` +
    newPasswordFields(p) +
    '<div class="actions"><button type="submit">Set password and sign in</button></div></form>';
  return layout({ title: 'Set your password', body, script: true });
}
