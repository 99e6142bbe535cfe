import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  accountToken,
  addUser,
  call,
  putPassword,
  startTestServer,
  type TestServer,
  tokenRequest,
} from './helpers.js';

/** The value of one series in a Prometheus text scrape (0 when absent). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

describe('GET /metrics on its own address', () => {
  let t: TestServer;
  let metricsUrl: string;
  const scrape = async () => {
    const r = await fetch(metricsUrl);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    return r.text();
  };

  before(async () => {
    t = await startTestServer({ metricsAddr: { host: '127.0.0.1', port: 0 }, testControls: true });
    metricsUrl = t.server.metricsUrl!;
  });
  after(() => t.stop());

  it('is not served on the API address', async () => {
    assert.notEqual(new URL(metricsUrl).port, new URL(t.url).port);
    assert.equal((await call(`${t.url}/metrics`)).status, 404);
  });

  it('counts password changes, requests, tokens, sign-in failures and 429s, with no id, e-mail or token in a label', async () => {
    const before = await scrape();
    const user = await addUser(t);
    const token = await accountToken(t);
    assert.equal((await putPassword(t, token, user.id, 'Metrics-Pass-2')).status, 204);
    const same = await putPassword(t, token, user.id, 'Metrics-Pass-2');
    assert.equal(same.status, 400, same.text);
    const code = String((same.body as { code: number }).code);
    const badSecret = await tokenRequest(t, {
      query: { grant_type: 'account_credentials', account_id: t.demo.account_id },
      authorization: `Basic ${Buffer.from(`${t.demo.client_id}:wrong`).toString('base64')}`,
    });
    assert.equal(badSecret.status, 400, badSecret.text);
    const force = await call(`${t.url}/zpass/test/rate-limits`, {
      method: 'POST',
      token,
      json: { type: 'QPS', count: 1 },
    });
    assert.equal(force.status, 204, force.text);
    assert.equal((await call(`${t.url}/v2/users/${user.id}`, { token })).status, 429);

    const text = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      value(text, name, labels) - value(before, name, labels);
    assert.equal(moved('zpass_password_changes_total', { outcome: 'accepted' }), 1);
    assert.equal(moved('zpass_password_changes_total', { outcome: 'refused', code }), 1);
    const route = '/v2/users/:userId/password';
    assert.equal(moved('zpass_http_requests_total', { route, method: 'PUT', status: '204' }), 1);
    assert.equal(moved('zpass_http_requests_total', { route, method: 'PUT', status: '400' }), 1);
    assert.equal(moved('zpass_http_request_duration_seconds_count', { route, method: 'PUT' }), 2);
    assert.ok(moved('zpass_tokens_issued_total', { grant_type: 'account_credentials' }) >= 1);
    assert.equal(moved('zpass_sign_ins_total', { via: 'oauth', outcome: 'bad_credentials' }), 1);
    assert.equal(moved('zpass_rate_limited_total', { category: 'Light', type: 'QPS' }), 1);
    assert.ok(value(text, 'zpass_hash_wait_seconds_count') >= 2);
    assert.match(text, /^zpass_hash_queue_depth 0$/m);
    assert.match(text, /^zpass_hash_shed_total 0$/m);
    assert.match(text, /^zpass_outbox_messages\{status="pending"\} \d+$/m);
    assert.match(text, /^zpass_outbox_oldest_pending_age_seconds [\d.e+-]+$/m);
    if (t.databaseUrl) {
      assert.match(text, /^zpass_store_pool_connections\{state="busy"\} \d+$/m);
      assert.match(text, /^zpass_store_pool_max 10$/m);
    }
    // No label carries what identifies a user, an account or a credential.
    for (const secret of [user.id, user.email, t.demo.account_id, t.demo.client_id, token])
      assert.equal(text.includes(secret), false, `the scrape contains ${secret}`);
  });
});
