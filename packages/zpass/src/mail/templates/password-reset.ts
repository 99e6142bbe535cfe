import { escapeHtml, greetingMessage, linkNotice, type Renderer } from './common.js';

/**
 * `password_reset`: sent when someone asks for a reset link on the sign-in page. Carries
 * the link (minted by the relay just before sending: the token is never stored), when it
 * stops working, and what to do when the request was not the user's.
 */
export const renderPasswordReset: Renderer = (payload, ctx) => {
  const { email, link, expires, greet } = linkNotice(payload);
  const ignore =
    'If you did not ask for it, ignore this message: your password stays as it is, and the link stops working on its own.';
  return greetingMessage(ctx, {
    subject: `Reset your ${ctx.brand} password`,
    greet,
    text: [
      `Someone asked to reset the password of your ${ctx.brand} user ${email}. Choose a new password here:`,
      '',
      link,
      '',
      `The link works once and until ${expires}. Setting a new password signs you out everywhere else.`,
      ignore,
    ],
    html: [
      `Someone asked to reset the password of your ${escapeHtml(ctx.brand)} user <strong>${escapeHtml(email)}</strong>.`,
      `<a href="${escapeHtml(link)}">Choose a new password</a>`,
      `The link works once and until ${escapeHtml(expires)}. Setting a new password signs you out everywhere else.`,
      escapeHtml(ignore),
    ],
  });
};
