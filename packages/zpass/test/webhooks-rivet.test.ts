// Zoom's own SDK as the endpoint: @zoom/rivet's HttpReceiver with the app's secret token,
// subscribed through the domain (URL validation answered by Rivet itself), receives the events
// of changes made through the API, its own signature check accepting every one.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  HttpReceiver,
  type UserCreatedEvent,
  type UserDeactivatedEvent,
  UsersS2SAuthClient,
  type UserUpdatedEvent,
} from '@zoom/rivet/users';
import { appSecret } from '../src/domain/webhooks/secrets.js';
import { subscribe } from '../src/domain/webhooks/subscriptions.js';
import { completeWebhookConfig, posterFor } from '../src/webhooks/index.js';
import { accountToken, call, putPassword, startTestServer, type TestServer } from './helpers.js';
import { waitFor } from './smtp.js';

const STORE = process.env.ZPASS_TEST_STORE ?? 'sqlite';

interface RivetEndpoint {
  url: string;
  updated: UserUpdatedEvent[];
  created: UserCreatedEvent[];
  deactivated: UserDeactivatedEvent[];
  stop(): Promise<void>;
}

/** Rivet's HttpReceiver inside its Users client, as Zoom's developers run it, moved to 127.0.0.1. */
async function startRivetReceiver(secretToken: string): Promise<RivetEndpoint> {
  const receiver = new HttpReceiver({ webhooksSecretToken: secretToken, port: 0 });
  const client = new UsersS2SAuthClient({
    clientId: 'unused',
    clientSecret: 'unused',
    accountId: 'unused',
    receiver,
  });
  const consumer = client.webEventConsumer;
  assert.ok(consumer, "Rivet's Users client has an event consumer");
  const seen: Omit<RivetEndpoint, 'url' | 'stop'> = { updated: [], created: [], deactivated: [] };
  consumer.event('user.updated', (e) => void seen.updated.push(e));
  consumer.event('user.created', (e) => void seen.created.push(e));
  consumer.event('user.deactivated', (e) => void seen.deactivated.push(e));
  // Rivet listens on every interface; its server is moved at once to 127.0.0.1, with the same
  // request handler, before anything is posted to it.
  const server: Server = await receiver.start(0);
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...seen,
    url: `http://127.0.0.1:${port}/zoom/events`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe(`Zoom's SDK receives zpass's webhooks (${STORE})`, () => {
  let t: TestServer;
  let rivet: RivetEndpoint;
  let token: string;

  before(async () => {
    t = await startTestServer({ webhooks: { retryScheduleMs: [100, 200, 300], pollMs: 50 } });
    const { secret_token } = await appSecret(t.server.ctx, t.demo.client_id);
    rivet = await startRivetReceiver(secret_token);
    const s = await subscribe(t.server.ctx, posterFor(completeWebhookConfig()), {
      clientId: t.demo.client_id,
      url: rivet.url,
      events: ['user.created', 'user.updated', 'user.deactivated'],
    });
    assert.equal(s.status, 'active', 'Rivet answered the URL validation');
    token = await accountToken(t);
  });
  after(async () => {
    await rivet.stop();
    await t.stop();
  });

  it('a password changed through the API fires user.updated with operation change_password', async () => {
    const res = await putPassword(t, token, t.demo.member.id, 'Rivet-Checked-Pass-1');
    assert.equal(res.status, 204, res.text);
    await waitFor("Rivet's user.updated handler", () => rivet.updated.length === 1);
    const e = rivet.updated[0]!;
    assert.equal(e.event, 'user.updated');
    assert.equal(e.payload.operation, 'change_password');
    assert.equal(e.payload.account_id, t.demo.account_id);
    assert.deepEqual(e.payload.object, { id: t.demo.member.id, email: t.demo.member.email });
    assert.equal(e.payload.operator, t.demo.owner.email);
    assert.equal(e.payload.operator_id, t.demo.owner.id);
    assert.equal(typeof e.payload.time_stamp, 'number');
  });

  it('a user created and then deactivated through the API fires user.created and user.deactivated', async () => {
    const created = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: {
        action: 'create',
        user_info: { email: 'rivet-new@example.test', type: 1, first_name: 'Riv', last_name: 'Et' },
      },
    });
    assert.equal(created.status, 201, created.text);
    const id = (created.body as { id: string }).id;
    await waitFor("Rivet's user.created handler", () => rivet.created.length === 1);
    const c = rivet.created[0]!;
    assert.equal(c.payload.creation_type, 'create');
    assert.deepEqual(c.payload.object, {
      id,
      email: 'rivet-new@example.test',
      type: 1,
      first_name: 'Riv',
      last_name: 'Et',
      display_name: 'Riv Et',
    });

    const member = await call(`${t.url}/v2/users/${t.demo.member.id}/status`, {
      method: 'PUT',
      token,
      json: { action: 'deactivate' },
    });
    assert.equal(member.status, 204, member.text);
    await waitFor("Rivet's user.deactivated handler", () => rivet.deactivated.length === 1);
    const d = rivet.deactivated[0]!;
    assert.equal(d.payload.object.id, t.demo.member.id);
    assert.equal(d.payload.object.email, t.demo.member.email);
    assert.equal(d.payload.operator, t.demo.owner.email);
  });
});
