import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ManualClock } from '../src/clock.js';
import { setLimit } from '../src/domain/accounts/limits.js';
import { createAccount } from '../src/domain/accounts/provisioning.js';
import {
  accountToken,
  basic,
  call,
  deleteRedisKeys,
  type JsonResponse,
  startTestServer,
  TEST_REDIS_URL,
  type TestServer,
  tempDir,
  tokenRequest,
  uniqueRedisPrefix,
} from './helpers.js';
import { databaseFor, dropTestDatabase } from './pg.js';
import { spawnServer } from './processes.js';
import { faultyRelay } from './relay.js';

// Every test server here counts in the shared test Redis under a key prefix of its own,
// deleted when the test ends; Redis faults are a relay the test cuts, never the real server.

const T0 = Date.UTC(2026, 4, 20, 8, 30, 0, 0);
const QPS_BODY = {
  code: 429,
  message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
};

function nextWindow(clock: ManualClock): void {
  clock.advance(1000 - (clock.now() % 1000));
}

function getUser(t: TestServer, token: string) {
  return call(`${t.url}/v2/users/me`, { token });
}

async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    return await redis.keys(`${prefix}*`);
  } finally {
    redis.disconnect();
  }
}

function statuses(rs: JsonResponse[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of rs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function countLines(t: TestServer, text: string): number {
  return t.logs.filter((l) => l.includes(text)).length;
}

describe('rate limits counted in Redis', () => {
  let t: TestServer;
  let clock: ManualClock;
  let token: string;
  let prefix: string;
  before(async () => {
    clock = new ManualClock(T0);
    t = await startTestServer({ clock, zoomLimits: true, redis: true });
    prefix = t.redisPrefix!;
    token = await accountToken(t);
  });
  after(async () => {
    await t.stop();
    // The test server's keys are gone with it.
    assert.deepEqual(await keysUnder(prefix), []);
  });

  it('answers a body that is not UTF-8 while the count is awaited in Redis (300, not a hang)', async () => {
    nextWindow(clock);
    // The body arrives with the request; the check of its bytes used to fail before Fastify
    // listened (it was still awaiting Redis), and the request was never answered.
    const res = await fetch(`${t.url}/v2/users/me/password`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x80, 0x7d]),
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: number }).code, 300);
  });

  it('answers the same headers and 429s as in memory, keeping its counts under its prefix', async () => {
    nextWindow(clock);
    const all = await Promise.all(
      Array.from({ length: 25 }, () =>
        call(`${t.url}/v2/users/me/password`, { method: 'PUT', token, json: {} }),
      ),
    );
    assert.deepEqual(statuses(all), { 400: 20, 429: 5 });
    for (const r of all.filter((x) => x.status === 429)) {
      assert.deepEqual(r.body, QPS_BODY);
      assert.equal(r.headers.get('x-ratelimit-category'), 'Medium');
      assert.equal(r.headers.get('x-ratelimit-type'), 'QPS');
      assert.equal(r.headers.get('x-ratelimit-limit'), '20');
      assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
      assert.equal(r.headers.get('retry-after'), '1');
    }
    const second = Math.floor(clock.now() / 1000);
    const keys = await keysUnder(prefix);
    assert.ok(keys.includes(`${prefix}rl:${t.demo.account_id}:Medium:s:${second}`), keys.join(' '));
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = `${prefix}rl:${t.demo.account_id}:Medium:s:${second}`;
      assert.equal(await redis.get(key), '20');
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 && ttl <= 5000, `ttl ${ttl}`);
    } finally {
      redis.disconnect();
    }
  });

  it('applies daily limits in Redis, with the ISO 8601 Retry-After', async () => {
    const free = await createAccount(t.server.ctx, { ownerEmail: 'free-redis@example.test', plan: 'free' });
    const freeToken = await accountToken(t, {
      accountId: free.account_id,
      clientId: free.app.client_id,
      clientSecret: free.app.client_secret,
    });
    await setLimit(t.server.ctx, free.account_id, 'Light', 'daily', '3');
    nextWindow(clock);
    const rs = [];
    for (let i = 0; i < 4; i++) rs.push(await getUser(t, freeToken));
    assert.deepEqual(
      rs.map((r) => [r.status, r.headers.get('x-ratelimit-type'), r.headers.get('x-ratelimit-remaining')]),
      [
        [200, 'Daily-limit', '2'],
        [200, 'Daily-limit', '1'],
        [200, 'Daily-limit', '0'],
        [429, 'Daily-limit', '0'],
      ],
    );
    assert.equal(rs[3]!.headers.get('retry-after'), '2026-05-21T00:00:00Z');
    assert.equal(rs[3]!.headers.get('x-ratelimit-limit'), '3');
  });
});

