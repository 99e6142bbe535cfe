import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ERRORS, type ErrorKind, errorMessage } from '@zpass/contract';
import type { CreatedUser } from '../src/domain/accounts/provisioning.js';
import { Errors, ZoomError } from '../src/domain/errors.js';
import { credentials } from '../src/store/repositories/passwords.js';
import {
  accountToken,
  addUser,
  call,
  type JsonResponse,
  putPassword,
  startTestServer,
  type TestServer,
} from './helpers.js';

/**
 * Whatever a client sends to PUT /v2/users/{userId}/password: a 4xx in Zoom's format
 * (`{"code": <int>, "message": "..."}`), never a 500 or a stack trace, and the user's
 * credential untouched.
 */

const INVALID_JSON = { code: 300, message: 'Request Body should be a valid JSON object.' };
const UNSUPPORTED = {
  code: 300,
  message:
    'Unsupported Content-Type. Send application/json, multipart/form-data or application/x-www-form-urlencoded.',
};
const TOO_LARGE = { code: 300, message: 'Request Body is too large.' };
const MALFORMED = { code: 300, message: 'The request is malformed.' };
const SAME_PASSWORD = { code: 300, message: 'Your new password can not match the old password.' };
const validation = (field: string, message: string) => ({
  code: 300,
  message: 'Validation Failed.',
  errors: [{ field, message }],
});
const TOO_LONG = validation('password', 'Password should be less than 32 characters.');
const CONTROL = validation('password', 'Password must not contain control characters.');
const MB10 = 10 * 1024 * 1024;

