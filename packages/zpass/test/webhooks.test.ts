// Webhooks, server side: subscriptions with Zoom's URL validation, and delivery by the relay
// inside a real server to a real HTTP endpoint (test/webhook-endpoint.ts) — signatures, retries,
// bounds, order per user, endpoints that fail in every way, and redelivery.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { WebhookConfig } from '../src/config.js';
import { WebhookError } from '../src/domain/errors.js';
import { redeliver } from '../src/domain/webhooks/deliveries.js';
import { recordEvent, signInEvent, userStatusEvent, userUpdated } from '../src/domain/webhooks/events.js';
import { appSecret } from '../src/domain/webhooks/secrets.js';
import {
  listSubscriptions,
  removeSubscription,
  type SubscriptionView,
  subscribe,
} from '../src/domain/webhooks/subscriptions.js';
import { type User, users } from '../src/store/repositories/users.js';
import { webhookDeliveries, webhookSecrets } from '../src/store/repositories/webhooks.js';
import { completeWebhookConfig, posterFor } from '../src/webhooks/index.js';
import { addUser, startTestServer, type TestServer } from './helpers.js';
import { waitFor } from './smtp.js';
import { TestEndpoint } from './webhook-endpoint.js';

const STORE = process.env.ZPASS_TEST_STORE ?? 'sqlite';

/** Fast enough for tests: retries after 100, 200 and 300 ms; an attempt lasts at most 1 s. */
const FAST: Partial<WebhookConfig> = {
  retryScheduleMs: [100, 200, 300],
  timeoutMs: 1000,
  leaseMs: 6000,
  pollMs: 50,
};

function post(config: Partial<WebhookConfig> = FAST) {
  return posterFor(completeWebhookConfig(config));
}

