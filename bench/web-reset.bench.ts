/**
 * Reset-request timing on the web pages (never run as tests): `npm run bench -- web-reset`.
 *
 * Does asking for a reset link take as long for an address zpass knows as for one it
 * does not? The page answers before it looks the address up (the lookup, the reset row
 * and the notice happen once the answer has left), so it should. Measured over HTTP
 * against a real server in another process (as an attacker would be: a client in the
 * server's own process would wait for the server's work after the answer too):
 * POST /signin/reset with the page's CSRF token, a known user (a new one each round, so
 * every request does the full write) and an unknown address interleaved. The throttle
 * is lifted so that every request is served. Flags: --rounds N (default 60).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = process.argv.indexOf('--rounds');
const ROUNDS = arg > 0 ? Number(process.argv[arg + 1]) : 60;
const known = (i: number) => `reset.timing${i}@example.test`;

if (process.env.ZPASS_BENCH_ROLE === 'server') {
  const { createUser } = await import('../packages/zpass/src/domain/accounts/provisioning.js');
  const { startServer } = await import('../packages/zpass/src/server.js');
  const dir = mkdtempSync(join(tmpdir(), 'zpass-bench-reset-'));
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
  for (let i = 0; i <= ROUNDS; i++)
    await createUser(server.ctx, {
      accountId: server.demo!.account_id,
      email: known(i),
      role: 'member',
      password: 'Timing-Pass-2026',
    });
  process.send!({ url: server.url });
  process.on('message', async () => {
    const rows = await server.store.db.selectFrom('password_resets').select('user_id').execute();
    process.send!({ rows: rows.length });
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
} else {
  const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
    env: { ...process.env, ZPASS_BENCH_ROLE: 'server' },
    execArgv: ['--import', 'tsx'],
  });
  const next = () => new Promise<Record<string, unknown>>((r) => child.once('message', (m) => r(m as never)));
  const { url } = (await next()) as { url: string };
  const page = await fetch(`${url}/signin/reset`);
  const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const ask = async (email: string): Promise<number> => {
    const started = process.hrtime.bigint();
    const res = await fetch(`${url}/signin/reset`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, email }).toString(),
    });
    await res.arrayBuffer();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 303) throw new Error(`expected 303, got ${res.status}`);
    // The server's work after the answer is done before the next request, as between two people.
    await new Promise((r) => setTimeout(r, 50));
    return ms;
  };
  const KNOWN = 'known user (a reset row and a notice are written after the answer)';
  const UNKNOWN = 'unknown address';
  const times: Record<string, number[]> = { [KNOWN]: [], [UNKNOWN]: [] };
  await ask(known(ROUNDS));
  await ask('nobody.warm@example.test');
  for (let i = 0; i < ROUNDS; i++) {
    times[KNOWN]!.push(await ask(known(i)));
    times[UNKNOWN]!.push(await ask(`nobody.${i}@example.test`));
  }
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  };
  console.log(
    `POST /signin/reset, ${ROUNDS} rounds, SQLite, one request at a time, client in another process`,
  );
  console.log('| case | median | p10 | p90 |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, xs] of Object.entries(times))
    console.log(
      `| ${name} | ${q(xs, 0.5).toFixed(2)} ms | ${q(xs, 0.1).toFixed(2)} ms | ${q(xs, 0.9).toFixed(2)} ms |`,
    );
  const k = q(times[KNOWN]!, 0.5);
  const u = q(times[UNKNOWN]!, 0.5);
  console.log(`difference of medians, known minus unknown: ${(k - u).toFixed(3)} ms`);
  child.send('stop');
  const { rows } = (await next()) as { rows: number };
  console.log(`reset rows written: ${rows} (expected ${ROUNDS + 1})`);
}