/** No stack, no stack frame ("    at fn (file.js:1:2)"), no internal error name in a body. */
function assertNoInternals(text: string): void {
  assert.doesNotMatch(text, /stack/i);
  assert.doesNotMatch(text, /\bat \S+ \(|\bat \/|\.[jt]s:\d+:\d+/);
  assert.doesNotMatch(text, /FST_|Error:|statusCode/);
}

/** A response in Zoom's error format with this status (and this exact body, when given). */
function assertZoomError(res: JsonResponse, status: number, body?: object): void {
  assert.equal(res.status, status, `status of ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(res.headers.get('x-zm-trackingid') ?? '', /^\S+$/);
  const parsed = JSON.parse(res.text) as { code: unknown; message: unknown };
  assert.ok(Number.isInteger(parsed.code), `numeric code in ${res.text}`);
  assert.equal(typeof parsed.message, 'string');
  assertNoInternals(res.text);
  if (body) assert.deepEqual(parsed, body);
}

function multipart(fields: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
}

/** A body sent in 64 kB chunks with no Content-Length (Transfer-Encoding: chunked). */
function chunked(data: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(data);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + 65536)));
      offset += 65536;
    },
  });
}

/** An HTTP request whose path is sent exactly as given (fetch would resolve `..`). */
function rawPut(url: string, path: string, token: string, json: unknown): Promise<JsonResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, text, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(json));
  });
}

/** Bytes written on a bare TCP connection; everything the server answers until it closes. */
function rawSocket(url: string, data: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(data));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      out += c;
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('bad input to PUT /v2/users/{userId}/password', () => {
  let t: TestServer;
  let token: string;
  /** The user every refused request aims at: its credential must stay at version 1. */
  let target: CreatedUser;

  const version = async (userId: string) => (await credentials.get(t.server.store.db, userId))?.version;
  const put = (init: Parameters<typeof call>[1] = {}, userId = target.id) =>
    call(`${t.url}/v2/users/${userId}/password`, { method: 'PUT', token, ...init });
  /** Zoom's error format, the exact body, and the target's credential unchanged. */
  const refused = async (res: JsonResponse, status: number, body: object) => {
    assertZoomError(res, status, body);
    assert.equal(await version(target.id), 1, 'the credential did not change');
  };
  /** The server still serves requests normally. */
  const stillAnswers = async () => {
    const res = await call(`${t.url}/v2/users/${target.id}`, { token });
    assert.equal(res.status, 200);
    assert.equal((res.body as { id: string }).id, target.id);
  };

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
    target = await addUser(t);
    assert.equal(await version(target.id), 1);
  });
  after(() => t.stop());

  describe('JSON bodies', () => {
    const notObjects: Array<[string, string]> = [
      ['invalid JSON', '{"password": "Valid-Pass-123'],
      ['JSON followed by garbage', '{"password":"Valid-Pass-123"} x'],
      ['an array', '["Valid-Pass-123"]'],
      ['a string', '"Valid-Pass-123"'],
      ['null', 'null'],
      ['a number', '42'],
      ['true', 'true'],
      ['only whitespace', '  \n '],
    ];
    for (const [name, body] of notObjects) {
      it(`refuses ${name} with 400 code 300 "Request Body should be a valid JSON object."`, async () => {
        const res = await put({ headers: { 'content-type': 'application/json' }, body });
        await refused(res, 400, INVALID_JSON);
      });
    }

    it('refuses a JSON object whose __proto__ carries the password', async () => {
      const res = await put({
        headers: { 'content-type': 'application/json' },
        body: '{"__proto__":{"password":"Valid-Pass-123"}}',
      });
      await refused(res, 400, validation('password', 'password is required.'));
    });

    const notStrings: Array<[string, unknown]> = [
      ['null', null],
      ['a number', 12345678],
      ['a boolean', true],
      ['an object', { value: 'Valid-Pass-123' }],
      ['an array', ['Valid-Pass-123']],
    ];
    for (const [name, password] of notStrings) {
      it(`refuses a password that is ${name} with 300 Validation Failed`, async () => {
        await refused(
          await putPassword(t, token, target.id, password),
          400,
          validation('password', 'Invalid field.'),
        );
      });
    }

    it('refuses an empty password with 300 Validation Failed', async () => {
      await refused(
        await putPassword(t, token, target.id, ''),
        400,
        validation('password', 'Password is required.'),
      );
    });
  });

  describe('content types', () => {
    it('refuses text/plain with 415 code 300', async () => {
      const res = await put({ headers: { 'content-type': 'text/plain' }, body: 'Valid-Pass-123' });
      await refused(res, 415, UNSUPPORTED);
    });

    it('refuses text/plain that looks like a form with 415 code 300', async () => {
      const res = await put({
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: 'password=Valid-Pass-123',
      });
      await refused(res, 415, UNSUPPORTED);
    });

    it('refuses application/xml with 415 code 300', async () => {
      const res = await put({
        headers: { 'content-type': 'application/xml' },
        body: '<password>Valid-Pass-123</password>',
      });
      await refused(res, 415, UNSUPPORTED);
    });

    it('refuses a body sent without a content type with 415 code 300', async () => {
      // A byte array: fetch sends it with no Content-Type header.
      const res = await put({ body: new Uint8Array(Buffer.from('{"password":"Valid-Pass-123"}')) });
      await refused(res, 415, UNSUPPORTED);
    });

    it('refuses a request with no body at all with 300 Validation Failed', async () => {
      await refused(await put(), 400, validation('body', 'Invalid field.'));
    });
  });

  describe('bodies over the size limit', () => {
    it('refuses a 10 MB JSON body with 413 code 300, and still answers afterwards', async () => {
      const body = JSON.stringify({ password: 'x'.repeat(MB10) });
      await refused(await put({ headers: { 'content-type': 'application/json' }, body }), 413, TOO_LARGE);
      await stillAnswers();
    });

    it('refuses a 10 MB urlencoded body with 413 code 300, and still answers afterwards', async () => {
      const res = await put({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `password=${'x'.repeat(MB10)}`,
      });
      await refused(res, 413, TOO_LARGE);
      await stillAnswers();
    });

    it('refuses a 10 MB multipart body with 413 code 300, and still answers afterwards', async () => {
      await refused(await put({ body: multipart({ password: 'x'.repeat(MB10) }) }), 413, TOO_LARGE);
      await stillAnswers();
    });

    it('refuses a 10 MB multipart body sent chunked (no Content-Length) with 413 code 300', async () => {
      const boundary = 'zpass-test-boundary';
      const data = `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${'x'.repeat(MB10)}\r\n--${boundary}--\r\n`;
      const res = await fetch(`${t.url}/v2/users/${target.id}/password`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body: chunked(data),
        duplex: 'half',
      } as RequestInit);
      const text = await res.text();
      await refused({ status: res.status, headers: res.headers, text, body: undefined }, 413, TOO_LARGE);
      await stillAnswers();
    });

    it('refuses a 10 MB JSON body sent chunked (no Content-Length) with 413 code 300', async () => {
      const res = await fetch(`${t.url}/v2/users/${target.id}/password`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: chunked(JSON.stringify({ password: 'x'.repeat(MB10) })),
        duplex: 'half',
      } as RequestInit);
      const text = await res.text();
      await refused({ status: res.status, headers: res.headers, text, body: undefined }, 413, TOO_LARGE);
      await stillAnswers();
    });

    it('refuses a multipart body of more than 32 fields with 413 code 300', async () => {
      const fields: Record<string, string> = { password: 'Valid-Pass-123' };
      for (let i = 0; i < 40; i++) fields[`f${i}`] = 'x';
      await refused(await put({ body: multipart(fields) }), 413, TOO_LARGE);
      await stillAnswers();
    });
  });

  describe('multipart bodies', () => {
    it('refuses a file part with 413 code 300 (no write takes a file)', async () => {
      const fd = new FormData();
      fd.append('password', 'Valid-Pass-123');
      fd.append('attachment', new Blob(['hello']), 'hello.txt');
      await refused(await put({ body: fd }), 413, TOO_LARGE);
      await stillAnswers();
    });

    it('refuses the password sent as a file part with 413 code 300', async () => {
      const fd = new FormData();
      fd.append('password', new Blob(['Valid-Pass-123']), 'password.txt');
      await refused(await put({ body: fd }), 413, TOO_LARGE);
    });

    it('refuses a 10 MB file part with 413 code 300, and still answers afterwards', async () => {
      const fd = new FormData();
      fd.append('password', new Blob(['x'.repeat(MB10)]), 'big.bin');
      await refused(await put({ body: fd }), 413, TOO_LARGE);
      await stillAnswers();
    });

    it('refuses a multipart content type without a boundary with 300 Validation Failed', async () => {
      const res = await put({
        headers: { 'content-type': 'multipart/form-data' },
        body: 'password=Valid-Pass-123',
      });
      await refused(res, 400, validation('body', 'The multipart body is malformed.'));
      await stillAnswers();
    });

    it('reads a body that is not multipart at all as one with no fields', async () => {
      const res = await put({
        headers: { 'content-type': 'multipart/form-data; boundary=abc' },
        body: 'password=Valid-Pass-123',
      });
      await refused(res, 400, validation('password', 'password is required.'));
    });

    it('refuses a field named __proto__ or constructor with 300 Validation Failed', async () => {
      for (const name of ['__proto__', 'constructor']) {
        const res = await put({ body: multipart({ [name]: 'x', password: 'Valid-Pass-123' }) });
        await refused(res, 400, validation('body', 'The multipart body is malformed.'));
      }
    });

    it('refuses a password given twice, in multipart and urlencoded bodies', async () => {
      const fd = new FormData();
      fd.append('password', 'Valid-Pass-123');
      fd.append('password', 'Valid-Pass-456');
      const expected = validation('password', 'Invalid field.');
      await refused(await put({ body: fd }), 400, expected);
      const form = await put({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'password=Valid-Pass-123&password=Valid-Pass-456',
      });
      await refused(form, 400, expected);
    });
  });

  describe('password values', () => {
    const big = `Aa1${'x'.repeat(100 * 1024)}`;

    it('refuses a 100 kB password in JSON with 300 Validation Failed and a field error', async () => {
      await refused(await putPassword(t, token, target.id, big), 400, TOO_LONG);
    });

    it('refuses a 100 kB password in a urlencoded body with 300 Validation Failed', async () => {
      const res = await put({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password: big }).toString(),
      });
      await refused(res, 400, TOO_LONG);
    });

    it('refuses a 100 kB password in a multipart body with 300 Validation Failed', async () => {
      await refused(await put({ body: multipart({ password: big }) }), 400, TOO_LONG);
    });

    const controls: Array<[string, string]> = [
      ['NUL', '\u0000'],
      ['SOH', '\u0001'],
      ['TAB', '\t'],
      ['LF', '\n'],
      ['CR', '\r'],
      ['ESC', '\u001b'],
      ['DEL', '\u007f'],
      ['NEL (C1)', '\u0085'],
      ['APC (C1)', '\u009f'],
    ];
    for (const [name, c] of controls) {
      it(`refuses a password containing ${name} with 300 Validation Failed`, async () => {
        await refused(await putPassword(t, token, target.id, `Valid-Pass-1${c}x`), 400, CONTROL);
      });
    }

    it('refuses a NUL byte in urlencoded and multipart bodies too', async () => {
      const form = await put({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'password=Valid-Pass-1%00x',
      });
      await refused(form, 400, CONTROL);
      await refused(await put({ body: multipart({ password: 'Valid-Pass-1\u0000x' }) }), 400, CONTROL);
    });

    it('refuses a password only made of a NUL byte', async () => {
      await refused(await putPassword(t, token, target.id, '\u0000'), 400, CONTROL);
    });

    it('refuses a lone UTF-16 surrogate with 300 Validation Failed', async () => {
      // Encoded as UTF-8, every lone surrogate becomes U+FFFD: two different passwords would hash alike.
      const res = await put({
        headers: { 'content-type': 'application/json' },
        body: '{"password":"Valid-Pass-1\\ud800"}',
      });
      await refused(res, 400, validation('password', 'Password must be valid Unicode text.'));
    });
  });

  describe('user ids and paths', () => {
    it('answers a userId of 10,000 characters with 404 code 1001, echoing at most 128 of them', async () => {
      const id = 'a'.repeat(10_000);
      const res = await putPassword(t, token, id, 'Valid-Pass-123');
      await refused(res, 404, { code: 1001, message: `User does not exist: ${'a'.repeat(128)}....` });
    });

    it('answers a userId too long for the request line (20,000 characters) with 431 code 300', async () => {
      const res = await putPassword(t, token, 'a'.repeat(20_000), 'Valid-Pass-123');
      await refused(res, 431, { code: 300, message: 'Request header fields are too large.' });
      await stillAnswers();
    });

    it('answers a userId of "../../" (URL-encoded) with 404 code 1001', async () => {
      const res = await put({ json: { password: 'Valid-Pass-123' } }, '..%2F..%2F');
      await refused(res, 404, { code: 1001, message: 'User does not exist: ../../.' });
    });

    it("answers ../../ before a real user's id with 404 code 1001", async () => {
      const res = await put({ json: { password: 'Valid-Pass-123' } }, `..%2F..%2F${target.id}`);
      await refused(res, 404, { code: 1001, message: `User does not exist: ../../${target.id}.` });
    });

    it("answers a real user's id followed by a NUL byte with 404 code 1001", async () => {
      const res = await put({ json: { password: 'Valid-Pass-123' } }, `${target.id}%00`);
      await refused(res, 404, { code: 1001, message: `User does not exist: ${target.id}\u0000.` });
      const get = await call(`${t.url}/v2/users/${target.id}%00`, { token });
      assertZoomError(get, 404, { code: 1001, message: `User does not exist: ${target.id}\u0000.` });
    });

    it('answers a path that does not percent-decode with 400 code 300', async () => {
      const res = await put({ json: { password: 'Valid-Pass-123' } }, '%E0%A4%A');
      await refused(res, 400, MALFORMED);
    });

    it('answers the raw path /v2/users/../password with 404 in Zoom format', async () => {
      const res = await rawPut(t.url, '/v2/users/../password', token, { password: 'Valid-Pass-123' });
      // The router takes ".." as the userId: no such user.
      await refused(res, 404, { code: 1001, message: 'User does not exist: ...' });
    });

    it('answers the raw path /v2/users/{id}/../password with 404 in Zoom format', async () => {
      const path = `/v2/users/${target.id}/../password`;
      const res = await rawPut(t.url, path, token, { password: 'Valid-Pass-123' });
      await refused(res, 404, { code: 404, message: `No API route matches PUT ${path}.` });
    });
  });

  describe('unknown routes', () => {
    const routes: Array<[string, string]> = [
      ['GET', '/v2/nope'],
      ['GET', '/'],
      ['PUT', '/v2/users/me/passwords'],
      ['POST', '/v2/users/me/password'],
      ['DELETE', '/v2/users/me/password'],
      ['PUT', '/v1/users/me/password'],
    ];
    for (const [method, path] of routes) {
      it(`answers ${method} ${path} with 404 in Zoom format`, async () => {
        const json = method === 'GET' ? undefined : { password: 'Valid-Pass-123' };
        const res = await call(`${t.url}${path}`, { method, token, json });
        await refused(res, 404, { code: 404, message: `No API route matches ${method} ${path}.` });
      });
    }

    it('does not echo the query string of an unknown route', async () => {
      const res = await call(`${t.url}/v2/nope?access_token=s3cret&x=1`);
      await refused(res, 404, { code: 404, message: 'No API route matches GET /v2/nope.' });
    });
  });

  describe('requests HTTP cannot parse', () => {
    /** Status line and JSON body of a raw answer; checks Zoom's format. */
    const parseRaw = (answer: string) => {
      const [head, body] = answer.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head ?? '')?.[1]);
      assert.match(head ?? '', /\r\ncontent-type: application\/json/i);
      assert.match(head ?? '', /\r\nx-zm-trackingid: \S+/i);
      assertNoInternals(body ?? '');
      return { status, body: JSON.parse(body ?? '') as unknown };
    };

    it('answers a garbage request line with 400 code 300', async () => {
      const res = parseRaw(await rawSocket(t.url, 'GARBAGE\r\n\r\n'));
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, MALFORMED);
      await stillAnswers();
    });

    it('answers a Content-Length that is not a number with 400 code 300', async () => {
      const res = parseRaw(
        await rawSocket(
          t.url,
          `PUT /v2/users/${target.id}/password HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`,
        ),
      );
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, MALFORMED);
      assert.equal(await version(target.id), 1);
    });

    it('answers headers over the size limit with 431 code 300', async () => {
      const res = parseRaw(
        await rawSocket(
          t.url,
          `GET /v2/users/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        ),
      );
      assert.equal(res.status, 431);
      assert.deepEqual(res.body, { code: 300, message: 'Request header fields are too large.' });
      await stillAnswers();
    });
  });

  it('still accepts a valid change for the same user afterwards', async () => {
    const res = await putPassword(t, token, target.id, 'Valid-Pass-123');
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal(await version(target.id), 2);
  });
});

