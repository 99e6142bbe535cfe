// Client overhead: GET /users/{id} on a real zpass server through ZoomClient and through raw
// fetch, sequential and 16 at a time, plus how many token requests the client made.
// Run: npm run bench -- sdk-overhead   (never part of the tests)

import { ZoomClient } from '../packages/zoom-client/src/index.js';
import { accountToken, addUser, startTestServer } from '../packages/zpass/test/helpers.js';

const N = Number(process.env.BENCH_N ?? 2000);
const CONCURRENCY = 16;

async function timed(label: string, n: number, run: (i: number) => Promise<unknown>, parallel: number) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) await run(next++);
    }),
  );
  const ms = performance.now() - started;
  const row = {
    label,
    requests: n,
    parallel,
    ms: Math.round(ms),
    perSecond: Math.round((n / ms) * 1000),
    usPerCall: Math.round((ms * 1000) / n),
  };
  console.log(JSON.stringify(row));
  return row;
}

const t = await startTestServer();
try {
  const u = await addUser(t);
  const token = await accountToken(t);
  const zoom = new ZoomClient({
    accountId: t.demo.account_id,
    clientId: t.demo.client_id,
    clientSecret: t.demo.client_secret,
    baseUrl: `${t.url}/v2`,
    oauthUrl: t.url,
  });
  const raw = async () => {
    const res = await fetch(`${t.url}/v2/users/${u.id}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(String(res.status));
    return res.json();
  };
  const sdk = () => zoom.users.get(u.id);
  // Warm-up.
  await timed('warmup raw', 200, raw, 4);
  await timed('warmup sdk', 200, sdk, 4);
  const before = t.logs.filter((l) => l.includes('"url":"/oauth/token')).length;
  await timed('raw fetch sequential', N, raw, 1);
  await timed('ZoomClient sequential', N, sdk, 1);
  await timed('raw fetch concurrent', N, raw, CONCURRENCY);
  await timed('ZoomClient concurrent', N, sdk, CONCURRENCY);
  const tokens = t.logs.filter((l) => l.includes('"url":"/oauth/token')).length - before;
  console.log(JSON.stringify({ label: 'token requests during the measured runs', count: tokens }));
} finally {
  await t.stop();
}
