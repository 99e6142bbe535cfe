import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ManualClock } from '../src/clock.js';
import { ConfigError, serveConfig, trustProxyFrom } from '../src/config.js';
import { setLimit } from '../src/domain/accounts/limits.js';
import { createAccount } from '../src/domain/accounts/provisioning.js';
import { isoSeconds, nextUtcMidnight } from '../src/limits/windows.js';
import { buildApp } from '../src/server.js';
import { credentials } from '../src/store/repositories/passwords.js';
import {
  accountToken,
  addUser,
  appWithToken,
  basic,
  call,
  putPassword,
  rateHeaders,
  startTestServer,
  type TestServer,
  tempDir,
  tokenRequest,
} from './helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'zpass.js');
const QPS_BODY = {
  code: 429,
  message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
};
const DAILY_BODY = {
  code: 429,
  message:
    'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.',
};
/** 2026-03-10 12:00:00.000 UTC: the start of a one-second window, mid-day. */
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0, 0);
const NEXT_MIDNIGHT = '2026-03-11T00:00:00Z';

function getUser(t: TestServer, token: string, userId = 'me') {
  return call(`${t.url}/v2/users/${encodeURIComponent(userId)}`, { token });
}

/** A Medium request that is counted but changes nothing: the body lacks the password. */
function mediumNoop(t: TestServer, token: string) {
  return call(`${t.url}/v2/users/me/password`, { method: 'PUT', token, json: {} });
}

/** Moves the clock to the start of the next one-second window. */
function nextWindow(clock: ManualClock): void {
  clock.advance(1000 - (clock.now() % 1000));
}

async function newAccount(t: TestServer, plan: 'free' | 'pro' | 'business') {
  const a = await createAccount(t.server.ctx, {
    ownerEmail: `owner-${plan}-${Math.random()}@example.test`,
    plan,
  });
  const token = await accountToken(t, {
    accountId: a.account_id,
    clientId: a.app.client_id,
    clientSecret: a.app.client_secret,
  });
  return { ...a, token };
}

const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );

function storeArgs(t: TestServer): string[] {
  return ['--data', t.dataDir, ...(t.databaseUrl ? ['--database-url', t.databaseUrl] : [])];
}

