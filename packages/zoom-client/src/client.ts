import {
  MemoryTokenStore,
  S2STokenProvider,
  StaticTokenProvider,
  type StoredToken,
  type TokenProvider,
  type TokenStore,
} from './auth.js';
import {
  type ErrorRequestInfo,
  errorClassFor,
  ZoomApiError,
  ZoomAuthenticationError,
  ZoomConfigError,
  ZoomConnectionError,
  ZoomRateLimitError,
  ZoomTimeoutError,
  ZoomUserAbortError,
} from './errors.js';
import { isDailyLimit, parseRateLimit, type RateLimitInfo } from './rate-limit.js';
import { Redactor } from './redact.js';
import { Accounts } from './resources/accounts.js';
import { Reports } from './resources/reports.js';
import { Roles } from './resources/roles.js';
import { Users } from './resources/users.js';
import { type RetryReason, retryDecision } from './retry.js';
import { VERSION } from './version.js';

export { backoff } from './retry.js';
export { VERSION };

/** Console-compatible: `logger: console` works. Every message and field is redacted first. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

export interface ZoomClientOptions {
  /** Server-to-Server OAuth account id (env `ZOOM_ACCOUNT_ID`). */
  accountId?: string;
  /** Server-to-Server OAuth client id (env `ZOOM_CLIENT_ID`). */
  clientId?: string;
  /** Server-to-Server OAuth client secret (env `ZOOM_CLIENT_SECRET`). */
  clientSecret?: string;
  /** A user-level (or otherwise obtained) access token, used as is instead of S2S credentials. */
  accessToken?: string;
  /** Default `https://api.zoom.us/v2` (env `ZOOM_API_URL`). */
  baseUrl?: string;
  /** Default `https://zoom.us` (env `ZOOM_OAUTH_URL`); tokens come from `{oauthUrl}/oauth/token`. */
  oauthUrl?: string;
  /** A `fetch` implementation; default the global one. */
  fetch?: typeof fetch;
  /** Milliseconds one attempt may take, response body included. Default 30 000. */
  timeout?: number;
  /** Retries after a 429, a 5xx or a network failure. Default 2. */
  maxRetries?: number;
  /** The longest wait the client accepts before a retry (ms): a longer one (`Retry-After` or backoff) surfaces the error. Default 60 000. */
  maxRetryDelay?: number;
  /** Appended to the SDK's own `User-Agent`. */
  userAgent?: string;
  /** Receives debug lines (requests, retries, token refreshes); nothing secret reaches it. */
  logger?: Logger;
  /** Where S2S tokens are kept; share one between processes to share a token. Default in memory. */
  tokenStore?: TokenStore;
  /** Refresh an S2S token this long before it expires (ms). Default 300 000 (5 minutes). */
  tokenRefreshMargin?: number;
  /** Extra headers on every request. */
  defaultHeaders?: Record<string, string>;
  /** Time source for token expiry (epoch ms); default `Date.now`. */
  now?: () => number;
}

/** Options of one call; they override the client's. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeout?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request to the API, as resources describe it. */
export interface ApiRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with `/`; path parameters already encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  /**
   * May the request be sent again after a network failure or a 5xx, when it may have been
   * processed? Default: every method but POST.
   */
  idempotent?: boolean;
  /** Secrets in the body (a password) to redact from everything. */
  secrets?: string[];
  /**
   * After an ambiguous failure (the first attempt may have gone through), decides whether an
   * error of a retry means the earlier attempt succeeded.
   */
  succeededEarlier?: (err: ZoomApiError) => boolean;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  trackingId: string | undefined;
  rateLimit: RateLimitInfo | undefined;
}

/** What a rate-limit observer sees after every response. */
export interface RateLimitObservation {
  info: RateLimitInfo | undefined;
  status: number;
  method: HttpMethod;
  path: string;
  /** When the response arrived (epoch ms, from the client's clock). */
  at: number;
}

function env(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const v = g.process?.env?.[name];
  return v === '' ? undefined : v;
}

/** The log line of each kind of retry. */
const RETRY_MESSAGES: Record<RetryReason, string> = {
  connection: 'zoom retry after connection failure',
  'rate-limit': 'zoom rate limited; waiting',
  'server-error': 'zoom server error; retrying',
};

/**
 * A client for Zoom's Users and account-settings APIs (and for zpass, which answers the same).
 *
 * ```ts
 * const zoom = new ZoomClient({ accountId, clientId, clientSecret });
 * await zoom.users.updatePassword('jane@example.com', 'New-Passw0rd!');
 * ```
 */
