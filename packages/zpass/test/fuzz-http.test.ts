/**
 * Generated requests against a real server (issue 16): methods, paths, headers and bodies in
 * JSON, urlencoded and multipart, well-formed and broken. Never a 5xx, never a hang, and a
 * refused request (4xx) changes nothing in the store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { accountToken, startTestServer, type TestServer } from './helpers.js';

const RUNS = Number(process.env.ZPASS_FUZZ_RUNS) || 150;

describe('the HTTP surface under generated requests', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  /** What a refused request must not change: users, credentials, logs, notices, settings, apps. */
  async function snapshot(): Promise<string> {
    const db = t.server.store.db;
    const [users, creds, changes, outbox, settings, apps] = await Promise.all([
      db.selectFrom('users').selectAll().orderBy('id').execute(),
      db.selectFrom('credentials').select(['user_id', 'phc']).orderBy('user_id').execute(),
      db
        .selectFrom('password_changes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('account_settings')
        .selectAll()
        .execute()
        .catch(() => []),
      db.selectFrom('apps').select(['id']).orderBy('id').execute(),
    ]);
    return JSON.stringify([users, creds, Number(changes.n), Number(outbox.n), settings, apps]);
  }

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '',
      'me',
      'member@demo.zpass.test',
      'Zpass-Fuzz-2026!',
      '%FC%DF',
      '%',
      '\uFFFD',
      'a\u0000b',
      '💥',
    ),
  );
  const path = fc.oneof(
    fc.constantFrom(
      '/v2/users',
      '/v2/users/me',
      '/v2/users/member@demo.zpass.test',
      '/v2/users/member@demo.zpass.test/password',
      '/v2/users/me/password',
      '/v2/users/member@demo.zpass.test/status',
      '/v2/users/email?email=member@demo.zpass.test',
      '/v2/accounts/me/settings',
      '/v2/accounts/me/settings?option=security',
      '/oauth/token?grant_type=account_credentials',
      '/signin',
      '/account/password',
      '/invitations/accept?token=abc',
      '/openapi.json',
    ),
    text.map((s) => `/v2/users/${encodeURIComponent(s)}`),
    fc.string({ maxLength: 30 }).map((s) => `/${s.replace(/[^\x21-\x7e]/g, 'x')}`),
  );
  const value = fc.oneof(
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(text, { maxLength: 3 }),
  );
  const fields = fc.dictionary(
    fc.constantFrom(
      'password',
      'action',
      'status',
      'email',
      'user_info',
      'first_name',
      'type',
      'grant_type',
      'csrf',
      'x',
    ),
    value,
    { maxKeys: 4 },
  );
  const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));

  type Body = { type?: string; body?: Buffer | string };
  const body: fc.Arbitrary<Body> = fc.oneof(
    fc.constant({}),
    fields.map((f) => ({ type: 'application/json', body: JSON.stringify(f) })),
    fields.map((f) => ({ type: 'application/json; charset=iso-8859-1', body: JSON.stringify(f) })),
    fc.tuple(fields, bytes).map(([f, b]) => ({
      type: 'application/json',
      body: Buffer.concat([Buffer.from(JSON.stringify(f).slice(0, -1)), b, Buffer.from('}')]),
    })),
    fields.map((f) => ({
      type: 'application/x-www-form-urlencoded',
      body: Object.entries(f)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&'),
    })),
    fc
      .tuple(
        fc.constantFrom('password=', 'x=', 'action=', ''),
        fc.constantFrom('%FC%DF', '%', '%zz', '+', '%E2%82'),
      )
      .map(([k, v]) => ({ type: 'application/x-www-form-urlencoded', body: `${k}${v}` })),
    fc.tuple(fields, bytes).map(([f, b]) => {
      const boundary = 'fuzzb';
      const parts = Object.entries(f).map(
        ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`,
      );
      return {
        type: `multipart/form-data; boundary=${boundary}`,
        body: Buffer.concat([Buffer.from(parts.join('')), b, Buffer.from(`\r\n--${boundary}--\r\n`)]),
      };
    }),
    bytes.map((b) => ({ type: 'multipart/form-data; boundary=zz', body: b })),
    bytes.map((b) => ({ type: 'text/plain', body: b })),
  );
  const auth = fc.constantFrom<'token' | 'basic' | 'garbage' | 'none'>('token', 'basic', 'garbage', 'none');

  it(`answers ${RUNS} generated requests without a 5xx or a hang, and refusals change nothing`, {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        path,
        body,
        auth,
        async (method, p, b, a) => {
          const headers: Record<string, string> = {};
          if (b.type) headers['content-type'] = b.type;
          if (a === 'token') headers.authorization = `Bearer ${token}`;
          if (a === 'basic')
            headers.authorization = `Basic ${Buffer.from(`${t.demo.client_id}:${t.demo.client_secret}`).toString('base64')}`;
          if (a === 'garbage') headers.authorization = 'Bearer \u00ff garbage';
          const sendsBody = method !== 'GET' && b.body !== undefined;
          const before = await snapshot();
          let status: number;
          try {
            const res = await fetch(`${t.url}${p}`, {
              method,
              headers: Object.fromEntries(
                Object.entries(headers).map(([k, v]) => [k, Buffer.from(v, 'latin1').toString('latin1')]),
              ),
              body: sendsBody ? b.body : undefined,
              redirect: 'manual',
              signal: AbortSignal.timeout(30_000),
            });
            await res.arrayBuffer();
            status = res.status;
          } catch (err) {
            // A header fetch itself refuses to send is no request at all.
            if (err instanceof TypeError && !(err as { cause?: unknown }).cause) return;
            throw err;
          }
          assert.ok(status < 500, `${method} ${p} ${b.type ?? ''}: ${status}`);
          if (status >= 400)
            assert.equal(
              await snapshot(),
              before,
              `${method} ${p} ${b.type ?? ''}: ${status} changed the store`,
            );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