describe('two servers sharing one Redis', () => {
  let a: TestServer;
  let b: TestServer;
  let clock: ManualClock;
  let token: string;
  before(async () => {
    clock = new ManualClock(T0);
    a = await startTestServer({ clock, zoomLimits: true, redis: true, testControls: true });
    // The second server: same database, same Redis prefix, its own connection pool and Redis client.
    b = await startTestServer({
      clock,
      zoomLimits: true,
      redis: true,
      dataDir: a.dataDir,
      redisPrefix: a.redisPrefix,
    });
    token = await accountToken(a);
  });
  after(async () => {
    await b.stop(false);
    await a.stop();
  });

  it('throttle failed token requests together', async () => {
    const attempt = (t: TestServer, secret: string) =>
      tokenRequest(t, {
        query: { grant_type: 'account_credentials', account_id: a.demo.account_id },
        authorization: basic(a.demo.client_id, secret),
      });
    for (let i = 0; i < 5; i++) assert.equal((await attempt(i % 2 ? b : a, `wrong-${i}`)).status, 400);
    for (const t of [a, b]) {
      const r = await attempt(t, a.demo.client_secret);
      assert.equal(r.status, 429);
      assert.deepEqual(r.body, {
        reason: 'Too many failed attempts. Try again later.',
        error: 'too_many_requests',
      });
      assert.equal(r.headers.get('retry-after'), '1');
    }
    // The token issued before the failures left the trust of this address for the client.
    const P = a.redisPrefix;
    assert.deepEqual((await keysUnder(`${P}thr:`)).sort(), [
      `${P}thr:client:${a.demo.client_id}`,
      `${P}thr:ip:127.0.0.1`,
      `${P}thr:trust:${a.demo.client_id}:127.0.0.1`,
    ]);
    clock.advance(1000);
    assert.equal((await attempt(b, a.demo.client_secret)).status, 200);
    // A success clears the client id's count and remembers the address for the client; the
    // address's own failures stay and decay on their own.
    assert.deepEqual((await keysUnder(`${a.redisPrefix}thr:`)).sort(), [
      `${a.redisPrefix}thr:ip:127.0.0.1`,
      `${a.redisPrefix}thr:trust:${a.demo.client_id}:127.0.0.1`,
    ]);
    assert.equal((await attempt(a, 'wrong-again')).status, 400);
    assert.equal((await attempt(a, a.demo.client_secret)).status, 429);
  });

  it('share forced 429s of the test controls', async () => {
    const force = await call(`${a.url}/zpass/test/rate-limits`, {
      method: 'POST',
      token,
      json: { type: 'QPS', count: 2 },
    });
    assert.equal(force.status, 204, force.text);
    nextWindow(clock);
    const first = await getUser(b, token);
    const second = await getUser(a, token);
    for (const r of [first, second]) {
      assert.equal(r.status, 429);
      assert.deepEqual(r.body, QPS_BODY);
    }
    assert.equal((await getUser(b, token)).status, 200);
  });

  it('enforce one account limit together: exactly the limit per window across both', async () => {
    for (let window = 0; window < 3; window++) {
      nextWindow(clock);
      const all = await Promise.all(Array.from({ length: 60 }, (_, i) => getUser(i % 2 ? b : a, token)));
      assert.deepEqual(statuses(all), { 200: 30, 429: 30 }, `window ${window}`);
      const remaining = all
        .filter((r) => r.status === 200)
        .map((r) => Number(r.headers.get('x-ratelimit-remaining')))
        .sort((x, y) => x - y);
      assert.deepEqual(
        remaining,
        Array.from({ length: 30 }, (_, i) => i),
      );
    }
  });
});

