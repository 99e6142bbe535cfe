import {
  escapeHtml,
  htmlPage,
  type RenderContext,
  type RenderedMessage,
  stringField,
  timeField,
  utcTime,
} from './common.js';

/**
 * `user_invitation`: sent when an administrator creates a user with `action: create`.
 * Carries the link (minted by the relay just before sending: the token is never stored)
 * to the page where the user sets a first password, and when the link stops working.
 */
export function renderUserInvitation(payload: Record<string, unknown>, ctx: RenderContext): RenderedMessage {
  const email = stringField(payload, 'email');
  const link = stringField(payload, 'link');
  const expires = utcTime(timeField(payload, 'expires_at'));
  const firstName = typeof payload.first_name === 'string' ? payload.first_name.trim() : '';
  const account = ctx.account ? ctx.account.name : undefined;
  const subject = `You are invited to ${account ? `${account} on ` : ''}${ctx.brand}`;
  const lines = [
    `Hello ${firstName || email},`,
    '',
    `You have been invited to join ${account ? `the account ${account} on ` : ''}${ctx.brand} as ${email}.`,
    'Choose your password to accept the invitation:',
    '',
    link,
    '',
    `The link works once and until ${expires}. If you did not expect this invitation, ignore this message.`,
    '',
    `-- ${ctx.brand}`,
    'This message was sent automatically; replies are not read.',
  ];
  const p = (s: string) => `<p style="margin:0 0 16px">${s}</p>`;
  const html = htmlPage(
    subject,
    [
      p(`Hello ${escapeHtml(firstName || email)},`),
      p(
        `You have been invited to join ${account ? `the account ${escapeHtml(account)} on ` : ''}${escapeHtml(ctx.brand)} as ${escapeHtml(email)}.`,
      ),
      p(`<a href="${escapeHtml(link)}">Choose your password to accept the invitation</a>`),
      p(
        `The link works once and until ${escapeHtml(expires)}. If you did not expect this invitation, ignore this message.`,
      ),
    ].join('\n'),
  );
  return { subject, text: `${lines.join('\n')}\n`, html };
}
