import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../src/domain/accounts/provisioning.js';
import { signIn } from '../src/domain/sessions/sessions.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { acceptInvitation, issueInvitationLink } from '../src/domain/users/invitations.js';
import { invitations } from '../src/store/repositories/invitations.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { users } from '../src/store/repositories/users.js';
import {
  accountToken,
  addUser,
  appWithToken,
  call,
  liftRateLimits,
  startTestServer,
  type TestServer,
} from './helpers.js';
import { outboxFor, webSessionsFor } from './queries.js';

// Zoom's Users API as Rivet types it (UsersGetUserResponse, UsersListUsersResponse, ...):
// the user object, the list's filters, Zoom's error texts, and the endpoints around a
// user's sign-in (e-mail, token, permissions, summary).

let seq = 0;
const email = (tag = 'fid') => `${tag}${++seq}-${process.pid}@example.test`;
type Obj = Record<string, unknown>;

async function newAccount(t: TestServer, plan?: string) {
  const acct = await createAccount(t.server.ctx, { ownerEmail: email('owner'), plan });
  await liftRateLimits(t, acct.account_id);
  const token = await accountToken(t, {
    accountId: acct.account_id,
    clientId: acct.app.client_id,
    clientSecret: acct.app.client_secret,
  });
  return { acct, token };
}

const u = (t: TestServer, path: string) => `${t.url}/v2/users${path}`;
const getUser = (t: TestServer, token: string, id: string) =>
  call(u(t, `/${encodeURIComponent(id)}`), { token });
const patch = (t: TestServer, token: string, id: string, json: unknown) =>
  call(u(t, `/${encodeURIComponent(id)}`), { method: 'PATCH', token, json });
const post = (t: TestServer, token: string, json: unknown) => call(u(t, ''), { method: 'POST', token, json });
const putEmail = (t: TestServer, token: string, id: string, json: unknown) =>
  call(u(t, `/${encodeURIComponent(id)}/email`), { method: 'PUT', token, json });
const invalid = (field: string) => ({
  code: 300,
  message: 'Validation Failed.',
  errors: [{ field, message: 'Invalid field.' }],
});

