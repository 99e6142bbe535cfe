/**
 * The web pages (sign in, change your own password, accept an invitation, sign
 * out, the API reference), as one Fastify plugin with its own error page. They call
 * the same domain use cases as the API; docs/web.md records the choices made here.
 */
import { checkPassword } from '@zpass/policy';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newToken } from '../crypto/random.js';
import type { DomainContext } from '../domain/context.js';
import { Errors, ZoomError } from '../domain/errors.js';
import { accountRequirement } from '../domain/passwords/policy.js';
import {
  type ActiveSession,
  changeOwnPassword,
  dummyHash,
  endSession,
  findSession,
  SESSION_TTL_MS,
  SIGN_IN_PASSWORD_MAX,
  signIn,
  startSession,
} from '../domain/sessions/sessions.js';
import { EMAIL_MAX } from '../domain/users/directory.js';
import { acceptInvitation, INVITATION_PATH, invitationFor } from '../domain/users/invitations.js';
import { storedAddress } from '../edge/address.js';
import { toZoomError } from '../http/plugins/errors.js';
import type { FailureThrottle } from '../limits/throttle.js';
import { normalizeEmail, type User } from '../store/repositories.js';
import { loadAssets } from './assets.js';
import { checklistItems, type RuleId, unmetItems, unmetOf } from './checklist-rules.js';
import { cookie, csrfToken, csrfValid, FORM_COOKIE, readCookies, SESSION_COOKIE } from './cookies.js';
import { docsPage } from './docs.js';
import { setPageHeaders, wantsPage } from './headers.js';
import {
  changePasswordPage,
  invitationPage,
  messagePage,
  type NewPasswordForm,
  type PageError,
  resetPage,
  signInPage,
} from './html.js';

export interface WebOptions {
  ctx: DomainContext;
  /** The failed-attempt throttle the OAuth endpoint uses: sign-in failures count in it too. */
  throttle: FailureThrottle;
}

/** A form that is not what the page sends (a field repeated, or not text). */
class BadForm extends Error {}

type Form = Record<string, string>;

