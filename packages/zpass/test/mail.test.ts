import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { createRelay } from '../src/mail/index.js';
import { openStore, type Store } from '../src/store/database.js';
import { type OutboxRow, outbox } from '../src/store/repositories/outbox.js';
import {
  accountToken,
  addUser,
  appWithToken,
  call,
  putPassword,
  startTestServer,
  type TestServer,
} from './helpers.js';
import { onDatabase, onPostgres } from './pg.js';
import { outboxFor, passwordChangesFor } from './queries.js';
import { selfSignedCert, TestSmtp, waitFor } from './smtp.js';

const STORE = process.env.ZPASS_TEST_STORE ?? 'sqlite';

/** Settings that make retries quick enough for tests (speed itself is measured in bench/, never here). */
const FAST = {
  retryBaseMs: 100,
  retryMaxMs: 400,
  pollMs: 100,
  sendTimeoutMs: 2_000,
  leaseMs: 7_000,
  maxAttempts: 4,
};

async function rowsFor(t: TestServer, email: string): Promise<OutboxRow[]> {
  return outboxFor(t.server.store.db, email);
}

async function onlyRow(t: TestServer, email: string): Promise<OutboxRow> {
  const rows = await rowsFor(t, email);
  assert.equal(rows.length, 1, `one outbox row for ${email}`);
  return rows[0]!;
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

describe(`mail relay over SMTP with STARTTLS and AUTH (${STORE})`, () => {
  let t: TestServer;
  let smtp: TestSmtp;
  let token: string;
  const PASS = 'sm7p p@ss/wörd';

  before(async () => {
    const tls = await selfSignedCert();
    smtp = await new TestSmtp({ tls, requireTls: true, auth: { user: 'relay', pass: PASS } }).start();
    t = await startTestServer({
      mail: {
        ...FAST,
        smtpUrl: `smtp://relay:${encodeURIComponent(PASS)}@127.0.0.1:${smtp.port}/?requireTLS=true`,
        smtpCaFile: tls.certFile,
        from: 'Acme Directory <no-reply@acme.test>',
        brand: 'Acme Directory',
        publicUrl: 'https://id.acme.test/',
      },
    });
    token = await accountToken(t);
  });
  after(async () => {
    await t.stop();
    await smtp.stop();
  });

  it('delivers exactly one readable message per change, with the right recipient, subject, text and headers', async () => {
    const u = await addUser(t);
    assert.equal((await putPassword(t, token, u.id, 'Notice-Pass-81')).status, 204);
    await waitFor('the notice', () => smtp.to(u.email).length === 1);
    // The server has the message before the relay records it as sent.
    await waitFor('the row marked sent', async () => (await onlyRow(t, u.email)).status === 'sent');
    const got = smtp.to(u.email)[0]!;
    const row = await onlyRow(t, u.email);
    const [change] = await passwordChangesFor(t.server.store.db, u.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, null);
    assert.ok(row.sent_at !== null);
    // Authenticated, over TLS (STARTTLS), from the configured sender.
    assert.equal(got.user, 'relay');
    assert.equal(got.secure, true);
    assert.deepEqual(got.envelopeTo, [u.email]);
    assert.equal(got.mail.from?.text, '"Acme Directory" <no-reply@acme.test>');
    assert.equal(got.mail.to && !Array.isArray(got.mail.to) ? got.mail.to.text : '', u.email);
    assert.equal(got.mail.subject, 'Your Acme Directory password was changed');
    assert.equal(got.mail.messageId, row.message_id);
    assert.match(
      row.message_id!,
      new RegExp(`^<password_changed\\.${row.id}\\.[0-9a-z]+\\.[0-9a-f]{12}@acme\\.test>$`),
    );
    assert.equal(got.mail.date?.getTime(), Math.floor(row.created_at / 1000) * 1000);
    assert.equal(got.mail.headers.get('auto-submitted'), 'auto-generated');
    const when = utc(change!.changed_at);
    assert.equal(
      got.mail.text,
      [
        `Hello ${u.email},`,
        '',
        `The password of your Acme Directory user ${u.email} in zpass demo (account ${t.demo.account_id}) was changed on ${when}.`,
        '',
        "Your account's owner changed it.",
        '',
        'If you did not make or expect this change, reset your password now at',
        'https://id.acme.test/signin/reset',
        "and tell your account's administrator.",
        '',
        'If you made it, you need not do anything.',
        '',
        '-- Acme Directory',
        'This message was sent automatically; replies are not read.',
        '',
      ].join('\n'),
    );
    const html = String(got.mail.html);
    assert.ok(html.includes(`<strong>${u.email}</strong>`));
    assert.ok(html.includes(`<strong>${when}</strong>`));
    assert.ok(html.includes('<a href="https://id.acme.test/signin/reset">reset your password now</a>'));
    assert.ok(!got.raw.toString('utf8').includes('Notice-Pass-81'), 'never the password');
    assert.ok(!JSON.stringify(t.logs).includes(PASS), 'the SMTP password is never logged');
    assert.ok(t.logs.some((l) => l.includes('"msg":"mail server reachable"')));
  });

  it('says whether the user or an admin made the change, and never who the admin was', async () => {
    const admin = await addUser(t, { role: 'admin' });
    const { token: adminToken } = await appWithToken(t, ['user:write:admin'], admin.email);
    const byAdmin = await addUser(t);
    assert.equal((await putPassword(t, adminToken, byAdmin.id, 'By-Admin-Pass-5')).status, 204);
    const self = await addUser(t);
    const own = await issueUserToken(t.server.ctx, self.email, ['user:write'], 600);
    assert.equal((await putPassword(t, own.access_token, 'me', 'By-Self-Pass-55')).status, 204);
    await waitFor(
      'both notices',
      () => smtp.to(byAdmin.email).length === 1 && smtp.to(self.email).length === 1,
    );
    const adminText = smtp.to(byAdmin.email)[0]!.mail.text ?? '';
    assert.ok(adminText.includes('\nAn administrator of your account changed it.\n'), adminText);
    assert.ok(!adminText.includes(admin.email), 'the admin is named by role only');
    const selfText = smtp.to(self.email)[0]!.mail.text ?? '';
    assert.ok(selfText.includes('\nYou changed it yourself.\n'), selfText);
  });

  it('sends one message per change, each with its own Message-ID', async () => {
    const u = await addUser(t);
    for (const p of ['Series-Pass-11', 'Series-Pass-22', 'Series-Pass-33']) {
      assert.equal((await putPassword(t, token, u.id, p)).status, 204);
    }
    await waitFor('three notices', () => smtp.to(u.email).length === 3);
    // The server has a message before the relay has its reply and records it as sent.
    await waitFor('three rows recorded', async () =>
      (await rowsFor(t, u.email)).every((r) => r.status !== 'pending'),
    );
    const rows = await rowsFor(t, u.email);
    assert.deepEqual(
      rows.map((r) => r.status),
      ['sent', 'sent', 'sent'],
    );
    const ids = smtp.to(u.email).map((r) => r.mail.messageId);
    assert.equal(new Set(ids).size, 3);
    assert.deepEqual(new Set(ids), new Set(rows.map((r) => r.message_id)));
  });

  it('fails a notice at once on a 550 reply, with the reason, and delivers nothing', async () => {
    const u = await addUser(t);
    smtp.behave = (rcpt) =>
      rcpt === u.email
        ? { kind: 'reject', code: 550, text: '5.1.1 Mailbox unavailable' }
        : { kind: 'accept' };
    try {
      assert.equal((await putPassword(t, token, u.id, 'Reject-Pass-550')).status, 204);
      await waitFor('the failure', async () => (await onlyRow(t, u.email)).status === 'failed');
      const row = await onlyRow(t, u.email);
      assert.equal(row.attempts, 1);
      assert.match(row.last_error!, /550/);
      assert.match(row.last_error!, /Mailbox unavailable/);
      assert.equal(smtp.to(u.email).length, 0);
    } finally {
      smtp.behave = () => ({ kind: 'accept' });
    }
  });

  it('retries 4xx replies with backoff, a bounded number of times, then marks the notice failed', async () => {
    const u = await addUser(t);
    smtp.behave = (rcpt) =>
      rcpt === u.email ? { kind: 'reject', code: 451, text: '4.3.0 Try again later' } : { kind: 'accept' };
    try {
      assert.equal((await putPassword(t, token, u.id, 'Greylist-Pass-451')).status, 204);
      await waitFor('the failure', async () => (await onlyRow(t, u.email)).status === 'failed');
      const row = await onlyRow(t, u.email);
      assert.equal(row.attempts, FAST.maxAttempts);
      assert.match(row.last_error!, /451/);
      assert.equal(smtp.to(u.email).length, 0);
      assert.ok(t.logs.some((l) => l.includes('"mail failed after 4 attempts"')));
    } finally {
      smtp.behave = () => ({ kind: 'accept' });
    }
  });

  it('delivers once after a temporary 451 clears', async () => {
    const u = await addUser(t);
    let refusals = 0;
    smtp.behave = (rcpt) => {
      if (rcpt === u.email && refusals < 2) {
        refusals++;
        return { kind: 'reject', code: 451, text: '4.7.1 Greylisted' };
      }
      return { kind: 'accept' };
    };
    try {
      assert.equal((await putPassword(t, token, u.id, 'Greylist-Pass-452')).status, 204);
      await waitFor('the notice', () => smtp.to(u.email).length === 1);
      // The server has the message before the relay records it as sent.
      await waitFor('the row marked sent', async () => (await onlyRow(t, u.email)).status === 'sent');
      const row = await onlyRow(t, u.email);
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 3);
      assert.equal(refusals, 2);
    } finally {
      smtp.behave = () => ({ kind: 'accept' });
    }
  });

  it('retries a dropped connection and then delivers exactly once', async () => {
    const u = await addUser(t);
    let drops = 0;
    smtp.behave = (rcpt) => {
      if (rcpt === u.email && drops < 1) {
        drops++;
        return { kind: 'drop' };
      }
      return { kind: 'accept' };
    };
    try {
      assert.equal((await putPassword(t, token, u.id, 'Dropped-Pass-77')).status, 204);
      await waitFor('the notice', () => smtp.to(u.email).length === 1);
      await waitFor('the row marked sent', async () => (await onlyRow(t, u.email)).status === 'sent');
      const row = await onlyRow(t, u.email);
      assert.equal(row.attempts, 2);
      assert.equal(smtp.to(u.email).length, 1);
    } finally {
      smtp.behave = () => ({ kind: 'accept' });
    }
  });

  it('a stalled delivery holds up neither other notices nor requests, and is retried once it times out', async () => {
    const stuck = await addUser(t);
    const other = await addUser(t);
    let stalls = 0;
    smtp.behave = (rcpt) => {
      if (rcpt === stuck.email && stalls < 1) {
        stalls++;
        return { kind: 'stall' };
      }
      return { kind: 'accept' };
    };
    try {
      const started = smtp.dataStarted;
      assert.equal((await putPassword(t, token, stuck.id, 'Stalled-Pass-30')).status, 204);
      await waitFor('the stalled delivery', () => smtp.dataStarted > started);
      // While that delivery hangs: requests are answered and another notice goes out.
      assert.equal((await call(`${t.url}/v2/users/${other.id}`, { token })).status, 200);
      assert.equal((await putPassword(t, token, other.id, 'Beside-Stall-31')).status, 204);
      await waitFor('the other notice', () => smtp.to(other.email).length === 1);
      assert.equal(smtp.to(stuck.email).length, 0);
      // The stalled attempt is abandoned after the send timeout and retried.
      await waitFor('the retried notice', () => smtp.to(stuck.email).length === 1, 20_000);
      await waitFor('the row marked sent', async () => (await onlyRow(t, stuck.email)).status === 'sent');
      const row = await onlyRow(t, stuck.email);
      assert.equal(row.attempts, 2);
      assert.equal(smtp.to(stuck.email)[0]!.mail.messageId, row.message_id, 'the retry keeps the Message-ID');
    } finally {
      smtp.releaseStalls();
      smtp.behave = () => ({ kind: 'accept' });
    }
  });

  it('fails a notice to a malformed address at once, without trying the server', async () => {
    const u = await addUser(t);
    const bad = `not an address ${u.id}`;
    await t.server.store.db.updateTable('users').set({ email: bad }).where('id', '=', u.id).execute();
    const before = smtp.dataStarted;
    assert.equal((await putPassword(t, token, u.id, 'Malformed-Pass-9')).status, 204);
    await waitFor('the failure', async () => (await onlyRow(t, bad)).status === 'failed');
    const row = await onlyRow(t, bad);
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, `the recipient address ${JSON.stringify(bad)} is malformed`);
    assert.equal(smtp.dataStarted, before);
  });

  it("gives the user's local time when the notice carries a time zone", async () => {
    const email = `tz-${Date.now()}@example.test`;
    const at = Date.UTC(2026, 0, 15, 23, 40);
    await t.server.store.transaction((tx) =>
      outbox.insert(tx, {
        kind: 'password_changed',
        account_id: t.demo.account_id,
        recipient: email,
        payload: JSON.stringify({ email, changed_at: at, changed_by: 'self', timezone: 'America/New_York' }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: Date.now(),
        last_error: null,
        created_at: Date.now(),
        sent_at: null,
      }),
    );
    await waitFor('the notice', () => smtp.to(email).length === 1);
    const text = smtp.to(email)[0]!.mail.text ?? '';
    assert.ok(
      text.includes('was changed on 2026-01-15 23:40 UTC (2026-01-15 18:40 (America/New_York)).'),
      text,
    );
  });

  it('retries a notice of a kind it has no template for, then marks it failed', async () => {
    const email = `kind-${Date.now()}@example.test`;
    await t.server.store.transaction((tx) =>
      outbox.insert(tx, {
        kind: 'no_such_kind',
        account_id: t.demo.account_id,
        recipient: email,
        payload: '{}',
        status: 'pending',
        attempts: 0,
        next_attempt_at: Date.now(),
        last_error: null,
        created_at: Date.now(),
        sent_at: null,
      }),
    );
    await waitFor('the failure', async () => (await onlyRow(t, email)).status === 'failed');
    const row = await onlyRow(t, email);
    assert.equal(row.attempts, FAST.maxAttempts);
    assert.equal(row.last_error, 'no template for notices of kind "no_such_kind"');
    assert.equal(smtp.to(email).length, 0);
  });

  it('keeps notices while the SMTP server is down and delivers each once when it is back', async () => {
    const u = await addUser(t);
    await smtp.stop();
    try {
      assert.equal((await putPassword(t, token, u.id, 'Server-Down-Pass-1')).status, 204);
      await waitFor('two failed attempts', async () => (await onlyRow(t, u.email)).attempts >= 2);
      const row = await onlyRow(t, u.email);
      assert.equal(row.status, 'pending');
      assert.match(row.last_error!, /ECONNECTION|ECONNREFUSED/);
      assert.ok(!row.last_error!.includes(PASS));
    } finally {
      await smtp.start();
    }
    await waitFor('the notice', () => smtp.to(u.email).length === 1, 20_000);
    await waitFor('the row marked sent', async () => (await onlyRow(t, u.email)).status === 'sent');
    assert.equal(smtp.to(u.email).length, 1);
  });
});

