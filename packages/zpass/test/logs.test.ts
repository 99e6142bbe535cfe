import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { startServer } from '../src/server.js';
import { credentials } from '../src/store/repositories/passwords.js';
import {
  accountToken,
  addUser,
  basic,
  call,
  putPassword,
  startTestServer,
  type TestServer,
  tempDir,
  tokenRequest,
} from './helpers.js';
import { databaseFor, dropTestDatabase } from './pg.js';

/**
 * No log line ever holds a password, a client secret, an access token or an
 * Authorization header, whatever the request and its outcome; requests are logged.
 */

/** Like startTestServer, at another log level (trace makes plugins log their options). */
async function startServerAt(logLevel: string): Promise<TestServer> {
  const dataDir = tempDir();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const databaseUrl = await databaseFor(dataDir);
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl,
    migrate: true,
    logLevel,
    trustProxy: false,
    logStream,
    print: () => {},
  });
  assert.ok(server.demo);
  return {
    server,
    url: server.url,
    demo: server.demo,
    dataDir,
    databaseUrl,
    logs,
    async stop() {
      await server.close();
      if (databaseUrl) await dropTestDatabase(databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Scenario {
  /** Every secret value the scenario sent or received, with a label for messages. */
  secrets: Array<[string, string]>;
  userId: string;
}

/** Token requests, password changes in every encoding, refusals. */
async function runScenario(t: TestServer): Promise<Scenario> {
  const secrets: Array<[string, string]> = [];
  const secret = (label: string, value: string) => {
    secrets.push([label, value]);
    return value;
  };
  const { account_id: accountId, client_id: clientId, client_secret: clientSecret } = t.demo;
  secret('client secret', clientSecret);
  secret('demo owner password', t.demo.owner.password);
  secret('demo member password', t.demo.member.password);
  const basicHeader = secret('Basic header', basic(clientId, clientSecret));
  secret('Basic credentials', basicHeader.slice('Basic '.length));

  // Tokens: parameters in the query string, in a urlencoded body and in a multipart body.
  const token = secret('token (query)', await accountToken(t));
  secret('Bearer header', `Bearer ${token}`);
  const form = await tokenRequest(t, {
    form: { grant_type: 'account_credentials', account_id: accountId },
    authorization: basicHeader,
  });
  assert.equal(form.status, 200);
  secret('token (form)', (form.body as { access_token: string }).access_token);
  const fd = new FormData();
  fd.set('grant_type', 'account_credentials');
  fd.set('account_id', accountId);
  const multi = await call(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basicHeader },
    body: fd,
  });
  assert.equal(multi.status, 200);
  secret('token (multipart)', (multi.body as { access_token: string }).access_token);

  // A wrong secret, and a secret put in the query string.
  const wrongSecret = secret('wrong secret', 'Wrong-Secret-0123456789abcdef');
  const wrongBasic = secret('wrong Basic header', basic(clientId, wrongSecret));
  const wrong = await tokenRequest(t, {
    query: { grant_type: 'account_credentials', account_id: accountId },
    authorization: wrongBasic,
  });
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.body, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
  const inQuery = await tokenRequest(t, {
    query: {
      grant_type: 'account_credentials',
      account_id: accountId,
      client_id: clientId,
      client_secret: clientSecret,
    },
  });
  assert.equal(inQuery.status, 400);

  // Password changes: JSON, multipart and urlencoded, with characters that encode differently.
  const u = await addUser(t, { password: secret('initial password', 'Initial Pass+0&ok') });
  const json = secret('JSON password', 'Json Pass+1&ok/é');
  assert.equal((await putPassword(t, token, u.id, json)).status, 204);
  const mp = new FormData();
  mp.set('password', secret('multipart password', 'Multi Pass+2&ok/é'));
  assert.equal(
    (await call(`${t.url}/v2/users/${u.id}/password`, { method: 'PUT', token, body: mp })).status,
    204,
  );
  const urlencoded = await call(`${t.url}/v2/users/${u.id}/password`, {
    method: 'PUT',
    token,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password: secret('urlencoded password', 'Form Pass+3&ok/é') }).toString(),
  });
  assert.equal(urlencoded.status, 204);
  secret('stored hash', (await credentials.get(t.server.store.db, u.id))!.phc);

  // A user-level token changing its own password.
  const userToken = await issueUserToken(t.server.ctx, u.email, ['user:write'], 600);
  secret('user token', userToken.access_token);
  const self = await putPassword(
    t,
    userToken.access_token,
    'me',
    secret('self-service password', 'Self Pass+4&ok'),
  );
  assert.equal(self.status, 204);

  // The token in the query string.
  const q = await call(`${t.url}/v2/users/${u.id}/password?access_token=${encodeURIComponent(token)}`, {
    method: 'PUT',
    json: { password: secret('password sent with a query token', 'Query-Pass-5x') },
  });
  assert.equal(q.status, 401);
  assert.deepEqual(q.body, {
    code: 124,
    message: 'Invalid access token, this access token is not supported as query parameter string.',
  });

  // An unknown token.
  const unknownToken = secret('unknown token', 'NotARealToken0123456789abcdefXYZ');
  const unknown = await putPassword(
    t,
    unknownToken,
    u.id,
    secret('password with an unknown token', 'Unknown-Pass-6x'),
  );
  assert.equal(unknown.status, 401);

  // Refused passwords.
  const refusals: Array<[string, unknown, number]> = [
    ['too short', 'Ab1defg', 1124],
    ['a run', 'abcdefgh', 1131],
    ['one case', 'lowercase-only-7', 1128],
    ['the current one', 'Self Pass+4&ok', 300],
    ['a control character', 'Ctrl-Pass-8\u0000x', 300],
    ['too long', `Too-Long-Pass-9${'z'.repeat(40)}`, 300],
  ];
  for (const [label, password, code] of refusals) {
    const res = await putPassword(t, token, u.id, secret(`refused password (${label})`, password as string));
    assert.equal(res.status, 400);
    assert.equal((res.body as { code: number }).code, code);
  }
  const broken = await call(`${t.url}/v2/users/${u.id}/password`, {
    method: 'PUT',
    token,
    headers: { 'content-type': 'application/json' },
    body: `{"password":"${secret('password in broken JSON', 'Broken-Json-10x')}"`,
  });
  assert.equal(broken.status, 400);
  const withFile = new FormData();
  withFile.set('password', secret('password beside a file part', 'File-Part-Pass-11'));
  withFile.set('attachment', new Blob([secret('file content', 'File-Content-Secret-12')]), 'a.txt');
  const filePart = await call(`${t.url}/v2/users/${u.id}/password`, { method: 'PUT', token, body: withFile });
  assert.equal(filePart.status, 413);
  return { secrets, userId: u.id };
}

