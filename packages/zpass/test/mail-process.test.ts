import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DemoCredentials } from '../src/domain/accounts/demo.js';
import { openStore } from '../src/store/database.js';
import type { OutboxRow } from '../src/store/repositories/outbox.js';
import { basic, call, tempDir } from './helpers.js';
import { databaseFor, dropTestDatabase } from './pg.js';
import { outboxFor } from './queries.js';
import { TestSmtp, waitFor } from './smtp.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'zpass.js');
const STORE = process.env.ZPASS_TEST_STORE ?? 'sqlite';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

interface Child {
  proc: ChildProcess;
  output: () => string;
}

function spawnZpass(args: string[], env: Record<string, string>): Child {
  let out = '';
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ZPASS_LOG_LEVEL: 'info', ZPASS_DEMO: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => {
    out += String(d);
  });
  proc.stderr!.on('data', (d) => {
    out += String(d);
  });
  return { proc, output: () => out };
}

async function waitUp(url: string, child: Child): Promise<void> {
  await waitFor(
    `the server at ${url}`,
    async () => {
      if (child.proc.exitCode !== null) throw new Error(`server exited: ${child.output()}`);
      // The port was free when chosen, but another test's server may have taken it since:
      // only the child's own "listening" line says that the answer comes from the child.
      if (!child.output().includes(`listening at ${url}`)) return false;
      try {
        return (await fetch(`${url}/openapi.json`)).ok;
      } catch {
        return false;
      }
    },
    30_000,
  );
}

function exited(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
  });
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child) return;
  const done = exited(child);
  child.proc.kill('SIGTERM');
  await done;
}

/** Runs the CLI to completion (asynchronously: this process also runs servers). */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

async function rowsOf(dataDir: string, databaseUrl: string | undefined, email: string): Promise<OutboxRow[]> {
  const store = openStore({ dataDir, databaseUrl });
  try {
    return await outboxFor(store.db, email);
  } finally {
    await store.close();
  }
}

async function changeMemberPassword(url: string, demo: DemoCredentials, password: string): Promise<number> {
  const tok = await call(
    `${url}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(demo.account_id)}`,
    { method: 'POST', headers: { authorization: basic(demo.client_id, demo.client_secret) } },
  );
  assert.equal(tok.status, 200, tok.text);
  const token = (tok.body as { access_token: string }).access_token;
  const res = await call(`${url}/v2/users/${demo.member.id}/password`, {
    method: 'PUT',
    token,
    json: { password },
  });
  return res.status;
}

describe(`zpass serve killed between the 204 and the delivery (${STORE})`, () => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let smtp: TestSmtp;
  let child: Child | undefined;
  let env: Record<string, string>;

  before(async () => {
    dataDir = tempDir();
    databaseUrl = await databaseFor(dataDir);
    smtp = await new TestSmtp().start();
    env = {
      ZPASS_DATA: dataDir,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ZPASS_MAIL_SEND_TIMEOUT_MS: '1000',
      ZPASS_MAIL_LEASE_MS: '6000',
      ZPASS_MAIL_POLL_MS: '200',
      ZPASS_MAIL_RETRY_BASE_MS: '200',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
  });
  after(async () => {
    await stopChild(child);
    await smtp.stop();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers the notice exactly once after a restart', async () => {
    // The first delivery reaches the server, which reads it and never answers: the
    // notice is claimed and in flight when the process dies.
    let stalls = 0;
    smtp.behave = () => (stalls++ === 0 ? { kind: 'stall' } : { kind: 'accept' });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawnZpass(['serve', '--port', String(port)], env);
    await waitUp(url, child);
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    assert.equal(await changeMemberPassword(url, demo, 'Killed-Relay-Pass-1'), 204);
    await waitFor('the delivery in flight', () => smtp.dataStarted === 1);
    const dead = exited(child);
    child.proc.kill('SIGKILL');
    await dead;
    smtp.releaseStalls();
    assert.equal(smtp.to(demo.member.email).length, 0, 'nothing was delivered before the kill');
    const [row] = await rowsOf(dataDir, databaseUrl, demo.member.email);
    assert.equal(row?.status, 'pending');
    assert.equal(row?.attempts, 1);

    child = spawnZpass(['serve', '--port', String(port)], env);
    await waitUp(url, child);
    await waitFor('the notice after the restart', () => smtp.to(demo.member.email).length === 1, 30_000);
    await waitFor(
      'the row marked sent',
      async () => (await rowsOf(dataDir, databaseUrl, demo.member.email))[0]?.status === 'sent',
    );
    // Give a duplicate every chance to appear.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(smtp.to(demo.member.email).length, 1);
    const rows = await rowsOf(dataDir, databaseUrl, demo.member.email);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.attempts, 2);
    assert.equal(smtp.to(demo.member.email)[0]!.mail.messageId, rows[0]!.message_id);
  });
});

