/**
 * The page kit's markup, shared by every page in web/pages/ (server-rendered): no inline script or style (the CSP allows
 * neither), every field with a label, errors in an assertive live region that links
 * to the field, and a form that works without JavaScript.
 */
import type { PasswordRequirement } from '@zpass/policy';
import { CODE_FIELD_MAX } from '../../domain/two-factor/two-factor.js';
import type { ChecklistItem, RuleId } from '../checklist-rules.js';

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

export function errorRegion(errors: PageError[] | undefined): string {
  const list = (errors ?? [])
    .map((e) => `<li>${e.field ? `<a href="#${esc(e.field)}">${esc(e.message)}</a>` : esc(e.message)}</li>`)
    .join('');
  // Present (empty) on every form page, so that assistive technology knows the region before it fills.
  return `<div id="form-errors" class="errors" role="alert" aria-live="assertive">${
    list ? `<p><strong>The form was not accepted:</strong></p><ul>${list}</ul>` : ''
  }</div>`;
}

export function noticeRegion(notice: string | undefined): string {
  return `<div id="notice" class="notice" role="status" aria-live="polite">${notice ? esc(notice) : ''}</div>`;
}

export function invalid(errors: PageError[] | undefined, field: string): string {
  const e = errors?.find((x) => x.field === field);
  return e ? ` aria-invalid="true"` : '';
}

export function passwordField(
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

/** The field for a code from the authenticator app (or a recovery code). */
export function codeField(errors: PageError[] | undefined, autofocus = false): string {
  return (
    '<label for="code">Code</label>' +
    `<input id="code" name="code" type="text" autocomplete="one-time-code" required maxlength="${CODE_FIELD_MAX}"` +
    `${autofocus ? ' autofocus' : ''}${invalid(errors, 'code')}>`
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

export interface NewPasswordForm {
  items: ChecklistItem[];
  requirement: PasswordRequirement;
  unmet?: Set<RuleId>;
  errors?: PageError[];
}

/** New password, its checklist, and the confirmation: the fields of every page that sets a password. */
export function newPasswordFields(f: NewPasswordForm): string {
  return (
    passwordField('new_password', 'New password', 'new-password', f.errors, 'requirements') +
    checklist(f.items, f.requirement, f.unmet) +
    passwordField('confirm_password', 'New password again', 'new-password', f.errors)
  );
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