export class ZoomClient {
  readonly users: Users;
  readonly accounts: Accounts;
  readonly roles: Roles;
  readonly reports: Reports;
  readonly baseUrl: string;
  readonly oauthUrl: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly maxRetryDelay: number;

  readonly #fetch: typeof fetch;
  readonly #auth: TokenProvider;
  readonly #redactor = new Redactor();
  readonly #logger: Logger | undefined;
  readonly #userAgent: string;
  readonly #defaultHeaders: Record<string, string>;
  readonly #now: () => number;
  readonly #observers = new Set<(o: RateLimitObservation) => void>();
  readonly #tokens: string[] = [];

  constructor(options: ZoomClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? env('ZOOM_API_URL') ?? 'https://api.zoom.us/v2').replace(/\/+$/, '');
    this.oauthUrl = (options.oauthUrl ?? env('ZOOM_OAUTH_URL') ?? 'https://zoom.us').replace(/\/+$/, '');
    this.timeout = nonNegative('timeout', options.timeout ?? 30_000);
    this.maxRetries = nonNegative('maxRetries', options.maxRetries ?? 2);
    this.maxRetryDelay = nonNegative('maxRetryDelay', options.maxRetryDelay ?? 60_000);
    const fetchImpl = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!fetchImpl) throw new ZoomConfigError('No fetch: pass the `fetch` option.');
    this.#fetch = fetchImpl;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#defaultHeaders = { ...options.defaultHeaders };
    this.#userAgent = `zpass-zoom-client/${VERSION}${options.userAgent ? ` ${options.userAgent}` : ''}`;

    if (options.accessToken !== undefined) {
      if (!options.accessToken) throw new ZoomConfigError('accessToken is empty.');
      this.#redactor.add(options.accessToken);
      this.#auth = new StaticTokenProvider(options.accessToken);
    } else {
      const accountId = options.accountId ?? env('ZOOM_ACCOUNT_ID');
      const clientId = options.clientId ?? env('ZOOM_CLIENT_ID');
      const clientSecret = options.clientSecret ?? env('ZOOM_CLIENT_SECRET');
      const missing = [
        accountId ? undefined : 'accountId (ZOOM_ACCOUNT_ID)',
        clientId ? undefined : 'clientId (ZOOM_CLIENT_ID)',
        clientSecret ? undefined : 'clientSecret (ZOOM_CLIENT_SECRET)',
      ].filter((m) => m !== undefined);
      if (missing.length > 0) {
        throw new ZoomConfigError(
          `Missing ${missing.join(', ')}: give Server-to-Server OAuth credentials or an accessToken.`,
        );
      }
      this.#redactor.add(clientSecret);
      const basic = btoa(`${clientId}:${clientSecret}`);
      this.#redactor.add(basic);
      this.#auth = new S2STokenProvider({
        store: options.tokenStore ?? new MemoryTokenStore(),
        key: `${this.oauthUrl}|${accountId}|${clientId}`,
        refreshMarginMs: nonNegative('tokenRefreshMargin', options.tokenRefreshMargin ?? 300_000),
        now: this.#now,
        onToken: (t) => this.#rememberToken(t.accessToken),
        fetchToken: () => this.#fetchToken(accountId!, basic),
      });
    }
    this.roles = new Roles(this);
    this.reports = new Reports(this);
    this.users = new Users(this);
    this.accounts = new Accounts(this);
  }

  /** Tokens are redacted while they may still be in use: the last few are kept. */
  #rememberToken(token: string): void {
    if (this.#tokens.includes(token)) return;
    this.#tokens.push(token);
    this.#redactor.add(token);
    if (this.#tokens.length > 8) this.#redactor.forget(this.#tokens.shift());
  }

  /** A summary without secrets, for `console.log(client)`. */
  toJSON(): Record<string, unknown> {
    return {
      baseUrl: this.baseUrl,
      oauthUrl: this.oauthUrl,
      auth: this.#auth.canRefresh ? 'server-to-server' : 'access token',
      timeout: this.timeout,
      maxRetries: this.maxRetries,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ZoomClient ${JSON.stringify(this.toJSON())}`;
  }

  /** Redacts text the way errors and log lines are: for callers that log around the client. */
  redact(text: string): string {
    return this.#redactor.text(text);
  }

  /**
   * Calls `listener` after every API response with its rate-limit headers (the pacer uses it).
   * Returns a function that stops the calls.
   */
  onRateLimit(listener: (o: RateLimitObservation) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  /** The current access token (fetching one when needed). */
  accessToken(options: Pick<RequestOptions, 'signal'> = {}): Promise<string> {
    return this.#auth.token(options.signal);
  }

  /**
   * Sends a request to any API path with the client's authentication, retries and errors,
   * and resolves with the parsed body and response details.
   */
  async request<T = unknown>(req: ApiRequest, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    for (const s of req.secrets ?? []) this.#redactor.add(s);
    try {
      return await this.#request<T>(req, options);
    } finally {
      for (const s of req.secrets ?? []) this.#redactor.forget(s);
    }
  }

  async #request<T>(req: ApiRequest, options: RequestOptions): Promise<ApiResponse<T>> {
    /** `ambiguous`: an attempt failed without telling whether it was processed. */
    const state = { ambiguous: false };
    try {
      return await this.#attempts<T>(req, options, state);
    } catch (err) {
      if (state.ambiguous && err instanceof ZoomApiError) err.earlierAttemptMayHaveSucceeded = true;
      throw err;
    }
  }

  async #attempts<T>(
    req: ApiRequest,
    options: RequestOptions,
    state: { ambiguous: boolean },
  ): Promise<ApiResponse<T>> {
    const timeout = options.timeout ?? this.timeout;
    const url = this.#url(req.path, req.query);
    const info: ErrorRequestInfo = { method: req.method, url: this.#redactor.url(url) };
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    let refreshed = false;

    return this.#retrying<ApiResponse<T>>(
      {
        info,
        idempotent: req.idempotent ?? req.method !== 'POST',
        maxRetries: options.maxRetries ?? this.maxRetries,
        signal: options.signal,
        state,
      },
      async (attempt) => {
        for (;;) {
          const token = await this.#auth.token(options.signal).catch((e: unknown) => {
            throw this.#abortOr(e, options.signal, info);
          });
          // Header names are case-insensitive: later sources replace earlier ones whatever their case.
          const merged = new Headers({ accept: 'application/json', 'user-agent': this.#userAgent });
          for (const source of [this.#defaultHeaders, options.headers ?? {}]) {
            for (const [k, v] of Object.entries(source)) merged.set(k, v);
          }
          merged.set('authorization', `Bearer ${token}`);
          if (body !== undefined) merged.set('content-type', 'application/json');
          const headers: Record<string, string> = {};
          merged.forEach((v, k) => {
            headers[k] = v;
          });
          const started = this.#now();
          this.#log('debug', 'zoom request', { ...info, attempt });

          const sent = await this.#sendOrFail(
            url,
            { method: req.method, headers, body },
            timeout,
            options.signal,
            info,
          );
          if ('failed' in sent) return sent;
          const { res, text } = sent;

          const at = this.#now();
          const rateLimit = parseRateLimit(res.headers, Date.now());
          for (const o of this.#observers)
            o({ info: rateLimit, status: res.status, method: req.method, path: req.path, at });
          const trackingId = res.headers.get('x-zm-trackingid') ?? undefined;
          this.#log('debug', 'zoom response', { ...info, status: res.status, trackingId, ms: at - started });

          if (res.ok) {
            let data: unknown;
            if (text !== '') {
              try {
                data = JSON.parse(text);
              } catch (e) {
                throw new ZoomApiError({
                  status: res.status,
                  message: `Response ${res.status} is not valid JSON.`,
                  headers: res.headers,
                  body: text.slice(0, 500),
                  request: info,
                  cause: e,
                  redactor: this.#redactor,
                });
              }
            }
            return {
              value: { data: data as T, status: res.status, headers: res.headers, trackingId, rateLimit },
            };
          }

          const err = this.#error(res, text, rateLimit, info);
          if (state.ambiguous && req.succeededEarlier?.(err)) {
            this.#log('info', 'zoom request had succeeded before the retry', { ...info, code: err.code });
            return {
              value: { data: undefined as T, status: 204, headers: res.headers, trackingId, rateLimit },
            };
          }
          if (res.status === 401 && err.code === 124 && this.#auth.canRefresh && !refreshed) {
            // The token expired early or was revoked: one new token (shared), one more try,
            // which is not a retry (the request was refused, not lost).
            refreshed = true;
            this.#log('info', 'zoom token rejected; refreshing', { ...info, message: err.message });
            await this.#auth.refreshAfterRejection(token, options.signal).catch((e: unknown) => {
              throw this.#abortOr(e, options.signal, info);
            });
            continue;
          }
          return { failed: err };
        }
      },
    );
  }

  /**
   * Runs `attempt` until it gives a value, or until the retry policy (`retryDecision`) lets its
   * failure surface; waits between attempts (the caller's `signal` cuts a wait). Errors that
   * `attempt` throws (a token it could not get, an abort, a 200 that is not JSON) surface as they are.
   */
  async #retrying<T>(
    call: {
      info: ErrorRequestInfo;
      idempotent: boolean;
      maxRetries: number;
      signal: AbortSignal | undefined;
      /** Set when a retried attempt may have been processed. */
      state?: { ambiguous: boolean };
    },
    attempt: (n: number) => Promise<{ value: T } | { failed: ZoomApiError }>,
  ): Promise<T> {
    for (let retries = 0; ; retries++) {
      const outcome = await attempt(retries + 1);
      if ('value' in outcome) return outcome.value;
      const err = outcome.failed;
      const next = retryDecision(err, retries, call.idempotent, {
        maxRetries: call.maxRetries,
        maxRetryDelay: this.maxRetryDelay,
      });
      if (!next) throw err;
      if (next.ambiguous && call.state) call.state.ambiguous = true;
      this.#log('info', RETRY_MESSAGES[next.reason], {
        ...call.info,
        ...(err.status === undefined ? { error: err.message } : { status: err.status }),
        delayMs: next.delayMs,
        ...(err instanceof ZoomRateLimitError ? { category: err.rateLimit.category } : {}),
      });
      await sleep(next.delayMs, call.signal, call.info);
    }
  }

  #url(path: string, query: ApiRequest['query']): string {
    let url = `${this.baseUrl}${path}`;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    return url;
  }

  /** {@link #send}, with a connection failure or a timeout as a failed attempt (the retry policy decides). */
  async #sendOrFail(
    url: string,
    init: { method: string; headers: Record<string, string>; body: string | undefined },
    timeout: number,
    signal: AbortSignal | undefined,
    info: ErrorRequestInfo,
  ): Promise<{ res: Response; text: string } | { failed: ZoomConnectionError }> {
    try {
      return await this.#send(url, init, timeout, signal, info);
    } catch (err) {
      if (err instanceof ZoomConnectionError) return { failed: err };
      throw err;
    }
  }

  /** One attempt: the response and its whole body, within `timeout`. */
  async #send(
    url: string,
    init: { method: string; headers: Record<string, string>; body: string | undefined },
    timeout: number,
    signal: AbortSignal | undefined,
    info: ErrorRequestInfo,
  ): Promise<{ res: Response; text: string }> {
    if (signal?.aborted) throw new ZoomUserAbortError({ request: info });
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    // Also race the abort, so that a `fetch` that ignores its signal cannot hang past the timeout.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new Error('The operation was aborted.')), {
        once: true,
      });
    });
    const settle = <T>(p: Promise<T>): Promise<T> => {
      p.catch(() => {}); // a loser of the race must not reject unhandled
      return Promise.race([p, aborted]);
    };
    aborted.catch(() => {});
    try {
      const res = await settle(this.#fetch(url, { ...init, signal: controller.signal }));
      const text = await settle(res.text());
      return { res, text };
    } catch (e) {
      if (signal?.aborted) throw new ZoomUserAbortError({ request: info });
      if (timedOut) {
        throw new ZoomTimeoutError({
          message: `Request timed out after ${timeout} ms.`,
          request: info,
          redactor: this.#redactor,
        });
      }
      const reason = e instanceof Error ? describeNetworkError(e) : String(e);
      throw new ZoomConnectionError({
        message: `Connection error: ${reason}`,
        request: info,
        cause: e,
        redactor: this.#redactor,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #error(
    res: Response,
    text: string,
    rateLimit: RateLimitInfo | undefined,
    info: ErrorRequestInfo,
  ): ZoomApiError {
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const obj =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    const code =
      typeof obj?.code === 'number' || typeof obj?.code === 'string'
        ? obj.code
        : typeof obj?.error === 'string'
          ? obj.error
          : undefined;
    const zoomMessage =
      typeof obj?.message === 'string'
        ? obj.message
        : typeof obj?.reason === 'string'
          ? obj.reason
          : undefined;
    const message =
      zoomMessage ??
      (obj
        ? `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`
        : `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: the response is not Zoom's JSON error${
            text ? ` (${(res.headers.get('content-type') ?? 'no content type').split(';')[0]})` : ''
          }.`);
    const init = {
      status: res.status,
      code,
      message,
      headers: res.headers,
      body: obj ?? (text ? text.slice(0, 500) : undefined),
      request: info,
      redactor: this.#redactor,
    };
    if (res.status === 429) {
      const rl: RateLimitInfo = { ...rateLimit };
      if (!rl.type && isDailyLimit(rl, zoomMessage)) rl.type = 'Daily-limit';
      return new ZoomRateLimitError({ ...init, rateLimit: rl });
    }
    // Zoom answers wrong client credentials with 400 `invalid_client` (an OAuth error, not a
    // validation one): still an authentication failure for the caller.
    if (code === 'invalid_client') return new ZoomAuthenticationError(init);
    const Cls = errorClassFor(res.status);
    return new Cls(init);
  }

  #abortOr(e: unknown, signal: AbortSignal | undefined, info: ErrorRequestInfo): unknown {
    if (signal?.aborted && !(e instanceof ZoomApiError)) return new ZoomUserAbortError({ request: info });
    return e;
  }

  /** `POST {oauthUrl}/oauth/token` with `grant_type=account_credentials`. */
  #fetchToken(accountId: string, basic: string): Promise<StoredToken> {
    const url = `${this.oauthUrl}/oauth/token`;
    const info: ErrorRequestInfo = { method: 'POST', url };
    const form = new URLSearchParams({ grant_type: 'account_credentials', account_id: accountId }).toString();
    // Asking again for a token is harmless (at worst the app holds one more live token), so the
    // request counts as idempotent. It has no signal: callers share it, and each gives up alone.
    return this.#retrying<StoredToken>(
      { info, idempotent: true, maxRetries: this.maxRetries, signal: undefined },
      async (attempt) => {
        this.#log('debug', 'zoom token request', { url, attempt });
        const sent = await this.#sendOrFail(
          url,
          {
            method: 'POST',
            headers: {
              authorization: `Basic ${basic}`,
              'content-type': 'application/x-www-form-urlencoded',
              accept: 'application/json',
              'user-agent': this.#userAgent,
            },
            body: form,
          },
          this.timeout,
          undefined,
          info,
        );
        if ('failed' in sent) return sent;
        const { res, text } = sent;
        if (!res.ok) return { failed: this.#error(res, text, parseRateLimit(res.headers, Date.now()), info) };
        return { value: this.#storedToken(res, text, info) };
      },
    );
  }

  /** The token endpoint's answer as a cached token (its access token redacted from now on). */
  #storedToken(res: Response, text: string, info: ErrorRequestInfo): StoredToken {
    let body:
      | { access_token?: unknown; expires_in?: unknown; scope?: unknown; api_url?: unknown }
      | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (typeof body?.access_token !== 'string' || body.access_token === '') {
      throw new ZoomApiError({
        status: res.status,
        message: 'The token endpoint answered without an access_token.',
        headers: res.headers,
        request: info,
        redactor: this.#redactor,
      });
    }
    this.#rememberToken(body.access_token);
    const now = this.#now();
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const token: StoredToken = {
      accessToken: body.access_token,
      expiresAt: now + expiresIn * 1000,
      issuedAt: now,
    };
    if (typeof body.scope === 'string') token.scope = body.scope;
    if (typeof body.api_url === 'string') token.apiUrl = body.api_url;
    this.#log('info', 'zoom token obtained', { expiresIn, scope: token.scope });
    return token;
  }

  #log(level: keyof Logger, message: string, fields: Record<string, unknown>): void {
    const fn = this.#logger?.[level];
    if (!fn) return;
    try {
      fn.call(
        this.#logger,
        this.#redactor.text(message),
        this.#redactor.value(fields) as Record<string, unknown>,
      );
    } catch {
      // A failing logger never fails a request.
    }
  }
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new ZoomConfigError(`${name} must be a non-negative number.`);
  return v;
}

function sleep(ms: number, signal: AbortSignal | undefined, info: ErrorRequestInfo): Promise<void> {
  if (signal?.aborted) return Promise.reject(new ZoomUserAbortError({ request: info }));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ZoomUserAbortError({ request: info }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** undici's "fetch failed" says little: name the socket-level cause (ECONNRESET, ECONNREFUSED...). */
function describeNetworkError(e: Error): string {
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${e.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return e.message;
}
