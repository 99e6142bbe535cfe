import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../src/server.js';
import { call, type JsonResponse, startTestServer, tempDir } from './helpers.js';
import { createTestDatabase, dropTestDatabase, onPostgres } from './pg.js';
import { faultyRelay } from './relay.js';

const needsPostgres = { skip: onPostgres() ? false : 'runs on the PostgreSQL pass' };

/** Calls `url` until `done` holds (at most `tries` times, a short pause between): a state change seen from outside. */
async function until(url: string, done: (r: JsonResponse) => boolean, tries = 100): Promise<JsonResponse> {
  let r = await call(url);
  for (let i = 1; i < tries && !done(r); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    r = await call(url);
  }
  return r;
}

describe('GET /healthz and GET /readyz', () => {
  it('answer 200 without authentication, are never rate limited, and write no log line per call', async () => {
    const t = await startTestServer();
    try {
      const health = await call(`${t.url}/healthz`);
      assert.equal(health.status, 200, health.text);
      assert.deepEqual(health.body, { status: 'ok' });
      const ready = await call(`${t.url}/readyz`);
      assert.equal(ready.status, 200, ready.text);
      assert.deepEqual(ready.body, { status: 'ready', checks: { store: 'ok', migrations: 'ok' } });
      assert.equal(ready.headers.get('cache-control'), 'no-store');
      const many = await Promise.all(Array.from({ length: 60 }, () => call(`${t.url}/readyz`)));
      assert.deepEqual(
        many.map((r) => r.status),
        many.map(() => 200),
      );
      // The server logs at debug here: still no request line for the probes.
      assert.deepEqual(
        t.logs.filter((l) => l.includes('/healthz') || l.includes('/readyz')),
        [],
      );
      // Not in the API's description.
      const openapi = await call(`${t.url}/openapi.json`);
      assert.equal(JSON.stringify(openapi.body).includes('/readyz'), false);
    } finally {
      await t.stop();
    }
  });

  it('readiness fails while Redis is unreachable and recovers when it is back; health stays 200', async () => {
    const relay = await faultyRelay({ host: '127.0.0.1', port: 6379 });
    const t = await startTestServer({ redis: `redis://127.0.0.1:${relay.port}` });
    try {
      const ready = await call(`${t.url}/readyz`);
      assert.equal(ready.status, 200, ready.text);
      assert.deepEqual(ready.body, {
        status: 'ready',
        checks: { store: 'ok', migrations: 'ok', redis: 'ok' },
      });
      await relay.cut();
      const down = await until(`${t.url}/readyz`, (r) => r.status !== 200);
      assert.equal(down.status, 503, down.text);
      assert.deepEqual(down.body, {
        status: 'not ready',
        checks: { store: 'ok', migrations: 'ok', redis: 'unreachable' },
      });
      assert.equal((await call(`${t.url}/healthz`)).status, 200);
      await relay.restore();
      const back = await until(`${t.url}/readyz`, (r) => r.status === 200);
      assert.equal(back.status, 200, back.text);
    } finally {
      await t.stop();
      await relay.close();
    }
  });

  it('readiness fails first during a graceful shutdown, while requests are still served', async () => {
    const t = await startTestServer({ shutdownDelayMs: 4000 });
    const stopping = t.stop();
    try {
      const ready = await call(`${t.url}/readyz`);
      assert.equal(ready.status, 503, ready.text);
      assert.deepEqual(ready.body, {
        status: 'not ready',
        checks: { shutdown: 'shutting down', store: 'ok', migrations: 'ok' },
      });
      assert.equal((await call(`${t.url}/healthz`)).status, 200);
      assert.equal((await call(`${t.url}/openapi.json`)).status, 200);
    } finally {
      await stopping;
    }
  });

  it('readiness fails while PostgreSQL is unreachable; health stays 200', needsPostgres, async () => {
    const databaseUrl = await createTestDatabase();
    const direct = new URL(databaseUrl);
    const relay = await faultyRelay({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaRelay = new URL(databaseUrl);
    viaRelay.port = String(relay.port);
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: tempDir(),
      databaseUrl: viaRelay.toString(),
      logLevel: 'silent',
      trustProxy: false,
      migrate: true,
      print: () => {},
      mail: { relay: false },
    });
    try {
      assert.equal((await call(`${server.url}/readyz`)).status, 200);
      await relay.cut();
      const down = await until(`${server.url}/readyz`, (r) => r.status !== 200);
      assert.equal(down.status, 503, down.text);
      assert.deepEqual(down.body, {
        status: 'not ready',
        checks: { store: 'unreachable', migrations: 'unknown' },
      });
      assert.equal((await call(`${server.url}/healthz`)).status, 200);
      await relay.restore();
      const back = await until(`${server.url}/readyz`, (r) => r.status === 200);
      assert.equal(back.status, 200, back.text);
    } finally {
      await server.close();
      await relay.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
