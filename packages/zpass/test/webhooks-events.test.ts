// Which change sends which event: every change point, through the API, the web pages and the
// operator's commands, reaches a real endpoint subscribed to every event, with Rivet's payloads.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { WebhookEvent } from '@zpass/zoom-client/webhooks';
import { setPolicyOffline } from '../src/domain/settings/account.js';
import { OPERATOR, setStatus, updateProfile } from '../src/domain/users/directory.js';
import { acceptInvitation, issueInvitationLink } from '../src/domain/users/invitations.js';
import { WEBHOOK_EVENT_NAMES } from '../src/domain/webhooks/events.js';
import { appSecret } from '../src/domain/webhooks/secrets.js';
import { subscribe } from '../src/domain/webhooks/subscriptions.js';
import { webhookDeliveries } from '../src/store/repositories/webhooks.js';
import { completeWebhookConfig, posterFor } from '../src/webhooks/index.js';
import { accountToken, addUser, call, putPassword, startTestServer, type TestServer } from './helpers.js';
import { waitFor } from './smtp.js';
import { WebClient } from './web.js';
import { TestEndpoint } from './webhook-endpoint.js';

const STORE = process.env.ZPASS_TEST_STORE ?? 'sqlite';

type Payload = {
  account_id: string;
  operator?: string;
  operator_id?: string;
  operation?: string;
  creation_type?: string;
  object: Record<string, unknown>;
  old_object?: Record<string, unknown>;
  time_stamp?: number;
};

