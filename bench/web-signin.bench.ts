/**
 * Sign-in timing on the web pages (never run as tests): `npm run bench -- web-signin`.
 *
 * Does an unknown e-mail take as long as a wrong password? Both verify one argon2id
 * hash (a dummy one for the unknown e-mail), so they should be indistinguishable.
 * Measured through a real server over HTTP: POST /signin with the page's CSRF token,
 * the three cases interleaved (wrong password, unknown e-mail, right password) so that
 * load from other work spreads over all of them. The failed-attempt throttle is
 * lifted so that every attempt is checked. Flags: --rounds N (default 60).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '../packages/zpass/src/domain/accounts/provisioning.js';
import { startServer } from '../packages/zpass/src/server.js';

const arg = process.argv.indexOf('--rounds');
const ROUNDS = arg > 0 ? Number(process.argv[arg + 1]) : 60;
const dir = mkdtempSync(join(tmpdir(), 'zpass-bench-web-'));
const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  dataDir: dir,
  logLevel: 'silent',
  trustProxy: false,
  migrate: true,
  print: () => {},
  throttle: { freeFailures: 1_000_000 },
});

try {
  const email = 'timing.user@example.test';
  await createUser(server.ctx, {
    accountId: server.demo!.account_id,
    email,
    role: 'member',
    password: 'Timing-Pass-2026',
  });
  // One form cookie and CSRF token for every attempt; no session cookie is kept.
  const page = await fetch(`${server.url}/signin`);
  const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const attempt = async (e: string, password: string, want: number): Promise<number> => {
    const started = process.hrtime.bigint();
    const res = await fetch(`${server.url}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, email: e, password }).toString(),
    });
    await res.arrayBuffer();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== want) throw new Error(`expected ${want}, got ${res.status}`);
    return ms;
  };
  const cases = {
    'wrong password, known e-mail (401)': () => attempt(email, 'Wrong-Pass-2026', 401),
    'unknown e-mail (401)': () => attempt('nobody.at.all@example.test', 'Wrong-Pass-2026', 401),
    'right password (303, a session is written)': () => attempt(email, 'Timing-Pass-2026', 303),
  };
  const times: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) times[name] = [];
  // Warm-up: argon2, the database, the JIT.
  for (const run of Object.values(cases)) await run();
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, run] of Object.entries(cases)) times[name]!.push(await run());
  }
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  };
  console.log(`POST /signin, ${ROUNDS} rounds, SQLite, one request at a time`);
  console.log('| case | median | p10 | p90 |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, xs] of Object.entries(times)) {
    console.log(
      `| ${name} | ${q(xs, 0.5).toFixed(1)} ms | ${q(xs, 0.1).toFixed(1)} ms | ${q(xs, 0.9).toFixed(1)} ms |`,
    );
  }
  const known = q(times['wrong password, known e-mail (401)']!, 0.5);
  const unknown = q(times['unknown e-mail (401)']!, 0.5);
  console.log(
    `difference of medians, unknown e-mail minus wrong password: ${(unknown - known).toFixed(2)} ms (${(((unknown - known) / known) * 100).toFixed(1)} %)`,
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
