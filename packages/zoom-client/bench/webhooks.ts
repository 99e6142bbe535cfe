// Cost of a webhook signature (wall time and CPU per call) on Web Crypto (what the SDK uses) against node:crypto's
// createHmac (what Rivet uses), per call, sequential: sign, verify a compact body, and verify a
// pretty-printed body signed over its JSON round trip (the fallback: two HMACs and a parse).
// Run: node --import tsx packages/zoom-client/bench/webhooks.ts   (never part of the tests)
import { createHmac } from 'node:crypto';
import { signWebhook, type UserUpdatedEvent, verifyWebhook } from '../src/index.js';

const N = Number(process.env.BENCH_N ?? 20_000);
const SECRET = 'bench-secret-token-0123456789';
const event: UserUpdatedEvent = {
  event: 'user.updated',
  event_ts: Date.now(),
  payload: {
    account_id: 'Acc0unt1d',
    operator: 'admin@example.com',
    operator_id: 'AdminId0000000000000001',
    operation: 'change_password',
    object: { id: 'UserId00000000000000001', email: 'jane@example.com' },
    time_stamp: Date.now(),
  },
};

async function timed(label: string, run: () => unknown) {
  for (let i = 0; i < 500; i++) await run();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < N; i++) await run();
  const us = ((performance.now() - started) * 1000) / N;
  const used = process.cpuUsage(cpu);
  // CPU of every thread of the process (Web Crypto's HMAC runs on libuv's thread pool).
  const cpuUs = (used.user + used.system) / N;
  console.log(
    JSON.stringify({
      label,
      calls: N,
      wallUsPerCall: Math.round(us * 10) / 10,
      cpuUsPerCall: Math.round(cpuUs * 10) / 10,
    }),
  );
}

const signed = await signWebhook({ secretToken: SECRET, body: event });
const pretty = JSON.stringify(event, null, 2);
const ts = signed.headers['x-zm-request-timestamp'];
const overRoundTrip = {
  'x-zm-request-timestamp': ts,
  'x-zm-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${signed.body}`).digest('hex')}`,
};

await timed('node:crypto createHmac (Rivet)', () =>
  createHmac('sha256', SECRET).update(`v0:${ts}:${signed.body}`).digest('hex'),
);
await timed('signWebhook', () => signWebhook({ secretToken: SECRET, body: event }));
await timed('verifyWebhook, compact body', () =>
  verifyWebhook({ secretToken: SECRET, headers: signed.headers, rawBody: signed.body }),
);
await timed('verifyWebhook, round-trip fallback', () =>
  verifyWebhook({ secretToken: SECRET, headers: overRoundTrip, rawBody: pretty }),
);