describe('rate limits (memory counter)', () => {
  let t: TestServer;
  let clock: ManualClock;
  let token: string;
  before(async () => {
    clock = new ManualClock(T0);
    t = await startTestServer({ clock, zoomLimits: true, testControls: true });
    token = await accountToken(t);
  });
  after(() => t.stop());

  it('puts the four headers on every rated response, success or error, and on no other', async () => {
    nextWindow(clock);
    const ok = await getUser(t, token);
    assert.equal(ok.status, 200);
    assert.deepEqual(rateHeaders(ok), {
      category: 'Light',
      type: 'QPS',
      limit: '30',
      remaining: '29',
      retryAfter: null,
    });
    const missing = await getUser(t, token, 'nobody@example.test');
    assert.equal(missing.status, 404);
    assert.deepEqual(rateHeaders(missing), {
      category: 'Light',
      type: 'QPS',
      limit: '30',
      remaining: '28',
      retryAfter: null,
    });
    const invalid = await mediumNoop(t, token);
    assert.equal(invalid.status, 400);
    assert.deepEqual(rateHeaders(invalid), {
      category: 'Medium',
      type: 'QPS',
      limit: '20',
      remaining: '19',
      retryAfter: null,
    });
    // Not rated: the token endpoint, a request refused by authentication, an unknown route.
    for (const r of [
      await tokenRequest(t, {
        query: { grant_type: 'account_credentials', account_id: t.demo.account_id },
        authorization: basic(t.demo.client_id, t.demo.client_secret),
      }),
      await getUser(t, 'not-a-token'),
      await call(`${t.url}/v2/nothing-here`, { token }),
    ]) {
      assert.equal(r.headers.get('x-ratelimit-category'), null, r.text);
      assert.equal(r.headers.get('x-ratelimit-remaining'), null, r.text);
    }
  });

  it('answers a burst over the per-second limit with 429, Zoom body and headers, and changes nothing', async () => {
    nextWindow(clock);
    for (let i = 0; i < 20; i++) {
      const r = await mediumNoop(t, token);
      assert.equal(r.status, 400, r.text);
      assert.equal(rateHeaders(r).remaining, String(19 - i));
    }
    const user = await addUser(t);
    const before = await credentials.get(t.server.store.db, user.id);
    const refused = await putPassword(t, token, user.id, 'Refused-Change-1');
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, QPS_BODY);
    assert.deepEqual(rateHeaders(refused), {
      category: 'Medium',
      type: 'QPS',
      limit: '20',
      remaining: '0',
      retryAfter: '1',
    });
    assert.ok(refused.headers.get('x-zm-trackingid'));
    assert.deepEqual(await credentials.get(t.server.store.db, user.id), before);
    // Another category has its own count.
    assert.equal(rateHeaders(await getUser(t, token)).remaining, '29');
    // The next window starts afresh.
    clock.advance(999);
    assert.equal((await mediumNoop(t, token)).status, 429);
    clock.advance(1);
    const again = await putPassword(t, token, user.id, 'Accepted-Change-1');
    assert.equal(again.status, 204, again.text);
    assert.equal(rateHeaders(again).remaining, '19');
  });

  it('refuses over the limit before reading the body, whatever its type or size', async () => {
    nextWindow(clock);
    for (let i = 0; i < 20; i++) assert.equal((await mediumNoop(t, token)).status, 400);
    const form = new FormData();
    form.append('password', 'Multipart-Pass-1');
    const bodies: { headers?: Record<string, string>; body: NonNullable<RequestInit['body']> }[] = [
      { body: form },
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'password=Urlencoded-Pass-1',
      },
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'x'.repeat(900_000) }),
      },
      { headers: { 'content-type': 'application/json' }, body: '{not json' },
      { headers: { 'content-type': 'text/plain' }, body: 'password' },
    ];
    for (const b of bodies) {
      const r = await call(`${t.url}/v2/users/me/password`, { method: 'PUT', token, ...b });
      assert.equal(r.status, 429, r.text);
      assert.deepEqual(r.body, QPS_BODY);
      assert.equal(rateHeaders(r).retryAfter, '1');
    }
    // The connection stays usable and the server well.
    clock.advance(1000);
    assert.equal((await mediumNoop(t, token)).status, 400);
  });

  it('allows exactly the limit of a concurrent burst in one window', async () => {
    nextWindow(clock);
    const all = await Promise.all(Array.from({ length: 45 }, () => getUser(t, token)));
    assert.equal(all.filter((r) => r.status === 200).length, 30);
    for (const r of all.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 429);
      assert.deepEqual(r.body, QPS_BODY);
    }
    const remaining = all.filter((r) => r.status === 200).map((r) => Number(rateHeaders(r).remaining));
    assert.deepEqual(
      remaining.sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i),
    );
  });

  it('lets a client pacing itself by the headers use its whole rate for 10 s without a 429', async () => {
    // Simulated time: each request takes 3 ms; at Remaining 0 the client waits for the next
    // whole second (the windows are whole UTC seconds). Pro plan, Light: 30/s.
    const acct = await newAccount(t, 'pro');
    nextWindow(clock);
    const end = clock.now() + 10_000;
    let accepted = 0;
    let refused = 0;
    while (clock.now() < end) {
      const r = await getUser(t, acct.token);
      clock.advance(3);
      if (r.status === 200) accepted++;
      else refused++;
      if (rateHeaders(r).remaining === '0') nextWindow(clock);
    }
    assert.equal(refused, 0);
    assert.equal(accepted, 300);
  });

  it('counts per account, shared by all of its apps', async () => {
    nextWindow(clock);
    const second = await appWithToken(t, ['user:read:admin']);
    const other = await newAccount(t, 'pro');
    for (let i = 0; i < 15; i++) {
      assert.equal((await getUser(t, token)).status, 200);
      assert.equal((await getUser(t, second.token)).status, 200);
    }
    assert.equal((await getUser(t, second.token)).status, 429);
    assert.equal((await getUser(t, token)).status, 429);
    const theirs = await getUser(t, other.token);
    assert.equal(theirs.status, 200);
    assert.equal(rateHeaders(theirs).remaining, '29');
  });

  it('applies the daily limit of the Free plan in UTC days, with an ISO 8601 Retry-After', async () => {
    const free = await newAccount(t, 'free');
    nextWindow(clock);
    // Free plan, Medium: 2 per second.
    const medium = await mediumNoop(t, free.token);
    assert.deepEqual(rateHeaders(medium), {
      category: 'Medium',
      type: 'QPS',
      limit: '2',
      remaining: '1',
      retryAfter: null,
    });
    // Free plan, Light: 4 per second and 6,000 per day; the daily one lowered to 6 for the test.
    await setLimit(t.server.ctx, free.account_id, 'Light', 'Daily-limit', '6');
    nextWindow(clock);
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(rateHeaders(await getUser(t, free.token)));
    assert.deepEqual(
      seen.map((h) => [h.type, h.limit, h.remaining]),
      [
        ['QPS', '4', '3'],
        ['QPS', '4', '2'],
        ['QPS', '4', '1'],
        ['QPS', '4', '0'],
        ['QPS', '4', '0'],
      ],
    );
    nextWindow(clock);
    // 4 counted today: 2 left, fewer than this second's 4, so the headers show the daily limit.
    const a = await getUser(t, free.token);
    assert.deepEqual(
      [rateHeaders(a).type, rateHeaders(a).limit, rateHeaders(a).remaining],
      ['Daily-limit', '6', '1'],
    );
    const b = await getUser(t, free.token);
    assert.deepEqual(
      [rateHeaders(b).type, rateHeaders(b).limit, rateHeaders(b).remaining],
      ['Daily-limit', '6', '0'],
    );
    const refused = await getUser(t, free.token);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, DAILY_BODY);
    assert.deepEqual(rateHeaders(refused), {
      category: 'Light',
      type: 'Daily-limit',
      limit: '6',
      remaining: '0',
      retryAfter: NEXT_MIDNIGHT,
    });
    // Still refused later the same day; allowed again from 00:00:00 UTC. (Tokens last an hour.)
    const fresh = () =>
      accountToken(t, {
        accountId: free.account_id,
        clientId: free.app.client_id,
        clientSecret: free.app.client_secret,
      });
    clock.advance(3_600_000);
    assert.equal((await getUser(t, await fresh())).status, 429);
    clock.advance(Date.parse(NEXT_MIDNIGHT) - clock.now() - 1);
    const lastToken = await fresh();
    assert.equal(rateHeaders(await getUser(t, lastToken)).retryAfter, NEXT_MIDNIGHT);
    clock.advance(1);
    token = await accountToken(t);
    const tomorrow = await getUser(t, lastToken);
    assert.equal(tomorrow.status, 200);
    assert.deepEqual([rateHeaders(tomorrow).type, rateHeaders(tomorrow).remaining], ['QPS', '3']);
  });

  it('follows zpass admin set-plan and set-limit at once, and refuses bad values in one line', async () => {
    const acct = await newAccount(t, 'pro');
    const setPlan = await run([
      'admin',
      'set-plan',
      '--account',
      acct.account_id,
      '--plan',
      'business',
      '--json',
      ...storeArgs(t),
    ]);
    assert.equal(setPlan.code, 0, setPlan.stderr);
    assert.equal(JSON.parse(setPlan.stdout).limits.Light.qps, 80);
    nextWindow(clock);
    assert.deepEqual(rateHeaders(await getUser(t, acct.token)).limit, '80');
    const lowered = await run([
      'admin',
      'set-limit',
      '--account',
      acct.account_id,
      '--category',
      'light',
      '--type',
      'qps',
      '--limit',
      '2',
      ...storeArgs(t),
    ]);
    assert.equal(lowered.code, 0, lowered.stderr);
    assert.match(lowered.stdout, /Light\s+2\/s \(override\)\s+no daily limit/);
    nextWindow(clock);
    assert.equal((await getUser(t, acct.token)).status, 200);
    assert.equal((await getUser(t, acct.token)).status, 200);
    const over = await getUser(t, acct.token);
    assert.equal(over.status, 429);
    assert.equal(rateHeaders(over).limit, '2');
    const back = await run([
      'admin',
      'set-limit',
      '--account',
      acct.account_id,
      '--category',
      'Light',
      '--type',
      'QPS',
      '--limit',
      'default',
      ...storeArgs(t),
    ]);
    assert.equal(back.code, 0, back.stderr);
    nextWindow(clock);
    assert.equal(rateHeaders(await getUser(t, acct.token)).limit, '80');

    const bad: [string[], RegExp][] = [
      [
        ['set-plan', '--account', acct.account_id, '--plan', 'gold'],
        /^zpass: Unknown plan "gold": use free, pro, business\.$/,
      ],
      [
        ['set-plan', '--account', 'no-such-account', '--plan', 'pro'],
        /^zpass: No account no-such-account\.$/,
      ],
      [
        ['set-limit', '--account', acct.account_id, '--category', 'Huge', '--type', 'qps', '--limit', '5'],
        /^zpass: Unknown category "Huge": use Light, Medium, Heavy\.$/,
      ],
      [
        [
          'set-limit',
          '--account',
          acct.account_id,
          '--category',
          'Light',
          '--type',
          'hourly',
          '--limit',
          '5',
        ],
        /^zpass: Unknown limit type "hourly"/,
      ],
      [
        ['set-limit', '--account', acct.account_id, '--category', 'Light', '--type', 'qps', '--limit', '0'],
        /^zpass: The limit must be a whole number from 1 to 1000000000, "none" or "default"\.$/,
      ],
      [
        ['set-limit', '--account', acct.account_id, '--category', 'Light', '--type', 'qps', '--limit', '-3'],
        /^zpass: The limit must be a whole number/,
      ],
      [
        [
          'set-limit',
          '--account',
          acct.account_id,
          '--category',
          'Light',
          '--type',
          'qps',
          '--limit',
          'none',
        ],
        /^zpass: Every category keeps a per-second limit/,
      ],
    ];
    for (const [args, message] of bad) {
      const r = await run(['admin', ...args, ...storeArgs(t)]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), message);
    }
    // Nothing of the refused commands was applied.
    const shown = await run([
      'admin',
      'show-limits',
      '--account',
      acct.account_id,
      '--json',
      ...storeArgs(t),
    ]);
    assert.deepEqual(JSON.parse(shown.stdout), {
      account_id: acct.account_id,
      plan: 'business',
      limits: {
        Light: { qps: 80, daily: null, overridden: [] },
        Medium: { qps: 60, daily: null, overridden: [] },
        Heavy: { qps: 40, daily: null, overridden: [] },
      },
    });
  });

  it('forces the next N requests to 429 with the test controls, then counts normally', async () => {
    const acct = await newAccount(t, 'pro');
    const force = (body: unknown, tok = acct.token) =>
      call(`${t.url}/zpass/test/rate-limits`, { method: 'POST', token: tok, json: body });
    assert.equal((await force({ type: 'QPS', count: 2 })).status, 204);
    nextWindow(clock);
    for (let i = 0; i < 2; i++) {
      const r = await getUser(t, acct.token);
      assert.equal(r.status, 429);
      assert.deepEqual(r.body, QPS_BODY);
      assert.deepEqual(rateHeaders(r), {
        category: 'Light',
        type: 'QPS',
        limit: '30',
        remaining: '0',
        retryAfter: '1',
      });
    }
    const ok = await getUser(t, acct.token);
    assert.equal(ok.status, 200);
    // Forced refusals were not counted.
    assert.equal(rateHeaders(ok).remaining, '29');
    assert.equal((await force({ type: 'Daily-limit', count: 1 })).status, 204);
    const daily = await mediumNoop(t, acct.token);
    assert.equal(daily.status, 429);
    assert.deepEqual(daily.body, DAILY_BODY);
    // A plan without daily limits shows the Free plan's daily limit for the category.
    assert.deepEqual(rateHeaders(daily), {
      category: 'Medium',
      type: 'Daily-limit',
      limit: '2000',
      remaining: '0',
      retryAfter: isoSeconds(nextUtcMidnight(clock.now())),
    });
    // Cancelling, and only the caller's own account is affected.
    assert.equal((await force({ type: 'QPS', count: 5 })).status, 204);
    assert.equal((await force({ type: 'QPS', count: 0 })).status, 204);
    assert.equal((await getUser(t, acct.token)).status, 200);
    assert.equal((await getUser(t, token)).status, 200);
    // Bad requests.
    for (const body of [
      { type: 'Hourly', count: 1 },
      { type: 'QPS', count: -1 },
      { type: 'QPS', count: 1.5 },
      { type: 'QPS' },
      { type: 'QPS', count: 1e9 },
    ]) {
      const r = await force(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal((r.body as { code: number }).code, 300);
      assert.equal((r.body as { message: string }).message, 'Validation Failed.');
    }
    const noToken = await call(`${t.url}/zpass/test/rate-limits`, {
      method: 'POST',
      json: { type: 'QPS', count: 1 },
    });
    assert.equal(noToken.status, 401);
    assert.deepEqual(noToken.body, { code: 124, message: 'Invalid access token.' });
  });

  it('refuses a route with a bad label, or a /v2 route without one, when it is declared', async () => {
    const app = await buildApp({ ctx: t.server.ctx, logger: undefined });
    try {
      assert.throws(
        () => app.get('/v2/x', { config: { rateLimit: 'Huge' as never } }, async () => ({})),
        /GET \/v2\/x: rateLimit must be one of Light, Medium, Heavy\./,
      );
      assert.throws(
        () => app.get('/v2/y', async () => ({})),
        /GET \/v2\/y: every \/v2 route declares config.rateLimit/,
      );
    } finally {
      await app.close();
    }
  });
});