describe('unicode passwords', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  const version = async (userId: string) => (await credentials.get(t.server.store.db, userId))?.version;

  it('NFKC-normalises a full-width password: "Password12" is then the same password', async () => {
    const u = await addUser(t);
    const res = await putPassword(t, token, u.id, 'Ｐａｓｓｗｏｒｄ１２');
    assert.equal(res.status, 204);
    assert.equal(await version(u.id), 2);
    const cred = await credentials.get(t.server.store.db, u.id);
    assert.equal(await t.server.ctx.hasher.verify(cred!.phc, 'Password12'), true);

    const ascii = await putPassword(t, token, u.id, 'Password12');
    assertZoomError(ascii, 400, SAME_PASSWORD);
    const again = await putPassword(t, token, u.id, 'Ｐａｓｓｗｏｒｄ１２');
    assertZoomError(again, 400, SAME_PASSWORD);
    assert.equal(await version(u.id), 2);
  });

  it('counts length in code points: 31 with emoji are accepted, 32 refused', async () => {
    const u = await addUser(t);
    const p31 = `Ab1${'😀'.repeat(28)}`;
    assert.equal([...p31].length, 31);
    assert.equal(p31.length, 59);
    const p32 = `${p31}😀`;
    const long = await putPassword(t, token, u.id, p32);
    assertZoomError(long, 400, TOO_LONG);
    assert.equal(await version(u.id), 1);
    const ok = await putPassword(t, token, u.id, p31);
    assert.equal(ok.status, 204);
    assert.equal(await version(u.id), 2);
    const cred = await credentials.get(t.server.store.db, u.id);
    assert.equal(await t.server.ctx.hasher.verify(cred!.phc, p31), true);
  });

  it('accepts letters of other scripts with digits and both cases', async () => {
    const u = await addUser(t);
    const res = await putPassword(t, token, u.id, 'Ωmega-Ärger-7');
    assert.equal(res.status, 204);
    assert.equal(await version(u.id), 2);
  });
});

