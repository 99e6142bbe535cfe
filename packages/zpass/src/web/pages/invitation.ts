import { acceptInvitation, INVITATION_PATH, invitationFor } from '../../domain/users/invitations.js';
import { errorRegion, esc, layout, newPasswordFields } from '../kit/markup.js';
import { type TokenPasswordForm, tokenPasswordRoutes } from '../kit/new-password.js';
import type { Page } from '../kit/page.js';

/** `GET/POST /invitations/accept?token=...`: set the first password, signed in (docs/web.md). */
export const invitationPage: Page = (app, { ctx }) =>
  tokenPasswordRoutes(app, ctx, {
    path: INVITATION_PATH,
    expiredBack: '/signin',
    find: (token) => invitationFor(ctx, token),
    set: (token, password, _confirm, ip) => acceptInvitation(ctx, token, password, { ip }),
    unusable: (err) => err.kind === 'invitationInvalid' || err.kind === 'invitationExpired',
    refused: (err) => ({
      title: 'This invitation cannot be used',
      message: `${err.message} If you have set your password already, sign in.`,
      link: { href: '/signin', text: 'Sign in' },
    }),
    render,
    signedIn: '/account/password?welcome=1',
  });

function render(p: TokenPasswordForm): string {
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