async function expectRefusal(p: Promise<unknown>, kind: WebhookError['kind'], message?: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof WebhookError, String(err));
    assert.equal(err.kind, kind, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

async function passwordChanged(t: TestServer, user: { id: string; email: string }) {
  const ctx = t.server.ctx;
  return ctx.store.transaction((tx) =>
    recordEvent(
      tx,
      userUpdated(
        t.demo.account_id,
        { email: t.demo.owner.email, id: t.demo.owner.id },
        { operation: 'change_password', user },
        ctx.clock.now(),
      ),
    ),
  );
}

describe(`webhook subscriptions (${STORE})`, () => {
  let t: TestServer;
  let endpoint: TestEndpoint;
  let secret: string;

  before(async () => {
    t = await startTestServer();
    secret = (await appSecret(t.server.ctx, t.demo.client_id)).secret_token;
    endpoint = await new TestEndpoint(secret).start();
  });
  after(async () => {
    await endpoint.stop();
    await t.stop();
  });

  it("creates the app's secret token once, keeps it sealed, and rotates it on demand", async () => {
    const again = await appSecret(t.server.ctx, t.demo.client_id);
    assert.equal(again.secret_token, secret);
    assert.equal(again.changed, false);
    assert.match(secret, /^[A-Za-z0-9]{22}$/);
    const row = await webhookSecrets.get(t.server.store.db, again.app_id);
    assert.ok(row);
    assert.ok(!row.secret_sealed.includes(secret), 'the token is not stored in clear');
    // Another app's row cannot open it (the app id is bound to the sealed value).
    const rotated = await appSecret(t.server.ctx, t.demo.client_id, { rotate: true });
    assert.notEqual(rotated.secret_token, secret);
    assert.equal(rotated.changed, true);
    assert.ok(rotated.rotated_at);
    // Put the first one back for the other tests: rotate until... no: use the new one.
    secret = rotated.secret_token;
    endpoint.secretToken = secret;
    await expectRefusal(appSecret(t.server.ctx, 'no-such-client'), 'app_not_found');
  });

  it('activates an endpoint that answers the URL validation with the secret token', async () => {
    const s = await subscribe(t.server.ctx, post(), {
      clientId: t.demo.client_id,
      url: endpoint.url,
      events: ['user.updated,user.created'],
    });
    assert.equal(s.status, 'active');
    assert.deepEqual(s.events, ['user.updated', 'user.created']);
    assert.equal(endpoint.validations, 1);
    const listed = await listSubscriptions(t.server.ctx, t.demo.client_id);
    assert.deepEqual(
      listed.map((l) => [l.id, l.url, l.status]),
      [[s.id, endpoint.url, 'active']],
    );
    await expectRefusal(
      subscribe(t.server.ctx, post(), {
        clientId: t.demo.client_id,
        url: endpoint.url,
        events: ['user.created'],
      }),
      'duplicate_url',
      /already sends events to/,
    );
    await removeSubscription(t.server.ctx, s.id);
    assert.deepEqual(await listSubscriptions(t.server.ctx), []);
    await expectRefusal(removeSubscription(t.server.ctx, s.id), 'subscription_not_found');
  });

  it('refuses an endpoint whose answer proves another secret, and says why; fixed, it activates', async () => {
    endpoint.validationSecret = 'not-the-apps-secret';
    const url = `${endpoint.url}/wrong`;
    await expectRefusal(
      subscribe(t.server.ctx, post(), { clientId: t.demo.client_id, url, events: ['user.created'] }),
      'validation_failed',
      /encryptedToken is not the HMAC .* another secret token/,
    );
    const [stored] = await listSubscriptions(t.server.ctx, t.demo.client_id);
    assert.equal(stored?.status, 'unvalidated');
    assert.match(stored?.last_error ?? '', /URL validation failed/);
    endpoint.validationSecret = undefined;
    const s = await subscribe(t.server.ctx, post(), {
      clientId: t.demo.client_id,
      url,
      events: ['user.deleted'],
    });
    assert.equal(s.status, 'active');
    assert.equal(s.id, stored!.id);
    assert.deepEqual(s.events, ['user.deleted']);
    await removeSubscription(t.server.ctx, s.id);
  });

  it('refuses non-http(s) URLs, credentials in URLs, unknown events, and endpoints that do not answer', async () => {
    const sub = (url: string, events = ['user.created']) =>
      subscribe(t.server.ctx, post(), { clientId: t.demo.client_id, url, events });
    await expectRefusal(sub('ftp://127.0.0.1/x'), 'invalid_url', /http:\/\/ or https:\/\/ URL, not ftp/);
    await expectRefusal(sub('file:///etc/passwd'), 'invalid_url');
    await expectRefusal(sub('not a url'), 'invalid_url', /Not a URL/);
    await expectRefusal(sub('http://user:pw@127.0.0.1/x'), 'invalid_url', /credentials/);
    await expectRefusal(
      sub(endpoint.url, ['user.created', 'meeting.started']),
      'unknown_event',
      /meeting\.started/,
    );
    await expectRefusal(sub(endpoint.url, ['']), 'no_events');
    // A port nobody listens on: the reason is the connection's.
    await expectRefusal(sub('http://127.0.0.1:1/hooks'), 'validation_failed', /connection refused/);
    endpoint.behave = () => ({ kind: 'status', status: 500 });
    const before = endpoint.validations;
    // Refusals before validation never reach the endpoint.
    assert.equal(endpoint.validations, before);
    for (const s of await listSubscriptions(t.server.ctx)) await removeSubscription(t.server.ctx, s.id);
  });

  it('refuses hosts outside ZPASS_WEBHOOK_ALLOWED_HOSTS before connecting', async () => {
    const before = endpoint.validations;
    await expectRefusal(
      subscribe(t.server.ctx, post({ ...FAST, allowedHosts: ['hooks.example.com', '10.0.0.0/8'] }), {
        clientId: t.demo.client_id,
        url: endpoint.url,
        events: ['user.created'],
      }),
      'validation_failed',
      /127\.0\.0\.1 is not in ZPASS_WEBHOOK_ALLOWED_HOSTS/,
    );
    await expectRefusal(
      subscribe(t.server.ctx, post({ ...FAST, allowedHosts: ['example.com'] }), {
        clientId: t.demo.client_id,
        url: `http://localhost:${endpoint.port}/hooks`,
        events: ['user.created'],
      }),
      'validation_failed',
      /localhost is not in ZPASS_WEBHOOK_ALLOWED_HOSTS/,
    );
    assert.equal(endpoint.validations, before);
    // Admitted by address range: a name that resolves into it passes.
    const s = await subscribe(t.server.ctx, post({ ...FAST, allowedHosts: ['127.0.0.0/8'] }), {
      clientId: t.demo.client_id,
      url: `http://localhost:${endpoint.port}/hooks`,
      events: ['user.created'],
    });
    assert.equal(s.status, 'active');
    await removeSubscription(t.server.ctx, s.id);
  });
});

describe(`webhook delivery (${STORE})`, () => {
  let t: TestServer;
  let endpoint: TestEndpoint;
  let subscription: SubscriptionView;
  let member: User;

  before(async () => {
    t = await startTestServer({ webhooks: FAST });
    const secret = (await appSecret(t.server.ctx, t.demo.client_id)).secret_token;
    endpoint = await new TestEndpoint(secret).start();
    subscription = await subscribe(t.server.ctx, post(), {
      clientId: t.demo.client_id,
      url: endpoint.url,
      events: ['user.updated', 'user.deactivated', 'user.signed_in'],
    });
    member = (await users.byId(t.server.store.db, t.demo.member.id))!;
  });
  beforeEach(() => {
    endpoint.behave = () => ({ kind: 'status', status: 204 });
    endpoint.accepted.length = 0;
    endpoint.requests.length = 0;
  });
  after(async () => {
    await endpoint.stop();
    await t.stop();
  });

  async function rows() {
    return webhookDeliveries.forSubscription(t.server.store.db, subscription.id);
  }

  it('delivers a committed event, signed so that the SDK accepts it, with a stable event id', async () => {
    assert.equal(await passwordChanged(t, member), 1);
    await waitFor('the event', () => endpoint.accepted.length === 1);
    const [got] = endpoint.accepted;
    assert.equal(got!.verified, true);
    assert.equal(got!.event.event, 'user.updated');
    assert.deepEqual((got!.event as { payload: unknown }).payload, {
      account_id: t.demo.account_id,
      operator: t.demo.owner.email,
      operator_id: t.demo.owner.id,
      operation: 'change_password',
      object: { id: member.id, email: member.email },
      time_stamp: (got!.event as { event_ts: number }).event_ts,
    });
    assert.match(got!.eventId ?? '', /^[0-9a-f-]{36}$/);
    await waitFor('the row marked delivered', async () => (await rows()).at(-1)?.status === 'delivered');
    const row = (await rows()).at(-1)!;
    assert.equal(row.event_id, got!.eventId);
    assert.equal(row.attempts, 1);
    assert.equal(row.last_status, 204);
    assert.equal(row.body, got!.body, 'the body is sent exactly as stored');
    assert.doesNotMatch(row.body, /"(password|phc|secret_token|access_token|token)"|\$argon2/);
  });

  it("logs deliveries without the secret token, the signature, the body or the URL's query values", async () => {
    const withQuery = await subscribe(t.server.ctx, post(), {
      clientId: t.demo.client_id,
      url: `${endpoint.url}?key=sekrit-query-token`,
      events: ['user.signed_out'],
    });
    try {
      await t.server.store.transaction((tx) =>
        recordEvent(tx, signInEvent('user.signed_out', t.demo.account_id, member, Date.now())),
      );
      await waitFor('the event', () => endpoint.accepted.length === 1);
      await waitFor('the delivery logged', () => t.logs.join('').includes('"msg":"webhook delivered"'));
      const logs = t.logs.join('');
      const got = endpoint.accepted[0]!;
      assert.ok(!logs.includes('sekrit-query-token'));
      assert.ok(!logs.includes(endpoint.secretToken));
      assert.ok(!logs.includes(String(got.headers['x-zm-signature'])));
      assert.ok(!logs.includes(got.body));
      assert.match(logs, /"url":"http:\/\/127\.0\.0\.1:\d+\/hooks\?key=\*\*\*"/);
    } finally {
      await removeSubscription(t.server.ctx, withQuery.id);
    }
  });

  it('records nothing for events no endpoint subscribed to, and nothing when the change rolls back', async () => {
    const before = (await rows()).length;
    const n = await t.server.store.transaction((tx) =>
      recordEvent(tx, signInEvent('user.signed_out', t.demo.account_id, member, Date.now())),
    );
    assert.equal(n, 0);
    await assert.rejects(
      t.server.store.transaction(async (tx) => {
        await recordEvent(
          tx,
          userUpdated(
            t.demo.account_id,
            undefined,
            { operation: 'change_password', user: member },
            Date.now(),
          ),
        );
        throw new Error('the change fails');
      }),
      /the change fails/,
    );
    assert.equal((await rows()).length, before);
  });

  it('retries on 500 and on no answer, with the same event id and body, until 200', async () => {
    let n = 0;
    endpoint.behave = () => {
      n++;
      if (n === 1) return { kind: 'status', status: 500 };
      if (n === 2) return { kind: 'stall' };
      return { kind: 'status', status: 200 };
    };
    await passwordChanged(t, member);
    await waitFor('the event after two failures', () => endpoint.accepted.length === 1, 30_000);
    assert.equal(endpoint.requests.length, 3);
    const ids = new Set(endpoint.requests.map((r) => r.eventId));
    assert.equal(ids.size, 1, 'every attempt carries one event id');
    assert.equal(new Set(endpoint.requests.map((r) => r.body)).size, 1, 'and one body');
    // Each attempt is signed when sent (the timestamp header is the attempt's).
    assert.ok(endpoint.requests.every((r) => r.verified));
    await waitFor('the row marked delivered', async () => (await rows()).at(-1)?.status === 'delivered');
    const row = (await rows()).at(-1)!;
    assert.equal(row.attempts, 3);
  });

  it('counts a redirect, a reset connection and a huge error body as failures, and a huge 200 as delivered', async () => {
    const target = await new TestEndpoint(endpoint.secretToken).start();
    try {
      const answers = [
        { kind: 'redirect' as const, location: target.url },
        { kind: 'reset' as const },
        { kind: 'huge' as const, status: 500 },
        { kind: 'huge' as const, status: 200 },
      ];
      let n = 0;
      endpoint.behave = () => answers[n++] ?? { kind: 'status', status: 500 };
      await passwordChanged(t, member);
      await waitFor('the fourth attempt', () => endpoint.accepted.length === 1, 30_000);
      assert.equal(endpoint.requests.length, 4);
      assert.equal(target.requests.length, 0, 'the redirect was not followed');
      await waitFor('the row marked delivered', async () => (await rows()).at(-1)?.status === 'delivered');
      const row = (await rows()).at(-1)!;
      assert.equal(row.attempts, 4);
      assert.equal(row.last_status, 200);
    } finally {
      await target.stop();
    }
  });

  it('gives up after the schedule, says why, and sends it again on redeliver', async () => {
    endpoint.behave = () => ({ kind: 'status', status: 503 });
    await passwordChanged(t, member);
    await waitFor('the delivery given up', async () => (await rows()).at(-1)?.status === 'failed', 30_000);
    const failed = (await rows()).at(-1)!;
    assert.equal(failed.attempts, 4, 'one attempt and three retries, as Zoom');
    assert.equal(failed.last_status, 503);
    assert.equal(failed.last_error, 'the endpoint answered 503');
    assert.equal(endpoint.requests.length, 4);
    await expectRefusal(redeliver(t.server.ctx, 999_999), 'delivery_not_found');
    endpoint.behave = () => ({ kind: 'status', status: 200 });
    assert.deepEqual(await redeliver(t.server.ctx, failed.id), [failed.id]);
    await waitFor('the redelivery', () => endpoint.accepted.length === 1);
    assert.equal(endpoint.accepted[0]!.eventId, failed.event_id);
    await waitFor('the row marked delivered', async () => (await rows()).at(-1)?.status === 'delivered');
    await expectRefusal(
      redeliver(t.server.ctx, failed.id),
      'delivery_not_failed',
      /is delivered, not failed/,
    );
  });

  it("keeps one user's events in order while another user's go ahead", async () => {
    const other = await addUser(t);
    // The member's first event fails twice; their second waits for it; the other user's does not.
    let memberFirst = 0;
    endpoint.behave = (r) => {
      const p = (r.event as { payload: { object: { id: string }; operation?: string } }).payload;
      if (p.object.id === member.id && p.operation === 'change_password' && memberFirst++ < 2)
        return { kind: 'status', status: 500 };
      return { kind: 'status', status: 204 };
    };
    const owner = { email: t.demo.owner.email, id: t.demo.owner.id };
    await passwordChanged(t, member);
    await t.server.store.transaction((tx) =>
      recordEvent(
        tx,
        userUpdated(
          t.demo.account_id,
          owner,
          { operation: 'sign_out_from_all_devices', user: member },
          Date.now(),
        ),
      ),
    );
    await t.server.store.transaction((tx) =>
      recordEvent(
        tx,
        userStatusEvent(
          'user.deactivated',
          t.demo.account_id,
          owner,
          { ...other, first_name: '', last_name: '', type: 1 },
          Date.now(),
        ),
      ),
    );
    await waitFor('all three events', () => endpoint.accepted.length === 3, 30_000);
    const order = endpoint.accepted.map((r) => {
      const p = (r.event as { payload: { object: { id: string }; operation?: string } }).payload;
      return `${p.object.id === member.id ? 'member' : 'other'}:${p.operation ?? r.event.event}`;
    });
    assert.deepEqual(order, [
      'other:user.deactivated',
      'member:change_password',
      'member:sign_out_from_all_devices',
    ]);
    // The member's second event was not even tried before the first was delivered.
    const memberTries = endpoint.requests
      .filter((r) => (r.event as { payload: { object: { id: string } } }).payload.object.id === member.id)
      .map((r) => (r.event as { payload: { operation?: string } }).payload.operation);
    assert.deepEqual(memberTries, [
      'change_password',
      'change_password',
      'change_password',
      'sign_out_from_all_devices',
    ]);
  });

  it('a dead endpoint does not hold up another', async () => {
    const dead = await new TestEndpoint(endpoint.secretToken).start();
    const deadSub = await subscribe(t.server.ctx, post(), {
      clientId: t.demo.client_id,
      url: dead.url,
      events: ['user.updated'],
    });
    dead.behave = () => ({ kind: 'stall' });
    try {
      const many = 6;
      for (let i = 0; i < many; i++) {
        const u = await addUser(t);
        await passwordChanged(t, u);
      }
      await waitFor('every event at the live endpoint', () => endpoint.accepted.length === many, 30_000);
      const deadRows = await webhookDeliveries.forSubscription(t.server.store.db, deadSub.id);
      assert.equal(deadRows.length, many);
      assert.ok(
        deadRows.every((r) => r.status === 'pending'),
        'the dead endpoint still has them all',
      );
    } finally {
      await removeSubscription(t.server.ctx, deadSub.id);
      await dead.stop();
    }
  });
});

// Two servers in one process cannot share an SQLite file (its driver waits for the lock
// synchronously); on PostgreSQL they share the database as separate processes would.
describe('two servers on one PostgreSQL database deliver each event once', {
  skip: STORE !== 'postgres',
}, () => {
  let a: TestServer;
  let b: TestServer;
  let endpoint: TestEndpoint;

  before(async () => {
    a = await startTestServer({ webhooks: { ...FAST, concurrency: 3 } });
    b = await startTestServer({ dataDir: a.dataDir, webhooks: { ...FAST, concurrency: 3 } });
    const secret = (await appSecret(a.server.ctx, a.demo.client_id)).secret_token;
    endpoint = await new TestEndpoint(secret).start();
    await subscribe(a.server.ctx, post(), {
      clientId: a.demo.client_id,
      url: endpoint.url,
      events: ['user.updated'],
    });
  });
  after(async () => {
    await endpoint.stop();
    await b.stop(false);
    await a.stop();
  });

  it('each event reaches the endpoint once, whichever server committed it', async () => {
    const count = 40;
    const people = await Promise.all(Array.from({ length: 8 }, () => addUser(a)));
    for (let i = 0; i < count; i++) {
      const server = i % 2 === 0 ? a : b;
      const p = people[i % people.length]!;
      await passwordChanged(server, p);
    }
    await waitFor('every event', () => endpoint.accepted.length >= count, 60_000);
    // Give a duplicate every chance to appear.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(endpoint.requests.length, count);
    assert.equal(new Set(endpoint.requests.map((r) => r.eventId)).size, count);
    const delivered = a.logs.join('').split('webhook delivered').length - 1;
    const deliveredB = b.logs.join('').split('webhook delivered').length - 1;
    assert.equal(delivered + deliveredB, count);
  });
});

describe(`an endpoint that never answers holds up no other, however many events it has (${STORE})`, () => {
  let t: TestServer;
  let live: TestEndpoint;
  let dead: TestEndpoint;

  before(async () => {
    // Two slots, one per endpoint: without care, the dead endpoint's backlog would fill the pick.
    t = await startTestServer({ webhooks: { ...FAST, concurrency: 2, perEndpoint: 1 } });
    const secret = (await appSecret(t.server.ctx, t.demo.client_id)).secret_token;
    live = await new TestEndpoint(secret).start();
    dead = await new TestEndpoint(secret).start();
    await subscribe(t.server.ctx, post(), {
      clientId: t.demo.client_id,
      url: dead.url,
      events: ['user.deactivated'],
    });
    await subscribe(t.server.ctx, post(), {
      clientId: t.demo.client_id,
      url: live.url,
      events: ['user.updated'],
    });
    dead.behave = () => ({ kind: 'stall' });
  });
  after(async () => {
    await live.stop();
    await dead.stop();
    await t.stop();
  });

  it("the live endpoint gets its events while the dead one's backlog waits", async () => {
    const owner = { email: t.demo.owner.email, id: t.demo.owner.id };
    // Thirty users' events for the dead endpoint first (thirty ordering keys, all due at once)...
    for (let i = 0; i < 30; i++) {
      const u = await addUser(t);
      await t.server.store.transaction((tx) =>
        recordEvent(
          tx,
          userStatusEvent(
            'user.deactivated',
            t.demo.account_id,
            owner,
            { ...u, first_name: '', last_name: '', type: 1 },
            Date.now(),
          ),
        ),
      );
    }
    // ...then three for the live one.
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await addUser(t));
    for (const p of people) await passwordChanged(t, p);
    await waitFor("the live endpoint's events", () => live.accepted.length === 3, 30_000);
    // Meanwhile the dead endpoint's backlog is still there, waiting its turn (one slot).
    const waiting = await webhookDeliveries.list(t.server.store.db, { status: 'pending', limit: 100 });
    assert.ok(waiting.some((d) => d.event === 'user.deactivated'));
  });
});
