import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createAccount, createUser } from '../src/domain/accounts/provisioning.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { settingsChanges } from '../src/store/repositories/settings.js';
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

/** Every field of Zoom's `security` object with zpass's defaults (Zoom's: off, empty). */
const SECURITY_DEFAULTS = {
  admin_change_name_pic: false,
  admin_change_user_info: false,
  user_modifiable_info_by_admin: [],
  signin_with_sso: { enable: false, require_sso_for_domains: false, domains: [], sso_bypass_users: [] },
  hide_billing_info: false,
  import_photos_from_devices: false,
  password_requirement: DEFAULTS,
  sign_again_period_for_inactivity_on_client: 0,
  sign_again_period_for_inactivity_on_web: 0,
  sign_in_with_two_factor_auth: 'none',
  sign_in_with_two_factor_auth_groups: [],
  sign_in_with_two_factor_auth_roles: [],
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
  const security = async () => ((await get()).body as { security: Record<string, unknown> }).security;
  const requirement = async () => (await security()).password_requirement as Record<string, unknown>;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
    accountId = t.demo.account_id;
  });
  after(() => t.stop());

  it('GET ?option=security returns {"security": {...}} with every field and its default', async () => {
    const res = await get();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-zm-trackingid') ?? '', /\S+/);
    assert.deepEqual(res.body, { security: SECURITY_DEFAULTS });
    const byId = await get(token, accountId);
    assert.deepEqual(byId.body, { security: SECURITY_DEFAULTS });
  });

  it('GET without option returns the whole settings object, with security inside', async () => {
    const res = await get(token, 'me', null);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { security: SECURITY_DEFAULTS });
  });

  it('PATCH ?option=security changes only the fields sent, answers 204 with no body, and logs who did it', async () => {
    const before = (await settingsChanges.forAccount(t.server.store.db, accountId)).length;
    const res = await patch({
      security: {
        password_requirement: { minimum_password_length: 10, have_special_character: true },
      },
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
    assert.equal(
      (await patch({ security: { password_requirement: { minimum_password_length: 10 } } })).status,
      204,
    );
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

  it('PATCH stores every field of the security object, and GET returns them', async () => {
    const a = await createUser(t.server.ctx, {
      accountId,
      email: 'sso-bypass-a@example.test',
      role: 'member',
    });
    const b = await createUser(t.server.ctx, {
      accountId,
      email: 'sso-bypass-b@example.test',
      role: 'admin',
    });
    const logBefore = (await settingsChanges.forAccount(t.server.store.db, accountId)).length;
    const res = await patch({
      security: {
        admin_change_name_pic: true,
        admin_change_user_info: true,
        user_modifiable_info_by_admin: ['name', 'sign_in_email'],
        signin_with_sso: {
          enable: true,
          require_sso_for_domains: true,
          domains: ['Example.test'],
          sso_bypass_user_ids: [a.id],
        },
        hide_billing_info: true,
        import_photos_from_devices: true,
        sign_again_period_for_inactivity_on_client: 30,
        sign_again_period_for_inactivity_on_web: 15,
        sign_in_with_two_factor_auth: 'role',
        sign_in_with_two_factor_auth_groups: ['g1'],
        sign_in_with_two_factor_auth_roles: ['0', '1'],
      },
    });
    assert.equal(res.status, 204, res.text);
    const got = await security();
    assert.deepEqual(
      { ...got, password_requirement: undefined },
      {
        admin_change_name_pic: true,
        admin_change_user_info: true,
        user_modifiable_info_by_admin: ['name', 'sign_in_email'],
        signin_with_sso: {
          enable: true,
          require_sso_for_domains: true,
          domains: ['example.test'],
          sso_bypass_users: [{ id: a.id, email: a.email }],
        },
        hide_billing_info: true,
        import_photos_from_devices: true,
        password_requirement: undefined,
        sign_again_period_for_inactivity_on_client: 30,
        sign_again_period_for_inactivity_on_web: 15,
        sign_in_with_two_factor_auth: 'role',
        sign_in_with_two_factor_auth_groups: ['g1'],
        sign_in_with_two_factor_auth_roles: ['0', '1'],
      },
    );
    const log = await settingsChanges.forAccount(t.server.store.db, accountId);
    assert.equal(log.length, logBefore + 1);
    const changes = JSON.parse(log.at(-1)!.changes) as Record<string, { from: unknown; to: unknown }>;
    assert.deepEqual(changes.sign_in_with_two_factor_auth, { from: 'none', to: 'role' });
    assert.deepEqual(changes.sign_again_period_for_inactivity_on_web, { from: 0, to: 15 });

    // Zoom's `operation` adds to or removes from the bypass list; the other fields stay.
    assert.equal(
      (await patch({ security: { signin_with_sso: { operation: 'add', sso_bypass_user_ids: [b.id] } } }))
        .status,
      204,
    );
    assert.deepEqual((await security()).signin_with_sso, {
      enable: true,
      require_sso_for_domains: true,
      domains: ['example.test'],
      sso_bypass_users: [
        { id: a.id, email: a.email },
        { id: b.id, email: b.email },
      ],
    });
    assert.equal(
      (await patch({ security: { signin_with_sso: { operation: 'remove', sso_bypass_user_ids: [a.id] } } }))
        .status,
      204,
    );
    assert.deepEqual(((await security()).signin_with_sso as { sso_bypass_users: unknown }).sso_bypass_users, [
      { id: b.id, email: b.email },
    ]);

    // Back to the defaults, so that the other tests see them.
    assert.equal(
      (
        await patch({
          security: {
            admin_change_name_pic: false,
            admin_change_user_info: false,
            user_modifiable_info_by_admin: [],
            signin_with_sso: {
              enable: false,
              require_sso_for_domains: false,
              domains: [],
              sso_bypass_user_ids: [],
            },
            hide_billing_info: false,
            import_photos_from_devices: false,
            sign_again_period_for_inactivity_on_client: 0,
            sign_again_period_for_inactivity_on_web: 0,
            sign_in_with_two_factor_auth: 'none',
            sign_in_with_two_factor_auth_groups: [],
            sign_in_with_two_factor_auth_roles: [],
          },
        })
      ).status,
      204,
    );
    assert.deepEqual(
      { ...(await security()), password_requirement: undefined },
      {
        ...SECURITY_DEFAULTS,
        password_requirement: undefined,
      },
    );
  });

  it("PATCH naming Zoom's other settings sections ignores them and applies security", async () => {
    const before = await security();
    const logBefore = (await settingsChanges.forAccount(t.server.store.db, accountId)).length;
    const only = await patch(
      { schedule_meeting: { host_video: true }, recording: { cloud_recording: true } },
      token,
      null,
    );
    assert.equal(only.status, 204, only.text);
    assert.deepEqual(await security(), before);
    assert.equal((await settingsChanges.forAccount(t.server.store.db, accountId)).length, logBefore);
    const get = await call(settingsUrl('me', null), { token });
    assert.deepEqual(Object.keys(get.body as object), ['security']);
    const mixed = await patch(
      { in_meeting: { chat: false }, security: { sign_again_period_for_inactivity_on_web: 60 } },
      token,
      'security',
    );
    assert.equal(mixed.status, 204, mixed.text);
    assert.equal((await security()).sign_again_period_for_inactivity_on_web, 60);
    assert.equal((await patch({ security: { sign_again_period_for_inactivity_on_web: 0 } })).status, 204);
  });

  it('PATCH accepts urlencoded and multipart bodies naming fields by dotted path', async () => {
    const form = await call(settingsUrl(), {
      method: 'PATCH',
      token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        'security.password_requirement.password_history_count': '4',
        'security.password_requirement.weak_enhance_detection': 'true',
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
      body: 'security.password_requirement.have_special_character=maybe&__proto__.x=1',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      code: 300,
      message: 'Validation Failed.',
      errors: [
        { field: '__proto__', message: 'Invalid field.' },
        {
          field: 'security.password_requirement.have_special_character',
          message: 'security.password_requirement.have_special_character must be a boolean.',
        },
      ],
    });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('PATCH with wrong types, out-of-range numbers, unknown fields or an empty body answers 300 and changes nothing', async () => {
    const before = await security();
    const logBefore = (await settingsChanges.forAccount(t.server.store.db, accountId)).length;
    const body = 'The body must be an object with security (e.g. security.password_requirement).';
    const cases: Array<[unknown, string | null, Array<{ field: string; message: string }>]> = [
      [{}, 'security', [{ field: 'body', message: body }]],
      [{}, null, [{ field: 'body', message: body }]],
      [
        { security: { password_requirement: {} } },
        'security',
        [
          {
            field: 'security.password_requirement',
            message: 'security.password_requirement must name at least one field.',
          },
        ],
      ],
      [
        { security: { password_requirement: { minimum_password_length: '12' } } },
        'security',
        [
          {
            field: 'security.password_requirement.minimum_password_length',
            message: 'security.password_requirement.minimum_password_length must be an integer.',
          },
        ],
      ],
      [
        // One bad field among good ones: nothing is applied.
        { security: { password_requirement: { minimum_password_length: 12, password_history_count: 25 } } },
        'security',
        [
          {
            field: 'security.password_requirement.password_history_count',
            message: 'security.password_requirement.password_history_count must be an integer from 0 to 24.',
          },
        ],
      ],
      [
        {
          security: {
            password_requirement: { minimum_password_length: 5, max_changes_per_day: 0, lockout: true },
          },
        },
        'security',
        [
          {
            field: 'security.password_requirement.minimum_password_length',
            message:
              'security.password_requirement.minimum_password_length must be 0 or an integer from 8 to 14.',
          },
          {
            field: 'security.password_requirement.max_changes_per_day',
            message: 'security.password_requirement.max_changes_per_day must be an integer from 1 to 100.',
          },
          {
            field: 'security.password_requirement.lockout',
            message: 'security.password_requirement.lockout is not a known field.',
          },
        ],
      ],
      [
        // The old unwrapped shape: the security fields belong inside security.
        { password_requirement: { minimum_password_length: 12 }, sign_in_with_two_factor_auth: 'all' },
        'security',
        [
          { field: 'password_requirement', message: 'Invalid field.' },
          { field: 'sign_in_with_two_factor_auth', message: 'Invalid field.' },
        ],
      ],
      [
        { security: 'strict', schedule_meeting: {} },
        null,
        [{ field: 'security', message: 'Invalid field.' }],
      ],
      [{ security: {} }, null, [{ field: 'security', message: 'Invalid field.' }]],
      [
        {
          security: {
            password_requirement: [1],
            sign_in_with_two_factor_auth: true,
            sign_in_with_two_factor_auth_roles: ['9'],
            sign_again_period_for_inactivity_on_web: 7,
            user_modifiable_info_by_admin: ['name', 'password'],
            signin_with_sso: { enable: 'yes', domains: ['not a domain'], operation: 'add' },
            hide_billing_info: 1,
            lockout: true,
          },
        },
        'security',
        [
          {
            field: 'security.password_requirement',
            message: 'security.password_requirement must be an object.',
          },
          { field: 'security.sign_in_with_two_factor_auth', message: 'Invalid field.' },
          { field: 'security.sign_in_with_two_factor_auth_roles', message: 'Invalid field.' },
          { field: 'security.sign_again_period_for_inactivity_on_web', message: 'Invalid field.' },
          { field: 'security.user_modifiable_info_by_admin', message: 'Invalid field.' },
          { field: 'security.signin_with_sso.enable', message: 'Invalid field.' },
          { field: 'security.signin_with_sso.domains', message: 'Invalid field.' },
          { field: 'security.signin_with_sso.sso_bypass_user_ids', message: 'Invalid field.' },
          { field: 'security.hide_billing_info', message: 'Invalid field.' },
          { field: 'security.lockout', message: 'Invalid field.' },
        ],
      ],
      [
        { security: { signin_with_sso: { sso_bypass_user_ids: ['NoSuchUserId'] } } },
        'security',
        [{ field: 'security.signin_with_sso.sso_bypass_user_ids', message: 'Invalid field.' }],
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
    assert.deepEqual(await security(), before);
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
        json: { security: { password_requirement: { minimum_password_length: 12 } } },
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
    assert.deepEqual(theirs.body, { security: SECURITY_DEFAULTS });
  });

  it('checks scopes: 4711 listing what is accepted, read and write apart', async () => {
    const readScopes =
      'Invalid access token, does not contain scopes:[account:read:admin, account:update:settings:admin, account:write:admin, account:read:settings:admin].';
    const writeScopes =
      'Invalid access token, does not contain scopes:[account:write:admin, account:update:settings:admin].';
    const users = await appWithToken(t, ['user:read:admin', 'user:write:admin']);
    assert.deepEqual((await get(users.token)).body, { code: 4711, message: readScopes });
    assert.equal((await get(users.token)).status, 400);
    const patched = await patch(
      { security: { password_requirement: { minimum_password_length: 12 } } },
      users.token,
    );
    assert.equal(patched.status, 400);
    assert.deepEqual(patched.body, { code: 4711, message: writeScopes });

    const reader = await appWithToken(t, ['account:read:admin']);
    assert.equal((await get(reader.token)).status, 200);
    // Zoom's granular read scope.
    const granular = await appWithToken(t, ['account:read:settings:admin']);
    assert.equal((await get(granular.token)).status, 200);
    assert.equal((await patch({ security: { hide_billing_info: false } }, granular.token)).status, 400);
    assert.deepEqual(
      (await patch({ security: { password_requirement: { minimum_password_length: 12 } } }, reader.token))
        .body,
      {
        code: 4711,
        message: writeScopes,
      },
    );
    for (const scope of ['account:write:admin', 'account:update:settings:admin']) {
      const app = await appWithToken(t, [scope]);
      assert.equal((await get(app.token)).status, 200, scope);
      assert.equal(
        (await patch({ security: { password_requirement: { max_changes_per_day: 9 } } }, app.token)).status,
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
