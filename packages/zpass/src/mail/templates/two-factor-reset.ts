import {
  escapeHtml,
  greetingMessage,
  localTime,
  PayloadError,
  pageUrl,
  type Renderer,
  stringField,
  timeField,
  utcTime,
} from './common.js';

const BY_TEXT: Record<string, string> = {
  owner: "Your account's owner reset it.",
  admin: 'An administrator of your account reset it.',
  operator: "The service's operator reset it from the command line.",
};

/**
 * `two_factor_reset`: the user's two-factor sign-in was reset for them (an operator with
 * `zpass admin reset-2fa`, or the account's owner or an admin): when, by whom (the role,
 * never the person), that they were signed out, and what to do if they did not ask for it.
 */
export const renderTwoFactorReset: Renderer = (payload, ctx) => {
  const email = stringField(payload, 'email');
  const at = timeField(payload, 'reset_at');
  const by = stringField(payload, 'reset_by');
  if (!(by in BY_TEXT)) throw new PayloadError(`unknown reset_by "${by}"`);
  const firstName = typeof payload.first_name === 'string' ? payload.first_name.trim() : '';
  const local = localTime(at, ctx.timezone);
  const when = local ? `${utcTime(at)} (${local})` : utcTime(at);
  const account = ctx.account ? ` in ${ctx.account.name} (account ${ctx.account.id})` : '';
  const signIn = pageUrl(ctx, '/signin');
  const unasked =
    "If you did not ask for this, tell your account's administrator and change your password now.";
  return greetingMessage(ctx, {
    subject: `Your ${ctx.brand} two-factor sign-in was reset`,
    greet: firstName || email,
    text: [
      `The two-factor sign-in of your ${ctx.brand} user ${email}${account} was reset on ${when}.`,
      BY_TEXT[by] as string,
      '',
      'You were signed out. You now sign in with your password alone, at',
      signIn,
      'and can set two-factor sign-in up again from your account page.',
      '',
      unasked,
    ],
    html: [
      `The two-factor sign-in of your ${escapeHtml(ctx.brand)} user <strong>${escapeHtml(email)}</strong>${escapeHtml(account)} was reset on <strong>${escapeHtml(when)}</strong>.`,
      escapeHtml(BY_TEXT[by] as string),
      `You were signed out. You now <a href="${escapeHtml(signIn)}">sign in</a> with your password alone, and can set two-factor sign-in up again from your account page.`,
      escapeHtml(unasked),
    ],
  });
};