describe('the error catalogue of @zpass/contract', () => {
  it("builds every error with its stable kind and the contract's status, code and text", () => {
    const samples: { [K in ErrorKind]: () => ZoomError } = {
      invalidJson: () => Errors.invalidJson(),
      validation: () => Errors.validation([{ field: 'x', message: 'Invalid field.' }]),
      unsupportedMediaType: () => Errors.unsupportedMediaType(),
      bodyTooLarge: () => Errors.bodyTooLarge(),
      unsupportedCharset: () => Errors.unsupportedCharset(),
      invalidEncoding: () => Errors.invalidEncoding(),
      invalidToken: () => Errors.invalidToken(),
      expiredToken: () => Errors.expiredToken(),
      tokenInQuery: () => Errors.tokenInQuery(),
      missingScopes: () => Errors.missingScopes(['user:read:admin']),
      userNotFound: () => Errors.userNotFound('u1'),
      accountNotFound: () => Errors.accountNotFound('a1'),
      passwordReused: () => Errors.passwordReused(4),
      cannotUpdateAdmin: () => Errors.cannotUpdateAdmin(),
      samePassword: () => Errors.samePassword(),
      tooManyChanges: () => Errors.tooManyChanges(),
      emailTaken: () => Errors.emailTaken('a@example.com'),
      activeElsewhere: () => Errors.activeElsewhere('a@example.com'),
      disassociateAdmin: () => Errors.disassociateAdmin(),
      adminStatus: () => Errors.adminStatus(),
      emailChangePending: () => Errors.emailChangePending(),
      emailChangeOwner: () => Errors.emailChangeOwner(),
      emailChangeInactive: () => Errors.emailChangeInactive(),
      emailChangeLimit: () => Errors.emailChangeLimit(),
      emailRequired: () => Errors.emailRequired(),
      createLimit: () => Errors.createLimit(50, {}),
      noPrivilege: () => Errors.noPrivilege(),
      ownerStatus: () => Errors.ownerStatus(),
      ownerDelete: () => Errors.ownerDelete(),
      ownerRole: () => Errors.ownerRole(),
      selfAction: () => Errors.selfAction(),
      noPasswordSignIn: () => Errors.noPasswordSignIn(),
      userDeactivated: () => Errors.userDeactivated(),
      userPending: () => Errors.userPending(),
      pendingStatus: () => Errors.pendingStatus(),
      invitationInvalid: () => Errors.invitationInvalid(),
      invitationExpired: () => Errors.invitationExpired(),
      resetLinkInvalid: () => Errors.resetLinkInvalid(),
      currentPasswordWrong: () => Errors.currentPasswordWrong(),
      passwordsDiffer: () => Errors.passwordsDiffer(),
      invalidPageToken: () => Errors.invalidPageToken(),
      expiredPageToken: () => Errors.expiredPageToken(),
      roleNotFound: () => Errors.roleNotFound('7'),
      alreadyInRole: () => Errors.alreadyInRole('a@example.com', 'Admin'),
      notInRole: () => Errors.notInRole('u1', 'Admin'),
      roleNotAssignable: () => Errors.roleNotAssignable('Owner'),
      reportRange: () => Errors.reportRange('The date range must not be longer than one month.'),
      policy: () => Errors.policy(1124, 'Have at least 8 characters'),
      notFound: () => Errors.notFound('GET', '/v2/nothing?x=1'),
      methodNotAllowed: () => Errors.methodNotAllowed(),
      busy: () => Errors.busy(),
      unavailable: () => Errors.unavailable(),
      rateLimitQps: () => Errors.rateLimitQps({}),
      rateLimitDaily: () => Errors.rateLimitDaily({}),
      malformed: () => Errors.malformed(431),
      internal: () => Errors.internal(),
    };
    for (const kind of Object.keys(ERRORS) as ErrorKind[]) {
      const err = samples[kind]();
      const entry: { status: number | null; code: number | null } = ERRORS[kind];
      assert.ok(err instanceof ZoomError, kind);
      assert.equal(err.kind, kind);
      if (entry.status !== null) assert.equal(err.status, entry.status, kind);
      if (entry.code !== null) assert.equal(err.code, entry.code, kind);
    }
    assert.equal(Errors.passwordReused(4).message, errorMessage('passwordReused', { count: 4 }));
    assert.equal(Errors.notFound('GET', '/v2/nothing?x=1').message, 'No API route matches GET /v2/nothing.');
    assert.equal(Errors.policy(1124, 'Have at least 8 characters').code, 1124);
    assert.equal(Errors.malformed(431).status, 431);
    // A long client value is cut before it is echoed.
    assert.ok(Errors.userNotFound('x'.repeat(500)).message.length < 200);
  });
});