describe(`zpass mail relay, list and retry (${STORE})`, () => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let smtp: TestSmtp;
  let server: Child | undefined;
  let relay: Child | undefined;
  let env: Record<string, string>;
  let url: string;
  let demo: DemoCredentials;

  before(async () => {
    dataDir = tempDir();
    databaseUrl = await databaseFor(dataDir);
    smtp = await new TestSmtp().start();
    env = {
      ZPASS_DATA: dataDir,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ZPASS_MAIL_POLL_MS: '200',
      ZPASS_MAIL_RETRY_BASE_MS: '200',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawnZpass(['serve', '--port', String(port), '--no-mail-relay'], env);
    await waitUp(url, server);
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
  });
  after(async () => {
    await stopChild(relay);
    await stopChild(server);
    await smtp.stop();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serve --no-mail-relay only queues; a separate `zpass mail relay` waits for notices and delivers them', async () => {
    assert.doesNotMatch(server!.output(), /mail relay started/);
    relay = spawnZpass(['mail', 'relay'], env);
    await waitFor('the relay', () => /mail relay started/.test(relay!.output()));
    // Nothing to do yet: it keeps running, waiting.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(relay.proc.exitCode, null, relay.output());
    assert.equal(await changeMemberPassword(url, demo, 'Separate-Relay-Pass-1'), 204);
    await waitFor('the notice', () => smtp.to(demo.member.email).length === 1, 30_000);
    await waitFor(
      'the row marked sent',
      async () => (await rowsOf(dataDir, databaseUrl, demo.member.email))[0]?.status === 'sent',
    );
    assert.equal(relay.proc.exitCode, null);
  });

  it('lists failed notices with their reason and sends them again on `mail retry`', async () => {
    smtp.behave = () => ({ kind: 'reject', code: 550, text: '5.7.1 Relaying denied' });
    assert.equal(await changeMemberPassword(url, demo, 'Retry-Cli-Pass-22'), 204);
    await waitFor('the failure', async () =>
      (await rowsOf(dataDir, databaseUrl, demo.member.email)).some((r) => r.status === 'failed'),
    );
    const failed = (await rowsOf(dataDir, databaseUrl, demo.member.email)).find(
      (r) => r.status === 'failed',
    )!;

    const list = await runCli(['mail', 'list', '--status', 'failed', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as Array<{ id: number; status: string; last_error: string }>;
    assert.deepEqual(
      listed.map((r) => [r.id, r.status]),
      [[failed.id, 'failed']],
    );
    assert.match(listed[0]!.last_error, /550 5\.7\.1 Relaying denied/);

    const text = await runCli(['mail', 'list'], env);
    assert.equal(text.code, 0, text.stderr);
    // One table style across the CLI: a header, aligned columns.
    assert.match(text.stdout, /^ID\s+STATUS\s+KIND\s+ATTEMPTS\s+WHEN\s+RECIPIENT\s+LAST_ERROR$/m);
    assert.match(
      text.stdout,
      new RegExp(
        `^${failed.id}\\s+failed\\s+\\S+\\s+\\d+\\s+\\S+\\s+${demo.member.email.replace(/\./g, '\\.')}\\s+.*550`,
        'm',
      ),
    );
    const picked = await runCli(['mail', 'list', '--columns', 'recipient,status'], env);
    assert.match(picked.stdout, /^RECIPIENT\s+STATUS$/m);

    smtp.behave = () => ({ kind: 'accept' });
    const before = smtp.to(demo.member.email).length;
    const retry = await runCli(['mail', 'retry', String(failed.id)], env);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(retry.stdout, `queued again: ${failed.id} (a running relay sends them shortly)\n`);
    await waitFor('the retried notice', () => smtp.to(demo.member.email).length === before + 1, 30_000);
    await waitFor(
      'the row marked sent',
      async () =>
        (await rowsOf(dataDir, databaseUrl, demo.member.email)).find((r) => r.id === failed.id)?.status ===
        'sent',
    );

    const again = await runCli(['mail', 'retry', String(failed.id)], env);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `zpass: Notice ${failed.id} is sent, not failed: nothing to retry.\n`);
    const none = await runCli(['mail', 'retry', '--all-failed'], env);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'no failed notices\n');
    const missing = await runCli(['mail', 'retry', '999999'], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'zpass: There is no notice 999999.\n');
    const bad = await runCli(['mail', 'list', '--status', 'lost'], env);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'zpass: Unknown status "lost": use pending, sent, failed.\n');
  });
});
