// `npm run bench -- webhooks [--quick] [--store=postgres]`: what webhooks cost.
//  1. Latency from the commit of a password change to the endpoint having its `user.updated`
//     event: a real `zpass serve` (its own process, relay inside, default settings) and an
//     endpoint on 127.0.0.1 in this process; changes one at a time, each for another user.
//     Measured from the event's `event_ts` (taken inside the transaction, just before the
//     commit: an upper bound) and from the 204 (after the commit: a lower bound).
//  2. The server's extra CPU per password change with one subscription: rounds of changes
//     with and without an endpoint subscribed, alternating; CPU of the server process
//     (user + system, every thread, /proc) per change, relay work included.
// Never part of `npm test`.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { raiseLimits } from './configure.js';
import { BIN, cpuSeconds, type Server, seedUsers, startZpass, token } from './zpass-harness.js';

const quick = process.argv.includes('--quick');
const store = (process.argv.find((a) => a.startsWith('--store='))?.slice(8) ?? 'sqlite') as
  | 'sqlite'
  | 'postgres';
const LATENCY_CHANGES = quick ? 40 : 200;
const ROUNDS = quick ? 2 : 8;
const PER_ROUND = quick ? 20 : 30;

function cli(s: Server, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--data', s.dataDir], {
      env: { ...process.env, ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`zpass ${args.join(' ')}: ${err}`)),
    );
  });
}

/** The endpoint: answers URL validation with the secret, 204 to events; notes when each user's event arrived. */
async function startEndpoint() {
  const arrivals = new Map<string, { wall: number; perf: number; eventTs: number }>();
  let secret = '';
  const { urlValidationResponse } = await import('@zpass/zoom-client/webhooks');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const perf = performance.now();
      const wall = Date.now();
      const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        event: string;
        event_ts: number;
        payload: { plainToken?: string; object?: { id: string } };
      };
      if (e.event === 'endpoint.url_validation') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(await urlValidationResponse(e.payload.plainToken!, secret)));
        return;
      }
      if (e.payload.object) arrivals.set(e.payload.object.id, { wall, perf, eventTs: e.event_ts });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    arrivals,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    setSecret: (s: string) => {
      secret = s;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

async function change(s: Server, bearer: string, userId: string, i: number): Promise<number> {
  const res = await fetch(`${s.url}/v2/users/${userId}/password`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password: `Bench-Hook-Pass-${i}x` }),
  });
  const at = performance.now();
  if (res.status !== 204) throw new Error(`change ${i}: ${res.status} ${await res.text()}`);
  return at;
}

async function arrived(map: Map<string, unknown>, id: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!map.has(id)) {
    if (performance.now() > deadline) throw new Error(`no event for ${id} within 30 s`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const endpoint = await startEndpoint();
const s = await startZpass(store);
try {
  await raiseLimits(s);
  const ids = await seedUsers(s, LATENCY_CHANGES + ROUNDS * 2 * PER_ROUND);
  const bearer = await token(s);
  const secret = (
    JSON.parse(await cli(s, ['admin', 'webhooks', 'secret', '--app', s.demo.client_id, '--json'])) as {
      secret_token: string;
    }
  ).secret_token;
  endpoint.setSecret(secret);
  const subscribeOnce = async () =>
    (
      JSON.parse(
        await cli(s, [
          'admin',
          'webhooks',
          'add',
          '--app',
          s.demo.client_id,
          '--url',
          endpoint.url,
          '--events',
          'user.updated',
          '--json',
        ]),
      ) as { id: string }
    ).id;
  let subscription = await subscribeOnce();

  // 1. Latency.
  const fromCommit: number[] = [];
  const from204: number[] = [];
  for (let i = 0; i < LATENCY_CHANGES; i++) {
    const id = ids[i]!;
    const answered = await change(s, bearer, id, i);
    await arrived(endpoint.arrivals, id);
    const a = endpoint.arrivals.get(id)!;
    fromCommit.push(a.wall - a.eventTs);
    from204.push(a.perf - answered);
    await new Promise((r) => setTimeout(r, 20));
  }
  fromCommit.sort((a, b) => a - b);
  from204.sort((a, b) => a - b);

  // 2. CPU per change, with and without the subscription, alternating.
  let next = LATENCY_CHANGES;
  const withHook: number[] = [];
  const without: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const subscribed of [false, true]) {
      if (subscribed && !subscription) subscription = await subscribeOnce();
      if (!subscribed && subscription) {
        await cli(s, ['admin', 'webhooks', 'remove', subscription]);
        subscription = '';
      }
      const cpu0 = cpuSeconds(s.child.pid!);
      const batch = ids.slice(next, next + PER_ROUND);
      next += PER_ROUND;
      for (const [i, id] of batch.entries()) await change(s, bearer, id, next + i);
      if (subscribed) for (const id of batch) await arrived(endpoint.arrivals, id);
      // Let the relay record the last delivery before reading the CPU.
      await new Promise((res) => setTimeout(res, 200));
      (subscribed ? withHook : without).push(((cpuSeconds(s.child.pid!) - cpu0) * 1000) / PER_ROUND);
    }
  }
  const f = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `machine: ${cpus()[0]?.model} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(`store: ${store}; ${LATENCY_CHANGES} changes one at a time, 20 ms apart`);
  console.log(
    `commit → endpoint (from event_ts): median ${f(percentile(fromCommit, 50))}  p99 ${f(percentile(fromCommit, 99))}  max ${f(fromCommit.at(-1)!)}`,
  );
  console.log(
    `204 → endpoint:                    median ${f(percentile(from204, 50))}  p99 ${f(percentile(from204, 99))}  max ${f(from204.at(-1)!)}`,
  );
  console.log(
    `server CPU per change (${ROUNDS} rounds × ${PER_ROUND} changes each way): without ${without.map(f).join(', ')}; with one subscription ${withHook.map(f).join(', ')}`,
  );
  // Each round with the subscription is paired with the round just before it, without: the
  // machine's load drifts, and a pair shares it.
  const pairs = withHook.map((w, k) => w - without[k]!);
  const mean = pairs.reduce((a, b) => a + b, 0) / pairs.length;
  console.log(
    `extra CPU per change with one subscription: mean of paired rounds ${f(mean)} (pairs: ${pairs.map(f).join(', ')}; median ${f(median(pairs))})`,
  );
} finally {
  await s.stop();
  await endpoint.close();
}