describe('test controls are off unless enabled', () => {
  it('answers 404 for the control route on a default server', async () => {
    const t = await startTestServer();
    try {
      const token = await accountToken(t);
      const r = await call(`${t.url}/zpass/test/rate-limits`, {
        method: 'POST',
        token,
        json: { type: 'QPS', count: 1 },
      });
      assert.equal(r.status, 404);
      assert.equal((r.body as { code: number }).code, 404);
      assert.equal((await getUser(t, token)).status, 200);
    } finally {
      await t.stop();
    }
  });
});

describe('failed POST /oauth/token attempts', () => {
  const TOO_MANY = { reason: 'Too many failed attempts. Try again later.', error: 'too_many_requests' };
  const INVALID = { reason: 'Invalid client_id or client_secret', error: 'invalid_client' };

  function attempt(t: TestServer, secret: string, from?: string, clientId = t.demo.client_id) {
    return call(
      `${t.url}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(t.demo.account_id)}`,
      {
        method: 'POST',
        headers: { authorization: basic(clientId, secret), ...(from ? { 'x-forwarded-for': from } : {}) },
      },
    );
  }

  it('slow down with growing delays per address and per client id, without locking out the real client', async () => {
    const clock = new ManualClock(T0);
    const t = await startTestServer({ clock, trustProxy: ['127.0.0.1'], throttle: { maxDelayMs: 4000 } });
    try {
      const real = '198.51.100.7';
      const attacker = '203.0.113.5';
      assert.equal((await attempt(t, t.demo.client_secret, real)).status, 200);
      for (let i = 0; i < 5; i++) {
        const r = await attempt(t, `wrong-${i}`, attacker);
        assert.equal(r.status, 400);
        assert.deepEqual(r.body, INVALID);
      }
      // The 5th failure started a 1 s delay: even the right secret is not looked at.
      const blocked = await attempt(t, t.demo.client_secret, attacker);
      assert.equal(blocked.status, 429);
      assert.deepEqual(blocked.body, TOO_MANY);
      assert.equal(blocked.headers.get('retry-after'), '1');
      // An unknown address presenting that client id waits out the client id's delay...
      const stranger = await attempt(t, t.demo.client_secret, '192.0.2.9');
      assert.equal(stranger.status, 429);
      assert.deepEqual(stranger.body, TOO_MANY);
      // ...but the real client, from the address it used before, is not held back by it.
      assert.equal((await attempt(t, t.demo.client_secret, real)).status, 200);
      // Growing delays: 2 s, then 4 s, capped at 4 s here.
      const expected = ['2', '4', '4'];
      for (const wait of expected) {
        clock.advance(Number(blocked.headers.get('retry-after')) * 1000 * 4);
        assert.equal((await attempt(t, 'wrong-again', attacker)).status, 400);
        const r = await attempt(t, 'wrong-again', attacker);
        assert.equal(r.status, 429);
        assert.equal(r.headers.get('retry-after'), wait);
      }
      // No permanent lockout: after the delay the right secret works. It clears the client id's
      // count, not the address's: the next failure from there is delayed again at once.
      clock.advance(4000);
      assert.equal((await attempt(t, t.demo.client_secret, attacker)).status, 200);
      assert.equal((await attempt(t, 'wrong-after-success', attacker)).status, 400);
      assert.equal((await attempt(t, 'wrong-after-success', attacker)).status, 429);
      // A quiet quarter of an hour forgets failures.
      for (let i = 0; i < 3; i++) await attempt(t, 'wrong-more', attacker);
      clock.advance(15 * 60_000);
      assert.equal((await attempt(t, 'wrong-later', attacker)).status, 400);
      assert.equal((await attempt(t, 'wrong-later', attacker)).status, 400);
      // Nothing secret in the logs.
      assert.ok(!t.logs.join('').includes(t.demo.client_secret));
    } finally {
      await t.stop();
    }
  });

  it('ignore a spoofed X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const clock = new ManualClock(T0);
    const t = await startTestServer({ clock, throttle: {} });
    try {
      for (let i = 0; i < 5; i++) {
        // Another client id each time: only the address can tie these together.
        const r = await attempt(t, 'wrong', `198.18.0.${i + 1}`, `no-such-client-${i}`);
        assert.equal(r.status, 400);
      }
      const r = await attempt(t, 'wrong', '198.18.0.99', 'no-such-client-x');
      assert.equal(r.status, 429);
      assert.deepEqual(r.body, TOO_MANY);
    } finally {
      await t.stop();
    }
  });
});

