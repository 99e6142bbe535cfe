import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { acceptInvitation } from '../src/domain/users/invitations.js';
import { startServer } from '../src/server.js';
import { accountToken, startTestServer, type TestServer, tempDir } from './helpers.js';
import { outboxFor } from './queries.js';
import { TestSmtp, waitFor } from './smtp.js';

const FAST = {
  retryBaseMs: 100,
  retryMaxMs: 400,
  pollMs: 100,
  sendTimeoutMs: 2_000,
  leaseMs: 7_000,
  maxAttempts: 4,
};
const PUBLIC = 'https://sign-in.example.test/zpass';

/** One raw HTTP exchange, headers exactly as given (no Host unless listed). */
function raw(url: string, text: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1');
    let data = '';
    sock.on('data', (c) => {
      data += c.toString('utf8');
    });
    sock.on('end', () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    sock.on('error', reject);
    sock.write(text);
  });
}

function linkIn(text: string): string {
  const m = /(\S+\/invitations\/accept\?token=[A-Za-z0-9_-]+)/.exec(text);
  assert.ok(m, text);
  return m[1]!;
}

describe('links come from ZPASS_PUBLIC_URL only', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  let token: string;
  before(async () => {
    smtp = await new TestSmtp().start();
    t = await startTestServer({
      // Trusting every peer is the worst case: the forwarded headers are believed for addresses.
      trustProxy: true,
      mail: { ...FAST, smtpUrl: `smtp://127.0.0.1:${smtp.port}`, publicUrl: PUBLIC },
    });
    token = await accountToken(t);
  });
  after(async () => {
    await t.stop();
    await smtp.stop();
  });

  it('an invitation created with a forged Host and X-Forwarded-Host/-Proto links to the public URL', async () => {
    const email = 'forged.host@example.test';
    const body = JSON.stringify({ action: 'create', user_info: { email, type: 1 } });
    const { port } = new URL(t.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v2/users',
          headers: {
            host: 'attacker.example',
            'x-forwarded-host': 'evil.example',
            'x-forwarded-proto': 'javascript',
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 201);
    await waitFor('the invitation', () => smtp.to(email).length > 0);
    const link = linkIn(smtp.to(email)[0]!.mail.text ?? '');
    assert.ok(link.startsWith(`${PUBLIC}/invitations/accept?token=`), link);
    assert.ok(!(smtp.to(email)[0]!.mail.html || '').includes('evil.example'));
    assert.ok(!(smtp.to(email)[0]!.mail.html || '').includes('attacker.example'));
  });

  it('an HTTP/1.0 request without Host gets an invitation with a whole link', async () => {
    const email = 'no.host@example.test';
    const body = JSON.stringify({ action: 'create', user_info: { email, type: 1 } });
    const res = await raw(
      t.url,
      `POST /v2/users HTTP/1.0\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    assert.equal(res.status, 201, res.body);
    await waitFor('the invitation', () => smtp.to(email).length > 0);
    assert.ok(linkIn(smtp.to(email)[0]!.mail.text ?? '').startsWith(`${PUBLIC}/invitations/accept?token=`));
  });

  it('the token response’s api_url is the public URL, whatever the Host', async () => {
    const res = await raw(
      t.url,
      `POST /oauth/token?grant_type=account_credentials&account_id=${t.demo.account_id} HTTP/1.1\r\nHost: attacker.example\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: javascript\r\nAuthorization: Basic ${Buffer.from(`${t.demo.client_id}:${t.demo.client_secret}`).toString('base64')}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    assert.equal(res.status, 200, res.body);
    const json = JSON.parse(res.body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '')) as {
      api_url: string;
    };
    assert.equal(json.api_url, PUBLIC);
  });

  it('a server refuses to start with a public URL that is not http(s)', async () => {
    for (const bad of [
      'javascript://x/%0aalert(1)',
      'ftp://files.example',
      'https://u:p@x.example',
      '/relative',
    ]) {
      await assert.rejects(
        startServer({
          port: 0,
          host: '127.0.0.1',
          dataDir: tempDir(),
          migrate: true,
          logLevel: 'silent',
          trustProxy: false,
          demo: false,
          mail: { relay: false, publicUrl: bad },
        }),
        /ZPASS_PUBLIC_URL/,
        bad,
      );
    }
  });
});

describe('a retried invitation', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  before(async () => {
    smtp = await new TestSmtp().start();
    t = await startTestServer({ mail: { ...FAST, smtpUrl: `smtp://127.0.0.1:${smtp.port}` } });
  });
  after(async () => {
    await t.stop();
    await smtp.stop();
  });

  it('carries a new Message-ID with each new link, and the delivered link works', async () => {
    const email = 'retried.invite@example.test';
    let calls = 0;
    smtp.behave = (rcpt) =>
      rcpt === email && calls++ === 0
        ? { kind: 'fail-after-data', code: 451, text: 'Try again later' }
        : { kind: 'accept' };
    const token = await accountToken(t);
    const res = await fetch(`${t.url}/v2/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'create', user_info: { email, type: 1 } }),
    });
    assert.equal(res.status, 201);
    await waitFor('the retried invitation', () => smtp.to(email).length > 0);
    await waitFor(
      'the row marked sent',
      async () => (await outboxFor(t.server.store.db, email))[0]!.status === 'sent',
    );
    const first = smtp.refused.find((m) => m.envelopeTo.includes(email))!;
    const second = smtp.to(email)[0]!;
    const firstLink = linkIn(first.mail.text ?? '');
    const secondLink = linkIn(second.mail.text ?? '');
    assert.notEqual(firstLink, secondLink);
    // A copy of the first attempt may still arrive: it must not share the working copy's Message-ID.
    assert.notEqual(first.mail.messageId, second.mail.messageId);
    const tokenOf = (l: string) => decodeURIComponent(new URL(l).searchParams.get('token')!);
    await assert.rejects(
      acceptInvitation(t.server.ctx, tokenOf(firstLink), 'First-Chosen-Pass-1'),
      /not valid/,
    );
    const user = await acceptInvitation(t.server.ctx, tokenOf(secondLink), 'First-Chosen-Pass-1');
    assert.equal(user.status, 'active');
  });
});
