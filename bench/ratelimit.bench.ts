/**
 * Rate-limit benchmarks (never run as tests): `npm run bench`.
 *
 * 1. The counter alone: microseconds per check-and-count, in memory and in Redis
 *    (one Lua round trip), one at a time and 32 in flight.
 * 2. The limiter as a request uses it (account plan and overrides from the store, then the counter).
 * 3. HTTP: GET /v2/users/me requests per second through a real server, limits lifted so that
 *    nothing is refused, counting in memory and in Redis.
 * 4. A client pacing itself by the headers for 10 s on a Pro account (Light: 30/s): its share of
 *    the allowed rate and its 429s, for two pacing rules (see docs/rate-limits.md).
 *
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); uses keys under a prefix of its own and deletes them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { systemClock } from '../packages/zpass/src/clock.js';
import { setLimit } from '../packages/zpass/src/domain/accounts/limits.js';
import type { Counter } from '../packages/zpass/src/limits/counter.js';
import { RateLimiter } from '../packages/zpass/src/limits/limiter.js';
import { MemoryCounter } from '../packages/zpass/src/limits/memory.js';
import { RedisCounter } from '../packages/zpass/src/limits/redis.js';
import { type RunningServer, startServer } from '../packages/zpass/src/server.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const PREFIX = `zpass-bench:${randomBytes(4).toString('hex')}:`;
const out: string[] = [];
const say = (line: string) => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};

async function timeCounter(name: string, counter: Counter, n: number, inFlight: number): Promise<void> {
  const limits = { qps: 1_000_000_000, daily: 1_000_000_000 };
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const i = next++;
        await counter.take({ accountId: `acct${i % 100}`, category: 'Light', now: Date.now(), limits });
      }
    }),
  );
  const ns = Number(process.hrtime.bigint() - started);
  say(
    `| ${name} | ${inFlight} | ${n} | ${(ns / n / 1000).toFixed(2)} µs | ${Math.round(n / (ns / 1e9)).toLocaleString('en')} |`,
  );
}

async function serverWith(redis: boolean): Promise<{ server: RunningServer; dir: string; token: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'zpass-bench-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    logLevel: 'silent',
    trustProxy: false,
    migrate: true,
    print: () => {},
    redisUrl: redis ? REDIS_URL : undefined,
    redisPrefix: PREFIX,
  });
  const demo = server.demo!;
  const res = await fetch(
    `${server.url}/oauth/token?grant_type=account_credentials&account_id=${demo.account_id}`,
    {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${demo.client_id}:${demo.client_secret}`).toString('base64')}`,
      },
    },
  );
  const { access_token: token } = (await res.json()) as { access_token: string };
  return { server, dir, token };
}

async function httpThroughput(
  name: string,
  redis: boolean,
  seconds: number,
  concurrency: number,
): Promise<void> {
  const { server, dir, token } = await serverWith(redis);
  try {
    await setLimit(server.ctx, server.demo!.account_id, 'Light', 'QPS', '1000000000');
    const until = Date.now() + seconds * 1000;
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          const t0 = performance.now();
          const r = await fetch(`${server.url}/v2/users/me`, {
            headers: { authorization: `Bearer ${token}` },
          });
          await r.arrayBuffer();
          latencies.push(performance.now() - t0);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const p = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
    say(
      `| ${name} | ${concurrency} | ${Math.round(latencies.length / seconds)} | ${p(0.5)} ms | ${p(0.99)} ms | ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')} |`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A client that sends one request at a time and paces itself by the headers only:
 * while X-RateLimit-Remaining > 0 it sends at once; at 0 it waits, either until the next
 * whole second ("aligned": the windows are whole UTC seconds) or for one second ("naive").
 */
async function pacedClient(
  name: string,
  redis: boolean,
  rule: 'aligned' | 'naive',
  seconds: number,
): Promise<void> {
  const { server, dir, token } = await serverWith(redis);
  try {
    // Start at a window boundary, so that the run covers exactly `seconds` windows.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const start = Date.now();
    const end = start + seconds * 1000;
    let ok = 0;
    let refused = 0;
    let limit = 0;
    while (Date.now() < end) {
      const r = await fetch(`${server.url}/v2/users/me`, { headers: { authorization: `Bearer ${token}` } });
      await r.arrayBuffer();
      if (r.status === 200) ok++;
      else if (r.status === 429) refused++;
      limit = Number(r.headers.get('x-ratelimit-limit'));
      const remaining = Number(r.headers.get('x-ratelimit-remaining'));
      if (r.status === 429) {
        await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after')) * 1000));
      } else if (remaining === 0) {
        const wait = rule === 'aligned' ? 1000 - (Date.now() % 1000) + 2 : 1000;
        if (Date.now() + wait >= end) break;
        await new Promise((res) => setTimeout(res, wait));
      }
    }
    const allowed = limit * seconds;
    say(
      `| ${name} | ${rule} | ${seconds} s | ${ok} of ${allowed} | ${((100 * ok) / allowed).toFixed(1)}% | ${refused} |`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  say(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; Redis ${REDIS_URL} on the same machine.`,
  );
  say(`Date: ${new Date().toISOString()}`);
  say('');
  say('### Counter: one check-and-count');
  say('');
  say('| counter | in flight | checks | per check | checks/s |');
  say('|---|---|---|---|---|');
  const memory = new MemoryCounter();
  await timeCounter('memory', memory, 200_000, 1);
  const redis = new RedisCounter({ url: REDIS_URL, prefix: PREFIX });
  await redis.waitReady();
  await timeCounter('redis (Lua, 1 round trip)', redis, 20_000, 1);
  await timeCounter('redis (Lua, 1 round trip)', redis, 50_000, 32);
  say('');
  say('### Limiter as a request uses it (plan and overrides from SQLite, then the counter)');
  say('');
  say('| counter | in flight | checks | per check | checks/s |');
  say('|---|---|---|---|---|');
  const { server, dir } = await serverWith(false);
  try {
    const accountId = server.demo!.account_id;
    await setLimit(server.ctx, accountId, 'Light', 'QPS', '1000000000');
    for (const [name, counter] of [
      ['memory', new MemoryCounter()],
      ['redis', redis],
    ] as const) {
      const limiter = new RateLimiter(server.store, counter, systemClock);
      const n = 20_000;
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await limiter.check(accountId, 'Light');
      const ns = Number(process.hrtime.bigint() - started);
      say(
        `| ${name} | 1 | ${n} | ${(ns / n / 1000).toFixed(2)} µs | ${Math.round(n / (ns / 1e9)).toLocaleString('en')} |`,
      );
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await redis.close();
  say('');
  say('### HTTP: GET /v2/users/me through a server (limits lifted), 5 s each, client in the same process');
  say('');
  say('| counter | connections | requests/s | p50 | p99 | statuses |');
  say('|---|---|---|---|---|---|');
  await httpThroughput('memory', false, 5, 16);
  await httpThroughput('redis', true, 5, 16);
  say('');
  say('### A client pacing itself by the headers (Pro account, Light: 30/s)');
  say('');
  say('| counter | pacing rule | run | accepted | of allowed | 429s |');
  say('|---|---|---|---|---|---|');
  for (const redisOn of [false, true]) {
    for (const rule of ['aligned', 'naive'] as const)
      await pacedClient(redisOn ? 'redis' : 'memory', redisOn, rule, 10);
  }
  const cleanup = new Redis(REDIS_URL);
  const keys = await cleanup.keys(`${PREFIX}*`);
  if (keys.length > 0) await cleanup.del(...keys);
  cleanup.disconnect();
}

await main();
