import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createAccount, createUser } from '../src/domain/accounts.js';
import { issueUserToken } from '../src/domain/tokens.js';
import { settingsChanges } from '../src/store/repositories.js';
import { accountToken, appWithToken, call, startTestServer, type TestServer } from './helpers.js';

const BIN = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'bin', 'zpass.js');

const DEFAULTS = {
  minimum_password_length: 8,
  have_special_character: false,
  consecutive_characters_length: 0,
  weak_enhance_detection: false,
  password_history_count: 0,
  max_changes_per_day: 5,
};

describe('GET and PATCH /v2/accounts/{accountId}/settings', () => {
  let t: TestServer;
  let token: string;
  let accountId: string;

  const settingsUrl = (id = 'me', option: string | null = 'security') =>
    `${t.url}/v2/accounts/${encodeURIComponent(id)}/settings${option === null ? '' : `?option=${option}`}`;
  const get = (tok = token, id = 'me', option: string | null = 'security') =>
    call(settingsUrl(id, option), { token: tok });
  const patch = (json: unknown, tok = token, option: string | null = 'security') =>
    call(settingsUrl('me', option), { method: 'PATCH', token: tok, json });
  const requirement = async () =>
    ((await get()).body as { password_requirement: Record<string, unknown> }).password_requirement;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
    accountId = t.demo.account_id;
  });
  after(() => t.stop());

  it('GET ?option=security returns the security object with every field and its default', async () => {
    const res = await get();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-zm-trackingid') ?? '', /\S+/);
    assert.deepEqual(res.body, { password_requirement: DEFAULTS });
    const byId = await get(token, accountId);
    assert.deepEqual(byId.body, { password_requirement: DEFAULTS });
  });

  it('GET without option returns the whole settings object, with security inside', async () => {
    const res = await get(token, 'me', null);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { security: { password_requirement: DEFAULTS } });
  });

  it('PATCH ?option=security changes only the fields sent, answers 204 with no body, and logs who did it', async () => {
    const before = (await settingsChanges.forAccount(t.server.store.db, accountId)).length;
    const res = await patch({
      password_requirement: { minimum_password_length: 10, have_special_character: true },
    });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.deepEqual(await requirement(), {
      ...DEFAULTS,
      minimum_password_length: 10,
      have_special_character: true,
    });
    const log = await settingsChanges.forAccount(t.server.store.db, accountId);
    assert.equal(log.length, before + 1);
    const row = log.at(-1)!;
    assert.equal(row.via, 'api');
    assert.equal(row.actor_user_id, t.demo.owner.id);
    assert.ok(row.app_id);
    assert.match(row.token_digest ?? '', /^[0-9a-f]{64}$/);
    assert.equal(row.ip, '127.0.0.1');
    assert.deepEqual(JSON.parse(row.changes), {
      'password_requirement.minimum_password_length': { from: 8, to: 10 },
      'password_requirement.have_special_character': { from: false, to: true },
    });
    // The same values again change nothing and log nothing.
    assert.equal((await patch({ password_requirement: { minimum_password_length: 10 } })).status, 204);
    assert.equal((await settingsChanges.forAccount(t.server.store.db, accountId)).length, before + 1);
  });

  it('PATCH without option takes the whole settings object', async () => {
    const res = await patch(
      { security: { password_requirement: { consecutive_characters_length: 6 } } },
      token,
      null,
    );
    assert.equal(res.status, 204);
    assert.equal((await requirement()).consecutive_characters_length, 6);
  });

  it('PATCH accepts urlencoded and multipart bodies naming fields by dotted path', async () => {
    const form = await call(settingsUrl(), {
      method: 'PATCH',
      token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        'password_requirement.password_history_count': '4',
        'password_requirement.weak_enhance_detection': 'true',
      }).toString(),
    });
    assert.equal(form.status, 204);
    const fd = new FormData();
    fd.set('security.password_requirement.max_changes_per_day', '7');
    const multi = await call(settingsUrl('me', null), { method: 'PATCH', token, body: fd });
    assert.equal(multi.status, 204);
    const r = await requirement();
    assert.equal(r.password_history_count, 4);
    assert.equal(r.weak_enhance_detection, true);
    assert.equal(r.max_changes_per_day, 7);
    const bad = await call(settingsUrl(), {
      method: 'PATCH',
      token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'password_requirement.have_special_character=maybe&__proto__.x=1',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      code: 300,
      message: 'Validation Failed.',
      errors: [
        { field: '__proto__', message: '__proto__ is not a setting zpass keeps.' },
        {
          field: 'password_requirement.have_special_character',
          message: 'password_requirement.have_special_character must be a boolean.',
        },
      ],
    });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('PATCH with wrong types, out-of-range numbers, unknown fields or an empty body answers 300 and changes nothing', async () => {
    const before = await requirement();
    const logBefore = (await settingsChanges.forAccount(t.server.store.db, accountId)).length;
    const cases: Array<[unknown, string | null, Array<{ field: string; message: string }>]> = [
      [{}, 'security', [{ field: 'body', message: 'The body must be an object with password_requirement.' }]],
      [
        {},
        null,
        [{ field: 'body', message: 'The body must be an object with security.password_requirement.' }],
      ],
      [
        { password_requirement: {} },
        'security',
        [{ field: 'password_requirement', message: 'password_requirement must name at least one field.' }],
      ],
      [
        { password_requirement: { minimum_password_length: '12' } },
        'security',
        [
          {
            field: 'password_requirement.minimum_password_length',
            message: 'password_requirement.minimum_password_length must be an integer.',
          },
        ],
      ],
      [
        // One bad field among good ones: nothing is applied.
        { password_requirement: { minimum_password_length: 12, password_history_count: 25 } },
        'security',
        [
          {
            field: 'password_requirement.password_history_count',
            message: 'password_requirement.password_history_count must be an integer from 0 to 24.',
          },
        ],
      ],
      [
        { password_requirement: { minimum_password_length: 5, max_changes_per_day: 0, lockout: true } },
        'security',
        [
          {
            field: 'password_requirement.minimum_password_length',
            message: 'password_requirement.minimum_password_length must be 0 or an integer from 8 to 14.',
          },
          {
            field: 'password_requirement.max_changes_per_day',
            message: 'password_requirement.max_changes_per_day must be an integer from 1 to 100.',
          },
          {
            field: 'password_requirement.lockout',
            message: 'password_requirement.lockout is not a known field.',
          },
        ],
      ],
      [
        { password_requirement: [1], sign_in_with_two_factor_auth: true },
        'security',
        [
          {
            field: 'sign_in_with_two_factor_auth',
            message: 'sign_in_with_two_factor_auth is not a setting zpass keeps.',
          },
          { field: 'password_requirement', message: 'password_requirement must be an object.' },
        ],
      ],
      [
        { security: 'strict', schedule_meeting: {} },
        null,
        [
          { field: 'schedule_meeting', message: 'schedule_meeting is not a setting zpass keeps.' },
          { field: 'security', message: 'security must be an object.' },
        ],
      ],
      [
        { security: {} },
        null,
        [{ field: 'security.password_requirement', message: 'security.password_requirement is required.' }],
      ],
    ];
    for (const [body, option, errors] of cases) {
      const res = await patch(body, token, option);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.body, { code: 300, message: 'Validation Failed.', errors }, JSON.stringify(body));
    }
    const invalidJson = await call(settingsUrl(), {
      method: 'PATCH',
      token,
      headers: { 'content-type': 'application/json' },
      body: '{"password_requirement":',
    });
    assert.equal(invalidJson.status, 400);
    assert.deepEqual(invalidJson.body, { code: 300, message: 'Request Body should be a valid JSON object.' });
    const noBody = await call(settingsUrl(), { method: 'PATCH', token });
    assert.equal(noBody.status, 400);
    assert.equal((noBody.body as { code: number }).code, 300);
    assert.deepEqual(await requirement(), before);
    assert.equal((await settingsChanges.forAccount(t.server.store.db, accountId)).length, logBefore);
  });

  it('answers 300 for an option zpass does not keep', async () => {
    const res = await get(token, 'me', 'meeting_security');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      code: 300,
      message: 'Validation Failed.',
      errors: [
        {
          field: 'option',
          message: 'option must be security (the only settings zpass keeps), or absent for all settings.',
        },
      ],
    });
  });

  it("answers 404 code 2001 for another account's id or an unknown one", async () => {
    const other = await createAccount(t.server.ctx, { ownerEmail: 'settings-other@example.test' });
    for (const id of [other.account_id, 'no-such-account']) {
      const res = await get(token, id);
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { code: 2001, message: `Account does not exist: ${id}.` });
      const p = await call(settingsUrl(id), {
        method: 'PATCH',
        token,
        json: { password_requirement: { minimum_password_length: 12 } },
      });
      assert.equal(p.status, 404);
      assert.deepEqual(p.body, { code: 2001, message: `Account does not exist: ${id}.` });
    }
    const theirs = await call(`${t.url}/v2/accounts/me/settings?option=security`, {
      token: await accountToken(t, {
        accountId: other.account_id,
        clientId: other.app.client_id,
        clientSecret: other.app.client_secret,
      }),
    });
    assert.deepEqual(theirs.body, { password_requirement: DEFAULTS });
  });

  it('checks scopes: 4711 listing what is accepted, read and write apart', async () => {
    const readScopes =
      'Invalid access token, does not contain scopes:[account:read:admin, account:update:settings:admin, account:write:admin, account:read:settings:admin].';
    const writeScopes =
      'Invalid access token, does not contain scopes:[account:write:admin, account:update:settings:admin].';
    const users = await appWithToken(t, ['user:read:admin', 'user:write:admin']);
    assert.deepEqual((await get(users.token)).body, { code: 4711, message: readScopes });
    assert.equal((await get(users.token)).status, 400);
    const patched = await patch({ password_requirement: { minimum_password_length: 12 } }, users.token);
    assert.equal(patched.status, 400);
    assert.deepEqual(patched.body, { code: 4711, message: writeScopes });

    const reader = await appWithToken(t, ['account:read:admin']);
    assert.equal((await get(reader.token)).status, 200);
    assert.deepEqual(
      (await patch({ password_requirement: { minimum_password_length: 12 } }, reader.token)).body,
      {
        code: 4711,
        message: writeScopes,
      },
    );
    for (const scope of ['account:write:admin', 'account:update:settings:admin']) {
      const app = await appWithToken(t, [scope]);
      assert.equal((await get(app.token)).status, 200, scope);
      assert.equal(
        (await patch({ password_requirement: { max_changes_per_day: 9 } }, app.token)).status,
        204,
        scope,
      );
    }

    // A member's app holds no :admin scope; neither does a user-level token.
    const member = await createUser(t.server.ctx, {
      accountId,
      email: 'settings-member@example.test',
      role: 'member',
    });
    const memberApp = await appWithToken(t, ['account:read:admin', 'account:write:admin'], member.email);
    assert.deepEqual((await get(memberApp.token)).body, { code: 4711, message: readScopes });
    const userToken = await issueUserToken(t.server.ctx, member.email, ['user:read'], 600);
    assert.deepEqual((await get(userToken.access_token)).body, { code: 4711, message: readScopes });

    const none = await call(settingsUrl());
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { code: 124, message: 'Invalid access token.' });
  });

  it('is described in the OpenAPI document', async () => {
    const res = await call(`${t.url}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = res.body as { paths: Record<string, Record<string, unknown>> };
    const path = doc.paths['/v2/accounts/{accountId}/settings'];
    assert.ok(path?.get && path.patch);
  });

  it('zpass admin set-policy changes the same settings offline, logged as the admin CLI', async () => {
    const store = t.databaseUrl ? ['--database-url', t.databaseUrl] : ['--data', t.dataDir];
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [BIN, ...args, ...store], { encoding: 'utf8' }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          stdout: e.stdout,
          stderr: e.stderr,
        }),
      );
    const ok = await run([
      'admin',
      'set-policy',
      '--account',
      accountId,
      '--minimum-password-length',
      '13',
      '--weak-enhance-detection',
      'false',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as {
      changes: Record<string, unknown>;
      password_requirement: Record<string, unknown>;
    };
    assert.equal(out.password_requirement.minimum_password_length, 13);
    assert.equal(out.password_requirement.weak_enhance_detection, false);
    assert.deepEqual(out.changes['password_requirement.minimum_password_length'], { from: 10, to: 13 });
    assert.equal((await requirement()).minimum_password_length, 13);
    const row = (await settingsChanges.forAccount(t.server.store.db, accountId)).at(-1)!;
    assert.equal(row.via, 'admin');
    assert.equal(row.actor_user_id, null);

    const bad = await run(['admin', 'set-policy', '--account', accountId, '--password-history-count', '30']);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'zpass: Validation Failed. password_requirement.password_history_count must be an integer from 0 to 24. (code 300)\n',
    );
    const nothing = await run(['admin', 'set-policy', '--account', accountId]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /password_requirement must name at least one field/);
    const unknown = await run(['admin', 'set-policy', '--account', 'nope', '--max-changes-per-day', '3']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'zpass: Account does not exist: nope. (code 2001)\n');
    assert.equal((await requirement()).password_history_count, 4);

    const show = await run(['admin', 'show-policy', '--account', accountId, '--json']);
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.stdout) as {
      password_requirement: Record<string, unknown>;
      changes: Array<{ via: string }>;
    };
    assert.equal(shown.password_requirement.minimum_password_length, 13);
    assert.equal(shown.changes.at(-1)?.via, 'admin');
  });
});