describe(`mail relay over SMTPS (${STORE})`, () => {
  it('delivers over implicit TLS', async () => {
    const tls = await selfSignedCert();
    const smtp = await new TestSmtp({ secure: true, tls }).start();
    const t = await startTestServer({
      mail: { ...FAST, smtpUrl: `smtps://127.0.0.1:${smtp.port}`, smtpCaFile: tls.certFile },
    });
    try {
      const token = await accountToken(t);
      const u = await addUser(t);
      assert.equal((await putPassword(t, token, u.id, 'Implicit-Tls-Pass-1')).status, 204);
      await waitFor('the notice', () => smtp.to(u.email).length === 1);
      assert.equal(smtp.to(u.email)[0]!.secure, true);
      assert.equal(smtp.to(u.email)[0]!.mail.subject, 'Your zpass password was changed');
    } finally {
      await t.stop();
      await smtp.stop();
    }
  });
});

describe(`mail relay with refused SMTP credentials (${STORE})`, () => {
  it('keeps the notice pending and never stores or logs the password', async () => {
    const smtp = await new TestSmtp({ auth: { user: 'relay', pass: 'right-secret' } }).start();
    const wrong = 'wr0ng-Secret-value';
    const t = await startTestServer({
      mail: { ...FAST, smtpUrl: `smtp://relay:${wrong}@127.0.0.1:${smtp.port}` },
    });
    try {
      const token = await accountToken(t);
      const u = await addUser(t);
      assert.equal((await putPassword(t, token, u.id, 'Auth-Fail-Pass-1')).status, 204);
      await waitFor('two refused attempts', async () => (await onlyRow(t, u.email)).attempts >= 2);
      const row = await onlyRow(t, u.email);
      assert.equal(row.status, 'pending');
      assert.match(row.last_error!, /EAUTH/);
      assert.ok(smtp.authFailures >= 1, `auth failures seen: ${smtp.authFailures}`);
      const everything = JSON.stringify(await rowsFor(t, u.email)) + t.logs.join('');
      assert.ok(!everything.includes(wrong), `the SMTP password appears nowhere: ${everything}`);
      assert.ok(t.logs.some((l) => l.includes('smtp://relay:***@127.0.0.1')));
      await waitFor('the start-up check', () => t.logs.some((l) => l.includes('mail server not usable yet')));
      assert.match(t.logs.find((l) => l.includes('mail server not usable yet'))!, /"error":"EAUTH /);
    } finally {
      await t.stop();
      await smtp.stop();
    }
  });
});

describe(`mail relay without SMTP_URL (${STORE})`, () => {
  it('writes each notice as an .eml file in <data>/mail and logs its name', async () => {
    const t = await startTestServer({ mail: { ...FAST } });
    try {
      const token = await accountToken(t);
      const u = await addUser(t);
      assert.equal((await putPassword(t, token, u.id, 'File-Pass-1234')).status, 204);
      await waitFor('the row marked sent', async () => (await onlyRow(t, u.email)).status === 'sent');
      const row = await onlyRow(t, u.email);
      const { readdirSync, readFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const files = readdirSync(join(t.dataDir, 'mail')).filter((f) =>
        f.endsWith(`-password_changed-${row.id}.eml`),
      );
      assert.equal(files.length, 1);
      const file = join(t.dataDir, 'mail', files[0]!);
      const { simpleParser } = await import('mailparser');
      const mail = await simpleParser(readFileSync(file));
      assert.equal(mail.subject, 'Your zpass password was changed');
      assert.equal(mail.messageId, row.message_id);
      assert.ok(mail.text?.includes(`reset your password now at\n${t.url}/signin/reset\n`), mail.text);
      assert.ok(t.logs.some((l) => l.includes(`"msg":"mail written to ${file}"`)));
    } finally {
      await t.stop();
    }
  });
});

describe(`two relays on one store (${STORE})`, () => {
  it('deliver every notice exactly once between them', async () => {
    const smtp = await new TestSmtp().start();
    const mail = { ...FAST, smtpUrl: `smtp://127.0.0.1:${smtp.port}` };
    const t = await startTestServer({ mail });
    // On PostgreSQL the second relay has its own connection pool, as another server would;
    // on SQLite it shares the handle (two handles in one process would block each other).
    let second: Store = t.server.store;
    if (t.databaseUrl) second = openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
    const other = createRelay({
      store: second,
      clock: t.server.ctx.clock,
      logger: t.server.app.log as never,
      dataDir: t.dataDir,
      databaseUrl: t.databaseUrl,
      mail,
      serverUrl: t.url,
    });
    await other.start();
    try {
      const token = await accountToken(t);
      const users = await Promise.all(Array.from({ length: 8 }, () => addUser(t)));
      const results = await Promise.all(
        users.map((u, i) => putPassword(t, token, u.id, `Two-Relays-Pass-${i}`)),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        users.map(() => 204),
      );
      await waitFor('eight notices', () => users.every((u) => smtp.to(u.email).length >= 1));
      await new Promise((r) => setTimeout(r, 500));
      for (const u of users) assert.equal(smtp.to(u.email).length, 1, `one message to ${u.email}`);
      const counts = await sql<{
        n: number;
      }>`select count(*) as n from outbox where status = 'sent' and attempts = 1`.execute(t.server.store.db);
      assert.equal(Number(counts.rows[0]!.n), 8);
    } finally {
      await other.stop();
      if (second !== t.server.store) await second.close();
      await t.stop();
      await smtp.stop();
    }
  });
});

describe(`a relay in another process is woken by NOTIFY (${STORE})`, {
  skip: onPostgres() ? false : 'LISTEN/NOTIFY is PostgreSQL only; SQLite relays in other processes poll',
}, () => {
  it('delivers at once although its poll is an hour away', async () => {
    const smtp = await new TestSmtp().start();
    const mail = { ...FAST, smtpUrl: `smtp://127.0.0.1:${smtp.port}` };
    // The server runs no relay; the other relay has its own pool and only NOTIFY to wake it.
    const t = await startTestServer({ mail: { ...mail, relay: false } });
    const store = openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
    const worker = createRelay({
      store,
      clock: t.server.ctx.clock,
      logger: t.server.app.log as never,
      dataDir: t.dataDir,
      databaseUrl: t.databaseUrl,
      mail: { ...mail, pollMs: 3_600_000 },
      serverUrl: t.url,
    });
    await worker.start();
    try {
      const token = await accountToken(t);
      for (let i = 0; i < 3; i++) {
        const u = await addUser(t);
        assert.equal((await putPassword(t, token, u.id, `Notify-Pass-${i}x`)).status, 204);
        await waitFor(`notice ${i}`, () => smtp.to(u.email).length === 1, 10_000);
      }
      // The listening connection is killed: a notice committed meanwhile goes out once
      // the relay listens again, and later ones as before.
      const killed = await onDatabase(t.databaseUrl!, (c) =>
        c.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'",
        ),
      );
      assert.equal(killed.rowCount, 1);
      for (let i = 3; i < 5; i++) {
        const u = await addUser(t);
        assert.equal((await putPassword(t, token, u.id, `Notify-Pass-${i}x`)).status, 204);
        await waitFor(`notice ${i}`, () => smtp.to(u.email).length === 1, 15_000);
      }
    } finally {
      await worker.stop();
      await store.close();
      await t.stop();
      await smtp.stop();
    }
  });
});

describe(`stopping the relay with a delivery in flight (${STORE})`, () => {
  it('makes the notice due again at once, and a restarted relay delivers it once', async () => {
    const smtp = await new TestSmtp().start();
    let stalls = 0;
    smtp.behave = () => (stalls++ === 0 ? { kind: 'stall' } : { kind: 'accept' });
    const mail = {
      ...FAST,
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      sendTimeoutMs: 30_000,
      leaseMs: 60_000,
    };
    const t = await startTestServer({ mail });
    let next: ReturnType<typeof createRelay> | undefined;
    try {
      const token = await accountToken(t);
      const u = await addUser(t);
      assert.equal((await putPassword(t, token, u.id, 'Shutdown-Pass-1')).status, 204);
      await waitFor('the stalled delivery', () => smtp.dataStarted === 1);
      await t.server.relay!.stop(200);
      const row = await onlyRow(t, u.email);
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.ok(row.next_attempt_at <= Date.now(), 'due again now, not after the lease');
      assert.equal(
        row.last_error,
        'interrupted by shutdown (the message may or may not have been delivered)',
      );
      smtp.releaseStalls();
      next = createRelay({
        store: t.server.store,
        clock: t.server.ctx.clock,
        logger: t.server.app.log as never,
        dataDir: t.dataDir,
        mail,
        serverUrl: t.url,
      });
      await next.start();
      await waitFor('the notice', () => smtp.to(u.email).length === 1);
      await waitFor('the row marked sent', async () => (await onlyRow(t, u.email)).status === 'sent');
      assert.equal((await onlyRow(t, u.email)).attempts, 2);
    } finally {
      await next?.stop();
      await t.stop();
      await smtp.stop();
    }
  });
});