describe('Users API fidelity (Rivet types)', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  describe('the user object', () => {
    it("carries every field zpass has of Zoom's Get a user, typed as Zoom types them", async () => {
      const m = await addUser(t);
      const res = await getUser(t, token, m.id);
      assert.equal(res.status, 200, res.text);
      const b = res.body as Obj;
      for (const key of [
        'timezone',
        'language',
        'dept',
        'job_title',
        'location',
        'company',
        'phone_number',
        'phone_country',
      ])
        assert.equal(b[key], '', key);
      assert.deepEqual(b.phone_numbers, []);
      assert.deepEqual(b.group_ids, []);
      assert.deepEqual(b.im_group_ids, []);
      assert.equal(b.verified, 0);
      assert.equal(b.use_pmi, false);
      assert.equal(b.role_id, '2');
      assert.equal(b.role_name, 'Member');
      assert.equal(typeof b.pmi, 'number');
      assert.match(String(b.pmi), /^[2-9][0-9]{9}$/);
      assert.equal(typeof b.account_number, 'number');
      assert.equal(b.user_created_at, b.created_at);
      assert.match(b.user_created_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // Stable: the same number on every read, and another user's is another.
      assert.equal(((await getUser(t, token, m.email)).body as Obj).pmi, b.pmi);
      const other = (await getUser(t, token, (await addUser(t)).id)).body as Obj;
      assert.notEqual(other.pmi, b.pmi);
      assert.equal(other.account_number, b.account_number);
      // Nothing invented: no picture, host key, PMI link or client version zpass does not have.
      for (const key of [
        'pic_url',
        'host_key',
        'personal_meeting_url',
        'jid',
        'last_client_version',
        'cluster',
      ])
        assert.equal(key in b, false, key);
    });

    it('PATCH stores the profile fields and returns them; a partial PATCH keeps the others', async () => {
      const m = await addUser(t);
      const profile = {
        timezone: 'Europe/Paris',
        language: 'fr-FR',
        dept: 'Engineering',
        job_title: 'Staff engineer',
        location: 'Lyon',
        company: 'Example SA',
        phone_number: '4 72 00 00 00',
        phone_country: 'FR',
        phone_numbers: [{ code: '+33', country: 'FR', label: 'Office', number: '472000000' }],
        pronouns: 'she/her',
        pronouns_option: 2,
        cost_center: 'CC-7',
        manager: 'boss@example.test',
        use_pmi: true,
      };
      const res = await patch(t, token, m.id, profile);
      assert.equal(res.status, 204, res.text);
      assert.equal((await patch(t, token, m.id, { dept: 'Research' })).status, 204);
      const b = (await getUser(t, token, m.id)).body as Obj;
      for (const [k, v] of Object.entries({ ...profile, dept: 'Research' })) assert.deepEqual(b[k], v, k);
      // The list carries the list's fields (Rivet's UsersListUsersResponse).
      const list = (await call(u(t, '?page_size=300'), { token })).body as { users: Obj[] };
      const item = list.users.find((x) => x.id === m.id);
      assert.ok(item);
      assert.equal(item.timezone, 'Europe/Paris');
      assert.equal(item.dept, 'Research');
      assert.equal(item.pmi, b.pmi);
      assert.equal(item.verified, 0);
      assert.deepEqual(item.group_ids, []);
      assert.equal('job_title' in item, false);
    });

    for (const [what, body, field] of [
      ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
      ['a time zone as a number', { timezone: 1 }, 'timezone'],
      ['a malformed language', { language: 'english please' }, 'language'],
      ['a 400-character department', { dept: 'd'.repeat(400) }, 'dept'],
      ['a job title with a control character', { job_title: 'a\u0007b' }, 'job_title'],
      ['a phone number with letters', { phone_number: 'call me' }, 'phone_number'],
      [
        'a phone label Zoom does not have',
        { phone_numbers: [{ label: 'Pager', number: '123' }] },
        'phone_numbers.0.label',
      ],
      [
        'a phone entry with an unknown key',
        { phone_numbers: [{ number: '123', extension: '4' }] },
        'phone_numbers',
      ],
      ['pronouns_option 4', { pronouns_option: 4 }, 'pronouns_option'],
      ['use_pmi as a string', { use_pmi: 'yes' }, 'use_pmi'],
      ['a manager who is not an address', { manager: 'the boss' }, 'manager'],
      ['type 3', { type: 3 }, 'type'],
    ] as const) {
      it(`PATCH refuses ${what} with Invalid field. and changes nothing`, async () => {
        const m = await addUser(t);
        const before = await users.byId(t.server.store.db, m.id);
        const res = await patch(t, token, m.id, { ...body, company: 'Kept out' });
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.body, invalid(field));
        assert.deepEqual(await users.byId(t.server.store.db, m.id), before);
      });
    }

    it('type 4 (unassigned without Meetings Basic) is accepted on create and update, as Rivet types it', async () => {
      const res = await post(t, token, { action: 'custCreate', user_info: { email: email(), type: 4 } });
      assert.equal(res.status, 201, res.text);
      const id = (res.body as Obj).id as string;
      assert.equal(((await getUser(t, token, id)).body as Obj).type, 4);
      assert.equal((await patch(t, token, id, { type: 1 })).status, 204);
      assert.equal((await patch(t, token, id, { type: 4 })).status, 204);
    });

    it('verified is 1 once the user signs in with the address (0 before)', async () => {
      const m = await addUser(t, { password: 'Signin-Pass-42' });
      assert.equal(((await getUser(t, token, m.id)).body as Obj).verified, 0);
      const out = await signIn(t.server.ctx, { email: m.email, password: 'Signin-Pass-42', ip: null });
      assert.equal(out.ok, true);
      assert.equal(((await getUser(t, token, m.id)).body as Obj).verified, 1);
    });
  });

  describe('GET /v2/users filters', () => {
    it('role_id filters by role ("0" owner, "1" admin, "2" member), through every page', async () => {
      const { acct, token: tk } = await newAccount(t);
      const admins = [];
      for (let i = 0; i < 3; i++)
        admins.push(await addUser(t, { role: 'admin', accountId: acct.account_id }));
      for (let i = 0; i < 2; i++) await addUser(t, { accountId: acct.account_id });
      const byRole = async (role: string, size = 30) => {
        const ids: string[] = [];
        let next = '';
        do {
          const res = await call(
            u(t, `?role_id=${role}&page_size=${size}${next ? `&next_page_token=${next}` : ''}`),
            { token: tk },
          );
          assert.equal(res.status, 200, res.text);
          const b = res.body as { users: Obj[]; next_page_token: string; total_records: number };
          ids.push(...b.users.map((x) => x.id as string));
          for (const x of b.users) assert.equal(x.role_id, role);
          next = b.next_page_token;
        } while (next);
        return ids;
      };
      assert.deepEqual(await byRole('0'), [acct.owner.id]);
      assert.deepEqual((await byRole('1', 2)).sort(), admins.map((a) => a.id).sort());
      assert.equal((await byRole('2')).length, 2);
      const total = (await call(u(t, '?role_id=1'), { token: tk })).body as Obj;
      assert.equal(total.total_records, 3);
      assert.deepEqual((await call(u(t, '?role_id=7'), { token: tk })).body, invalid('role_id'));
    });

    it('include_fields and license are accepted: custom_attributes empty, a licence matches nobody', async () => {
      const withAttrs = (await call(u(t, '?include_fields=custom_attributes'), { token })).body as {
        users: Obj[];
      };
      assert.ok(withAttrs.users.length > 0);
      for (const x of withAttrs.users) assert.deepEqual(x.custom_attributes, []);
      const plain = (await call(u(t, ''), { token })).body as { users: Obj[] };
      assert.equal('custom_attributes' in plain.users[0]!, false);
      assert.equal((await call(u(t, '?include_fields=host_key'), { token })).status, 200);
      const lic = await call(u(t, '?license=zoom_workforce_management'), { token });
      assert.equal(lic.status, 200, lic.text);
      assert.deepEqual((lic.body as Obj).users, []);
      assert.equal((lic.body as Obj).total_records, 0);
      assert.equal((await call(u(t, '?license=gold'), { token })).status, 400);
    });
  });

  describe('POST /v2/users and DELETE /v2/users/{userId}', () => {
    it("answers 1009 for autoCreate and custCreate of another account's user, 1005 in the same account", async () => {
      const other = await newAccount(t);
      for (const action of ['custCreate', 'autoCreate', 'ssoCreate']) {
        const res = await post(t, token, {
          action,
          user_info: { email: other.acct.owner.email, type: 1, password: 'Some-Pass-123' },
        });
        assert.equal(res.status, 400, res.text);
        assert.deepEqual(res.body, {
          code: 1009,
          message: `The user ${other.acct.owner.email} already holds an active account.`,
        });
      }
      const mine = await post(t, token, {
        action: 'custCreate',
        user_info: { email: t.demo.member.email, type: 1 },
      });
      assert.equal(mine.status, 409);
      assert.deepEqual(mine.body, {
        code: 1005,
        message: `Email "${t.demo.member.email}" has already been used.`,
      });
      assert.equal(
        (await users.byEmail(t.server.store.db, other.acct.owner.email))?.account_id,
        other.acct.account_id,
      );
    });

    it("create for another account's active user invites them to join; accepting moves them", async () => {
      const other = await newAccount(t);
      const member = await addUser(t, { accountId: other.acct.account_id, role: 'admin' });
      const theirs = (await issueUserToken(t.server.ctx, member.email, ['user:read'], 3600)).access_token;
      const res = await post(t, token, { action: 'create', user_info: { email: member.email, type: 2 } });
      assert.equal(res.status, 201, res.text);
      assert.equal((res.body as Obj).id, member.id);
      assert.equal((res.body as Obj).type, 2);
      // Until they accept, they stay where they are.
      assert.equal((await getUser(t, token, member.id)).status, 404);
      assert.equal((await getUser(t, other.token, member.id)).status, 200);
      const inv = await invitations.forUser(t.server.store.db, member.id);
      assert.equal(inv?.account_id, t.demo.account_id);
      assert.equal(inv?.join_type, 2);
      const notices = await outboxFor(t.server.store.db, member.email);
      assert.equal(notices.at(-1)?.kind, 'user_invitation');

      const link = await issueInvitationLink(t.server.ctx, member.id, `${t.url}/invitations/accept`);
      assert.ok(link);
      const page = await call(link.link);
      assert.equal(page.status, 200, page.text);
      const token2 = new URL(link.link).searchParams.get('token')!;
      const before = await credentials.get(t.server.store.db, member.id);
      await acceptInvitation(t.server.ctx, token2, 'Joined-Pass-2026');
      const moved = (await getUser(t, token, member.id)).body as Obj;
      assert.equal(moved.status, 'active');
      assert.equal(moved.account_id, t.demo.account_id);
      assert.equal(moved.role_id, '2');
      assert.equal(moved.type, 2);
      assert.equal(moved.verified, 1);
      assert.equal((await getUser(t, other.token, member.id)).status, 404);
      assert.equal((await call(u(t, '/me'), { token: theirs })).status, 401);
      assert.notEqual((await credentials.get(t.server.store.db, member.id))?.phc, before?.phc);
      assert.equal(await invitations.forUser(t.server.store.db, member.id), undefined);
      // The link is used up.
      await assert.rejects(acceptInvitation(t.server.ctx, token2, 'Joined-Pass-2027'));
    });

    it("create for another account's owner answers 1009; for another account's pending user 1005", async () => {
      const other = await newAccount(t);
      const owner = await post(t, token, {
        action: 'create',
        user_info: { email: other.acct.owner.email, type: 1 },
      });
      assert.equal(owner.status, 400);
      assert.equal((owner.body as Obj).code, 1009);
      const pendingAddress = email('pend');
      assert.equal(
        (await post(t, other.token, { action: 'create', user_info: { email: pendingAddress, type: 1 } }))
          .status,
        201,
      );
      const pending = await post(t, token, {
        action: 'create',
        user_info: { email: pendingAddress, type: 1 },
      });
      assert.equal(pending.status, 409);
      assert.equal((pending.body as Obj).code, 1005);
    });

    it('refuses to disassociate an admin (1117); deleting one is allowed', async () => {
      const admin = await addUser(t, { role: 'admin' });
      const res = await call(u(t, `/${admin.id}`), { method: 'DELETE', token });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { code: 1117, message: 'You can not disassociate an Admin user.' });
      assert.equal((await users.byId(t.server.store.db, admin.id))?.account_id, t.demo.account_id);
      assert.equal((await call(u(t, `/${admin.id}?action=delete`), { method: 'DELETE', token })).status, 204);
    });

    it("caps action=create at the plan's daily number (Free: 50); other actions are not counted", async () => {
      const { token: tk } = await newAccount(t, 'free');
      for (let i = 0; i < 50; i++) {
        const res = await post(t, tk, { action: 'create', user_info: { email: email('cap'), type: 1 } });
        assert.equal(res.status, 201, res.text);
      }
      const over = await post(t, tk, { action: 'create', user_info: { email: email('cap'), type: 1 } });
      assert.equal(over.status, 429, over.text);
      assert.equal((over.body as Obj).code, 429);
      assert.equal(
        (over.body as Obj).message,
        'You have exceeded the daily rate limit (50) of user invite requests permitted for this account. You may resume these requests at GMT 00:00:00.',
      );
      assert.equal(over.headers.get('x-ratelimit-type'), 'Daily-limit');
      assert.match(over.headers.get('retry-after') ?? '', /^\d{4}-\d\d-\d\dT00:00:00Z$/);
      const cust = await post(t, tk, { action: 'custCreate', user_info: { email: email('cap'), type: 1 } });
      assert.equal(cust.status, 201, cust.text);
    });
  });

  describe('PUT /v2/users/{userId}/email', () => {
    it('changes the address: the old one is free, verified goes back to 0, the user is signed out', async () => {
      const m = await addUser(t, { password: 'Signin-Pass-42' });
      assert.equal(
        (await signIn(t.server.ctx, { email: m.email, password: 'Signin-Pass-42', ip: null })).ok,
        true,
      );
      const ut = (await issueUserToken(t.server.ctx, m.email, ['user:read'], 3600)).access_token;
      const next = email('moved');
      const res = await putEmail(t, token, m.id, { email: next });
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      const b = (await getUser(t, token, m.id)).body as Obj;
      assert.equal(b.email, next);
      assert.equal(b.verified, 0);
      assert.equal((await getUser(t, token, m.email)).status, 404);
      assert.deepEqual(await webSessionsFor(t.server.store.db, m.id), []);
      assert.equal((await call(u(t, '/me'), { token: ut })).status, 401);
      // Signing in with the new address proves it.
      assert.equal(
        (await signIn(t.server.ctx, { email: next, password: 'Signin-Pass-42', ip: null })).ok,
        true,
      );
      assert.equal(((await getUser(t, token, m.id)).body as Obj).verified, 1);
    });

    it("refuses a used address (1005), a bad one, 400 characters, another account's user; changes nothing", async () => {
      const m = await addUser(t);
      const other = await newAccount(t);
      const before = await users.byId(t.server.store.db, m.id);
      const used = await putEmail(t, token, m.id, { email: t.demo.member.email.toUpperCase() });
      assert.equal(used.status, 409);
      assert.deepEqual(used.body, {
        code: 1005,
        message: `Email "${t.demo.member.email.toUpperCase()}" has already been used.`,
      });
      const elsewhere = await putEmail(t, token, m.id, { email: other.acct.owner.email });
      assert.equal(elsewhere.status, 409);
      assert.deepEqual((await putEmail(t, token, m.id, { email: 'not-an-address' })).body, invalid('email'));
      assert.deepEqual(
        (await putEmail(t, token, m.id, { email: `${'a'.repeat(388)}@example.test` })).body,
        invalid('email'),
      );
      assert.deepEqual((await putEmail(t, token, m.id, { email: 5 })).body, invalid('email'));
      assert.equal((await putEmail(t, token, m.id, {})).status, 400);
      const foreign = await putEmail(t, token, other.acct.owner.id, { email: email() });
      assert.equal(foreign.status, 404);
      assert.equal((foreign.body as Obj).code, 1001);
      assert.deepEqual(await users.byId(t.server.store.db, m.id), before);
      const { token: readOnly } = await appWithToken(t, ['user:read:admin']);
      assert.equal(((await putEmail(t, readOnly, m.id, { email: email() })).body as Obj).code, 4711);
    });

    it("allows 3 changes of a user's address in 24 hours, as Zoom, and refuses the fourth", async () => {
      const m = await addUser(t);
      for (let i = 0; i < 3; i++)
        assert.equal((await putEmail(t, token, m.id, { email: email('thrice') })).status, 204);
      const current = (await users.byId(t.server.store.db, m.id))?.email;
      // Only the letters' case: not a change of address, not counted.
      assert.equal((await putEmail(t, token, m.id, { email: current?.toUpperCase() })).status, 204);
      const fourth = await putEmail(t, token, m.id, { email: email('thrice') });
      assert.equal(fourth.status, 400);
      assert.deepEqual(fourth.body, {
        code: 300,
        message: "A user's email address can be changed up to 3 times in any 24 hour period.",
      });
      assert.equal((await users.byId(t.server.store.db, m.id))?.email, current?.toUpperCase());
    });

    it("refuses the owner's, a pending user's and an inactive user's address with Zoom's 1000", async () => {
      const owner = await putEmail(t, token, t.demo.owner.id, { email: email() });
      assert.equal(owner.status, 400);
      assert.deepEqual(owner.body, { code: 1000, message: 'Can not change email of account owner.' });
      const p = await post(t, token, { action: 'create', user_info: { email: email('pend'), type: 1 } });
      const pending = await putEmail(t, token, (p.body as Obj).id as string, { email: email() });
      assert.deepEqual(pending.body, { code: 1000, message: 'Pending user can not change email.' });
      const m = await addUser(t);
      const off = await call(u(t, `/${m.id}/status`), {
        method: 'PUT',
        token,
        json: { action: 'deactivate' },
      });
      assert.equal(off.status, 204);
      const inactive = await putEmail(t, token, m.id, { email: email() });
      assert.deepEqual(inactive.body, { code: 1000, message: 'This user is locked or inactive.' });
      assert.equal((await users.byId(t.server.store.db, m.id))?.email, m.email);
    });
  });

  describe('DELETE /v2/users/{userId}/token', () => {
    it("signs the user out everywhere: web sessions and user-level tokens; the apps' tokens stay", async () => {
      const admin = await addUser(t, { role: 'admin', password: 'Signin-Pass-42' });
      assert.equal(
        (await signIn(t.server.ctx, { email: admin.email, password: 'Signin-Pass-42', ip: null })).ok,
        true,
      );
      assert.equal(
        (await signIn(t.server.ctx, { email: admin.email, password: 'Signin-Pass-42', ip: null })).ok,
        true,
      );
      const ut = (await issueUserToken(t.server.ctx, admin.email, ['user:read'], 3600)).access_token;
      const { token: appToken } = await appWithToken(t, ['user:read:admin'], admin.email);
      assert.equal((await webSessionsFor(t.server.store.db, admin.id)).length, 2);
      const res = await call(u(t, `/${admin.id}/token`), { method: 'DELETE', token });
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      assert.deepEqual(await webSessionsFor(t.server.store.db, admin.id), []);
      assert.equal((await call(u(t, '/me'), { token: ut })).status, 401);
      assert.equal((await call(u(t, '/me'), { token: appToken })).status, 200);
      assert.equal((await call(u(t, '/nobody@example.test/token'), { method: 'DELETE', token })).status, 404);
    });
  });

  describe('GET /v2/users/{userId}/permissions and /v2/users/summary', () => {
    it("lists the privileges of the user's role", async () => {
      const owner = (await call(u(t, `/${t.demo.owner.id}/permissions`), { token })).body as {
        permissions: string[];
      };
      assert.ok(owner.permissions.includes('Role:Edit'));
      const admin = await addUser(t, { role: 'admin' });
      const a = (await call(u(t, `/${admin.id}/permissions`), { token })).body as { permissions: string[] };
      assert.ok(a.permissions.includes('User:Edit'));
      assert.equal(a.permissions.includes('Role:Edit'), false);
      assert.deepEqual((await call(u(t, `/${t.demo.member.id}/permissions`), { token })).body, {
        permissions: [],
      });
    });

    it('counts users by type and status, and is not taken for a user id', async () => {
      const { acct, token: tk } = await newAccount(t);
      await addUser(t, { accountId: acct.account_id });
      await post(t, tk, { action: 'custCreate', user_info: { email: email(), type: 2 } });
      await post(t, tk, { action: 'custCreate', user_info: { email: email(), type: 4 } });
      await post(t, tk, { action: 'create', user_info: { email: email(), type: 2 } });
      const res = await call(u(t, '/summary'), { token: tk });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {
        licensed_users_count: 1,
        basic_users_count: 2,
        on_prem_users_count: 0,
        room_users_count: 0,
        pending_users_count: 1,
        join_only_users_count: 1,
        total_users_count: 5,
      });
      const { token: readOnly } = await appWithToken(t, ['user:read:admin']);
      assert.equal((await call(u(t, '/summary'), { token: readOnly })).status, 200);
      const { token: pwOnly } = await appWithToken(t, ['user:update:password:admin']);
      assert.equal(((await call(u(t, '/summary'), { token: pwOnly })).body as Obj).code, 4711);
    });

    it('is described in the OpenAPI document, with rate-limit labels', async () => {
      const doc = (await call(`${t.url}/openapi.json`)).body as {
        paths: Record<string, Record<string, Obj>>;
      };
      assert.ok(doc.paths['/v2/users/{userId}/email']?.put);
      assert.ok(doc.paths['/v2/users/{userId}/token']?.delete);
      assert.ok(doc.paths['/v2/users/{userId}/permissions']?.get);
      assert.ok(doc.paths['/v2/users/summary']?.get);
      const res = await call(u(t, '/summary'), { token });
      assert.equal(res.headers.get('x-ratelimit-category'), 'Medium');
    });
  });
});
