/** Slow clients are cut off and one address cannot hold every connection (issue 16, finding 4). */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';

function open(url: string, localAddress = '127.0.0.1'): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ port: Number(port), host: '127.0.0.1', localAddress }, () => resolve(s));
    s.on('error', reject);
  });
}

/** Resolves with what the server sent once it closes the connection. */
function closed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (c) => {
      data += c.toString();
    });
    s.on('error', () => {});
    s.on('close', () => resolve(data));
  });
}

/** One GET over its own connection from `localAddress`; the status, or 0 when the connection is refused. */
async function get(url: string, localAddress: string): Promise<number> {
  let s: Socket;
  try {
    s = await open(url, localAddress);
  } catch {
    return 0;
  }
  const done = closed(s);
  s.write('GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const text = await done;
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

describe('connection limits', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      connections: {
        headersTimeoutMs: 400,
        requestTimeoutMs: 800,
        idleTimeoutMs: 5_000,
        maxConnectionsPerAddress: 3,
      },
    });
  });
  after(() => t.stop());

  it('cut a slow-body unauthenticated request off after the request timeout', {
    timeout: 30_000,
  }, async () => {
    const s = await open(t.url, '127.0.0.3');
    const done = closed(s);
    s.write(
      'POST /oauth/token?grant_type=account_credentials HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n',
    );
    let sent = 0;
    // One byte every 100 ms: the whole body would take 1000 s.
    const timer = setInterval(() => {
      if (!s.destroyed && s.writable) {
        s.write('a');
        sent++;
      }
    }, 100);
    const answer = await done;
    clearInterval(timer);
    assert.ok(sent < 10_000);
    assert.match(answer, /^HTTP\/1\.1 408 |^$/);
  });

  it('cut a client that never finishes its headers', { timeout: 30_000 }, async () => {
    const s = await open(t.url, '127.0.0.3');
    const done = closed(s);
    s.write('GET /openapi.json HTTP/1.1\r\nHost: x\r\n');
    await done;
    assert.ok(s.destroyed);
  });

  it('refuse connections past the per-address cap, while another address is served', {
    timeout: 30_000,
  }, async () => {
    const held = await Promise.all([1, 2, 3].map(() => open(t.url, '127.0.0.1')));
    // Each answered once (kept alive): the server has counted them.
    await Promise.all(
      held.map(
        (s) =>
          new Promise((resolve) => {
            s.once('data', resolve);
            s.write('GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n');
          }),
      ),
    );
    try {
      assert.equal(await get(t.url, '127.0.0.1'), 0);
      assert.equal(await get(t.url, '127.0.0.2'), 200);
    } finally {
      for (const s of held) s.destroy();
    }
    // Once they close, the address is served again.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) status = await get(t.url, '127.0.0.1');
    assert.equal(status, 200);
  });
});
