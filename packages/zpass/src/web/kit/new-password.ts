/** The page kit's new-password form: the account's requirement as a checklist, judged when sent. */
import { checkPassword } from '@zpass/policy';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { Errors, ZoomError } from '../../domain/errors.js';
import { accountRequirement } from '../../domain/passwords/policy.js';
import { SIGN_IN_PASSWORD_MAX } from '../../domain/sessions/sessions.js';
import { afterPassword } from '../../domain/two-factor/sign-in.js';
import type { User } from '../../domain/users/resolve.js';
import { storedAddress } from '../../edge/address.js';
import { checklistItems, type RuleId, unmetItems, unmetOf } from '../checklist-rules.js';
import { messagePage, type NewPasswordForm, type PageError } from './markup.js';
import { formExpired, html, PAGE_ROUTE, readForm, redirect } from './page.js';
import { continueSignIn, formCsrf, formCsrfValid, sessionCookie } from './session.js';

/** What a form sent: the new password and its confirmation, and what was wrong. */
export interface SentPassword {
  password: string;
  confirm: string;
  error?: ZoomError;
  errors?: PageError[];
}

/** The new-password form of a user's account, judged against `sent.password` when the form was sent. */
export async function newPasswordForm(
  ctx: DomainContext,
  user: Pick<User, 'account_id' | 'email' | 'first_name' | 'last_name' | 'display_name'>,
  sent?: SentPassword,
): Promise<NewPasswordForm> {
  const requirement = await accountRequirement(ctx, user.account_id);
  const form: NewPasswordForm = { items: checklistItems(requirement), requirement, errors: sent?.errors };
  if (sent) {
    const unmet: Set<RuleId> = unmetItems(sent.password, sent.confirm, requirement);
    for (const r of unmetOf(checkPassword(sent.password, { requirement, user }))) unmet.add(r);
    if (sent.error) for (const r of unmetOf([sent.error])) unmet.add(r);
    form.unmet = unmet;
  }
  return form;
}

/** Where on the page a domain error about a new password belongs (decided by its kind). */
export function newPasswordErrors(err: ZoomError): PageError[] {
  if (err.errors && err.errors.length > 0)
    return err.errors.map((e) => ({ message: e.message, field: 'new_password' }));
  switch (err.kind) {
    case 'passwordsDiffer':
      return [{ message: err.message, field: 'confirm_password' }];
    case 'currentPasswordWrong':
      return [{ message: err.message, field: 'current_password' }];
    case 'tooManyChanges':
      return [{ message: err.message }];
    default:
      return [{ message: err.message, field: 'new_password' }];
  }
}

/** What the fields of a token's new-password page show. */
export type TokenPasswordForm = NewPasswordForm & { email: string; token: string; csrf: string };

/**
 * A page reached by a link carrying a token, where its user chooses a new password and is
 * then signed in (the invitation and the reset link). Each page says only what differs.
 */
export interface TokenPasswordPage {
  /** The page's path; the form posts to it, an expired form leads back to it. */
  path: string;
  /** Where an expired form leads when its token could not be the page's. */
  expiredBack: string;
  /** The token's user; throws the domain's error when the token cannot be used. */
  find: (token: unknown) => Promise<{ user: User }>;
  /** Sets the password through the page's use case; the user it was set for. */
  set: (token: string | undefined, password: string, confirm: string, ip: string | null) => Promise<User>;
  /** Whether an error of `set` means the token cannot be used (any error of `find` does). */
  unusable: (err: ZoomError) => boolean;
  /** The page saying why the token cannot be used. */
  refused: (err: ZoomError) => Parameters<typeof messagePage>[0];
  render: (p: TokenPasswordForm) => string;
  /** Where the new session goes once the password is set. */
  signedIn: string;
}

/** `GET/POST page.path?token=...`: the new-password form of the token's user, judged when sent. */
export function tokenPasswordRoutes(app: FastifyInstance, ctx: DomainContext, page: TokenPasswordPage): void {
  const refused = (reply: FastifyReply, err: ZoomError) =>
    html(reply, err.status, messagePage(page.refused(err)));
  /** The token's user; undefined when the token cannot be used (the reply then says why). */
  const find = async (reply: FastifyReply, token: unknown) => {
    try {
      return await page.find(token);
    } catch (err) {
      if (!(err instanceof ZoomError) || err.status >= 500) throw err;
      refused(reply, err);
      return undefined;
    }
  };

  app.get<{ Querystring: Record<string, unknown> }>(page.path, PAGE_ROUTE, async (request, reply) => {
    const token = request.query.token;
    const found = await find(reply, token);
    if (!found) return reply;
    return html(
      reply,
      200,
      page.render({
        ...(await newPasswordForm(ctx, found.user)),
        email: found.user.email,
        token: token as string,
        csrf: formCsrf(request, reply),
      }),
    );
  });

  app.post(page.path, PAGE_ROUTE, async (request, reply) => {
    const f = readForm(request, ['csrf', 'token', 'new_password', 'confirm_password']);
    if (!formCsrfValid(request, f.csrf)) {
      // Back to the page (its token was in the form already), or to `expiredBack`.
      const back =
        f.token && /^[A-Za-z0-9_-]{20,100}$/.test(f.token)
          ? `${page.path}?token=${f.token}`
          : page.expiredBack;
      return formExpired(reply, back);
    }
    const found = await find(reply, f.token);
    if (!found) return reply;
    const password = f.new_password ?? '';
    const confirm = f.confirm_password ?? '';
    const again = async (status: number, errors: PageError[], error?: ZoomError) =>
      html(
        reply,
        status,
        page.render({
          ...(await newPasswordForm(ctx, found.user, {
            password: password.slice(0, SIGN_IN_PASSWORD_MAX),
            confirm: confirm.slice(0, SIGN_IN_PASSWORD_MAX),
            errors,
            error,
          })),
          email: found.user.email,
          token: f.token!,
          csrf: f.csrf!,
        }),
      );
    if (password.length === 0)
      return again(400, [{ message: 'Enter a new password.', field: 'new_password' }]);
    if (password.length > SIGN_IN_PASSWORD_MAX || confirm.length > SIGN_IN_PASSWORD_MAX)
      return again(400, [
        { message: 'This field is longer than any password zpass accepts.', field: 'new_password' },
      ]);
    if (password !== confirm) {
      const e = Errors.passwordsDiffer();
      return again(400, newPasswordErrors(e), e);
    }
    let user: User;
    try {
      user = await page.set(f.token, password, confirm, storedAddress(request));
    } catch (err) {
      if (!(err instanceof ZoomError) || err.status >= 500) throw err;
      if (page.unusable(err)) return refused(reply, err);
      return again(err.status, newPasswordErrors(err), err);
    }
    // Signed in afresh, through the second factor when the user has it on.
    const next = await afterPassword(ctx, user, {
      ip: storedAddress(request),
      replaces: sessionCookie(request),
    });
    if (!next) return redirect(reply, '/signin');
    return continueSignIn(request, reply, next, page.signedIn);
  });
}