describe('Redis unreachable, slow, and back', () => {
  let relay: Awaited<ReturnType<typeof faultyRelay>>;
  let viaRelay: TestServer;
  let direct: TestServer;
  let clock: ManualClock;
  let token: string;
  const prefix = uniqueRedisPrefix();
  before(async () => {
    const target = new URL(TEST_REDIS_URL);
    relay = await faultyRelay({ host: target.hostname, port: Number(target.port || 6379) });
    clock = new ManualClock(T0);
    viaRelay = await startTestServer({
      clock,
      zoomLimits: true,
      redis: `redis://127.0.0.1:${relay.port}`,
      redisPrefix: prefix,
      redisTimeoutMs: 100,
    });
    direct = await startTestServer({
      clock,
      zoomLimits: true,
      redis: true,
      dataDir: viaRelay.dataDir,
      redisPrefix: prefix,
    });
    token = await accountToken(viaRelay);
  });
  after(async () => {
    await direct.stop(false);
    await viaRelay.stop();
    await relay.close();
    await deleteRedisKeys(prefix);
  });

  /** Sends `n` requests to each server in turn, one at a time; the statuses per server. */
  async function split(n: number): Promise<{ relay: number[]; direct: number[] }> {
    const out = { relay: [] as number[], direct: [] as number[] };
    for (let i = 0; i < n; i++) {
      out.relay.push((await getUser(viaRelay, token)).status);
      out.direct.push((await getUser(direct, token)).status);
    }
    return out;
  }

  /** Requests on the relayed server until its logs say Redis is back (Redis is retried at most twice a second). */
  async function untilBack(): Promise<void> {
    const seen = countLines(viaRelay, 'redis is reachable again');
    for (let i = 0; i < 100; i++) {
      nextWindow(clock);
      const r = await getUser(viaRelay, token);
      assert.equal(r.status, 200, r.text);
      if (countLines(viaRelay, 'redis is reachable again') > seen) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`redis did not come back: ${viaRelay.logs.slice(-3).join('')}`);
  }

  it('keeps serving with per-server limits while Redis is cut, logs it once, and shares again when it returns', async () => {
    nextWindow(clock);
    const shared = await split(16);
    // Shared: 30 allowed across both, then 429s.
    assert.equal([...shared.relay, ...shared.direct].filter((s) => s === 200).length, 30);

    await relay.cut();
    // A restart loses Redis's counts as well.
    await deleteRedisKeys(prefix);
    nextWindow(clock);
    const cut = await split(31);
    // Each server enforces the limit on its own meanwhile: never a 5xx.
    assert.deepEqual(statuses(cut.relay.map((status) => ({ status }) as JsonResponse)), { 200: 30, 429: 1 });
    assert.deepEqual(statuses(cut.direct.map((status) => ({ status }) as JsonResponse)), { 200: 30, 429: 1 });
    const refused = await getUser(viaRelay, token);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, QPS_BODY);
    assert.equal(refused.headers.get('x-ratelimit-limit'), '30');
    // Tokens are issued, and failures refused, without Redis as well.
    const tokenCall = (secret: string) =>
      tokenRequest(viaRelay, {
        query: { grant_type: 'account_credentials', account_id: viaRelay.demo.account_id },
        authorization: basic(viaRelay.demo.client_id, secret),
      });
    assert.equal((await tokenCall('wrong-while-cut')).status, 400);
    assert.equal((await tokenCall(viaRelay.demo.client_secret)).status, 200);
    assert.equal(countLines(viaRelay, 'redis is unreachable'), 1);
    assert.equal(countLines(direct, 'redis is unreachable'), 0);
    // The URL is logged without secrets, and the logged line says what happens meanwhile.
    assert.match(
      viaRelay.logs.find((l) => l.includes('redis is unreachable'))!,
      /"redis":"redis:\/\/127\.0\.0\.1:\d+".*enforced per server until it returns/,
    );

    await relay.restore();
    await untilBack();
    assert.equal(countLines(viaRelay, 'redis is reachable again'), 1);
    nextWindow(clock);
    const again = await split(16);
    assert.equal([...again.relay, ...again.direct].filter((s) => s === 200).length, 30);
  });

  it('answers promptly from memory while Redis is too slow, and shares again once it answers', async () => {
    const before = countLines(viaRelay, 'redis is unreachable');
    relay.stall();
    try {
      nextWindow(clock);
      const rs = [];
      for (let i = 0; i < 5; i++) rs.push(await getUser(viaRelay, token));
      assert.deepEqual(statuses(rs), { 200: 5 });
      // One request meets the timeout and marks Redis unreachable (logged once); the others
      // go straight to memory without waiting for Redis again.
      assert.equal(countLines(viaRelay, 'redis is unreachable'), before + 1);
    } finally {
      relay.unstall();
    }
    await untilBack();
    nextWindow(clock);
    const again = await split(16);
    assert.equal([...again.relay, ...again.direct].filter((s) => s === 200).length, 30);
  });
});

