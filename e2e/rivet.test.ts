// Compatibility: Zoom's official SDK, @zoom/rivet, pointed at zpass with its `baseUrl` option
// and a token store holding a zpass token, updates a password and reads a user.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountsS2SAuthClient } from '@zoom/rivet/accounts';
import { MeetingsS2SAuthClient } from '@zoom/rivet/meetings';
import { type S2SAuthToken, type TokenStore, UsersS2SAuthClient } from '@zoom/rivet/users';
import { ZoomClient } from '../packages/zoom-client/src/index.js';
import { createAccount } from '../packages/zpass/src/domain/accounts/provisioning.js';
import { credentials } from '../packages/zpass/src/store/repositories/passwords.js';
import { users } from '../packages/zpass/src/store/repositories/users.js';
import {
  accountToken,
  addUser,
  liftRateLimits,
  startTestServer,
  type TestServer,
} from '../packages/zpass/test/helpers.js';
import { WebClient } from '../packages/zpass/test/web.js';

describe('@zoom/rivet against zpass', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  /** Rivet fetches tokens from zoom.us only, so its store is handed a zpass token. */
  async function rivetClient(token: string) {
    const stored: S2SAuthToken = {
      accessToken: token,
      expirationTimeIso: new Date(Date.now() + 3_000_000).toISOString(),
      scopes: ['user:read:admin', 'user:write:admin'],
    };
    const tokenStore: TokenStore<S2SAuthToken> = {
      getLatestToken: () => stored,
      storeToken: () => {
        throw new Error('rivet tried to fetch a token from zoom.us');
      },
    };
    // `baseUrl` is honoured at run time though rivet's option type does not declare it.
    const options = {
      clientId: t.demo.client_id,
      clientSecret: t.demo.client_secret,
      accountId: t.demo.account_id,
      tokenStore,
      disableReceiver: true as const,
      baseUrl: `${t.url}/v2`,
    };
    return new UsersS2SAuthClient(options);
  }

  it("updates a user's password through rivet's updateUsersPassword", async () => {
    const u = await addUser(t);
    const rivet = await rivetClient(await accountToken(t));
    const res = await rivet.endpoints.users.updateUsersPassword({
      path: { userId: u.id },
      body: { password: 'Rivet-Set-Pass-1' },
    });
    assert.equal(res.statusCode, 204);
    assert.match(res.trackingId ?? '', /^v=2\.0;clid=zp1;rid=WEB_[0-9a-f]{32}$/);
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 2);
    const got = await rivet.endpoints.users.getUser({ path: { userId: u.email } });
    assert.equal(got.statusCode, 200);
    assert.equal(got.data?.id, u.id);
  });

  it("surfaces zpass's Zoom-shaped errors as rivet formats them", async () => {
    const u = await addUser(t);
    const rivet = await rivetClient(await accountToken(t));
    await assert.rejects(
      rivet.endpoints.users.updateUsersPassword({ path: { userId: u.id }, body: { password: 'short1A' } }),
      (e: unknown) => e instanceof Error && e.message === '[400/1124]: "Have at least 8 characters"',
    );
  });

  it('the password rivet set is current: our SDK is then refused the same one', async () => {
    const u = await addUser(t);
    const token = await accountToken(t);
    const rivet = await rivetClient(token);
    await rivet.endpoints.users.updateUsersPassword({
      path: { userId: u.id },
      body: { password: 'Shared-Pass-77' },
    });
    const zoom = new ZoomClient({ accessToken: token, baseUrl: `${t.url}/v2` });
    await assert.rejects(zoom.users.updatePassword(u.id, 'Shared-Pass-77'), {
      status: 400,
      code: 300,
      message: 'Your new password can not match the old password.',
    });
  });
});

// ------------------------------------------------------------------------------------------
// Rivet drives every Users, Accounts-settings, Roles and Reports call zpass serves: each one
// must succeed with Zoom's status, and what it returns must be what Rivet's types promise.

type Obj = Record<string, unknown>;
type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | readonly (string | number)[];

