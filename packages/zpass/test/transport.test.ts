// Transport as Zoom's clients meet it: an empty body is no body whatever its Content-Type
// (Rivet sends `Content-Type: application/json` without a body on GET and DELETE), and
// every response carries a tracking id in Zoom's format that is also the request's log id.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { serveConfig } from '../src/config.js';
import { users } from '../src/store/repositories/users.js';
import { accountToken, addUser, call, startTestServer, type TestServer } from './helpers.js';

const TRACKING = /^v=2\.0;clid=zp1;rid=WEB_[0-9a-f]{32}$/;

/** One request through node:http, so that the headers are exactly those given (fetch adds its own). */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('an empty body is no body, whatever its Content-Type', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  const types = [
    'application/json',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
  ];

  for (const type of types) {
    it(`DELETE /v2/users/{id} with Content-Type ${type} and no body answers 204`, async () => {
      const u = await addUser(t);
      // As fetch sends it: no Content-Length at all.
      const res = await raw(`${t.url}/v2/users/${u.id}?action=delete`, 'DELETE', {
        authorization: `Bearer ${token}`,
        'content-type': type,
      });
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      assert.equal(await users.byId(t.server.store.db, u.id), undefined);
    });

    it(`GET /v2/users/{id} with Content-Type ${type} and Content-Length 0 answers 200`, async () => {
      const u = await addUser(t);
      const res = await raw(`${t.url}/v2/users/${u.id}`, 'GET', {
        authorization: `Bearer ${token}`,
        'content-type': type,
        'content-length': '0',
      });
      assert.equal(res.status, 200, res.text);
      assert.equal((JSON.parse(res.text) as { id: string }).id, u.id);
    });
  }

  it("DELETE through fetch with Content-Type application/json and no body (Rivet's request) answers 204", async () => {
    const u = await addUser(t);
    const res = await call(`${t.url}/v2/users/${u.id}`, {
      method: 'DELETE',
      token,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 204, res.text);
    assert.notEqual((await users.byId(t.server.store.db, u.id))?.account_id, t.demo.account_id);
  });

  it('an empty chunked JSON body is no body either', async () => {
    const u = await addUser(t);
    const res = await raw(`${t.url}/v2/users/${u.id}?action=delete`, 'DELETE', {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    assert.equal(res.status, 204, res.text);
  });

  it('a write that needs a body, sent empty, is judged as one without a body (not as bad JSON)', async () => {
    const u = await addUser(t);
    const res = await raw(`${t.url}/v2/users/${u.id}/password`, 'PUT', {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': '0',
    });
    assert.equal(res.status, 400);
    const body = JSON.parse(res.text) as { code: number; message: string };
    assert.equal(body.code, 300);
    assert.equal(body.message, 'Validation Failed.');
  });

  it('a body that is there is still parsed and judged: whitespace is not valid JSON', async () => {
    const u = await addUser(t);
    const res = await raw(
      `${t.url}/v2/users/${u.id}/password`,
      'PUT',
      {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': '1',
      },
      ' ',
    );
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), {
      code: 300,
      message: 'Request Body should be a valid JSON object.',
    });
  });
});

describe("x-zm-trackingid in Zoom's format", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('is v=2.0;clid=<cluster>;rid=WEB_<32 hex>, different on every response, and the log id of the request', async () => {
    const token = await accountToken(t);
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await call(`${t.url}/v2/users/me`, { token });
      const id = res.headers.get('x-zm-trackingid') ?? '';
      assert.match(id, TRACKING);
      ids.add(id);
    }
    assert.equal(ids.size, 20);
    const refused = await call(`${t.url}/v2/users/me`);
    const id = refused.headers.get('x-zm-trackingid') ?? '';
    assert.match(id, TRACKING);
    const lines = t.logs
      .flatMap((c) => c.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { reqId?: string });
    assert.ok(
      lines.some((l) => l.reqId === id),
      'the tracking id is the reqId of the request in the logs',
    );
  });

  it('names the configured cluster (ZPASS_CLUSTER), which must be a plain name', async () => {
    const other = await startTestServer({ cluster: 'eu-2' });
    try {
      const res = await call(`${other.url}/v2/users/me`);
      assert.match(res.headers.get('x-zm-trackingid') ?? '', /^v=2\.0;clid=eu-2;rid=WEB_[0-9a-f]{32}$/);
    } finally {
      await other.stop();
    }
    assert.equal(serveConfig({}, { ZPASS_CLUSTER: 'va1' }).cluster, 'va1');
    assert.equal(serveConfig({}, {}).cluster, undefined);
  });

  it('reports every mistake of the configuration at once, one line each', () => {
    assert.throws(
      () => serveConfig({}, { ZPASS_PORT: 'eighty', ZPASS_LOG_LEVEL: 'loud', ZPASS_DEMO: 'maybe' }),
      (err: Error) => {
        const lines = err.message.split('\n');
        assert.equal(lines.length, 3, err.message);
        assert.match(lines[0]!, /ZPASS_PORT/);
        assert.match(lines[1]!, /ZPASS_LOG_LEVEL/);
        assert.match(lines[2]!, /ZPASS_DEMO/);
        return true;
      },
    );
    assert.throws(() => serveConfig({}, { ZPASS_CLUSTER: 'a;rid=x' }), /ZPASS_CLUSTER/);
  });
});
