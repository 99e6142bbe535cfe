// The resources and rate-limit handling against a real zpass server, endpoint by endpoint
// (packages/zoom-client/test/resources.test.ts and faults.test.ts cover the same calls against a
// stand-in, and the faults zpass never produces).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  RateLimitPacer,
  ZoomBadRequestError,
  ZoomClient,
  type ZoomClientOptions,
  ZoomConflictError,
  ZoomNotFoundError,
  ZoomRateLimitError,
} from '../packages/zoom-client/src/index.js';
import { setLimit } from '../packages/zpass/src/domain/accounts/limits.js';
import { addUser, startTestServer, type TestServer } from '../packages/zpass/test/helpers.js';

describe('resources against a real zpass', () => {
  let t: TestServer;
  const client = (extra: ZoomClientOptions = {}) =>
    new ZoomClient({
      accountId: t.demo.account_id,
      clientId: t.demo.client_id,
      clientSecret: t.demo.client_secret,
      baseUrl: `${t.url}/v2`,
      oauthUrl: t.url,
      ...extra,
    });

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('users.list: the first page, and every user across pages', async () => {
    const zoom = client();
    for (let i = 0; i < 4; i++) await addUser(t);
    const first = await zoom.users.list({ page_size: 2 });
    assert.equal(first.items.length, 2);
    assert.equal(first.response.page_size, 2);
    assert.equal(first.hasNextPage(), true);
    const emails: string[] = [];
    for await (const u of zoom.users.list({ page_size: 2 })) emails.push(u.email);
    assert.equal(emails.length, first.response.total_records);
    assert.equal(new Set(emails).size, emails.length, 'no user twice');
    assert.ok(emails.includes(t.demo.owner.email));
  });

  it('users.create, a used e-mail (409, 1005) and users.checkEmail', async () => {
    const zoom = client();
    const email = `created-${Date.now().toString(36)}@example.test`;
    const created = await zoom.users.create({
      action: 'create',
      user_info: { email, type: 1, first_name: 'Cre', last_name: 'Ated' },
    });
    assert.equal(created.email, email);
    assert.equal(created.type, 1);
    assert.match(created.id, /^[A-Za-z0-9_-]{22}$/);
    const err = await zoom.users
      .create({ action: 'create', user_info: { email, type: 1 } })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ZoomConflictError);
    assert.equal(err.code, 1005);
    assert.deepEqual(await zoom.users.checkEmail(email), { existed_email: true });
    assert.deepEqual(await zoom.users.checkEmail(`nobody-${email}`), { existed_email: false });
  });

  it('users.update, users.updateStatus and users.delete', async () => {
    const zoom = client();
    const u = await addUser(t);
    await zoom.users.update(u.id, { first_name: 'Renamed' });
    assert.equal((await zoom.users.get(u.id)).first_name, 'Renamed');
    await zoom.users.updateStatus(u.id, 'deactivate');
    assert.equal((await zoom.users.get(u.id)).status, 'inactive');
    await zoom.users.updateStatus(u.id, 'activate');
    assert.equal((await zoom.users.get(u.id)).status, 'active');
    await zoom.users.delete(u.id, { action: 'delete' });
    const gone = await zoom.users.get(u.id).catch((e: unknown) => e);
    assert.ok(gone instanceof ZoomNotFoundError);
    assert.equal(gone.code, 1001);
  });

  it('accounts.getSettings and updateSettings in both forms; the local check agrees with the server', async () => {
    const zoom = client();
    const settings = await zoom.accounts.getSettings('me', { option: 'security' });
    const whole = await zoom.accounts.getSettings('me');
    assert.deepEqual(whole.security?.password_requirement, settings.security?.password_requirement);
    await zoom.accounts.updateSettings(
      'me',
      { security: { password_requirement: { minimum_password_length: 12, have_special_character: true } } },
      { option: 'security' },
    );
    const req = (await zoom.accounts.getSettings('me', { option: 'security' })).security
      ?.password_requirement;
    assert.equal(req?.minimum_password_length, 12);
    assert.equal(req?.have_special_character, true);
    const u = await addUser(t);
    for (const password of ['Short-Pass1', 'NoSpecialChars12', 'abcdefghijk1!', 'Long-Enough-Pass7']) {
      const local = zoom.users.checkPassword(password, req);
      const remote = await zoom.users.updatePassword(u.id, password).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (local.length === 0) assert.equal(remote, undefined, password);
      else {
        assert.ok(remote instanceof ZoomBadRequestError, password);
        assert.equal(remote.code, local[0]!.code, password);
        assert.equal(remote.message, local[0]!.message, password);
      }
    }
    await zoom.accounts.updateSettings('me', {
      security: { password_requirement: { minimum_password_length: 0 } },
    });
    const back = await zoom.accounts.getSettings('me', { option: 'security' });
    assert.notEqual(back.security?.password_requirement?.minimum_password_length, 12);
    const bad = await zoom.accounts
      .updateSettings(
        'me',
        { security: { password_requirement: { minimum_password_length: 99 } } },
        { option: 'security' },
      )
      .catch((e: unknown) => e);
    assert.ok(bad instanceof ZoomBadRequestError);
    assert.equal(bad.code, 300);
    assert.equal(bad.errors?.[0]?.field, 'security.password_requirement.minimum_password_length');
  });

  it("honours zpass's 429s: retries per-second limits, paces under them, surfaces the daily limit", async () => {
    const ctx = t.server.ctx;
    const account = t.demo.account_id;
    const u = await addUser(t);
    await setLimit(ctx, account, 'Light', 'QPS', '4');
    const wait = () => new Promise((r) => setTimeout(r, 1100));
    await wait();

    const burst = await Promise.allSettled(
      Array.from({ length: 10 }, () => client({ maxRetries: 0 }).users.get(u.id)),
    );
    const refused = burst.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    assert.ok(refused.length > 0);
    const e = refused[0];
    assert.ok(e instanceof ZoomRateLimitError);
    assert.equal(e.isDailyLimit, false);
    assert.equal(e.rateLimit.category, 'Light');
    assert.equal(e.rateLimit.type, 'QPS');
    assert.equal(e.rateLimit.limit, 4);
    assert.equal(e.rateLimit.remaining, 0);
    assert.ok(e.rateLimit.retryAfterMs !== undefined && e.rateLimit.retryAfterMs <= 1000);
    await wait();

    const retrying = client({ maxRetries: 5 });
    const all = await Promise.all(Array.from({ length: 10 }, () => retrying.users.get(u.id)));
    assert.equal(all.length, 10);
    await wait();

    const paced = client({ maxRetries: 0 });
    const pacer = new RateLimitPacer(paced, { category: 'Light' });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => pacer.schedule(() => paced.users.get(u.id))),
    );
    pacer.close();
    assert.equal(results.filter((r) => r.status === 'rejected').length, 0);
    assert.equal(pacer.limit, 4);

    await setLimit(ctx, account, 'Light', 'Daily-limit', '1');
    await wait();
    const daily = await client({ maxRetries: 5 })
      .users.get(u.id)
      .then(() => client({ maxRetries: 5 }).users.get(u.id))
      .catch((err: unknown) => err);
    assert.ok(daily instanceof ZoomRateLimitError);
    assert.equal(daily.isDailyLimit, true);
    assert.equal(daily.rateLimit.type, 'Daily-limit');
    assert.ok(daily.retryAt !== undefined && daily.retryAt.getTime() > Date.now());
  });
});
