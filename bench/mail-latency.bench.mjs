#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
// Delivery latency of e-mail notices: the time from the 204 of a password change to the
// moment a real SMTP server (in this process, on 127.0.0.1) has the whole message.
// An idle server: changes are made one at a time, a pause apart, each for another user.
//
//   npm run build && node bench/mail-latency.mjs [--changes 100] [--store sqlite|postgres|postgres-worker|all]
//
// postgres-worker: the server runs without a relay and a relay with its own connection pool
// (as `zpass mail relay` in another process would) is woken by PostgreSQL LISTEN/NOTIFY.
//
// PostgreSQL: ZPASS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
// a scratch database is created and dropped. Prints one line per scenario (median, p99, max).
// Runs with the relay's default settings (poll every 1 s as the fallback).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { createUser } from '../packages/zpass/dist/domain/accounts.js';
import { createRelay } from '../packages/zpass/dist/mail/index.js';
import { startServer } from '../packages/zpass/dist/server.js';
import { openStore } from '../packages/zpass/dist/store/database.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const CHANGES = Number(opt('changes', '100'));
const WHICH = opt('store', 'all');
const PAUSE_MS = 100;
const ADMIN_URL = process.env.ZPASS_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

function startSmtp(onMessage) {
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      stream.on('data', () => {});
      stream.on('end', () => {
        onMessage(session.envelope.rcptTo[0]?.address, performance.now());
        cb(null, 'queued');
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.server.address().port }));
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function scenario(name) {
  const store = name === 'sqlite' ? 'sqlite' : 'postgres';
  const worker = name === 'postgres-worker';
  const dataDir = mkdtempSync(join(tmpdir(), 'zpass-bench-'));
  let databaseUrl;
  if (store === 'postgres') {
    const name = `zpass_bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const u = new URL(ADMIN_URL);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
  }
  const arrivals = new Map();
  const { server: smtp, port } = await startSmtp((rcpt, t) => arrivals.set(rcpt, t));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl,
    migrate: true,
    logLevel: 'silent',
    trustProxy: false,
    print: () => {},
    mail: { smtpUrl: `smtp://127.0.0.1:${port}`, relay: !worker },
  });
  let relayStore;
  let relay;
  if (worker) {
    relayStore = openStore({ dataDir, databaseUrl });
    relay = createRelay({
      store: relayStore,
      clock: { now: () => Date.now() },
      logger: pino({ level: 'silent' }),
      dataDir,
      databaseUrl,
      mail: { smtpUrl: `smtp://127.0.0.1:${port}` },
      serverUrl: server.url,
    });
    await relay.start();
  }
  try {
    const demo = server.demo;
    const res = await fetch(
      `${server.url}/oauth/token?grant_type=account_credentials&account_id=${demo.account_id}`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${demo.client_id}:${demo.client_secret}`).toString('base64')}`,
        },
      },
    );
    const token = (await res.json()).access_token;
    const users = [];
    for (let i = 0; i < CHANGES; i++) {
      users.push(
        await createUser(server.ctx, {
          accountId: demo.account_id,
          email: `bench${i}@example.test`,
          role: 'member',
        }),
      );
    }
    const latencies = [];
    for (const [i, u] of users.entries()) {
      const r = await fetch(`${server.url}/v2/users/${u.id}/password`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: `Bench-Pass-${i}x` }),
      });
      const answered = performance.now();
      if (r.status !== 204) throw new Error(`change ${i}: ${r.status} ${await r.text()}`);
      const deadline = answered + 30_000;
      while (!arrivals.has(u.email)) {
        if (performance.now() > deadline) throw new Error(`no notice for ${u.email} within 30 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
      latencies.push(arrivals.get(u.email) - answered);
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    latencies.sort((a, b) => a - b);
    const f = (ms) => `${ms.toFixed(1)} ms`;
    console.log(
      `${name.padEnd(16)}  changes ${CHANGES}  median ${f(percentile(latencies, 50))}  p99 ${f(
        percentile(latencies, 99),
      )}  max ${f(latencies[latencies.length - 1])}`,
    );
  } finally {
    await relay?.stop();
    await relayStore?.close();
    await server.close();
    await new Promise((r) => smtp.close(r));
    rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl) {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
      await c.end();
    }
  }
}

console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const name of WHICH === 'all' ? ['sqlite', 'postgres', 'postgres-worker'] : [WHICH])
  await scenario(name);
