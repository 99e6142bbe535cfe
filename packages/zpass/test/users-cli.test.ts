import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { digest, newId } from '../src/crypto/random.js';
import { issueUserToken } from '../src/domain/tokens/access-tokens.js';
import { invitations } from '../src/store/repositories/invitations.js';
import { users } from '../src/store/repositories/users.js';
import { runAdmin } from './cli-helpers.js';
import { accountToken, addUser, call, startTestServer, type TestServer } from './helpers.js';

describe('zpass admin: user operations offline', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer();
    token = await accountToken(t);
  });
  after(() => t.stop());

  const zpass = (...args: string[]) => runAdmin(t, args);

  it('never hands out an id that the CLI would read as an option', () => {
    // 1 in 64 base64url ids starts with "-": 4,096 draws hold one but about once in 10^28.
    const ids = Array.from({ length: 4096 }, () => newId());
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('set-status deactivates a user (their token stops) and activates them again', async () => {
    const u = await addUser(t);
    const ut = (await issueUserToken(t.server.ctx, u.email, ['user:read'], 3600)).access_token;
    const off = await zpass('set-status', '--user', u.email, '--action', 'deactivate');
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, `${u.email} is inactive\n`);
    assert.equal((await call(`${t.url}/v2/users/me`, { token: ut })).status, 401);
    const on = await zpass('set-status', '--user', u.id, '--action', 'activate');
    assert.equal(on.stdout, `${u.email} is active\n`);
    assert.equal((await users.byId(t.server.store.db, u.id))?.status, 'active');
  });

  it('refuses to deactivate the owner, and an unknown action, in one line each', async () => {
    const owner = await zpass('set-status', '--user', t.demo.owner.email, '--action', 'deactivate');
    assert.equal(owner.code, 1);
    assert.equal(
      owner.stderr,
      'zpass: Zoom Room and Admin users can not be activated or deactivated. (code 200)\n',
    );
    const bad = await zpass('set-status', '--user', t.demo.member.email, '--action', 'pause');
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'zpass: Validation Failed. action: Invalid field. (code 300)\n');
    assert.equal((await users.byId(t.server.store.db, t.demo.owner.id))?.status, 'active');
  });

  it('set-role and delete-user', async () => {
    const u = await addUser(t);
    const role = await zpass('set-role', '--user', u.email, '--role', 'admin');
    assert.equal(role.stdout, `${u.email} is admin\n`, role.stderr);
    assert.equal((await users.byId(t.server.store.db, u.id))?.role, 'admin');
    const ownerRole = await zpass('set-role', '--user', t.demo.owner.email, '--role', 'member');
    assert.equal(ownerRole.stderr, "zpass: The account owner's role can not be changed. (code 200)\n");
    const gone = await zpass('delete-user', '--user', u.id, '--action', 'delete');
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(await users.byId(t.server.store.db, u.id), undefined);
    const missing = await zpass('delete-user', '--user', u.id, '--action', 'delete');
    assert.equal(missing.stderr, `zpass: User does not exist: ${u.id}. (code 1001)\n`);
  });

  it('invite-user adds a pending user with an invitation and prints its link', async () => {
    const address = `cli-new-${process.pid}@example.test`;
    const out = await zpass(
      'invite-user',
      '--account',
      t.demo.account_id,
      '--email',
      address,
      '--first-name',
      'Cli',
      '--json',
    );
    assert.equal(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout) as {
      id: string;
      email: string;
      first_name: string;
      type: number;
      link: string;
    };
    assert.equal(r.email, address);
    assert.equal(r.first_name, 'Cli');
    assert.equal(r.type, 1);
    assert.match(r.link, /^http:\/\/127\.0\.0\.1:8080\/invitations\/accept\?token=[A-Za-z0-9_-]{43}$/);
    const got = await call(`${t.url}/v2/users/${r.id}`, { token });
    assert.equal((got.body as { status: string }).status, 'pending');
    const again = await zpass(
      'invite-user',
      '--account',
      t.demo.account_id,
      '--email',
      address.toUpperCase(),
    );
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      `zpass: Email "${address.toUpperCase()}" has already been used. (code 1005)\n`,
    );
    const bad = await zpass('invite-user', '--account', t.demo.account_id, '--email', 'not-an-email');
    assert.equal(bad.stderr, 'zpass: Validation Failed. user_info.email: Invalid field. (code 300)\n');
  });

  it('invite-link prints a fresh link for a pending user and keeps only its digest', async () => {
    const res = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'create', user_info: { email: `cli-invite-${process.pid}@example.test`, type: 1 } },
    });
    const id = (res.body as { id: string }).id;
    const out = await zpass(
      'invite-link',
      '--user',
      id,
      '--base-url',
      'https://zpass.example.test',
      '--json',
    );
    assert.equal(out.code, 0, out.stderr);
    const { link, expires_at } = JSON.parse(out.stdout) as { link: string; expires_at: string };
    const url = new URL(link);
    assert.equal(`${url.origin}${url.pathname}`, 'https://zpass.example.test/invitations/accept');
    const inv = await invitations.forUser(t.server.store.db, id);
    assert.equal(inv?.token_digest, digest(url.searchParams.get('token')!));
    assert.equal(expires_at, new Date(inv!.expires_at).toISOString());
    const active = await zpass('invite-link', '--user', t.demo.member.email);
    assert.equal(active.code, 1);
    assert.equal(
      active.stderr,
      `zpass: ${t.demo.member.email} has no open invitation (not pending, or it expired).\n`,
    );
  });
});
