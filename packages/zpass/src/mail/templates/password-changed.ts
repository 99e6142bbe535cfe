import {
  escapeHtml,
  htmlPage,
  localTime,
  PayloadError,
  pageUrl,
  type RenderContext,
  type RenderedMessage,
  stringField,
  timeField,
  utcTime,
} from './common.js';

const BY_TEXT: Record<string, string> = {
  self: 'You changed it yourself.',
  owner: "Your account's owner changed it.",
  admin: 'An administrator of your account changed it.',
  operator: "The service's operator changed it from the command line.",
};

/**
 * `password_changed`: sent after every successful password change. Says which account,
 * when (UTC, and local time when the user's time zone is known), whether the user or
 * someone in a role made the change, and where to go if it was not them. Never the
 * password, never who the admin was.
 */
export function renderPasswordChanged(payload: Record<string, unknown>, ctx: RenderContext): RenderedMessage {
  const email = stringField(payload, 'email');
  const changedAt = timeField(payload, 'changed_at');
  const firstName = typeof payload.first_name === 'string' ? payload.first_name.trim() : '';
  const by = typeof payload.changed_by === 'string' ? payload.changed_by : undefined;
  if (by !== undefined && !(by in BY_TEXT)) throw new PayloadError(`unknown changed_by "${by}"`);
  const utc = utcTime(changedAt);
  const local = localTime(changedAt, ctx.timezone);
  const when = local ? `${utc} (${local})` : utc;
  const account = ctx.account ? `${ctx.account.name} (account ${ctx.account.id})` : undefined;
  const reset = pageUrl(ctx, ctx.resetPath);
  const subject = `Your ${ctx.brand} password was changed`;

  const lines = [
    `Hello ${firstName || email},`,
    '',
    `The password of your ${ctx.brand} user ${email}${account ? ` in ${account}` : ''} was changed on ${when}.`,
  ];
  if (by) lines.push('', BY_TEXT[by] as string);
  lines.push(
    '',
    'If you did not make or expect this change, reset your password now at',
    reset,
    "and tell your account's administrator.",
    '',
    'If you made it, you need not do anything.',
    '',
    `-- ${ctx.brand}`,
    'This message was sent automatically; replies are not read.',
  );
  const text = `${lines.join('\n')}\n`;

  const p = (s: string) => `<p style="margin:0 0 16px">${s}</p>`;
  const parts = [
    `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(subject)}</h1>`,
    p(`Hello ${escapeHtml(firstName || email)},`),
    p(
      `The password of your ${escapeHtml(ctx.brand)} user <strong>${escapeHtml(email)}</strong>${
        account ? ` in ${escapeHtml(account)}` : ''
      } was changed on <strong>${escapeHtml(when)}</strong>.`,
    ),
  ];
  if (by) parts.push(p(escapeHtml(BY_TEXT[by] as string)));
  parts.push(
    p(
      `If you did not make or expect this change, <a href="${escapeHtml(reset)}">reset your password now</a> and tell your account's administrator.`,
    ),
    p(`Reset link: ${escapeHtml(reset)}`),
    p('If you made it, you need not do anything.'),
    `<p style="margin:24px 0 0;font-size:13px;color:#57606a">${escapeHtml(ctx.brand)}: this message was sent automatically; replies are not read.</p>`,
  );
  return { subject, text, html: htmlPage(subject, parts.join('\n')) };
}
