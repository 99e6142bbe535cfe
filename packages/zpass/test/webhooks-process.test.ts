// Webhooks with the real binary: the operator's commands (`zpass admin webhooks ...`,
// `zpass webhooks ...`), and no event lost when `zpass serve` is killed (-9) mid-delivery.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DemoCredentials } from '../src/domain/accounts/demo.js';
import { recordEvent, userUpdated } from '../src/domain/webhooks/events.js';
import { openStore } from '../src/store/database.js';
import { tempDir } from './helpers.js';
import { databaseFor, dropTestDatabase } from './pg.js';
import { BIN, type ServerProcess, spawnServer } from './processes.js';
import { waitFor } from './smtp.js';
import { TestEndpoint } from './webhook-endpoint.js';

const STORE = process.env.ZPASS_TEST_STORE ?? 'sqlite';

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

function exited(s: ServerProcess): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', () => resolve());
  });
}

describe(`webhooks with the real server and CLI (${STORE})`, () => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  let endpoint: TestEndpoint;
  let demo: DemoCredentials;

  /** Records a password change's event from outside the server, as another server would. */
  async function record(userId: string, email: string, n: number): Promise<void> {
    const store = openStore({ dataDir, databaseUrl });
    try {
      for (let i = 0; i < n; i++)
        await store.transaction((tx) =>
          recordEvent(
            tx,
            userUpdated(
              demo.account_id,
              { email: demo.owner.email, id: demo.owner.id },
              {
                operation: i % 2 === 0 ? 'change_password' : 'sign_out_from_all_devices',
                user: { id: userId, email },
              },
              Date.now(),
            ),
          ),
        );
    } finally {
      await store.close();
    }
  }

  before(async () => {
    dataDir = tempDir();
    databaseUrl = await databaseFor(dataDir);
    env = {
      ZPASS_DATA: dataDir,
      ZPASS_MAIL_RELAY: 'off',
      ZPASS_LOG_LEVEL: 'info',
      ZPASS_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms',
      ZPASS_WEBHOOK_TIMEOUT_MS: '1000',
      ZPASS_WEBHOOK_LEASE_MS: '6000',
      ZPASS_WEBHOOK_POLL_MS: '100',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    server = await spawnServer([], env);
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    endpoint = await new TestEndpoint().start();
  });
  after(async () => {
    await server?.stop();
    await endpoint.stop();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sets up an endpoint from the command line: secret first, then add, validated at once', async () => {
    const secret = await runCli(['admin', 'webhooks', 'secret', '--app', demo.client_id, '--json'], env);
    assert.equal(secret.code, 0, secret.stderr);
    const token = (JSON.parse(secret.stdout) as { secret_token: string }).secret_token;
    assert.match(token, /^[A-Za-z0-9]{22}$/);
    const plain = await runCli(['admin', 'webhooks', 'secret', '--app', demo.client_id], env);
    assert.equal(plain.stdout, `${token}\n`, 'the same token until rotated');

    // The endpoint does not hold the token yet: refused, with the reason.
    endpoint.secretToken = 'something-else';
    const refused = await runCli(
      [
        'admin',
        'webhooks',
        'add',
        '--app',
        demo.client_id,
        '--url',
        endpoint.url,
        '--events',
        'user.updated',
      ],
      env,
    );
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^zpass: The endpoint .* did not pass URL validation, so it is not active: .*another secret token/,
    );

    endpoint.secretToken = token;
    const added = await runCli(
      [
        'admin',
        'webhooks',
        'add',
        '--app',
        demo.client_id,
        '--url',
        endpoint.url,
        '--events',
        'user.updated,user.created',
        '--json',
      ],
      env,
    );
    assert.equal(added.code, 0, added.stderr);
    const sub = JSON.parse(added.stdout) as { id: string; status: string; events: string[] };
    assert.equal(sub.status, 'active');
    assert.deepEqual(sub.events, ['user.updated', 'user.created']);

    const dup = await runCli(
      [
        'admin',
        'webhooks',
        'add',
        '--app',
        demo.client_id,
        '--url',
        endpoint.url,
        '--events',
        'user.created',
      ],
      env,
    );
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already sends events to/);
    const ftp = await runCli(
      [
        'admin',
        'webhooks',
        'add',
        '--app',
        demo.client_id,
        '--url',
        'ftp://127.0.0.1/x',
        '--events',
        'user.created',
      ],
      env,
    );
    assert.equal(ftp.stderr, 'zpass: An endpoint must be an http:// or https:// URL, not ftp.\n');
    const unknown = await runCli(
      [
        'admin',
        'webhooks',
        'add',
        '--app',
        demo.client_id,
        '--url',
        `${endpoint.url}/2`,
        '--events',
        'user.exploded',
      ],
      env,
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^zpass: Unknown event: user\.exploded\. zpass sends user\.created, /);

    const list = await runCli(['admin', 'webhooks', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      new RegExp(
        `^${sub.id}  active .* ${endpoint.url.replace(/[./]/g, '\\$&')}  user.updated,user.created$`,
        'm',
      ),
    );
    assert.ok(
      !list.stdout.includes(token) &&
        !(await runCli(['admin', 'webhooks', 'list', '--json'], env)).stdout.includes(token),
    );
  });

  it('loses no event when the server is killed mid-delivery: each arrives, duplicates only with the same event id', async () => {
    // The first delivery reaches the endpoint, which never answers: it is in flight when the process dies.
    let first = true;
    endpoint.behave = () => {
      if (first) {
        first = false;
        return { kind: 'stall' };
      }
      return { kind: 'status', status: 204 };
    };
    await record(demo.member.id, demo.member.email, 3);
    await record(demo.owner.id, demo.owner.email, 2);
    await waitFor('the delivery in flight', () => endpoint.requests.length >= 1);
    const dead = exited(server!);
    server!.child.kill('SIGKILL');
    await dead;
    endpoint.releaseStalls();

    server = await spawnServer([], env);
    await waitFor(
      'every event after the restart',
      () => new Set(endpoint.accepted.map((r) => r.eventId)).size === 5,
      30_000,
    );
    // Give a duplicate every chance to appear.
    await new Promise((r) => setTimeout(r, 500));
    const store = openStore({ dataDir, databaseUrl });
    let rows: Array<{ event_id: string; status: string; body: string }>;
    try {
      rows = await store.db
        .selectFrom('webhook_deliveries')
        .select(['event_id', 'status', 'body'])
        .orderBy('id')
        .execute();
    } finally {
      await store.close();
    }
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => r.status === 'delivered'));
    const recorded = new Set(rows.map((r) => r.event_id));
    for (const r of endpoint.requests) {
      assert.ok(recorded.has(r.eventId!), 'only recorded events arrive');
      assert.equal(r.body, rows.find((x) => x.event_id === r.eventId)!.body, 'a duplicate is the same event');
    }
    // Each user's events arrived in the order they were recorded.
    const subject = (body: string) =>
      (JSON.parse(body) as { payload: { object: { id: string } } }).payload.object.id;
    for (const userId of [demo.member.id, demo.owner.id]) {
      const expected = rows.filter((r) => subject(r.body) === userId).map((r) => r.event_id);
      const seen = [
        ...new Set(endpoint.accepted.filter((r) => subject(r.body) === userId).map((r) => r.eventId)),
      ];
      assert.deepEqual(seen, expected);
    }
  });

  it('lists deliveries, shows failures with their reason, and redelivers them', async () => {
    endpoint.behave = () => ({ kind: 'status', status: 500 });
    const before = endpoint.requests.length;
    await record(demo.member.id, demo.member.email, 1);
    await waitFor(
      'the failure',
      async () => {
        const r = await runCli(['webhooks', 'deliveries', '--failed', '--json'], env);
        return (JSON.parse(r.stdout) as unknown[]).length === 1;
      },
      30_000,
    );
    assert.equal(endpoint.requests.length - before, 4);
    const failed = JSON.parse(
      (await runCli(['webhooks', 'deliveries', '--failed', '--json'], env)).stdout,
    ) as Array<{
      id: number;
      last_error: string;
      attempts: number;
    }>;
    assert.equal(failed[0]!.last_error, 'the endpoint answered 500');
    assert.equal(failed[0]!.attempts, 4);
    const text = await runCli(['webhooks', 'deliveries'], env);
    assert.match(
      text.stdout,
      new RegExp(`^\\s+${failed[0]!.id}  failed .*\\n\\s+last error: the endpoint answered 500$`, 'm'),
    );

    endpoint.behave = () => ({ kind: 'status', status: 200 });
    const again = await runCli(['webhooks', 'redeliver', String(failed[0]!.id)], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `queued again: ${failed[0]!.id} (a running relay sends them shortly)\n`);
    await waitFor(
      'the redelivery',
      async () => {
        const r = await runCli(['webhooks', 'deliveries', '--failed', '--json'], env);
        return (JSON.parse(r.stdout) as unknown[]).length === 0 && endpoint.requests.length - before === 5;
      },
      30_000,
    );
    const twice = await runCli(['webhooks', 'redeliver', String(failed[0]!.id)], env);
    assert.equal(twice.code, 1);
    assert.match(
      twice.stderr,
      /^zpass: Delivery \d+ is (pending|delivered), not failed: nothing to send again\.\n$/,
    );
    const none = await runCli(['webhooks', 'redeliver', '--all-failed'], env);
    assert.equal(none.stdout, 'no failed deliveries\n');
    const both = await runCli(['webhooks', 'redeliver', '1', '--all-failed'], env);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, 'zpass: Name one delivery id, or pass --all-failed (not both).\n');
    // Logs never hold the secret token.
    const token = (await runCli(['admin', 'webhooks', 'secret', '--app', demo.client_id], env)).stdout.trim();
    assert.ok(!server!.output().includes(token));
    assert.match(server!.output(), /webhook delivered/);
  });

  it('serve --no-webhook-relay only queues; `zpass webhooks relay` alone delivers', async () => {
    await server!.stop();
    server = await spawnServer(['--no-webhook-relay'], env);
    assert.doesNotMatch(server.output(), /webhook relay started/);
    endpoint.behave = () => ({ kind: 'status', status: 204 });
    const before = endpoint.accepted.length;
    await record(demo.owner.id, demo.owner.email, 1);
    const relay = spawn(process.execPath, [BIN, 'webhooks', 'relay'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    relay.stdout!.on('data', (d) => {
      out += String(d);
    });
    try {
      await waitFor('the event from the relay alone', () => endpoint.accepted.length === before + 1, 30_000);
      assert.match(out, /webhook relay started/);
      // Logged once recorded, just after the endpoint's answer.
      await waitFor('the delivery recorded', () => /webhook delivered/.test(out));
    } finally {
      await new Promise<void>((resolve) => {
        relay.once('exit', () => resolve());
        relay.kill('SIGTERM');
      });
    }
  });

  it('removes an endpoint with the deliveries it still had', async () => {
    const listed = JSON.parse((await runCli(['admin', 'webhooks', 'list', '--json'], env)).stdout) as Array<{
      id: string;
    }>;
    const removed = await runCli(['admin', 'webhooks', 'remove', listed[0]!.id], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `removed ${listed[0]!.id}\n`);
    assert.equal((await runCli(['admin', 'webhooks', 'list'], env)).stdout, 'no webhook endpoints\n');
    const missing = await runCli(['admin', 'webhooks', 'remove', listed[0]!.id], env);
    assert.equal(missing.stderr, `zpass: There is no webhook subscription ${listed[0]!.id}.\n`);
  });
});
