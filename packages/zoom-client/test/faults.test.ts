// Rate limits, server errors and network faults, produced by a scripted stand-in for the remote
// Zoom API over real HTTP: each must end in the right typed error (or a correct retry), never an
// unhandled rejection or a hang past the timeout.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  ZoomApiError,
  ZoomAuthenticationError,
  ZoomBadRequestError,
  ZoomClient,
  type ZoomClientOptions,
  ZoomConflictError,
  ZoomConnectionError,
  ZoomError,
  ZoomInternalServerError,
  ZoomNotFoundError,
  ZoomPermissionDeniedError,
  ZoomRateLimitError,
  ZoomTimeoutError,
  ZoomUnprocessableEntityError,
  ZoomUserAbortError,
} from '../src/index.js';
import { type Handler, json, noContent, reset, type StandIn, standIn } from './stand-in.js';

const QPS_MESSAGE = 'You have reached the maximum per-second rate limit for this API. Try again later.';
const DAILY_MESSAGE =
  'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.';
const SAME = 'Your new password can not match the old password.';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

describe('faults', () => {
  let s: StandIn;
  let handler: Handler = () => {};
  /** When each request arrived (ms). */
  const times: number[] = [];

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    s = await standIn((req, res, n) => {
      times.push(Date.now());
      return handler(req, res, n);
    });
  });
  after(async () => {
    await s.close();
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, []);
  });
  afterEach(() => {
    s.requests.length = 0;
    times.length = 0;
  });

  const client = (o: ZoomClientOptions = {}) =>
    new ZoomClient({ accessToken: 'fixed-token-abc', baseUrl: `${s.url}/v2`, ...o });
  const user = { id: 'u1', email: 'u1@example.test', type: 1 };
  const qps = (retryAfter: string) => ({
    'x-ratelimit-category': 'Light',
    'x-ratelimit-type': 'QPS',
    'x-ratelimit-limit': '30',
    'x-ratelimit-remaining': '0',
    'retry-after': retryAfter,
  });

  it('waits out a per-second 429 as Retry-After (seconds) says, then succeeds', async () => {
    handler = (_q, res, n) =>
      n === 1 ? json(res, 429, { code: 429, message: QPS_MESSAGE }, qps('1')) : json(res, 200, user);
    assert.deepEqual(await client().users.get('u1'), user);
    assert.equal(s.requests.length, 2);
    assert.ok(times[1]! - times[0]! >= 950, `retried after ${times[1]! - times[0]!} ms`);
  });

  it('waits out a per-second 429 whose Retry-After is a date', async () => {
    const at = new Date(Math.ceil((Date.now() + 1100) / 1000) * 1000);
    handler = (_q, res, n) =>
      n === 1
        ? json(res, 429, { code: 429, message: QPS_MESSAGE }, qps(at.toUTCString()))
        : json(res, 200, user);
    assert.deepEqual(await client().users.get('u1'), user);
    assert.equal(s.requests.length, 2);
    assert.ok(times[1]! >= at.getTime() - 20, 'not before the date');
  });

  it('retries a 429 even on POST: Zoom did not process it', async () => {
    handler = (_q, res, n) =>
      n === 1 ? json(res, 429, { code: 429, message: QPS_MESSAGE }, qps('1')) : json(res, 201, user);
    const created = await client().users.create({
      action: 'create',
      user_info: { email: user.email, type: 1 },
    });
    assert.deepEqual(created, user);
    assert.equal(s.requests.length, 2);
  });

  it('surfaces a daily-limit 429 at once, with when the limit resets', async () => {
    const reset = '2030-01-02T00:00:00Z';
    handler = (_q, res) =>
      json(
        res,
        429,
        { code: 429, message: DAILY_MESSAGE },
        {
          'x-ratelimit-category': 'Medium',
          'x-ratelimit-type': 'Daily-limit',
          'x-ratelimit-limit': '2000',
          'x-ratelimit-remaining': '0',
          'retry-after': reset,
        },
      );
    const err = await client({ maxRetries: 5 })
      .users.updatePassword('u1', 'Valid-Pass-123')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomRateLimitError);
    assert.equal(s.requests.length, 1);
    assert.equal(err.status, 429);
    assert.equal(err.code, 429);
    assert.equal(err.message, DAILY_MESSAGE);
    assert.equal(err.isDailyLimit, true);
    assert.equal(err.retryAt?.toISOString(), '2030-01-02T00:00:00.000Z');
    assert.equal(err.rateLimit.category, 'Medium');
    assert.equal(err.rateLimit.type, 'Daily-limit');
    assert.equal(err.rateLimit.limit, 2000);
    assert.equal(err.rateLimit.remaining, 0);
    assert.equal(err.trackingId, 'TRACK_429');
  });

  it('knows a daily limit by its message when the type header is missing', async () => {
    handler = (_q, res) => json(res, 429, { code: 429, message: DAILY_MESSAGE });
    const err = await client()
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomRateLimitError);
    assert.equal(err.isDailyLimit, true);
    assert.equal(s.requests.length, 1);
  });

  it('does not sleep through a Retry-After of an hour: surfaces it with the wait', async () => {
    handler = (_q, res) => json(res, 429, { code: 429, message: QPS_MESSAGE }, qps('3600'));
    const started = Date.now();
    const err = await client()
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomRateLimitError);
    assert.equal(err.isDailyLimit, false);
    assert.equal(err.rateLimit.retryAfterMs, 3_600_000);
    assert.equal(s.requests.length, 1);
    assert.ok(Date.now() - started < 5_000, 'no hang');
  });

  it('gives up after maxRetries 429s', async () => {
    handler = (_q, res) => json(res, 429, { code: 429, message: QPS_MESSAGE }, qps('0'));
    const err = await client({ maxRetries: 3 })
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomRateLimitError);
    assert.equal(s.requests.length, 4);
  });

  it('backs off and retries a 503 on an idempotent GET', async () => {
    handler = (_q, res, n) =>
      n < 3 ? json(res, 503, { code: 503, message: 'Service unavailable' }) : json(res, 200, user);
    assert.deepEqual(await client().users.get('u1'), user);
    assert.equal(s.requests.length, 3);
    // Exponential backoff with jitter: 375-500 ms, then 750-1000 ms.
    assert.ok(times[1]! - times[0]! >= 370, `first wait ${times[1]! - times[0]!}`);
    assert.ok(times[2]! - times[1]! >= 740, `second wait ${times[2]! - times[1]!}`);
  });

  it('does not retry a 5xx on POST (the user may have been created)', async () => {
    handler = (_q, res) => json(res, 500, { code: 500, message: 'Internal error' });
    const err = await client()
      .users.create({ action: 'create', user_info: { email: 'x@example.test', type: 1 } })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomInternalServerError);
    assert.equal(err.status, 500);
    assert.equal(err.code, 500);
    assert.equal(s.requests.length, 1);
  });

  it("turns a proxy's HTML 502 page into ZoomInternalServerError", async () => {
    handler = (_q, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    };
    const err = await client({ maxRetries: 0 })
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomInternalServerError);
    assert.equal(err.status, 502);
    assert.equal(err.code, undefined);
    assert.equal(err.message, "HTTP 502 Bad Gateway: the response is not Zoom's JSON error (text/html).");
    assert.equal(err.body, '<html><body><h1>502 Bad Gateway</h1></body></html>');
    assert.equal(err.trackingId, undefined);
  });

  it('turns a malformed JSON error body into a typed error by status', async () => {
    handler = (_q, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'x-zm-trackingid': 'T1' });
      res.end('{"code":300,"message":"Valid');
    };
    const err = await client()
      .users.updatePassword('u1', 'Valid-Pass-123')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomBadRequestError);
    assert.equal(err.code, undefined);
    assert.equal(
      err.message,
      "HTTP 400 Bad Request: the response is not Zoom's JSON error (application/json).",
    );
    assert.equal(err.trackingId, 'T1');
    assert.equal(s.requests.length, 1);
  });

  it('maps every status to its class, keeping code, message and tracking id', async () => {
    const cases: Array<[number, new (...a: never[]) => ZoomApiError]> = [
      [400, ZoomBadRequestError],
      [401, ZoomAuthenticationError],
      [403, ZoomPermissionDeniedError],
      [404, ZoomNotFoundError],
      [409, ZoomConflictError],
      [422, ZoomUnprocessableEntityError],
      [418, ZoomApiError],
      [500, ZoomInternalServerError],
      [504, ZoomInternalServerError],
    ];
    for (const [status, Cls] of cases) {
      handler = (_q, res) => json(res, status, { code: status * 10, message: `status ${status}` });
      const err = await client({ maxRetries: 0 })
        .users.get('u1')
        .catch((e: unknown) => e);
      assert.ok(err instanceof Cls, `${status}`);
      assert.equal(err.constructor, Cls, `${status} is exactly ${Cls.name}`);
      assert.equal(err.name, Cls.name);
      assert.equal(err.status, status);
      assert.equal(err.code, status * 10);
      assert.equal(err.message, `status ${status}`);
      assert.equal(err.trackingId, `TRACK_${status}`);
    }
  });

  it('a 200 whose body is not JSON is a ZoomApiError, not a crash', async () => {
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>');
    };
    const err = await client()
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomApiError);
    assert.equal(err.status, 200);
    assert.equal(err.message, 'Response 200 is not valid JSON.');
  });

  it('retries a GET after a connection reset', async () => {
    handler = (_q, res, n) => (n === 1 ? reset(res) : json(res, 200, user));
    assert.deepEqual(await client().users.get('u1'), user);
    assert.equal(s.requests.length, 2);
  });

  it('does not retry a POST after a connection reset: ZoomConnectionError', async () => {
    handler = (_q, res) => reset(res);
    const err = await client()
      .users.create({ action: 'create', user_info: { email: 'x@example.test', type: 1 } })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomConnectionError);
    assert.equal(err.status, undefined);
    assert.match(err.message, /^Connection error: fetch failed/);
    assert.equal(s.requests.length, 1);
  });

  it('a response cut in the middle is a ZoomConnectionError (and retried when idempotent)', async () => {
    handler = (_q, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"id":"u1","em');
        setTimeout(() => res.socket?.destroy(), 20);
      } else json(res, 200, user);
    };
    const err = await client({ maxRetries: 0 })
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomConnectionError);
    assert.ok(!(err instanceof ZoomTimeoutError));
    assert.deepEqual(await client().users.get('u1'), user);
  });

  it('times out an attempt that never answers, and one whose body stalls', async () => {
    handler = () => {}; // never answers
    const started = Date.now();
    const err = await client({ timeout: 200, maxRetries: 0 })
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomTimeoutError);
    assert.ok(err instanceof ZoomConnectionError);
    assert.equal(err.message, 'Request timed out after 200 ms.');
    assert.ok(Date.now() - started < 3_000, 'no hang past the timeout');
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":');
    };
    const stalled = await client({ timeout: 200, maxRetries: 0 })
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(stalled instanceof ZoomTimeoutError);
  });

  it('times out even with a fetch that ignores its signal', async () => {
    handler = () => {};
    const deaf: typeof fetch = (input, init) => fetch(input, { ...init, signal: undefined });
    const err = await client({ fetch: deaf, timeout: 150, maxRetries: 0 })
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomTimeoutError);
  });

  it('per-call timeout, maxRetries and headers override the client', async () => {
    handler = (_q, res) => json(res, 503, { code: 503, message: 'busy' });
    const zoom = client({ maxRetries: 5 });
    const err = await zoom.users
      .get('u1', {
        maxRetries: 0,
        headers: {
          'x-request-tag': 'batch-7',
          Accept: 'application/json;v=2',
          Authorization: 'Bearer other',
        },
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomInternalServerError);
    assert.equal(s.requests.length, 1);
    assert.equal(s.requests[0]!.headers['x-request-tag'], 'batch-7');
    assert.equal(s.requests[0]!.headers.authorization, 'Bearer fixed-token-abc');
    assert.equal(s.requests[0]!.headers.accept, 'application/json;v=2');
    handler = () => {};
    await assert.rejects(zoom.users.get('u1', { timeout: 100, maxRetries: 0 }), ZoomTimeoutError);
  });

  it("aborts on the caller's signal, also while waiting to retry", async () => {
    handler = () => {};
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(client().users.get('u1', { signal: ac.signal }), ZoomUserAbortError);
    handler = (_q, res) => json(res, 429, { code: 429, message: QPS_MESSAGE }, qps('30'));
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 100);
    const started = Date.now();
    await assert.rejects(client().users.get('u1', { signal: ac2.signal }), ZoomUserAbortError);
    assert.ok(Date.now() - started < 5_000);
    await assert.rejects(client().users.get('u1', { signal: AbortSignal.abort() }), ZoomUserAbortError);
  });

  it('a password PUT retried after a lost answer resolves when the retry hears "can not match the old password"', async () => {
    handler = (_q, res, n) => (n === 1 ? reset(res) : json(res, 400, { code: 300, message: SAME }));
    assert.equal(await client().users.updatePassword('u1', 'Valid-Pass-123'), undefined);
    assert.equal(s.requests.length, 2);
    assert.deepEqual(JSON.parse(s.requests[1]!.body), { password: 'Valid-Pass-123' });
    // Heard on a first attempt, the same answer is the caller's mistake.
    s.requests.length = 0;
    handler = (_q, res) => json(res, 400, { code: 300, message: SAME });
    const err = await client()
      .users.updatePassword('u1', 'Valid-Pass-123')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomBadRequestError);
    assert.equal(err.message, SAME);
  });

  it('stops a list whose next_page_token repeats instead of looping forever', async () => {
    handler = (_q, res) =>
      json(res, 200, { page_size: 1, total_records: 9, next_page_token: 'SAME', users: [user] });
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const u of client().users.list()) seen.push(u);
    })().catch((e: unknown) => e);
    assert.ok(err instanceof ZoomError);
    assert.equal(
      err.message,
      'The API returned a page token it had already returned: stopping to avoid a loop.',
    );
    assert.equal(seen.length, 2);
  });

  it('refreshes a S2S token once on 401 code 124, and surfaces a second 401', async () => {
    let issued = 0;
    let rejectAll = false;
    handler = (req, res) => {
      if (req.url.startsWith('/oauth/token')) {
        issued++;
        assert.equal(req.headers.authorization, `Basic ${btoa('cid:csecret-xyz')}`);
        assert.equal(req.body, 'grant_type=account_credentials&account_id=acct');
        return json(res, 200, {
          access_token: `tok-${issued}-abcdef`,
          token_type: 'bearer',
          expires_in: 3600,
          scope: 'user:read:admin',
        });
      }
      if (rejectAll || req.headers.authorization === 'Bearer tok-1-abcdef') {
        return json(res, 401, { code: 124, message: 'Access token is expired.' });
      }
      return json(res, 200, user);
    };
    const zoom = new ZoomClient({
      accountId: 'acct',
      clientId: 'cid',
      clientSecret: 'csecret-xyz',
      baseUrl: `${s.url}/v2`,
      oauthUrl: s.url,
    });
    assert.deepEqual(await zoom.users.get('u1'), user);
    assert.equal(issued, 2);
    rejectAll = true;
    const err = await zoom.users.get('u1').catch((e: unknown) => e);
    assert.ok(err instanceof ZoomAuthenticationError);
    assert.equal(err.code, 124);
    assert.equal(issued, 3, 'one refresh, not a loop');
  });

  it('retries the token endpoint after a 5xx and a reset; reports a token answer without access_token', async () => {
    let n = 0;
    handler = (req, res) => {
      if (req.url.startsWith('/oauth/token')) {
        n++;
        if (n === 1) return json(res, 503, { reason: 'busy', error: 'temporarily_unavailable' });
        if (n === 2) return reset(res);
        if (n === 3) return json(res, 200, { access_token: 'tok-ok-123456', expires_in: 3600 });
        return json(res, 200, { token_type: 'bearer' });
      }
      return noContent(res);
    };
    const opts = {
      accountId: 'a',
      clientId: 'c',
      clientSecret: 's-secret',
      baseUrl: `${s.url}/v2`,
      oauthUrl: s.url,
    };
    await new ZoomClient(opts).users.updatePassword('u1', 'Valid-Pass-123');
    assert.equal(n, 3);
    const err = await new ZoomClient(opts).users.get('u1').catch((e: unknown) => e);
    assert.ok(err instanceof ZoomApiError);
    assert.equal(err.message, 'The token endpoint answered without an access_token.');
  });

  it('asks the token endpoint again under the same policy as the API: Retry-After, limits, statuses, logs', async () => {
    const opts = {
      accountId: 'a',
      clientId: 'c',
      clientSecret: 's-secret',
      baseUrl: `${s.url}/v2`,
      oauthUrl: s.url,
    };
    let tokenAnswers: Array<(res: Parameters<Handler>[1]) => void> = [];
    handler = (req, res) => {
      if (!req.url.startsWith('/oauth/token')) return json(res, 200, user);
      const answer = tokenAnswers.shift();
      if (answer) return answer(res);
      return json(res, 200, { access_token: 'tok-policy-123456', expires_in: 3600 });
    };
    const tokenRequests = () => s.requests.filter((r) => r.url.startsWith('/oauth/token')).length;

    // A 503 whose Retry-After is longer than maxRetryDelay surfaces at once, as on the API.
    tokenAnswers = [(res) => json(res, 503, { reason: 'busy', error: 'x' }, { 'retry-after': '3600' })];
    const busy = await new ZoomClient(opts).users.get('u1').catch((e: unknown) => e);
    assert.ok(busy instanceof ZoomInternalServerError, `not surfaced: ${inspect(busy)}`);
    assert.equal(tokenRequests(), 1);

    // A 501 is no passing failure: not asked again.
    s.requests.length = 0;
    tokenAnswers = [(res) => json(res, 501, { reason: 'no', error: 'not_implemented' })];
    const no = await new ZoomClient(opts).users.get('u1').catch((e: unknown) => e);
    assert.ok(no instanceof ZoomInternalServerError, `not surfaced: ${inspect(no)}`);
    assert.equal(no.status, 501);
    assert.equal(tokenRequests(), 1);

    // A 408 is, and the retry is logged like the API's.
    s.requests.length = 0;
    const lines: string[] = [];
    const logger = {
      info: (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f)}`),
    };
    tokenAnswers = [(res) => json(res, 408, { reason: 'slow', error: 'timeout' }, { 'retry-after': '0' })];
    assert.deepEqual(await new ZoomClient({ ...opts, logger }).users.get('u1'), user);
    assert.equal(tokenRequests(), 2);
    assert.ok(
      lines.some((l) => l.startsWith('zoom server error; retrying') && l.includes('/oauth/token')),
      lines.join('\n'),
    );
    assert.ok(!lines.join('\n').includes('s-secret'), 'the secret is redacted');
  });

  it('a wait longer than maxRetryDelay surfaces, whatever the failure (here a reset)', async () => {
    handler = (_q, res, n) => (n === 1 ? reset(res) : json(res, 200, user));
    const err = await client({ maxRetryDelay: 100 })
      .users.get('u1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomConnectionError, `not surfaced: ${inspect(err)}`);
    assert.equal(s.requests.length, 1);
  });
});