describe('two server processes sharing Redis (real clock)', () => {
  it('accept together at most the limit in every one-second window', async () => {
    const dataDir = tempDir();
    const databaseUrl = await databaseFor(dataDir);
    const prefix = uniqueRedisPrefix();
    const env = { REDIS_URL: TEST_REDIS_URL, ZPASS_REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl ?? '' };
    // One after the other on one store: the first creates the demo account (plan Pro: Light 30/s).
    const first = await spawnServer(['--data', dataDir], env);
    const second = await spawnServer(['--data', dataDir], env).catch(async (err) => {
      await first.stop();
      throw err;
    });
    try {
      const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
      const res = await fetch(
        `${first.url}/oauth/token?grant_type=account_credentials&account_id=${demo.account_id}`,
        { method: 'POST', headers: { authorization: basic(demo.client_id, demo.client_secret) } },
      );
      assert.equal(res.status, 200);
      const { access_token: token } = (await res.json()) as { access_token: string };
      const samples: { sent: number; done: number; status: number; server: number }[] = [];
      const until = Date.now() + 3000;
      await Promise.all(
        Array.from({ length: 8 }, async (_, worker) => {
          for (let i = 0; Date.now() < until; i++) {
            const server = (worker + i) % 2;
            const sent = Date.now();
            const r = await fetch(`${[first, second][server]!.url}/v2/users/me`, {
              headers: { authorization: `Bearer ${token}` },
            });
            await r.arrayBuffer();
            samples.push({ sent, done: Date.now(), status: r.status, server });
          }
        }),
      );
      const accepted = samples.filter((x) => x.status === 200);
      assert.deepEqual(
        [...new Set(samples.map((x) => x.status))].sort(),
        [200, 429],
        'the load is over the limit, and nothing else than 200 or 429 is answered',
      );
      assert.ok(accepted.some((x) => x.server === 0) && accepted.some((x) => x.server === 1));
      // A request is counted in the window of the instant a server received it, between its
      // sending and its answer: those wholly inside one second count in that second.
      const perSecond = new Map<number, number>();
      for (const x of accepted) {
        const s = Math.floor(x.sent / 1000);
        if (Math.floor(x.done / 1000) === s) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
      }
      for (const [s, n] of perSecond) assert.ok(n <= 30, `second ${s}: ${n} accepted across both servers`);
      // And over the whole run, no more than 30 per second touched.
      const touched = new Set(samples.flatMap((x) => [Math.floor(x.sent / 1000), Math.floor(x.done / 1000)]));
      assert.ok(
        accepted.length <= 30 * touched.size,
        `${accepted.length} accepted in ${touched.size} seconds`,
      );
      // The limit was reached, not starved: at least two full windows' worth in three seconds.
      assert.ok(accepted.length >= 60, `only ${accepted.length} accepted`);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await deleteRedisKeys(prefix);
      if (databaseUrl) await dropTestDatabase(databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a server started while Redis is down', () => {
  it('starts, serves with per-server limits, logs it once, and shares counts once Redis answers', async () => {
    const target = new URL(TEST_REDIS_URL);
    const relay = await faultyRelay({ host: target.hostname, port: Number(target.port || 6379) });
    await relay.cut();
    const clock = new ManualClock(T0);
    const prefix = uniqueRedisPrefix();
    const t = await startTestServer({
      clock,
      zoomLimits: true,
      redis: `redis://127.0.0.1:${relay.port}`,
      redisPrefix: prefix,
    });
    try {
      const token = await accountToken(t);
      nextWindow(clock);
      const rs = [];
      for (let i = 0; i < 31; i++) rs.push(await getUser(t, token));
      assert.deepEqual(statuses(rs), { 200: 30, 429: 1 });
      assert.equal(countLines(t, 'redis is unreachable'), 1);
      assert.equal(countLines(t, 'rate limits counted in redis'), 0);
      await relay.restore();
      for (let i = 0; i < 100 && countLines(t, 'redis is reachable again') === 0; i++) {
        nextWindow(clock);
        assert.equal((await getUser(t, token)).status, 200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(countLines(t, 'redis is reachable again'), 1);
      assert.equal(countLines(t, 'redis is unreachable'), 1);
      // Counting in Redis now.
      assert.ok((await keysUnder(`${prefix}rl:`)).length > 0);
    } finally {
      await t.stop();
      await relay.close();
      await deleteRedisKeys(prefix);
    }
  });
});
