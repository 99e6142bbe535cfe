/** The password stored is exactly what the client sent, in UTF-8 (issue 16, finding 6). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '../src/store/repositories/passwords.js';
import { accountToken, addUser, startTestServer, type TestServer } from './helpers.js';

describe('request bytes', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  async function put(userId: string, contentType: string, body: Buffer | string) {
    const res = await fetch(`${t.url}/v2/users/${userId}/password`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as { code: number; message: string }) : undefined,
    };
  }

  const multipart = (value: Buffer) => {
    const b = 'zpassboundary';
    return {
      type: `multipart/form-data; boundary=${b}`,
      body: Buffer.concat([
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="password"\r\n\r\n`),
        value,
        Buffer.from(`\r\n--${b}--\r\n`),
      ]),
    };
  };

  it('refuse other charsets (415), bytes that are not UTF-8 and undecodable escapes (400), and U+FFFD, changing nothing', async () => {
    const u = await addUser(t);
    const before = (await credentials.get(t.server.store.db, u.id))!.phc;
    const latin1 = Buffer.from('{"password":"Gr\u00fc\u00dfe-Pass-123"}', 'latin1');
    const cases: [string, Buffer | string, number][] = [
      ['application/json; charset=iso-8859-1', latin1, 415],
      ['application/json; charset="windows-1252"', '{"password":"Plain-Pass-123"}', 415],
      ['application/x-www-form-urlencoded; charset=latin1', 'password=Plain-Pass-123', 415],
      ['application/json', latin1, 400],
      [
        'application/json; charset=utf-8',
        Buffer.from([...Buffer.from('{"password":"Ab-12345'), 0xc3, 0x28, ...Buffer.from('"}')]),
        400,
      ],
      ['application/x-www-form-urlencoded', 'password=Gr%FC%DFe-Pass-123', 400],
      ['application/x-www-form-urlencoded', 'password=Bad-Escape-%ZZ-123', 400],
      ['application/x-www-form-urlencoded', Buffer.from([...Buffer.from('password=Ab-1234'), 0xfc]), 400],
      ['application/json', JSON.stringify({ password: 'Replaced-\uFFFD-Pass-1' }), 400],
      [
        multipart(latin1.subarray(13, 30)).type,
        multipart(Buffer.from('Gr\u00fc\u00dfe-Pass-123', 'latin1')).body,
        400,
      ],
    ];
    for (const [type, body, status] of cases) {
      const res = await put(u.id, type, body);
      assert.equal(res.status, status, `${type} ${String(body)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body?.code, 300);
    }
    assert.equal((await credentials.get(t.server.store.db, u.id))!.phc, before);
    const wrong = await put(u.id, 'application/json; charset=iso-8859-1', latin1);
    assert.deepEqual(wrong.body, {
      code: 300,
      message: 'Unsupported charset. Send the request body in UTF-8.',
    });
  });

  it('store the UTF-8 password sent in any of the three encodings', async () => {
    const password = 'Grüße-Pässwort-9';
    for (const [type, body] of [
      ['application/json; charset=UTF-8', JSON.stringify({ password })],
      ['application/x-www-form-urlencoded', `password=${encodeURIComponent(password)}`],
      [multipart(Buffer.from(password)).type, multipart(Buffer.from(password)).body],
    ] as const) {
      const u = await addUser(t);
      const res = await put(u.id, type, body);
      assert.equal(res.status, 204, `${type}: ${JSON.stringify(res.body)}`);
      const phc = (await credentials.get(t.server.store.db, u.id))!.phc;
      assert.ok(await t.server.ctx.hasher.verify(phc, password), type);
    }
  });
});