describe(`which change sends which event (${STORE})`, () => {
  let t: TestServer;
  let endpoint: TestEndpoint;
  let token: string;
  let owner: { email: string; id: string };

  before(async () => {
    t = await startTestServer({ webhooks: { retryScheduleMs: [100, 200, 300], pollMs: 50 } });
    const { secret_token } = await appSecret(t.server.ctx, t.demo.client_id);
    endpoint = await new TestEndpoint(secret_token).start();
    await subscribe(t.server.ctx, posterFor(completeWebhookConfig()), {
      clientId: t.demo.client_id,
      url: endpoint.url,
      events: [...WEBHOOK_EVENT_NAMES],
    });
    token = await accountToken(t);
    owner = { email: t.demo.owner.email, id: t.demo.owner.id };
  });
  beforeEach(() => {
    endpoint.accepted.length = 0;
  });
  after(async () => {
    await endpoint.stop();
    await t.stop();
  });

  /** Waits until every queued delivery is out, then forgets what arrived. */
  async function drain(): Promise<void> {
    await waitFor(
      'the queue drained',
      async () =>
        (await webhookDeliveries.list(t.server.store.db, { status: 'pending', limit: 1 })).length === 0,
    );
    endpoint.accepted.length = 0;
  }

  /** The next `n` events, once they have all arrived (every one verified by the SDK). */
  async function next(n = 1): Promise<Array<{ event: string; payload: Payload }>> {
    await waitFor(`${n} event(s)`, () => endpoint.accepted.length >= n);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(endpoint.accepted.length, n, JSON.stringify(endpoint.accepted.map((r) => r.event)));
    assert.ok(endpoint.accepted.every((r) => r.verified));
    return endpoint.accepted.map((r) => r.event as WebhookEvent as { event: string; payload: Payload });
  }

  it('POST /v2/users: user.created with the creation type and the operator', async () => {
    const res = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'custCreate', user_info: { email: 'ev-cust@example.test', type: 2, first_name: 'Cu' } },
    });
    assert.equal(res.status, 201, res.text);
    const [e] = await next();
    assert.equal(e!.event, 'user.created');
    assert.deepEqual(e!.payload, {
      account_id: t.demo.account_id,
      operator: owner.email,
      operator_id: owner.id,
      creation_type: 'custCreate',
      object: {
        id: (res.body as { id: string }).id,
        email: 'ev-cust@example.test',
        type: 2,
        first_name: 'Cu',
        display_name: 'Cu',
      },
    });
  });

  it('PATCH /v2/users/{id}: user.updated with the changed fields and their old values only', async () => {
    const u = await addUser(t);
    await drain();
    const res = await call(`${t.url}/v2/users/${u.id}`, {
      method: 'PATCH',
      token,
      json: { first_name: 'Janet', company: 'Acme' },
    });
    assert.equal(res.status, 204, res.text);
    const [e] = await next();
    assert.equal(e!.event, 'user.updated');
    assert.equal(e!.payload.operation, undefined);
    assert.deepEqual(e!.payload.object, {
      id: u.id,
      first_name: 'Janet',
      display_name: 'Janet',
      company: 'Acme',
    });
    assert.deepEqual(e!.payload.old_object, { id: u.id, first_name: '', display_name: '' });
    // Nothing changed: no event.
    const same = await call(`${t.url}/v2/users/${u.id}`, {
      method: 'PATCH',
      token,
      json: { company: 'Acme' },
    });
    assert.equal(same.status, 204);
    const count = (await webhookDeliveries.list(t.server.store.db, { limit: 1000 })).length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await webhookDeliveries.list(t.server.store.db, { limit: 1000 })).length, count);
  });

  it('a role change: user.updated with the role as Zoom names it, alone, beside a name change', async () => {
    const u = await addUser(t);
    await drain();
    await updateProfile(t.server.ctx, OPERATOR, u.id, { role_id: '1', first_name: 'Ada' });
    const events = await next(2);
    const role = events.find((e) => 'role' in e.payload.object)!;
    assert.deepEqual(role.payload.object, { id: u.id, role: 'Admin' });
    assert.deepEqual(role.payload.old_object, { id: u.id, role: 'Member' });
    assert.equal(role.payload.operator_id, owner.id);
    const names = events.find((e) => 'first_name' in e.payload.object)!;
    assert.deepEqual(names.payload.object, { id: u.id, first_name: 'Ada', display_name: 'Ada' });
  });

  it('PUT /v2/users/{id}/email: user.updated with the new and old address', async () => {
    const u = await addUser(t);
    await drain();
    const res = await call(`${t.url}/v2/users/${u.id}/email`, {
      method: 'PUT',
      token,
      json: { email: 'ev-moved@example.test' },
    });
    assert.equal(res.status, 204, res.text);
    const [e] = await next();
    assert.deepEqual(e!.payload.object, { id: u.id, email: 'ev-moved@example.test' });
    assert.deepEqual(e!.payload.old_object, { id: u.id, email: u.email });
  });

  it('a password changed through the API and on the web pages: user.updated, change_password, never the password', async () => {
    const u = await addUser(t, { password: 'Web-Start-Pass-1' });
    await drain();
    assert.equal((await putPassword(t, token, u.id, 'Api-Set-Pass-22')).status, 204);
    const [api] = await next();
    assert.deepEqual(api!.payload, {
      account_id: t.demo.account_id,
      operator: owner.email,
      operator_id: owner.id,
      operation: 'change_password',
      object: { id: u.id, email: u.email },
      time_stamp: api!.payload.time_stamp,
    });
    assert.ok(!endpoint.accepted[0]!.body.includes('Api-Set-Pass-22'));

    await drain();
    const web = new WebClient(t.url);
    assert.equal((await web.signIn(u.email, 'Api-Set-Pass-22')).status, 303);
    const changed = await web.submit('/account/password', '/account/password', {
      current_password: 'Api-Set-Pass-22',
      new_password: 'Web-Own-Pass-333',
      confirm_password: 'Web-Own-Pass-333',
    });
    assert.equal(changed.status, 303, changed.text.slice(0, 300));
    const events = await next(2);
    assert.deepEqual(
      events.map((e) => [e.event, e.payload.object.id]),
      [
        ['user.signed_in', u.id],
        ['user.updated', u.id],
      ],
    );
    const signedIn = events[0]!.payload.object;
    assert.equal(signedIn.client_type, 'browser');
    assert.equal(signedIn.login_type, 100);
    assert.match(String(signedIn.date_time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The user changed it themself: they are the operator.
    assert.equal(events[1]!.payload.operation, 'change_password');
    assert.equal(events[1]!.payload.operator, u.email);
    assert.equal(events[1]!.payload.operator_id, u.id);

    await drain();
    const out = await web.submit('/account/password', '/signout', {});
    assert.equal(out.status, 303);
    const [signedOut] = await next();
    assert.equal(signedOut!.event, 'user.signed_out');
    assert.equal(signedOut!.payload.object.email, u.email);
  });

  it('DELETE /v2/users/{id}/token: user.updated, sign_out_from_all_devices', async () => {
    const u = await addUser(t);
    await drain();
    const res = await call(`${t.url}/v2/users/${u.id}/token`, { method: 'DELETE', token });
    assert.equal(res.status, 204, res.text);
    const [e] = await next();
    assert.equal(e!.payload.operation, 'sign_out_from_all_devices');
    assert.deepEqual(e!.payload.object, { id: u.id, email: u.email });
  });

  it('status, delete and disassociate: user.deactivated, user.activated, user.deleted, user.disassociated', async () => {
    const a = await addUser(t);
    const b = await addUser(t);
    await drain();
    const status = (id: string, action: string) =>
      call(`${t.url}/v2/users/${id}/status`, { method: 'PUT', token, json: { action } });
    assert.equal((await status(a.id, 'deactivate')).status, 204);
    assert.equal((await status(a.id, 'deactivate')).status, 204, 'already inactive: no second event');
    assert.equal((await status(a.id, 'activate')).status, 204);
    assert.equal(
      (await call(`${t.url}/v2/users/${a.id}?action=delete`, { method: 'DELETE', token })).status,
      204,
    );
    assert.equal(
      (await call(`${t.url}/v2/users/${b.id}?action=disassociate`, { method: 'DELETE', token })).status,
      204,
    );
    const events = await next(4);
    // Order is kept per user (another user's events may come between).
    const of = (id: string) => events.filter((e) => e.payload.object.id === id).map((e) => e.event);
    assert.deepEqual(of(a.id), ['user.deactivated', 'user.activated', 'user.deleted']);
    assert.deepEqual(of(b.id), ['user.disassociated']);
    assert.deepEqual(events.find((e) => e.event === 'user.deactivated')!.payload, {
      account_id: t.demo.account_id,
      operator: owner.email,
      operator_id: owner.id,
      object: { id: a.id, first_name: '', last_name: '', email: a.email, type: 1 },
    });
  });

  it('an invitation accepted: user.created (create), then user.invitation_accepted without an operator', async () => {
    const res = await call(`${t.url}/v2/users`, {
      method: 'POST',
      token,
      json: { action: 'create', user_info: { email: 'ev-invited@example.test', type: 1 } },
    });
    assert.equal(res.status, 201, res.text);
    const id = (res.body as { id: string }).id;
    const link = await issueInvitationLink(t.server.ctx, id, `${t.url}/invitations/accept`);
    assert.ok(link);
    const tokenParam = new URL(link.link).searchParams.get('token');
    await acceptInvitation(t.server.ctx, tokenParam, 'Invited-Pass-4444');
    const events = await next(2);
    assert.equal(events[0]!.event, 'user.created');
    assert.equal(events[0]!.payload.creation_type, 'create');
    assert.deepEqual(events[1], {
      event: 'user.invitation_accepted',
      event_ts: (events[1] as { event_ts?: number }).event_ts,
      payload: { account_id: t.demo.account_id, object: { id, email: 'ev-invited@example.test', type: 1 } },
    });
  });

  it('PATCH /v2/accounts/{id}/settings: account.settings_updated with the changed settings Rivet types and their old values', async () => {
    const res = await call(`${t.url}/v2/accounts/me/settings?option=security`, {
      method: 'PATCH',
      token,
      json: {
        security: {
          password_requirement: { minimum_password_length: 12, have_special_character: false },
          admin_change_name_pic: true,
          signin_with_sso: { enable: true, domains: ['example.test'] },
        },
      },
    });
    assert.equal(res.status, 204, res.text);
    const [e] = await next();
    assert.equal(e!.event, 'account.settings_updated');
    assert.equal(e!.payload.operator, owner.email);
    const sso = { require_sso_for_domains: false, sso_bypass_users: [] };
    assert.deepEqual(e!.payload.object, {
      id: t.demo.account_id,
      settings: {
        security: {
          password_requirement: { minimum_password_length: 12 },
          admin_change_name_pic: true,
          signin_with_sso: { enable: true, domains: ['example.test'], ...sso },
        },
      },
    });
    assert.deepEqual(e!.payload.old_object, {
      id: t.demo.account_id,
      settings: {
        security: {
          password_requirement: { minimum_password_length: 8 },
          admin_change_name_pic: false,
          signin_with_sso: { enable: false, domains: [], ...sso },
        },
      },
    });
  });

  it("a change only to zpass's own settings (not in Rivet's event) sends nothing; set-policy names the owner", async () => {
    const before = (await webhookDeliveries.list(t.server.store.db, { limit: 1000 })).length;
    await setPolicyOffline(t.server.ctx, t.demo.account_id, { password_history_count: 7 });
    assert.equal((await webhookDeliveries.list(t.server.store.db, { limit: 1000 })).length, before);
    await setPolicyOffline(t.server.ctx, t.demo.account_id, { weak_enhance_detection: true });
    const [e] = await next();
    assert.equal(e!.payload.operator_id, owner.id);
    assert.deepEqual(e!.payload.object, {
      id: t.demo.account_id,
      settings: { security: { password_requirement: { weak_enhance_detection: true } } },
    });
  });

  it("the operator's commands name the account's owner as the operator", async () => {
    const u = await addUser(t);
    const [created] = await next();
    assert.equal(created!.event, 'user.created');
    assert.equal(created!.payload.creation_type, 'autoCreate');
    assert.equal(created!.payload.operator_id, owner.id);
    await drain();
    await setStatus(t.server.ctx, OPERATOR, u.id, 'deactivate');
    const [e] = await next();
    assert.equal(e!.event, 'user.deactivated');
    assert.equal(e!.payload.operator, owner.email);
    assert.equal(e!.payload.operator_id, owner.id);
  });
});
