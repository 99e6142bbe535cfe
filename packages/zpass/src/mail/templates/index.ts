import type { Renderer } from './common.js';
import { renderPasswordChanged } from './password-changed.js';
import { renderPasswordReset } from './password-reset.js';
import { renderTwoFactorReset } from './two-factor-reset.js';
import { renderUserInvitation } from './user-invitation.js';

export * from './common.js';

/**
 * The template of every kind of notice the outbox carries, by `outbox.kind`.
 * To add a kind: write `templates/<kind>.ts` exporting a `Renderer` (payload and
 * context to subject, text and HTML; throw `PayloadError` for a payload it cannot
 * use), and add one line here. A notice whose kind has no template here is retried
 * (a newer relay may know it) until its attempts run out.
 */
export const RENDERERS: Readonly<Record<string, Renderer>> = {
  password_changed: renderPasswordChanged,
  password_reset: renderPasswordReset,
  two_factor_reset: renderTwoFactorReset,
  user_invitation: renderUserInvitation,
};