function readForm(request: FastifyRequest, names: readonly string[]): Form {
  const body = request.body;
  const out: Form = {};
  if (body === undefined || body === null) return out;
  if (typeof body !== 'object' || Array.isArray(body)) throw new BadForm();
  for (const name of names) {
    const v = (body as Record<string, unknown>)[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new BadForm();
    out[name] = v;
  }
  return out;
}

const secure = (request: FastifyRequest) => request.protocol === 'https';

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

function redirect(reply: FastifyReply, to: string): FastifyReply {
  return reply.code(303).header('location', to).send();
}

/** The throttle's key for sign-in failures of an address (the OAuth endpoint keys by client id). */
const throttleKey = (email: string) => `web:${normalizeEmail(email)}`;

function retryMessage(waitMs: number): string {
  const s = Math.max(1, Math.ceil(waitMs / 1000));
  return `Too many failed attempts. Try again in ${s} second${s === 1 ? '' : 's'}.`;
}

export async function webRoutes(app: FastifyInstance, opts: WebOptions): Promise<void> {
  const { ctx, throttle } = opts;
  const assets = loadAssets(app.log);
  // Computed now, so that the first unknown e-mail costs what any wrong password costs.
  await dummyHash(ctx.hasher);

  app.addHook('onRequest', async (request, reply) => setPageHeaders(request, reply));

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof BadForm) {
      request.log.info({ status: 400 }, 'web form refused');
      return html(
        reply,
        400,
        messagePage({
          title: 'This form cannot be used',
          message: 'The form was not sent as this page sends it. Go back, reload the page and try again.',
          link: { href: '/', text: 'Go to the start page' },
        }),
      );
    }
    const mapped = toZoomError(err);
    const status = mapped.status;
    if (status >= 500 && status !== 503) request.log.error({ err }, 'request failed');
    else request.log.info({ status }, 'web request refused');
    if (request.body === undefined && request.headers['content-length'] !== undefined)
      reply.header('connection', 'close');
    if (mapped instanceof ZoomError && mapped.headers) reply.headers(mapped.headers);
    return html(
      reply,
      status,
      messagePage({
        title: status >= 500 ? 'Something went wrong' : 'This request cannot be answered',
        message:
          status >= 500 && status !== 503
            ? 'Something went wrong on the server. Try again later.'
            : mapped.message,
        link: { href: '/', text: 'Go to the start page' },
      }),
    );
  });

  /** The secret of the anonymous forms' CSRF tokens: the browser's form cookie, made when missing. */
  const formSecret = (request: FastifyRequest, reply: FastifyReply): string => {
    const have = readCookies(request.headers.cookie)[FORM_COOKIE];
    if (have) return have;
    const made = newToken();
    reply.header('set-cookie', cookie(FORM_COOKIE, made, { secure: secure(request) }));
    return made;
  };

  const sessionOf = async (request: FastifyRequest) => {
    const id = readCookies(request.headers.cookie)[SESSION_COOKIE];
    const active = await findSession(ctx, id);
    return active && id ? { active, id } : undefined;
  };

  const setSession = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    reply.header(
      'set-cookie',
      cookie(SESSION_COOKIE, id, { secure: secure(request), maxAge: Math.floor(SESSION_TTL_MS / 1000) }),
    );
  };

  const sessionEnded = (reply: FastifyReply) =>
    html(
      reply,
      403,
      messagePage({
        title: 'Your session has ended',
        message: 'You are not signed in any more, so nothing was changed. Sign in again.',
        link: { href: '/signin', text: 'Sign in' },
      }),
    );

  const formExpired = (reply: FastifyReply, back: string) =>
    html(
      reply,
      403,
      messagePage({
        title: 'This form has expired',
        message:
          'The form did not come from this page as it is now, so nothing was changed. Open the page again and send the form from there.',
        link: { href: back, text: 'Open the page again' },
      }),
    );

  /** The new-password form of a user's account, judged against `password` when the form was sent. */
  const newPasswordForm = async (
    user: Pick<User, 'account_id' | 'email' | 'first_name' | 'last_name' | 'display_name'>,
    sent?: { password: string; confirm: string; error?: ZoomError; errors?: PageError[] },
  ): Promise<NewPasswordForm> => {
    const requirement = await accountRequirement(ctx, user.account_id);
    const form: NewPasswordForm = { items: checklistItems(requirement), requirement, errors: sent?.errors };
    if (sent) {
      const unmet: Set<RuleId> = unmetItems(sent.password, sent.confirm, requirement);
      for (const r of unmetOf(checkPassword(sent.password, { requirement, user }))) unmet.add(r);
      if (sent.error) for (const r of unmetOf([sent.error])) unmet.add(r);
      form.unmet = unmet;
    }
    return form;
  };

  /** Where on the page a domain error about a new password belongs. */
  const newPasswordErrors = (err: ZoomError): PageError[] => {
    if (err.errors && err.errors.length > 0)
      return err.errors.map((e) => ({ message: e.message, field: 'new_password' }));
    if (err.message === Errors.passwordsDiffer().message)
      return [{ message: err.message, field: 'confirm_password' }];
    if (err.message === Errors.currentPasswordWrong().message)
      return [{ message: err.message, field: 'current_password' }];
    if (err.message === Errors.tooManyChanges().message) return [{ message: err.message }];
    return [{ message: err.message, field: 'new_password' }];
  };

  // ------------------------------------------------------------ start, assets, docs

  // A browser at the server's address is taken to the pages; an API client keeps Zoom's 404.
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (!wantsPage(request)) {
      const e = Errors.notFound(request.method, request.url);
      return reply.code(e.status).send(e.toBody());
    }
    return redirect(reply, (await sessionOf(request)) ? '/account/password' : '/signin');
  });

  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    { schema: { hide: true } },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset) {
        const e = Errors.notFound(request.method, request.url);
        return reply.code(404).send(e.toBody());
      }
      return reply.header('cache-control', 'public, max-age=300').type(asset.type).send(asset.body);
    },
  );

  app.get('/docs', { schema: { hide: true } }, async (_request, reply) =>
    html(reply, 200, docsPage(app.swagger())),
  );

  // ------------------------------------------------------------ sign in and out

  const NOTICES: Record<string, string> = {
    signed_out: 'You have signed out.',
  };

  app.get<{ Querystring: Record<string, unknown> }>(
    '/signin',
    { schema: { hide: true } },
    async (request, reply) => {
      if (await sessionOf(request)) return redirect(reply, '/account/password');
      const notice = Object.keys(NOTICES).find((k) => request.query[k] !== undefined);
      return html(
        reply,
        200,
        signInPage({
          csrf: csrfToken(formSecret(request, reply), 'form'),
          notice: notice && NOTICES[notice],
        }),
      );
    },
  );

  app.post('/signin', { schema: { hide: true } }, async (request, reply) => {
    const cookies = readCookies(request.headers.cookie);
    const f = readForm(request, ['csrf', 'email', 'password']);
    if (!csrfValid(cookies[FORM_COOKIE], 'form', f.csrf)) return formExpired(reply, '/signin');
    const csrf = f.csrf!;
    const email = (f.email ?? '').trim();
    const password = f.password ?? '';
    const again = (status: number, errors: PageError[]) =>
      html(reply, status, signInPage({ csrf, email: email.slice(0, EMAIL_MAX), errors }));
    const errors: PageError[] = [];
    if (email.length === 0) errors.push({ message: 'Enter your e-mail address.', field: 'email' });
    else if (email.length > EMAIL_MAX)
      errors.push({ message: `An e-mail address has at most ${EMAIL_MAX} characters.`, field: 'email' });
    if (password.length === 0) errors.push({ message: 'Enter your password.', field: 'password' });
    else if (password.length > SIGN_IN_PASSWORD_MAX)
      errors.push({ message: 'This password is longer than any zpass accepts.', field: 'password' });
    if (errors.length > 0) return again(400, errors);

    const key = throttleKey(email);
    const now = ctx.clock.now();
    // Reserved (counted as a failure) atomically with the check; given back unless the password was wrong.
    const wait = await throttle.reserve(key, request.ip, now);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return again(429, [{ message: retryMessage(wait) }]);
    }
    let outcome: Awaited<ReturnType<typeof signIn>>;
    try {
      outcome = await signIn(ctx, {
        email,
        password,
        ip: storedAddress(request),
        replaces: cookies[SESSION_COOKIE],
      });
    } catch (err) {
      await throttle.release(key, request.ip, now);
      throw err;
    }
    if (!outcome.ok) {
      if (outcome.reason === 'inactive') {
        await throttle.release(key, request.ip, now);
        return again(403, [
          { message: "This account is deactivated. Ask your account's admin to activate it again." },
        ]);
      }
      return again(401, [{ message: 'The e-mail address or the password is not correct.', field: 'email' }]);
    }
    await throttle.success(key, request.ip, now);
    setSession(request, reply, outcome.sessionId);
    return redirect(reply, '/account/password');
  });

  app.get('/signin/reset', { schema: { hide: true } }, async (_request, reply) =>
    html(reply, 200, resetPage()),
  );

  app.post('/signout', { schema: { hide: true } }, async (request, reply) => {
    const id = readCookies(request.headers.cookie)[SESSION_COOKIE];
    const f = readForm(request, ['csrf']);
    const current = await sessionOf(request);
    if (current && !csrfValid(current.id, 'session', f.csrf)) return formExpired(reply, '/account/password');
    if (current) await endSession(ctx, id, { ip: storedAddress(request) });
    if (id) reply.header('set-cookie', cookie(SESSION_COOKIE, '', { secure: secure(request), maxAge: 0 }));
    return redirect(reply, '/signin?signed_out=1');
  });

  // ------------------------------------------------------------ your own password

  const ACCOUNT_NOTICES: Record<string, string> = {
    changed: 'Your password was changed. Your other sessions were signed out.',
    welcome: 'Your password is set, and you are signed in.',
  };

  const accountPage = async (
    reply: FastifyReply,
    status: number,
    current: { active: ActiveSession; id: string },
    extra: { notice?: string; sent?: Parameters<typeof newPasswordForm>[1] } = {},
  ) =>
    html(
      reply,
      status,
      changePasswordPage({
        ...(await newPasswordForm(current.active.user, extra.sent)),
        email: current.active.user.email,
        csrf: csrfToken(current.id, 'session'),
        notice: extra.notice,
      }),
    );

  app.get<{ Querystring: Record<string, unknown> }>(
    '/account/password',
    { schema: { hide: true } },
    async (request, reply) => {
      const current = await sessionOf(request);
      if (!current) return redirect(reply, '/signin');
      const notice = Object.keys(ACCOUNT_NOTICES).find((k) => request.query[k] !== undefined);
      return accountPage(reply, 200, current, { notice: notice && ACCOUNT_NOTICES[notice] });
    },
  );

  app.post('/account/password', { schema: { hide: true } }, async (request, reply) => {
    const current = await sessionOf(request);
    if (!current) return sessionEnded(reply);
    const f = readForm(request, ['csrf', 'current_password', 'new_password', 'confirm_password']);
    if (!csrfValid(current.id, 'session', f.csrf)) return formExpired(reply, '/account/password');
    const change = {
      current: f.current_password ?? '',
      password: f.new_password ?? '',
      confirm: f.confirm_password ?? '',
    };
    const sent = (errors: PageError[], error?: ZoomError) => ({
      password: change.password.slice(0, SIGN_IN_PASSWORD_MAX),
      confirm: change.confirm.slice(0, SIGN_IN_PASSWORD_MAX),
      errors,
      error,
    });
    const errors: PageError[] = [];
    if (change.current.length === 0)
      errors.push({ message: 'Enter your current password.', field: 'current_password' });
    if (change.password.length === 0)
      errors.push({ message: 'Enter a new password.', field: 'new_password' });
    for (const [field, value] of [
      ['current_password', change.current],
      ['new_password', change.password],
      ['confirm_password', change.confirm],
    ] as const) {
      if (value.length > SIGN_IN_PASSWORD_MAX)
        errors.push({ message: 'This field is longer than any password zpass accepts.', field });
    }
    if (errors.length > 0) return accountPage(reply, 400, current, { sent: sent(errors) });

    const key = throttleKey(current.active.user.email);
    const now = ctx.clock.now();
    const wait = await throttle.reserve(key, request.ip, now);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return accountPage(reply, 429, current, { sent: sent([{ message: retryMessage(wait) }]) });
    }
    try {
      await changeOwnPassword(ctx, current.active, { ...change, ip: storedAddress(request) });
    } catch (err) {
      // Only a wrong current password keeps its reservation.
      if (!(err instanceof ZoomError && err.message === Errors.currentPasswordWrong().message))
        await throttle.release(key, request.ip, now);
      if (!(err instanceof ZoomError) || err.status >= 500) throw err;
      return accountPage(reply, err.status, current, { sent: sent(newPasswordErrors(err), err) });
    }
    // The current password was right: the e-mail's failures are forgiven, as after a sign-in.
    await throttle.success(key, request.ip, now);
    return redirect(reply, '/account/password?changed=1');
  });

  // ------------------------------------------------------------ invitations

  const invitationRefused = (reply: FastifyReply, err: ZoomError) =>
    html(
      reply,
      err.status,
      messagePage({
        title: 'This invitation cannot be used',
        message: `${err.message} If you have set your password already, sign in.`,
        link: { href: '/signin', text: 'Sign in' },
      }),
    );

  app.get<{ Querystring: Record<string, unknown> }>(
    INVITATION_PATH,
    { schema: { hide: true } },
    async (request, reply) => {
      const token = request.query.token;
      let found: Awaited<ReturnType<typeof invitationFor>>;
      try {
        found = await invitationFor(ctx, token);
      } catch (err) {
        if (err instanceof ZoomError && err.status < 500) return invitationRefused(reply, err);
        throw err;
      }
      return html(
        reply,
        200,
        invitationPage({
          ...(await newPasswordForm(found.user)),
          email: found.user.email,
          token: token as string,
          csrf: csrfToken(formSecret(request, reply), 'form'),
        }),
      );
    },
  );

  app.post(INVITATION_PATH, { schema: { hide: true } }, async (request, reply) => {
    const cookies = readCookies(request.headers.cookie);
    const f = readForm(request, ['csrf', 'token', 'new_password', 'confirm_password']);
    if (!csrfValid(cookies[FORM_COOKIE], 'form', f.csrf)) {
      // Back to the invitation page (its token was in the form already), or to sign-in.
      const back =
        f.token && /^[A-Za-z0-9_-]{20,100}$/.test(f.token)
          ? `${INVITATION_PATH}?token=${f.token}`
          : '/signin';
      return formExpired(reply, back);
    }
    let found: Awaited<ReturnType<typeof invitationFor>>;
    try {
      found = await invitationFor(ctx, f.token);
    } catch (err) {
      if (err instanceof ZoomError && err.status < 500) return invitationRefused(reply, err);
      throw err;
    }
    const password = f.new_password ?? '';
    const confirm = f.confirm_password ?? '';
    const again = async (status: number, errors: PageError[], error?: ZoomError) =>
      html(
        reply,
        status,
        invitationPage({
          ...(await newPasswordForm(found.user, {
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
      user = await acceptInvitation(ctx, f.token, password, { ip: storedAddress(request) });
    } catch (err) {
      if (!(err instanceof ZoomError) || err.status >= 500) throw err;
      if (
        err.message === Errors.invitationInvalid().message ||
        err.message === Errors.invitationExpired().message
      )
        return invitationRefused(reply, err);
      return again(err.status, newPasswordErrors(err), err);
    }
    const opened = await startSession(ctx, user, {
      ip: storedAddress(request),
      replaces: cookies[SESSION_COOKIE],
    });
    if (!opened) return redirect(reply, '/signin');
    setSession(request, reply, opened.sessionId);
    return redirect(reply, '/account/password?welcome=1');
  });
}