/** The forms a secret can take in a log: as sent, URL-encoded, form-encoded, JSON-escaped. */
function encodings(value: string): string[] {
  const forms = new Set([
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ]);
  return [...forms];
}

for (const level of ['debug', 'trace']) {
  describe(`logs at level ${level}`, () => {
    let t: TestServer;
    let scenario: Scenario;
    let lines: Array<Record<string, unknown>>;

    before(async () => {
      t = level === 'debug' ? await startTestServer() : await startServerAt(level);
      try {
        scenario = await runScenario(t);
      } finally {
        // Stopped before reading the logs: every request's last line is written.
        await t.stop();
      }
      lines = t.logs.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((l) => JSON.parse(l));
    });

    it('writes every line as JSON', () => {
      assert.ok(lines.length > 20, `only ${lines.length} lines`);
      for (const line of lines) assert.equal(typeof line.msg, 'string');
    });

    it('holds no password, client secret, access token or Authorization header', () => {
      assert.ok(scenario.secrets.length >= 25);
      const text = t.logs.join('');
      for (const [label, value] of scenario.secrets) {
        for (const form of encodings(value)) {
          assert.ok(!text.includes(form), `the log holds the ${label}`);
        }
      }
    });

    it('logs no Authorization or Cookie header value and no password field', () => {
      const text = t.logs.join('');
      assert.doesNotMatch(text, /"authorization":"(?!\[redacted\])/i);
      assert.doesNotMatch(text, /"cookie":"(?!\[redacted\])/i);
      assert.doesNotMatch(text, /"password":"(?!\[redacted\])/i);
      assert.doesNotMatch(text, /Bearer [A-Za-z0-9]/);
      assert.doesNotMatch(text, /Basic [A-Za-z0-9]/);
    });

    it('logs each request with its path, and only the names of query parameters', () => {
      const urls = lines
        .map((l) => (l.req as { url?: string; method?: string } | undefined) ?? {})
        .map((r) => `${r.method} ${r.url}`);
      const path = `/v2/users/${scenario.userId}/password`;
      assert.ok(urls.filter((u) => u === `PUT ${path}`).length >= 10, 'the password changes are logged');
      assert.ok(urls.includes(`PUT ${path}?access_token=[redacted]`));
      assert.ok(urls.includes('POST /oauth/token?grant_type=[redacted]&account_id=[redacted]'));
      assert.ok(urls.includes('POST /oauth/token'));
      assert.ok(
        urls.includes(
          'POST /oauth/token?grant_type=[redacted]&account_id=[redacted]&client_id=[redacted]&client_secret=[redacted]',
        ),
      );
      assert.ok(urls.includes('PUT /v2/users/me/password'));
    });

    it('logs outcomes: status codes and the error codes of refusals', () => {
      const statuses = lines
        .map((l) => (l.res as { statusCode?: number } | undefined)?.statusCode)
        .filter((s) => s !== undefined);
      for (const s of [200, 204, 400, 401]) assert.ok(statuses.includes(s), `a response with ${s} is logged`);
      const refused = lines.filter((l) => l.msg === 'request refused').map((l) => l.code);
      for (const code of [1124, 1131, 1128, 300, 124, 'invalid_client'])
        assert.ok(refused.includes(code), `the refusal with code ${code} is logged`);
    });
  });
}