/** `UsersGetUserResponse` of @zoom/rivet 0.4.0 (users/users.d.ts), key by key. */
const RIVET_USER: Record<string, Kind> = {
  id: 'string',
  created_at: 'string',
  dept: 'string',
  email: 'string',
  first_name: 'string',
  last_client_version: 'string',
  last_login_time: 'string',
  last_name: 'string',
  pmi: 'number',
  role_name: 'string',
  timezone: 'string',
  type: [1, 2, 4, 99],
  use_pmi: 'boolean',
  display_name: 'string',
  account_id: 'string',
  account_number: 'number',
  cms_user_id: 'string',
  company: 'string',
  user_created_at: 'string',
  custom_attributes: 'array',
  employee_unique_id: 'string',
  group_ids: 'array',
  division_ids: 'array',
  im_group_ids: 'array',
  jid: 'string',
  job_title: 'string',
  cost_center: 'string',
  language: 'string',
  location: 'string',
  login_types: 'array',
  manager: 'string',
  personal_meeting_url: 'string',
  phone_country: 'string',
  phone_number: 'string',
  phone_numbers: 'array',
  pic_url: 'string',
  plan_united_type: 'string',
  pronouns: 'string',
  pronouns_option: [1, 2, 3],
  role_id: 'string',
  status: ['pending', 'active', 'inactive'],
  vanity_url: 'string',
  verified: [0, 1],
  cluster: 'string',
  zoom_one_type: 'number',
  license_info_list: 'array',
};

/** Keys of Zoom's "Get a user" that zpass answers for every user (issue 14's list, less what zpass has not). */
const USER_KEYS_REQUIRED = [
  'id',
  'email',
  'first_name',
  'last_name',
  'display_name',
  'type',
  'role_name',
  'role_id',
  'status',
  'created_at',
  'user_created_at',
  'account_id',
  'login_types',
  'pmi',
  'timezone',
  'language',
  'dept',
  'job_title',
  'location',
  'company',
  'phone_number',
  'verified',
  'group_ids',
];

const LOGIN_TYPES = [0, 1, 11, 21, 23, 24, 27, 97, 98, 99, 100, 101];

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Every key present has the type Rivet declares; `required` keys are present. */
function assertShape(
  what: string,
  value: unknown,
  shape: Record<string, Kind>,
  required: readonly string[] = [],
) {
  assert.equal(kindOf(value), 'object', `${what} is an object`);
  const o = value as Obj;
  for (const key of required) assert.ok(key in o, `${what}.${key} is present`);
  for (const [key, kind] of Object.entries(shape)) {
    if (!(key in o)) continue;
    const v = o[key];
    if (Array.isArray(kind))
      assert.ok(
        kind.includes(v as never),
        `${what}.${key} = ${JSON.stringify(v)} is one of ${kind.join(', ')}`,
      );
    else assert.equal(kindOf(v), kind, `${what}.${key} is a ${kind} (got ${JSON.stringify(v)})`);
  }
}

function assertUser(what: string, u: unknown, required = USER_KEYS_REQUIRED) {
  assertShape(what, u, RIVET_USER, required);
  // Rivet's list items have no login_types; a user object always has them.
  for (const t of ((u as Obj).login_types ?? []) as unknown[])
    assert.ok(LOGIN_TYPES.includes(t as number), `${what}.login_types`);
  for (const g of ((u as Obj).group_ids ?? []) as unknown[]) assert.equal(typeof g, 'string');
}

