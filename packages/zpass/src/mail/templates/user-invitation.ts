import { escapeHtml, greetingMessage, linkNotice, type Renderer } from './common.js';

/**
 * `user_invitation`: sent when an administrator creates a user with `action: create`.
 * Carries the link (minted by the relay just before sending: the token is never stored)
 * to the page where the user sets a first password, and when the link stops working.
 */
export const renderUserInvitation: Renderer = (payload, ctx) => {
  const { email, link, expires, greet } = linkNotice(payload);
  const account = ctx.account ? ctx.account.name : undefined;
  return greetingMessage(ctx, {
    subject: `You are invited to ${account ? `${account} on ` : ''}${ctx.brand}`,
    greet,
    text: [
      `You have been invited to join ${account ? `the account ${account} on ` : ''}${ctx.brand} as ${email}.`,
      'Choose your password to accept the invitation:',
      '',
      link,
      '',
      `The link works once and until ${expires}. If you did not expect this invitation, ignore this message.`,
    ],
    html: [
      `You have been invited to join ${account ? `the account ${escapeHtml(account)} on ` : ''}${escapeHtml(ctx.brand)} as ${escapeHtml(email)}.`,
      `<a href="${escapeHtml(link)}">Choose your password to accept the invitation</a>`,
      `The link works once and until ${escapeHtml(expires)}. If you did not expect this invitation, ignore this message.`,
    ],
  });
};