describe('configuration of limits', () => {
  it('refuses a REDIS_URL that is not redis://, and a trusted proxy list that is not addresses', () => {
    assert.throws(
      () => serveConfig({}, { REDIS_URL: 'http://127.0.0.1:6379' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, 'REDIS_URL must start with redis:// or rediss:// (got http://).');
        return true;
      },
    );
    assert.throws(
      () => serveConfig({}, { REDIS_URL: 'redis://user:pw@[::1' }),
      /^Error: REDIS_URL is not a valid URL\.$/,
    );
    assert.equal(
      serveConfig({}, { REDIS_URL: 'redis://127.0.0.1:6379/2' }).redisUrl,
      'redis://127.0.0.1:6379/2',
    );
    assert.equal(serveConfig({}, {}).redisUrl, undefined);
    assert.deepEqual(trustProxyFrom('10.0.0.1, 192.168.0.0/16,::1'), ['10.0.0.1', '192.168.0.0/16', '::1']);
    assert.equal(trustProxyFrom(undefined), false);
    assert.equal(trustProxyFrom('1'), true);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/abc'])
      assert.throws(() => trustProxyFrom(bad), /ZPASS_TRUST_PROXY must be 1, 0, or a comma-separated list/);
    assert.equal(serveConfig({}, { ZPASS_REDIS_TIMEOUT_MS: '80' }).redisTimeoutMs, 80);
    for (const bad of ['0', '1.5', 'fast', '600000'])
      assert.throws(
        () => serveConfig({}, { ZPASS_REDIS_TIMEOUT_MS: bad }),
        /^Error: ZPASS_REDIS_TIMEOUT_MS must be a whole number of milliseconds from 10 to 60000/,
      );
  });

  it('zpass serve stops at start, in one line without the password, on a bad REDIS_URL or proxy list', async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [
        {},
        ['--redis-url', 'http://:s3cret@127.0.0.1:6379'],
        /^zpass: REDIS_URL must start with redis:\/\/ or rediss:\/\/ \(got http:\/\/\)\.$/,
      ],
      [{ REDIS_URL: 'memcached://127.0.0.1' }, [], /^zpass: REDIS_URL must start with redis:\/\//],
      [
        { ZPASS_TRUST_PROXY: 'everyone' },
        [],
        /^zpass: ZPASS_TRUST_PROXY must be 1, 0, or a comma-separated list/,
      ],
    ];
    for (const [env, args, message] of cases) {
      const r = await run(['serve', '--port', '0', '--data', tempDir(), ...args], {
        DATABASE_URL: '',
        ...env,
      });
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), message);
      assert.ok(!r.stderr.includes('s3cret'));
    }
  });
});
