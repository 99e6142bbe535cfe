/**
 * The web pages' HTML, server-rendered: no inline script or style (the CSP allows
 * neither), every field with a label, errors in an assertive live region that links
 * to the field, and a form that works without JavaScript.
 */
import type { PasswordRequirement } from '@zpass/policy';
import type { ChecklistItem, RuleId } from './checklist-rules.js';

export function esc(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface PageError {
  message: string;
  /** The field the error is about: the message links to it. */
  field?: string;
}

interface Layout {
  title: string;
  body: string;
  /** The signed-in user, with the CSRF token of the sign-out form. */
  user?: { email: string; csrf: string };
  script?: boolean;
  wide?: boolean;
}

export function layout(l: Layout): string {
  const who = l.user
    ? `<div class="who"><span>Signed in as ${esc(l.user.email)}</span>` +
      `<form method="post" action="/signout"><input type="hidden" name="csrf" value="${esc(l.user.csrf)}">` +
      '<button type="submit">Sign out</button></form></div>'
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(l.title)} - zpass</title>
<link rel="stylesheet" href="/assets/web.css">
${l.script ? '<script type="module" src="/assets/checklist.js"></script>\n' : ''}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar"><a class="brand" href="/">zpass</a>${who}</header>
<main id="main"${l.wide ? ' class="wide"' : ''}>
${l.body}
</main>
</body>
</html>
`;
}

function errorRegion(errors: PageError[] | undefined): string {
  const list = (errors ?? [])
    .map((e) => `<li>${e.field ? `<a href="#${esc(e.field)}">${esc(e.message)}</a>` : esc(e.message)}</li>`)
    .join('');
  // Present (empty) on every form page, so that assistive technology knows the region before it fills.
  return `<div id="form-errors" class="errors" role="alert" aria-live="assertive">${
    list ? `<p><strong>The form was not accepted:</strong></p><ul>${list}</ul>` : ''
  }</div>`;
}

function noticeRegion(notice: string | undefined): string {
  return `<div id="notice" class="notice" role="status" aria-live="polite">${notice ? esc(notice) : ''}</div>`;
}

function invalid(errors: PageError[] | undefined, field: string): string {
  const e = errors?.find((x) => x.field === field);
  return e ? ` aria-invalid="true"` : '';
}

function passwordField(
  id: string,
  label: string,
  autocomplete: string,
  errors: PageError[] | undefined,
  describedBy?: string,
): string {
  return (
    `<label for="${id}">${esc(label)}</label>` +
    `<input id="${id}" name="${id}" type="password" autocomplete="${autocomplete}" required maxlength="1024"` +
    `${describedBy ? ` aria-describedby="${describedBy}"` : ''}${invalid(errors, id)}>`
  );
}

/** The requirement checklist; `unmet` from the server after a form was sent, undefined before. */
function checklist(items: ChecklistItem[], requirement: PasswordRequirement, unmet?: Set<RuleId>): string {
  const lis = items
    .map((item) => {
      const judged = unmet !== undefined && (item.live || unmet.has(item.rule));
      const ok = judged && !unmet.has(item.rule);
      const cls = judged ? (ok ? ' class="met"' : ' class="unmet"') : '';
      const state = judged ? (ok ? 'met: ' : 'not met: ') : '';
      return `<li data-rule="${item.rule}" data-live="${item.live}"${cls}><span class="state visually-hidden">${state}</span>${esc(item.text)}</li>`;
    })
    .join('');
  return (
    '<section class="requirements" aria-labelledby="requirements-title">' +
    '<h2 id="requirements-title">Password requirements</h2>' +
    `<ul id="requirements" data-requirement="${esc(JSON.stringify(requirement))}">${lis}</ul>` +
    '<p id="requirements-summary" class="visually-hidden" aria-live="polite"></p></section>'
  );
}

export function signInPage(p: {
  csrf: string;
  email?: string;
  errors?: PageError[];
  notice?: string;
}): string {
  const body =
    '<h1>Sign in</h1>' +
    noticeRegion(p.notice) +
    errorRegion(p.errors) +
    '<form method="post" action="/signin" novalidate>' +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    '<label for="email">E-mail address</label>' +
    `<input id="email" name="email" type="email" autocomplete="username" required maxlength="128" value="${esc(p.email ?? '')}"${invalid(p.errors, 'email')}>` +
    passwordField('password', 'Password', 'current-password', p.errors) +
    '<div class="actions"><button type="submit">Sign in</button></div></form>' +
    '<p><a href="/signin/reset">Forgot your password?</a></p>';
  return layout({ title: 'Sign in', body });
}

export interface NewPasswordForm {
  items: ChecklistItem[];
  requirement: PasswordRequirement;
  unmet?: Set<RuleId>;
  errors?: PageError[];
}

function newPasswordFields(f: NewPasswordForm): string {
  return (
    passwordField('new_password', 'New password', 'new-password', f.errors, 'requirements') +
    checklist(f.items, f.requirement, f.unmet) +
    passwordField('confirm_password', 'New password again', 'new-password', f.errors)
  );
}

export function changePasswordPage(
  p: NewPasswordForm & { email: string; csrf: string; notice?: string },
): string {
  const body =
    '<h1>Change your password</h1>' +
    noticeRegion(p.notice) +
    errorRegion(p.errors) +
    '<form method="post" action="/account/password" novalidate>' +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    passwordField('current_password', 'Current password', 'current-password', p.errors) +
    newPasswordFields(p) +
    '<p class="hint">Changing your password signs you out everywhere else and revokes the access tokens issued to you as a user.</p>' +
    '<div class="actions"><button type="submit">Change password</button></div></form>';
  return layout({
    title: 'Change your password',
    body,
    user: { email: p.email, csrf: p.csrf },
    script: true,
  });
}

export function invitationPage(p: NewPasswordForm & { email: string; token: string; csrf: string }): string {
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

/** A page that only explains: an error, a refused form, an invitation that cannot be used. */
export function messagePage(p: {
  title: string;
  message: string;
  link?: { href: string; text: string };
  user?: { email: string; csrf: string };
}): string {
  const body =
    `<h1>${esc(p.title)}</h1>` +
    `<div class="errors" role="alert" aria-live="assertive"><p>${esc(p.message)}</p></div>` +
    (p.link ? `<p><a href="${esc(p.link.href)}">${esc(p.link.text)}</a></p>` : '');
  return layout({ title: p.title, body, user: p.user });
}

/**
 * The forgotten-password page (`/signin/reset`, where the password-changed e-mail's
 * "reset" link goes): asks for the e-mail address; after sending, the same notice
 * whatever the address.
 */
export function resetRequestPage(p: {
  csrf: string;
  email?: string;
  errors?: PageError[];
  sent?: boolean;
}): string {
  const body =
    '<h1>Reset your password</h1>' +
    noticeRegion(
      p.sent
        ? 'If an account uses this address and signs in with a password, a link to choose a new password is on its way. It works for 30 minutes.'
        : undefined,
    ) +
    errorRegion(p.errors) +
    '<p>Enter the e-mail address you sign in with. We will send a link to choose a new password.</p>' +
    '<form method="post" action="/signin/reset" novalidate>' +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    '<label for="email">E-mail address</label>' +
    `<input id="email" name="email" type="email" autocomplete="username" required maxlength="128" value="${esc(p.email ?? '')}"${invalid(p.errors, 'email')}>` +
    '<div class="actions"><button type="submit">Send the link</button></div></form>' +
    "<p>If you received an e-mail saying your password was changed and you did not change it, reset it now and tell your account's administrator.</p>" +
    '<p><a href="/signin">Back to sign in</a></p>';
  return layout({ title: 'Reset your password', body });
}

/** The page a reset link opens: the new password twice, the link's token in a hidden field. */
export function resetNewPasswordPage(
  p: NewPasswordForm & { email: string; token: string; csrf: string },
): string {
  const body =
    '<h1>Choose a new password</h1>' +
    `<p>Choose the new password you will sign in with as <strong>${esc(p.email)}</strong>.</p>` +
    errorRegion(p.errors) +
    '<form method="post" action="/signin/reset/new" novalidate>' +
    `<input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
    `<input type="hidden" name="token" value="${esc(p.token)}">` +
    `<input type="email" name="username" value="${esc(p.email)}" autocomplete="username" hidden readonly>` +
    newPasswordFields(p) +
    '<p class="hint">Setting a new password signs you out everywhere else and revokes the access tokens issued to you as a user.</p>' +
    '<div class="actions"><button type="submit">Set password and sign in</button></div></form>';
  return layout({ title: 'Choose a new password', body, script: true });
}
