// Roles (Zoom's three built-in ones) and the two audit reports, over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount, createApp } from '../src/domain/accounts/provisioning.js';
import { OPERATOR, updateProfile } from '../src/domain/users/directory.js';
import { OPERATION_IDS } from '../src/http/operation-ids.js';
import { users } from '../src/store/repositories/users.js';
import { accountToken, addUser, call, liftRateLimits, startTestServer, type TestServer } from './helpers.js';
import { WebClient } from './web.js';

type Obj = Record<string, unknown>;
let seq = 0;
const email = (tag: string) => `${tag}${++seq}-${process.pid}@example.test`;
const today = () => new Date().toISOString().slice(0, 10);

/** A new account of its own (owner, app, token), so that counts and logs are this test's alone. */
async function newAccount(t: TestServer) {
  const acct = await createAccount(t.server.ctx, { ownerEmail: email('owner') });
  await liftRateLimits(t, acct.account_id);
  const token = await accountToken(t, {
    accountId: acct.account_id,
    clientId: acct.app.client_id,
    clientSecret: acct.app.client_secret,
  });
  return { acct, token, id: acct.account_id };
}

describe('roles', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  const get = (token: string, path: string) => call(`${t.url}/v2${path}`, { token });
  const assign = (token: string, roleId: string, json: unknown) =>
    call(`${t.url}/v2/roles/${roleId}/members`, { method: 'POST', token, json });
  const unassign = (token: string, roleId: string, memberId: string) =>
    call(`${t.url}/v2/roles/${roleId}/members/${encodeURIComponent(memberId)}`, { method: 'DELETE', token });
  const roleOf = async (id: string) => (await users.byId(t.server.store.db, id))?.role;

  it("lists Zoom's three built-in roles with their member counts", async () => {
    const a = await newAccount(t);
    await addUser(t, { accountId: a.id });
    await addUser(t, { accountId: a.id, role: 'admin' });
    const res = await get(a.token, '/roles');
    assert.equal(res.status, 200);
    const body = res.body as { total_records: number; roles: Obj[] };
    assert.equal(body.total_records, 3);
    assert.deepEqual(
      body.roles.map((r) => [r.id, r.name, r.type, r.total_members]),
      [
        ['0', 'Owner', 'common', 1],
        ['1', 'Admin', 'common', 1],
        ['2', 'Member', 'common', 1],
      ],
    );
  });

  it('makes an admin by e-mail and by id (201, ids and add_at), and unassigns (204): one path with PATCH role_id', async () => {
    const a = await newAccount(t);
    const u1 = await addUser(t, { accountId: a.id });
    const u2 = await addUser(t, { accountId: a.id });
    const res = await assign(a.token, '1', { members: [{ email: u1.email.toUpperCase() }, { id: u2.id }] });
    assert.equal(res.status, 201, res.text);
    const body = res.body as { ids: string; add_at: string };
    assert.equal(body.ids, `${u1.id},${u2.id}`);
    assert.match(body.add_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(await roleOf(u1.id), 'admin');
    assert.equal(((await get(a.token, `/users/${u2.id}`)).body as Obj).role_id, '1');

    const del = await unassign(a.token, '1', u1.id);
    assert.equal(del.status, 204, del.text);
    assert.equal(del.text, '');
    assert.equal(await roleOf(u1.id), 'member');

    // PATCH /users/{id} role_id takes the same path: the role and one log row.
    const patch = await call(`${t.url}/v2/users/${u1.id}`, {
      method: 'PATCH',
      token: a.token,
      json: { role_id: '1' },
    });
    assert.equal(patch.status, 204);
    const logs = await get(a.token, `/report/operationlogs?from=${today()}&to=${today()}&category_type=role`);
    const details = (logs.body as { operation_logs: Obj[] }).operation_logs.map((l) => l.operation_detail);
    assert.deepEqual(details, [
      `Change role of user ${u1.email}: Member to Admin`,
      `Change role of user ${u1.email}: Admin to Member`,
      `Change role of user ${u2.email}: Member to Admin`,
      `Change role of user ${u1.email}: Member to Admin`,
    ]);
  });

  it("lists a role's members, paged as Zoom pages", async () => {
    const a = await newAccount(t);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await addUser(t, { accountId: a.id, role: 'admin' }));
    await addUser(t, { accountId: a.id });
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const res = await get(
        a.token,
        `/roles/1/members?page_size=2${token ? `&next_page_token=${token}` : ''}`,
      );
      assert.equal(res.status, 200, res.text);
      const body = res.body as {
        members: Obj[];
        next_page_token: string;
        total_records: number;
        page_count: number;
      };
      assert.equal(body.total_records, 3);
      assert.equal(body.page_count, 2);
      for (const m of body.members) {
        seen.push(m.id as string);
        assert.deepEqual(Object.keys(m).sort(), ['email', 'first_name', 'id', 'last_name', 'type']);
      }
      token = body.next_page_token;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.deepEqual(
      seen,
      made.map((u) => u.id),
    );
    const owner = await get(a.token, '/roles/0/members');
    assert.deepEqual(
      (owner.body as { members: Obj[] }).members.map((m) => m.email),
      [a.acct.owner.email],
    );
    // A token of another role's walk is refused.
    const first = await get(a.token, '/roles/1/members?page_size=1');
    const tok = (first.body as { next_page_token: string }).next_page_token;
    const wrong = await get(a.token, `/roles/2/members?next_page_token=${tok}`);
    assert.equal(wrong.status, 400);
    assert.equal((wrong.body as Obj).code, 300);
  });

  it('refuses bad input with Zoom codes, changing nothing', async () => {
    const a = await newAccount(t);
    const other = await newAccount(t);
    const u = await addUser(t, { accountId: a.id });
    const stranger = await addUser(t, { accountId: other.id });
    const admin = await addUser(t, { accountId: a.id, role: 'admin' });
    const owner = (await users.owner(t.server.store.db, a.id))!;
    const cases: [string, unknown, number, number][] = [
      ['9', { members: [{ id: u.id }] }, 404, 300],
      ['0', { members: [{ id: u.id }] }, 400, 300],
      ['1', { members: [{ id: u.id }, { id: owner.id }] }, 400, 200],
      ['1', { members: [{ id: u.id }, { id: stranger.id }] }, 404, 1001],
      ['1', { members: [{ id: u.id }, { email: 'nobody@example.test' }] }, 404, 1001],
      ['1', { members: [{ id: u.id }, { id: admin.id }] }, 400, 300],
      ['1', { members: Array.from({ length: 31 }, () => ({ id: u.id })) }, 400, 300],
      ['1', { members: [] }, 400, 300],
      ['1', { members: [{ name: 'x' }] }, 400, 300],
      ['1', {}, 400, 300],
    ];
    for (const [role, body, status, code] of cases) {
      const res = await assign(a.token, role, body);
      assert.equal(res.status, status, `${role} ${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
      assert.equal((res.body as Obj).code, code, res.text);
    }
    assert.equal(await roleOf(u.id), 'member');
    assert.equal(await roleOf(stranger.id), 'member');
    // No body at all, and a body that is not JSON.
    const none = await call(`${t.url}/v2/roles/1/members`, { method: 'POST', token: a.token });
    assert.equal(none.status, 400);
    const bad = await call(`${t.url}/v2/roles/1/members`, {
      method: 'POST',
      token: a.token,
      headers: { 'content-type': 'application/json' },
      body: '{"members":',
    });
    assert.deepEqual(bad.body, { code: 300, message: 'Request Body should be a valid JSON object.' });

    // Unassigning: the owner's role, the Member role, someone not in the role, someone unknown.
    const unassignCases: [string, string, number, number][] = [
      ['0', owner.id, 400, 200],
      ['2', u.id, 400, 300],
      ['1', u.id, 400, 300],
      ['1', stranger.id, 404, 1001],
      ['7', u.id, 404, 300],
    ];
    for (const [role, member, status, code] of unassignCases) {
      const res = await unassign(a.token, role, member);
      assert.equal(res.status, status, `${role} ${member}: ${res.text}`);
      assert.equal((res.body as Obj).code, code);
    }
    assert.equal(await roleOf(owner.id), 'owner');
    assert.equal(await roleOf(admin.id), 'admin');
    // Nothing was logged either: a refused change writes no operation.
    const logs = await get(a.token, `/report/operationlogs?from=${today()}&to=${today()}&category_type=role`);
    assert.deepEqual((logs.body as { operation_logs: Obj[] }).operation_logs, []);
  });

  it('zpass admin set-role takes the same path, logged as the command line', async () => {
    const a = await newAccount(t);
    const u = await addUser(t, { accountId: a.id });
    await updateProfile(t.server.ctx, OPERATOR, u.email, { role_id: '1' });
    assert.equal(await roleOf(u.id), 'admin');
    await assert.rejects(updateProfile(t.server.ctx, OPERATOR, a.acct.owner.email, { role_id: '2' }), {
      code: 200,
    });
    const logs = await get(a.token, `/report/operationlogs?from=${today()}&to=${today()}`);
    assert.deepEqual(
      (logs.body as { operation_logs: Obj[] }).operation_logs.map((l) => [
        l.operator,
        l.category_type,
        l.operation_detail,
      ]),
      [['zpass admin (command line)', 'Role', `Change role of user ${u.email}: Member to Admin`]],
    );
  });

  it('takes form bodies too (urlencoded and multipart), and labels each route with its Zoom rate-limit category', async () => {
    const a = await newAccount(t);
    const u1 = await addUser(t, { accountId: a.id });
    const u2 = await addUser(t, { accountId: a.id });
    const form = await call(`${t.url}/v2/roles/1/members`, {
      method: 'POST',
      token: a.token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ 'members[0][email]': u1.email }).toString(),
    });
    assert.equal(form.status, 201, form.text);
    assert.equal(form.headers.get('x-ratelimit-category'), 'Medium');
    const multipart = new FormData();
    multipart.append('members', JSON.stringify([{ id: u2.id }]));
    const mp = await call(`${t.url}/v2/roles/1/members`, { method: 'POST', token: a.token, body: multipart });
    assert.equal(mp.status, 201, mp.text);
    assert.equal(await roleOf(u1.id), 'admin');
    assert.equal(await roleOf(u2.id), 'admin');
    assert.equal((await get(a.token, '/roles')).headers.get('x-ratelimit-category'), 'Medium');
    assert.equal((await get(a.token, '/roles/1/members')).headers.get('x-ratelimit-category'), 'Medium');
    assert.equal((await unassign(a.token, '1', u1.id)).headers.get('x-ratelimit-category'), 'Light');
    assert.equal(
      (await get(a.token, `/report/operationlogs?from=${today()}&to=${today()}`)).headers.get(
        'x-ratelimit-category',
      ),
      'Heavy',
    );
    assert.equal((await get(a.token, '/report/activities')).headers.get('x-ratelimit-category'), 'Heavy');
  });

  it('only the owner makes or unmakes admins; tokens without role scopes get 4711', async () => {
    const a = await newAccount(t);
    const admin = await addUser(t, { accountId: a.id, role: 'admin' });
    const u = await addUser(t, { accountId: a.id });
    const app = await createApp(t.server.ctx, a.id, ['role:write:admin', 'role:read:admin'], admin.email);
    const adminToken = await accountToken(t, {
      accountId: a.id,
      clientId: app.client_id,
      clientSecret: app.client_secret,
    });
    const res = await assign(adminToken, '1', { members: [{ id: u.id }] });
    assert.equal(res.status, 400);
    assert.equal((res.body as Obj).code, 200);
    assert.equal(await roleOf(u.id), 'member');
    assert.equal((await get(adminToken, '/roles')).status, 200);

    const narrow = await createApp(t.server.ctx, a.id, ['user:read:admin']);
    const narrowToken = await accountToken(t, {
      accountId: a.id,
      clientId: narrow.client_id,
      clientSecret: narrow.client_secret,
    });
    const denied = await get(narrowToken, '/roles');
    assert.equal(denied.status, 400);
    assert.equal((denied.body as Obj).code, 4711);
    const granular = await createApp(t.server.ctx, a.id, ['role:write:member:admin']);
    const granularToken = await accountToken(t, {
      accountId: a.id,
      clientId: granular.client_id,
      clientSecret: granular.client_secret,
    });
    assert.equal((await assign(granularToken, '1', { members: [{ id: u.id }] })).status, 201);
  });
});

describe('reports', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  const get = (token: string, path: string) => call(`${t.url}/v2${path}`, { token });

  it("operation logs: user changes, passwords, roles and settings, newest first, in Zoom's shape", async () => {
    const a = await newAccount(t);
    const ownerEmail = a.acct.owner.email;
    const created = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token: a.token,
      json: { action: 'autoCreate', user_info: { email: email('new'), type: 1, password: 'Auto-Pass-123' } },
    });
    assert.equal(created.status, 201, created.text);
    const id = (created.body as Obj).id as string;
    const newEmail = (created.body as Obj).email as string;
    const steps: [string, string, unknown][] = [
      ['PATCH', `/users/${id}`, { first_name: 'Ann' }],
      ['PUT', `/users/${id}/password`, { password: 'Other-Pass-456' }],
      ['PUT', `/users/${id}/status`, { action: 'deactivate' }],
      ['PUT', `/users/${id}/status`, { action: 'activate' }],
      [
        'PATCH',
        '/accounts/me/settings',
        { security: { password_requirement: { minimum_password_length: 10 } } },
      ],
    ];
    for (const [method, path, json] of steps) {
      const r = await call(`${t.url}/v2${path}`, { method, token: a.token, json });
      assert.equal(r.status, 204, `${method} ${path}: ${r.text}`);
    }
    const del = await call(`${t.url}/v2/users/${id}?action=delete`, { method: 'DELETE', token: a.token });
    assert.equal(del.status, 204, del.text);

    const res = await get(a.token, `/report/operationlogs?from=${today()}&to=${today()}`);
    assert.equal(res.status, 200, res.text);
    const body = res.body as {
      from: string;
      to: string;
      page_size: number;
      next_page_token: string;
      operation_logs: Obj[];
    };
    assert.equal(body.from, today());
    assert.equal(body.to, today());
    assert.equal(body.page_size, 30);
    assert.equal(body.next_page_token, '');
    for (const l of body.operation_logs) {
      assert.deepEqual(Object.keys(l).sort(), [
        'action',
        'category_type',
        'operation_detail',
        'operator',
        'time',
      ]);
      assert.equal(l.operator, ownerEmail);
      assert.match(l.time as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    const rows = body.operation_logs.map((l) => [l.category_type, l.action, l.operation_detail]);
    assert.deepEqual(rows, [
      ['User', 'Delete', `Delete user ${newEmail}`],
      [
        'Account',
        'Update',
        'Update account settings - security.password_requirement.minimum_password_length: 8 to 10',
      ],
      ['User', 'Activate', `Activate user ${newEmail}`],
      ['User', 'Deactivate', `Deactivate user ${newEmail}`],
      ['User', 'Update', `Update user ${newEmail} - password changed`],
      ['User', 'Update', `Update user ${newEmail} - first_name, display_name`],
      ['User', 'Add', `Add user ${newEmail} (autoCreate)`],
    ]);
    const accountOnly = await get(
      a.token,
      `/report/operationlogs?from=${today()}&to=${today()}&category_type=account`,
    );
    assert.equal((accountOnly.body as { operation_logs: Obj[] }).operation_logs.length, 1);
    const billing = await get(
      a.token,
      `/report/operationlogs?from=${today()}&to=${today()}&category_type=billing`,
    );
    assert.deepEqual((billing.body as { operation_logs: Obj[] }).operation_logs, []);

    // Page by page, the same rows in the same order.
    const walked: unknown[] = [];
    let token = '';
    do {
      const r = await get(
        a.token,
        `/report/operationlogs?from=${today()}&to=${today()}&page_size=3${token ? `&next_page_token=${token}` : ''}`,
      );
      assert.equal(r.status, 200, r.text);
      const b = r.body as { operation_logs: Obj[]; next_page_token: string };
      walked.push(...b.operation_logs.map((l) => l.operation_detail));
      token = b.next_page_token;
    } while (token);
    assert.deepEqual(
      walked,
      rows.map((r) => r[2]),
    );

    // Another account sees none of it.
    const other = await newAccount(t);
    const theirs = await get(other.token, `/report/operationlogs?from=${today()}&to=${today()}`);
    assert.deepEqual((theirs.body as { operation_logs: Obj[] }).operation_logs, []);
  });

  it('refuses reversed, too long, malformed or missing ranges, bad categories and foreign page tokens', async () => {
    const a = await newAccount(t);
    const cases: [string, number, number][] = [
      ['from=2026-03-02&to=2026-03-01', 400, 300],
      ['from=2026-01-01&to=2026-02-02', 400, 300],
      ['from=2026-01-31&to=2026-03-01', 400, 300],
      ['from=2026-02-30&to=2026-03-01', 400, 300],
      ['from=20260101&to=2026-01-02', 400, 300],
      ['to=2026-01-02', 400, 300],
      ['from=2026-01-01', 400, 300],
      ['from=2026-01-01&to=2026-01-02&category_type=meetings', 400, 300],
      ['from=2026-01-01&to=2026-01-02&page_size=301', 400, 300],
      ['from=2026-01-01&to=2026-01-02&page_size=0', 400, 300],
      ['from=2026-01-01&to=2026-01-02&next_page_token=abc', 400, 300],
    ];
    for (const [q, status, code] of cases) {
      const res = await get(a.token, `/report/operationlogs?${q}`);
      assert.equal(res.status, status, `${q}: ${res.text}`);
      assert.equal((res.body as Obj).code, code, q);
    }
    // Exactly one month is allowed (Jan 31 → Feb 28 is a month too).
    assert.equal((await get(a.token, '/report/operationlogs?from=2026-01-01&to=2026-02-01')).status, 200);
    assert.equal((await get(a.token, '/report/operationlogs?from=2026-01-31&to=2026-02-28')).status, 200);
    assert.equal((await get(a.token, '/report/activities?from=2026-03-02&to=2026-03-01')).status, 400);
    const scopeless = await createApp(t.server.ctx, a.id, ['user:read:admin']);
    const tok = await accountToken(t, {
      accountId: a.id,
      clientId: scopeless.client_id,
      clientSecret: scopeless.client_secret,
    });
    const denied = await get(tok, `/report/activities`);
    assert.equal(denied.status, 400);
    assert.equal((denied.body as Obj).code, 4711);
  });

  it('activities: web sign-in and sign-out, with address and client type', async () => {
    const a = await newAccount(t);
    const u = await addUser(t, { accountId: a.id, password: 'Web-Pass-12345' });
    const web = new WebClient(t.url);
    const signedIn = await web.signIn(u.email, 'Web-Pass-12345');
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 200));
    const out = await web.submit('/account/password', '/signout', {});
    assert.equal(out.status, 303);
    // A wrong password is not a sign-in.
    await new WebClient(t.url).signIn(u.email, 'Wrong-Pass-12345');
    const res = await get(a.token, '/report/activities');
    assert.equal(res.status, 200, res.text);
    const body = res.body as { from: string; to: string; activity_logs: Obj[]; next_page_token: string };
    assert.equal(body.to, today());
    assert.deepEqual(
      body.activity_logs.map((l) => [l.email, l.type, l.ip_address, l.client_type, l.version]),
      [
        [u.email, 'Sign out', '127.0.0.1', 'Browser', ''],
        [u.email, 'Sign in', '127.0.0.1', 'Browser', ''],
      ],
    );
    const paged = await get(a.token, `/report/activities?from=${today()}&to=${today()}&page_size=1`);
    const first = paged.body as { activity_logs: Obj[]; next_page_token: string };
    assert.equal(first.activity_logs.length, 1);
    const second = await get(
      a.token,
      `/report/activities?from=${today()}&to=${today()}&page_size=1&next_page_token=${first.next_page_token}`,
    );
    assert.equal(((second.body as { activity_logs: Obj[] }).activity_logs[0] as Obj).type, 'Sign in');
  });
});

describe('/openapi.json operationIds', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it("carries Zoom's operationId on every /v2 route", async () => {
    const doc = (await call(`${t.url}/openapi.json`)).body as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const seen: Record<string, string> = {};
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v2/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        assert.ok(op.operationId, `${key} has no operationId`);
        seen[key] = op.operationId;
      }
    }
    for (const [key, id] of Object.entries(seen)) assert.equal(id, OPERATION_IDS[key], key);
    for (const key of [
      'PUT /v2/users/:userId/password',
      'GET /v2/users/:userId',
      'GET /v2/users',
      'POST /v2/users',
      'GET /v2/accounts/:accountId/settings',
      'GET /v2/roles',
      'POST /v2/roles/:roleId/members',
      'GET /v2/report/operationlogs',
      'GET /v2/report/activities',
    ])
      assert.ok(seen[key], `${key} missing from /openapi.json`);
    assert.equal(new Set(Object.values(seen)).size, Object.keys(seen).length, 'operationIds are unique');
  });
});
