// Request building and response handling of the endpoints zpass does not serve yet, against a
// scripted stand-in for the remote Zoom API that answers as the contract says Zoom does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  malformedReason,
  type User,
  ZoomClient,
  ZoomConfigError,
  ZoomConflictError,
  ZoomError,
  ZoomNotFoundError,
} from '../src/index.js';
import { json, noContent, type StandIn, standIn } from './stand-in.js';

const TOKEN = 'stand-in-token-0001';

function user(i: number): User {
  return {
    id: `user${String(i).padStart(18, '0')}AB`,
    email: `user${i}@example.test`,
    first_name: 'User',
    last_name: String(i),
    display_name: `User ${i}`,
    type: 1,
    role_name: 'Member',
    status: 'active',
    created_at: '2026-01-01T00:00:00Z',
    account_id: 'acct_1',
  };
}

describe('resources against the contract', () => {
  let zoom: ZoomClient;
  let s: StandIn;
  const all = Array.from({ length: 7 }, (_, i) => user(i + 1));
  let settings: Record<string, unknown> = {
    password_requirement: {
      minimum_password_length: 10,
      have_special_character: true,
      consecutive_characters_length: 0,
      weak_enhance_detection: false,
    },
    sign_in_with_two_factor_auth: 'none',
  };

  before(async () => {
    s = await standIn((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        return json(res, 401, { code: 124, message: 'Invalid access token.' });
      }
      const p = url.pathname;
      if (req.method === 'GET' && p === '/v2/users') {
        // Three pages of at most page_size users; the token is the next index.
        const size = Number(url.searchParams.get('page_size') ?? 30);
        const start = Number(url.searchParams.get('next_page_token') || 0);
        const page = all.slice(start, start + size);
        const next = start + size < all.length ? String(start + size) : '';
        return json(res, 200, {
          page_size: size,
          total_records: all.length,
          next_page_token: next,
          users: page,
        });
      }
      if (req.method === 'POST' && p === '/v2/users') {
        const body = JSON.parse(req.body) as { user_info: { email: string; type: number } };
        if (all.some((u) => u.email === body.user_info.email)) {
          return json(res, 409, {
            code: 1005,
            message: `User already in the account: ${body.user_info.email}`,
          });
        }
        return json(res, 201, {
          id: 'newUser00000000000000Z',
          first_name: 'New',
          last_name: 'User',
          email: body.user_info.email,
          type: body.user_info.type,
        });
      }
      if (req.method === 'GET' && p === '/v2/users/email') {
        return json(res, 200, { existed_email: all.some((u) => u.email === url.searchParams.get('email')) });
      }
      if (p === '/v2/users/user000000000000000001AB' && (req.method === 'PATCH' || req.method === 'DELETE')) {
        return noContent(res);
      }
      if (req.method === 'PUT' && p === '/v2/users/user000000000000000001AB/status') return noContent(res);
      if (p === '/v2/accounts/me/settings') {
        if (req.method === 'GET') return json(res, 200, { security: settings });
        if (req.method === 'PATCH') {
          const body = JSON.parse(req.body) as Record<string, unknown>;
          settings = { ...settings, ...(body.security as object) };
          return noContent(res);
        }
      }
      return json(res, 404, {
        code: 1001,
        message: `User does not exist: ${decodeURIComponent(p.split('/')[3] ?? '')}.`,
      });
    });
    zoom = new ZoomClient({ accessToken: TOKEN, baseUrl: `${s.url}/v2`, userAgent: 'resources-test/1' });
  });
  after(() => s.close());

  const last = () => s.requests.at(-1)!;

  it('list() resolves to the first page', async () => {
    const page = await zoom.users.list({ page_size: 3, status: 'active' });
    assert.deepEqual(
      page.items.map((u) => u.id),
      all.slice(0, 3).map((u) => u.id),
    );
    assert.equal(page.response.total_records, 7);
    assert.equal(page.response.next_page_token, '3');
    assert.equal(page.hasNextPage(), true);
    assert.equal(last().url, '/v2/users?page_size=3&status=active');
    const second = await page.getNextPage();
    assert.equal(last().url, '/v2/users?page_size=3&status=active&next_page_token=3');
    assert.deepEqual(
      second.items.map((u) => u.email),
      ['user4@example.test', 'user5@example.test', 'user6@example.test'],
    );
  });

  it('list() iterates over every user of every page', async () => {
    const before = s.requests.length;
    const seen: string[] = [];
    for await (const u of zoom.users.list({ page_size: 3 })) seen.push(u.id);
    assert.deepEqual(
      seen,
      all.map((u) => u.id),
    );
    assert.equal(s.requests.length - before, 3);
    const last = await (await (await zoom.users.list({ page_size: 3 })).getNextPage()).getNextPage();
    assert.equal(last.hasNextPage(), false);
    await assert.rejects(
      last.getNextPage(),
      (e: unknown) => e instanceof ZoomError && e.message === 'No next page.',
    );
  });

  it('create() posts the body and returns the 201 user; a used e-mail is ZoomConflictError 1005', async () => {
    const created = await zoom.users.create({
      action: 'create',
      user_info: { email: 'new@example.test', type: 1, first_name: 'New', last_name: 'User' },
    });
    assert.deepEqual(created, {
      id: 'newUser00000000000000Z',
      first_name: 'New',
      last_name: 'User',
      email: 'new@example.test',
      type: 1,
    });
    assert.equal(last().method, 'POST');
    assert.equal(last().headers['content-type'], 'application/json');
    assert.match(String(last().headers['user-agent']), /^zpass-zoom-client\/0\.1\.0 resources-test\/1$/);
    assert.deepEqual(JSON.parse(last().body), {
      action: 'create',
      user_info: { email: 'new@example.test', type: 1, first_name: 'New', last_name: 'User' },
    });
    const err = await zoom.users
      .create({ action: 'create', user_info: { email: 'user2@example.test', type: 1 } })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomConflictError);
    assert.equal(err.status, 409);
    assert.equal(err.code, 1005);
    assert.equal(err.trackingId, 'TRACK_409');
  });

  it('update() patches profile fields; delete() passes action; updateStatus() puts the action', async () => {
    const id = 'user000000000000000001AB';
    assert.equal(await zoom.users.update(id, { first_name: 'Renamed' }), undefined);
    assert.equal(last().method, 'PATCH');
    assert.equal(last().url, `/v2/users/${id}`);
    assert.deepEqual(JSON.parse(last().body), { first_name: 'Renamed' });
    assert.equal(await zoom.users.delete(id, { action: 'delete' }), undefined);
    assert.equal(last().method, 'DELETE');
    assert.equal(last().url, `/v2/users/${id}?action=delete`);
    assert.equal(last().body, '');
    await zoom.users.delete(id);
    assert.equal(last().url, `/v2/users/${id}`);
    await zoom.users.updateStatus(id, 'deactivate');
    assert.equal(last().method, 'PUT');
    assert.equal(last().url, `/v2/users/${id}/status`);
    assert.deepEqual(JSON.parse(last().body), { action: 'deactivate' });
  });

  it('encodes user ids and e-mails as one path segment', async () => {
    const err = await zoom.users.get('a/b?c=d@example.test').catch((e: unknown) => e);
    assert.ok(err instanceof ZoomNotFoundError);
    assert.equal(last().url, '/v2/users/a%2Fb%3Fc%3Dd%40example.test');
    assert.equal(err.message, 'User does not exist: a/b?c=d@example.test.');
    await assert.rejects(zoom.users.get(''), ZoomConfigError);
  });

  it('checkEmail() asks GET /users/email', async () => {
    assert.deepEqual(await zoom.users.checkEmail('user3@example.test'), { existed_email: true });
    assert.equal(last().url, '/v2/users/email?email=user3%40example.test');
    assert.deepEqual(await zoom.users.checkEmail('nobody@example.test'), { existed_email: false });
  });

  it('getSettings() returns {security} with option=security and without', async () => {
    const { security } = await zoom.accounts.getSettings('me', { option: 'security' });
    assert.equal(last().url, '/v2/accounts/me/settings?option=security');
    assert.equal(security?.password_requirement?.minimum_password_length, 10);
    const whole = await zoom.accounts.getSettings('me');
    assert.equal(last().url, '/v2/accounts/me/settings');
    assert.equal(whole.security?.password_requirement?.have_special_character, true);
  });

  it('updateSettings() sends {security} with option=security and without', async () => {
    await zoom.accounts.updateSettings(
      'me',
      { security: { password_requirement: { minimum_password_length: 12 } } },
      { option: 'security' },
    );
    assert.equal(last().method, 'PATCH');
    assert.equal(last().url, '/v2/accounts/me/settings?option=security');
    assert.deepEqual(JSON.parse(last().body), {
      security: { password_requirement: { minimum_password_length: 12 } },
    });
    await zoom.accounts.updateSettings('me', { security: { sign_in_with_two_factor_auth: 'all' } });
    assert.equal(last().url, '/v2/accounts/me/settings');
    const { security } = await zoom.accounts.getSettings('me', { option: 'security' });
    assert.deepEqual(security, {
      password_requirement: { minimum_password_length: 12 },
      sign_in_with_two_factor_auth: 'all',
    });
  });

  it('the account requirement read from settings drives the local check', async () => {
    const { security } = await zoom.accounts.getSettings('me', { option: 'security' });
    const req = security?.password_requirement;
    assert.deepEqual(zoom.users.checkPassword('Short1Aa', req), [
      { code: 1124, message: 'Have at least 12 characters' },
    ]);
    assert.deepEqual(zoom.users.checkPassword('Long-Enough-1', req), []);
    assert.deepEqual(zoom.users.checkPassword('x'.repeat(32), req), [
      {
        code: 300,
        message: 'Validation Failed.',
        errors: [{ field: 'password', message: malformedReason('x'.repeat(32)) }],
      },
    ]);
    assert.equal(malformedReason('x'.repeat(32)), 'Password should be less than 32 characters.');
    // Weak detection needs the server's list: the local check leaves it to the server.
    assert.deepEqual(zoom.users.checkPassword('Password-123', { ...req, weak_enhance_detection: true }), []);
  });
});
