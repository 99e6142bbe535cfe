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
 * `password_reset`: sent when someone asks for a reset link on the sign-in page. Carries
 * the link (minted by the relay just before sending: the token is never stored), when it
 * stops working, and what to do when the request was not the user's.
 */
export function renderPasswordReset(payload: Record<string, unknown>, ctx: RenderContext): RenderedMessage {
  const email = stringField(payload, 'email');
  const link = stringField(payload, 'link');
  const expires = utcTime(timeField(payload, 'expires_at'));
  const firstName = typeof payload.first_name === 'string' ? payload.first_name.trim() : '';
  const subject = `Reset your ${ctx.brand} password`;
  const ignore =
    'If you did not ask for it, ignore this message: your password stays as it is, and the link stops working on its own.';
  const lines = [
    `Hello ${firstName || email},`,
    '',
    `Someone asked to reset the password of your ${ctx.brand} user ${email}. Choose a new password here:`,
    '',
    link,
    '',
    `The link works once and until ${expires}. Setting a new password signs you out everywhere else.`,
    ignore,
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
        `Someone asked to reset the password of your ${escapeHtml(ctx.brand)} user <strong>${escapeHtml(email)}</strong>.`,
      ),
      p(`<a href="${escapeHtml(link)}">Choose a new password</a>`),
      p(
        `The link works once and until ${escapeHtml(expires)}. Setting a new password signs you out everywhere else.`,
      ),
      p(escapeHtml(ignore)),
    ].join('\n'),
  );
  return { subject, text: `${lines.join('\n')}\n`, html };
}
