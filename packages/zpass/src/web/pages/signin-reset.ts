import { layout } from '../kit/markup.js';
import { html, PAGE_ROUTE, type Page } from '../kit/page.js';

/**
 * `GET /signin/reset`: where the password-changed e-mail sends a user who did not make
 * the change (`ZPASS_MAIL_RESET_PATH`). zpass has no self-service reset: the page says
 * who can set a new password.
 */
export const signInResetPage: Page = (app) => {
  app.get('/signin/reset', PAGE_ROUTE, async (_request, reply) => html(reply, 200, resetPage()));
};

function resetPage(): string {
  const body =
    '<h1>Reset your password</h1>' +
    "<p>zpass does not reset passwords by e-mail. Your account's owner or an administrator can set a new password for you: ask them.</p>" +
    '<p>If you received an e-mail saying your password was changed and you did not change it, tell them now: someone else may know your password.</p>' +
    '<p><a href="/signin">Sign in</a></p>';
  return layout({ title: 'Reset your password', body });
}