const ZOOM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('@zoom/rivet drives every Users, Accounts-settings, Roles and Reports call zpass serves', () => {
  let t: TestServer;
  let seq = 0;
  const email = (tag: string) => `rivet-${tag}${++seq}-${process.pid}@example.test`;
  const today = () => new Date().toISOString().slice(0, 10);

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  /** A new account of its own, and Rivet's three clients holding a token for it. */
  async function rivetFor() {
    const acct = await createAccount(t.server.ctx, { ownerEmail: email('owner') });
    await liftRateLimits(t, acct.account_id);
    const token = await accountToken(t, {
      accountId: acct.account_id,
      clientId: acct.app.client_id,
      clientSecret: acct.app.client_secret,
    });
    const stored: S2SAuthToken = {
      accessToken: token,
      expirationTimeIso: new Date(Date.now() + 3_000_000).toISOString(),
      scopes: acct.app.scopes,
    };
    const tokenStore: TokenStore<S2SAuthToken> = {
      getLatestToken: () => stored,
      storeToken: () => {
        throw new Error('rivet tried to fetch a token from zoom.us');
      },
    };
    const options = {
      clientId: acct.app.client_id,
      clientSecret: acct.app.client_secret,
      accountId: acct.account_id,
      tokenStore,
      disableReceiver: true as const,
      baseUrl: `${t.url}/v2`,
    };
    return {
      acct,
      users: new UsersS2SAuthClient(options).endpoints.users,
      accounts: new AccountsS2SAuthClient(options).endpoints,
      reports: new MeetingsS2SAuthClient(options).endpoints.reports,
    };
  }

  async function newUser(r: Awaited<ReturnType<typeof rivetFor>>) {
    const res = await r.users.createUsers({
      body: {
        action: 'autoCreate',
        user_info: {
          email: email('user'),
          type: 1,
          first_name: 'Ri',
          last_name: 'Vet',
          password: 'Rivet-Pass-123',
        },
      },
    });
    return res.data as { id: string; email: string };
  }

  it("users.createUsers: 201 with Zoom's created user", async () => {
    const r = await rivetFor();
    const address = email('created');
    const res = await r.users.createUsers({
      body: {
        action: 'autoCreate',
        user_info: { email: address, type: 1, first_name: 'Ann', password: 'Rivet-Pass-123' },
      },
    });
    assert.equal(res.statusCode, 201);
    assertShape(
      'created',
      res.data,
      { id: 'string', email: 'string', first_name: 'string', last_name: 'string', type: [1, 2, 4, 99] },
      ['id', 'email', 'type'],
    );
    assert.equal(res.data?.email, address);
  });

  it('users.getUser: 200, the user object key by key as UsersGetUserResponse types it', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const res = await r.users.getUser({ path: { userId: u.id } });
    assert.equal(res.statusCode, 200);
    assertUser('getUser', res.data);
    assert.equal(res.data?.id, u.id);
    assert.match(res.data?.created_at ?? '', ZOOM_TIME);
    const owner = await r.users.getUser({ path: { userId: 'me' } });
    assert.equal(owner.data?.role_id, '0');
  });

  it('users.listUsers: 200, paged, every user as Rivet types it, role_id filters', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const res = await r.users.listUsers({ query: { page_size: 1 } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.data?.total_records, 2);
    assert.equal(res.data?.users?.length, 1);
    assert.ok(res.data?.next_page_token);
    const next = await r.users.listUsers({
      query: { page_size: 1, next_page_token: res.data?.next_page_token },
    });
    assert.equal(next.data?.next_page_token, '');
    for (const user of [...(res.data?.users ?? []), ...(next.data?.users ?? [])])
      assertUser('listUsers[]', user, ['id', 'email', 'type', 'status', 'role_id']);
    const members = await r.users.listUsers({ query: { role_id: '2' } });
    assert.deepEqual(
      members.data?.users?.map((x) => x.id),
      [u.id],
    );
  });

  it("users.checkUserEmail: 200, true for the account's user, false for another account's", async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const res = await r.users.checkUserEmail({ query: { email: u.email } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.data, { existed_email: true });
    const stranger = await addUser(t);
    const other = await r.users.checkUserEmail({ query: { email: stranger.email } });
    assert.deepEqual(other.data, { existed_email: false });
  });

  it('users.updateUser: 204, and the profile fields are stored', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const res = await r.users.updateUser({
      path: { userId: u.id },
      body: { first_name: 'Updated', job_title: 'Engineer', timezone: 'Europe/Paris' },
    });
    assert.equal(res.statusCode, 204);
    const got = await r.users.getUser({ path: { userId: u.id } });
    assert.equal(got.data?.first_name, 'Updated');
    assert.equal(got.data?.job_title, 'Engineer');
    assert.equal(got.data?.timezone, 'Europe/Paris');
  });

  it('users.updateUsersPassword: 204', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const res = await r.users.updateUsersPassword({
      path: { userId: u.id },
      body: { password: 'Rivet-New-456' },
    });
    assert.equal(res.statusCode, 204);
    assert.equal((await credentials.get(t.server.store.db, u.id))?.version, 2);
  });

  it('users.updateUserStatus: 204 to deactivate and to activate', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const off = await r.users.updateUserStatus({ path: { userId: u.id }, body: { action: 'deactivate' } });
    assert.equal(off.statusCode, 204);
    assert.equal((await r.users.getUser({ path: { userId: u.id } })).data?.status, 'inactive');
    const on = await r.users.updateUserStatus({ path: { userId: u.id }, body: { action: 'activate' } });
    assert.equal(on.statusCode, 204);
    assert.equal((await r.users.getUser({ path: { userId: u.id } })).data?.status, 'active');
  });

  it('users.updateUsersEmail: 204, and the user signs in under the new address', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const next = email('moved');
    const res = await r.users.updateUsersEmail({ path: { userId: u.id }, body: { email: next } });
    assert.equal(res.statusCode, 204);
    assert.equal((await r.users.getUser({ path: { userId: u.id } })).data?.email, next);
  });

  it("users.revokeUsersSSOToken: 204, and the user's web sessions end", async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const web = new WebClient(t.url);
    assert.equal((await web.signIn(u.email, 'Rivet-Pass-123')).status, 303);
    assert.equal((await web.get('/account/password')).status, 200);
    const res = await r.users.revokeUsersSSOToken({ path: { userId: u.id } });
    assert.equal(res.statusCode, 204);
    const after = await web.get('/account/password');
    assert.equal(after.status, 303);
    assert.match(after.location ?? '', /^\/signin/);
  });

  it('users.getUserPermissions: 200 with permissions[] of strings', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const res = await r.users.getUserPermissions({ path: { userId: u.id } });
    assert.equal(res.statusCode, 200);
    assert.ok(Array.isArray(res.data?.permissions));
    for (const p of res.data?.permissions ?? []) assert.equal(typeof p, 'string');
  });

  it('users.getUserSummary: 200 with the counts Rivet types', async () => {
    const r = await rivetFor();
    await newUser(r);
    const res = await r.users.getUserSummary({});
    assert.equal(res.statusCode, 200);
    const counts: Record<string, Kind> = {
      licensed_users_count: 'number',
      basic_users_count: 'number',
      on_prem_users_count: 'number',
      room_users_count: 'number',
      pending_users_count: 'number',
      join_only_users_count: 'number',
      total_users_count: 'number',
    };
    assertShape('summary', res.data, counts, ['total_users_count']);
    assert.equal(res.data?.total_users_count, 2);
  });

  it('users.deleteUser: 204 (Rivet sends Content-Type: application/json with no body)', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const res = await r.users.deleteUser({ path: { userId: u.id }, query: { action: 'delete' } });
    assert.equal(res.statusCode, 204);
    assert.equal(await users.byId(t.server.store.db, u.id), undefined);
  });

  it('accounts.getAccountSettings and updateAccountSettings, option=security: {"security": {...}} both ways', async () => {
    const r = await rivetFor();
    const got = await r.accounts.accounts.getAccountSettings({
      path: { accountId: 'me' },
      query: { option: 'security' },
    });
    assert.equal(got.statusCode, 200);
    const security = (got.data as { security?: Obj }).security;
    assertShape(
      'security',
      security,
      {
        admin_change_name_pic: 'boolean',
        admin_change_user_info: 'boolean',
        user_modifiable_info_by_admin: 'array',
        signin_with_sso: 'object',
        hide_billing_info: 'boolean',
        import_photos_from_devices: 'boolean',
        password_requirement: 'object',
        sign_again_period_for_inactivity_on_client: 'number',
        sign_again_period_for_inactivity_on_web: 'number',
        sign_in_with_two_factor_auth: ['all', 'group', 'role', 'none'],
        sign_in_with_two_factor_auth_groups: 'array',
        sign_in_with_two_factor_auth_roles: 'array',
      },
      ['password_requirement'],
    );
    assertShape(
      'password_requirement',
      security?.password_requirement,
      {
        consecutive_characters_length: 'number',
        have_special_character: 'boolean',
        minimum_password_length: 'number',
        weak_enhance_detection: 'boolean',
      },
      [
        'consecutive_characters_length',
        'have_special_character',
        'minimum_password_length',
        'weak_enhance_detection',
      ],
    );
    const res = await r.accounts.accounts.updateAccountSettings({
      path: { accountId: r.acct.account_id },
      query: { option: 'security' },
      body: {
        security: { password_requirement: { minimum_password_length: 12, have_special_character: true } },
      },
    });
    assert.equal(res.statusCode, 204);
    const after = await r.accounts.accounts.getAccountSettings({
      path: { accountId: 'me' },
      query: { option: 'security' },
    });
    const req = (after.data as { security?: { password_requirement?: Obj } }).security?.password_requirement;
    assert.equal(req?.minimum_password_length, 12);
    assert.equal(req?.have_special_character, true);
  });

  it('roles.listRoles, listMembersInRole, assignRole (201) and unassignRole (204)', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const roles = await r.accounts.roles.listRoles({});
    assert.equal(roles.statusCode, 200);
    assert.equal(roles.data?.total_records, 3);
    for (const role of roles.data?.roles ?? [])
      assertShape(
        'role',
        role,
        { id: 'string', name: 'string', description: 'string', type: 'string', total_members: 'number' },
        ['id', 'name', 'total_members'],
      );
    const assigned = await r.accounts.roles.assignRole({
      path: { roleId: '1' },
      body: { members: [{ email: u.email }] },
    });
    assert.equal(assigned.statusCode, 201);
    assertShape('assignRole', assigned.data, { ids: 'string', add_at: 'string' }, ['ids', 'add_at']);
    assert.equal(assigned.data?.ids, u.id);
    assert.match(assigned.data?.add_at ?? '', ZOOM_TIME);
    const members = await r.accounts.roles.listMembersInRole({
      path: { roleId: '1' },
      query: { page_size: 10 },
    });
    assert.equal(members.statusCode, 200);
    assert.deepEqual(
      members.data?.members?.map((m) => m.id),
      [u.id],
    );
    for (const m of members.data?.members ?? [])
      assertShape(
        'member',
        m,
        {
          department: 'string',
          email: 'string',
          first_name: 'string',
          id: 'string',
          last_name: 'string',
          type: 'number',
        },
        ['id', 'email', 'type'],
      );
    assertShape(
      'listMembersInRole',
      members.data,
      {
        next_page_token: 'string',
        page_count: 'number',
        page_number: 'number',
        page_size: 'number',
        total_records: 'number',
        members: 'array',
      },
      ['total_records', 'members'],
    );
    const removed = await r.accounts.roles.unassignRole({ path: { roleId: '1', memberId: u.id } });
    assert.equal(removed.statusCode, 204);
    assert.equal((await r.users.getUser({ path: { userId: u.id } })).data?.role_id, '2');
  });

  it('reports.getOperationLogsReport: 200 with operation_logs[] as Rivet types them', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    await r.users.updateUsersPassword({ path: { userId: u.id }, body: { password: 'Rivet-Log-789' } });
    const res = await r.reports.getOperationLogsReport({
      query: { from: today(), to: today(), category_type: 'user', page_size: 10 },
    });
    assert.equal(res.statusCode, 200);
    assertShape(
      'operationlogs',
      res.data,
      { next_page_token: 'string', page_size: 'number', operation_logs: 'array' },
      ['next_page_token', 'page_size', 'operation_logs'],
    );
    const logs = res.data?.operation_logs ?? [];
    assert.equal(logs.length, 2);
    for (const l of logs)
      assertShape(
        'operation_log',
        l,
        {
          action: 'string',
          category_type: 'string',
          operation_detail: 'string',
          operator: 'string',
          time: 'string',
        },
        ['action', 'category_type', 'operation_detail', 'operator', 'time'],
      );
    assert.equal(logs[0]?.operator, r.acct.owner.email);
  });

  it('reports.getSignInSignOutActivityReport: 200 with activity_logs[] as Rivet types them', async () => {
    const r = await rivetFor();
    const u = await newUser(r);
    const web = new WebClient(t.url);
    assert.equal((await web.signIn(u.email, 'Rivet-Pass-123')).status, 303);
    const res = await r.reports.getSignInSignOutActivityReport({ query: { from: today(), to: today() } });
    assert.equal(res.statusCode, 200);
    assertShape(
      'activities',
      res.data,
      {
        from: 'string',
        to: 'string',
        next_page_token: 'string',
        page_size: 'number',
        activity_logs: 'array',
      },
      ['activity_logs', 'next_page_token'],
    );
    const logs = res.data?.activity_logs ?? [];
    assert.equal(logs.length, 1);
    assertShape(
      'activity_log',
      logs[0],
      {
        client_type: 'string',
        email: 'string',
        ip_address: 'string',
        time: 'string',
        type: ['Sign in', 'Sign out'],
        version: 'string',
      },
      ['client_type', 'email', 'ip_address', 'time', 'type', 'version'],
    );
    assert.equal(logs[0]?.email, u.email);
  });
});
