/**
 * The webhook events zpass sends, built field by field as `@zoom/rivet` types them (the
 * SDK's types, `@zpass/zoom-client/webhooks`), and `recordEvent`, which queues one delivery
 * per matching endpoint inside the caller's transaction. Builders copy named fields only:
 * no password, hash, token or secret can reach a payload.
 */
import { randomUUID } from 'node:crypto';
import {
  type AccountSettingsUpdatedEvent,
  type UserActivatedEvent,
  type UserCreatedEvent,
  type UserDeactivatedEvent,
  type UserDeletedEvent,
  type UserDisassociatedEvent,
  type UserInvitationAcceptedEvent,
  type UserSignedInEvent,
  type UserSignedOutEvent,
  type UserUpdatedEvent,
  type UserUpdatedOperation,
  type UserWebhookEvent,
  WEBHOOK_EVENT_NAMES,
  type WebhookAccountSettings,
  type WebhookEventName,
  type WebhookNamedUserObject,
  type WebhookSignInObject,
  type WebhookUserProfile,
  type WebhookUserType,
} from '@zpass/zoom-client/webhooks';
import type { Tx } from '../../store/database.js';
import { webhookDeliveries, webhookSubscriptions } from '../../store/repositories/webhooks.js';

export { WEBHOOK_EVENT_NAMES, type WebhookEventName };

/** Who made a change, as Zoom names them: an e-mail and a user id. */
export interface WebhookOperator {
  email: string;
  id: string;
}

/** The user fields events carry. */
export interface EventUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  display_name?: string;
  type: number;
}

/** Zoom's events know basic (1) and licensed (2) users; any other type reads as basic. */
export function webhookUserType(type: number): WebhookUserType {
  return type === 2 ? 2 : 1;
}

function named(u: EventUser): WebhookNamedUserObject {
  return {
    id: u.id,
    first_name: u.first_name,
    last_name: u.last_name,
    email: u.email,
    type: webhookUserType(u.type),
  };
}

export function userCreated(
  accountId: string,
  operator: WebhookOperator,
  creationType: UserCreatedEvent['payload']['creation_type'],
  u: EventUser,
  now: number,
): UserCreatedEvent {
  const object: UserCreatedEvent['payload']['object'] = {
    id: u.id,
    email: u.email,
    type: webhookUserType(u.type),
  };
  if (u.first_name) object.first_name = u.first_name;
  if (u.last_name) object.last_name = u.last_name;
  if (u.display_name) object.display_name = u.display_name;
  return {
    event: 'user.created',
    event_ts: now,
    payload: {
      account_id: accountId,
      operator: operator.email,
      operator_id: operator.id,
      creation_type: creationType,
      object,
    },
  };
}

/**
 * `user.updated`: a profile change (`object` the new values of the changed fields,
 * `old_object` their previous values, both with the user's id), or an `operation`.
 */
export function userUpdated(
  accountId: string,
  operator: WebhookOperator | undefined,
  change:
    | { operation: UserUpdatedOperation; user: { id: string; email: string } }
    | { object: WebhookUserProfile; old_object: WebhookUserProfile },
  now: number,
): UserUpdatedEvent {
  // Fields in the order of Zoom's documented example.
  const head: Pick<UserUpdatedEvent['payload'], 'account_id' | 'operator' | 'operator_id'> = {
    account_id: accountId,
  };
  if (operator) {
    head.operator = operator.email;
    head.operator_id = operator.id;
  }
  const payload: UserUpdatedEvent['payload'] =
    'operation' in change
      ? {
          ...head,
          operation: change.operation,
          object: { id: change.user.id, email: change.user.email },
          time_stamp: now,
        }
      : { ...head, object: change.object, old_object: change.old_object, time_stamp: now };
  return { event: 'user.updated', event_ts: now, payload };
}

/** The fields of a profile that differ, as `user.updated`'s `object` and `old_object`. */
export function profileChange(
  id: string,
  before: Omit<WebhookUserProfile, 'id'>,
  after: Omit<WebhookUserProfile, 'id'>,
): { object: WebhookUserProfile; old_object: WebhookUserProfile } | undefined {
  const object: Record<string, unknown> = { id };
  const old: Record<string, unknown> = { id };
  let changed = false;
  for (const key of Object.keys(after) as Array<keyof typeof after>) {
    if (after[key] === undefined) continue;
    if (JSON.stringify(after[key]) === JSON.stringify(before[key])) continue;
    object[key] = after[key];
    if (before[key] !== undefined) old[key] = before[key];
    changed = true;
  }
  return changed
    ? { object: object as unknown as WebhookUserProfile, old_object: old as unknown as WebhookUserProfile }
    : undefined;
}

type StatusEvent = UserActivatedEvent | UserDeactivatedEvent | UserDisassociatedEvent;

export function userStatusEvent<E extends StatusEvent['event']>(
  event: E,
  accountId: string,
  operator: WebhookOperator,
  u: EventUser,
  now: number,
): Extract<StatusEvent, { event: E }> {
  return {
    event,
    event_ts: now,
    payload: { account_id: accountId, operator: operator.email, operator_id: operator.id, object: named(u) },
  } as Extract<StatusEvent, { event: E }>;
}

function plainUser(u: EventUser): UserDeletedEvent['payload']['object'] {
  const object: UserDeletedEvent['payload']['object'] = {
    id: u.id,
    email: u.email,
    type: webhookUserType(u.type),
  };
  if (u.first_name) object.first_name = u.first_name;
  if (u.last_name) object.last_name = u.last_name;
  return object;
}

export function userDeleted(
  accountId: string,
  operator: WebhookOperator,
  u: EventUser,
  now: number,
): UserDeletedEvent {
  return {
    event: 'user.deleted',
    event_ts: now,
    payload: {
      account_id: accountId,
      operator: operator.email,
      operator_id: operator.id,
      object: plainUser(u),
    },
  };
}

export function invitationAccepted(
  accountId: string,
  u: EventUser,
  now: number,
): UserInvitationAcceptedEvent {
  return {
    event: 'user.invitation_accepted',
    event_ts: now,
    payload: { account_id: accountId, object: plainUser(u) },
  };
}

/**
 * `user.signed_in` / `user.signed_out` of zpass's web pages: a browser, with an e-mail and
 * password (Zoom's login type 100); `version` is zpass's pages, which have none: empty.
 */
export function signInEvent<E extends 'user.signed_in' | 'user.signed_out'>(
  event: E,
  accountId: string,
  u: { id: string; email: string },
  now: number,
  client: Partial<Pick<WebhookSignInObject, 'client_type' | 'version' | 'login_type'>> = {},
): Extract<UserSignedInEvent | UserSignedOutEvent, { event: E }> {
  return {
    event,
    event_ts: now,
    payload: {
      account_id: accountId,
      object: {
        id: u.id,
        client_type: client.client_type ?? 'browser',
        date_time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        email: u.email,
        version: client.version ?? '',
        login_type: client.login_type ?? 100,
      },
    },
  } as Extract<UserSignedInEvent | UserSignedOutEvent, { event: E }>;
}

export function accountSettingsUpdated(
  accountId: string,
  operator: WebhookOperator,
  settings: WebhookAccountSettings,
  oldSettings: WebhookAccountSettings,
  now: number,
): AccountSettingsUpdatedEvent {
  return {
    event: 'account.settings_updated',
    event_ts: now,
    payload: {
      account_id: accountId,
      operator: operator.email,
      operator_id: operator.id,
      object: { id: accountId, settings },
      time_stamp: now,
      old_object: { id: accountId, settings: oldSettings },
    },
  };
}

/** Whether `name` is an event zpass sends. */
export function isWebhookEventName(name: string): name is WebhookEventName {
  return (WEBHOOK_EVENT_NAMES as readonly string[]).includes(name);
}

/**
 * Queues `event` for every active endpoint of its account subscribed to it: one delivery
 * row each, in the caller's transaction `tx`, so the event exists if and only if the change
 * it reports commits; the commit wakes the relay. Every row of one call shares one event id.
 * Returns the number of deliveries queued.
 */
export async function recordEvent(tx: Tx, event: UserWebhookEvent): Promise<number> {
  const payload = event.payload as { account_id?: string; object?: { id?: string } } | undefined;
  const accountId = payload?.account_id;
  if (!accountId) throw new Error(`a ${event.event} event without an account`);
  const subscriptions = (await webhookSubscriptions.activeForAccount(tx, accountId)).filter((s) =>
    s.events.split(' ').includes(event.event),
  );
  if (subscriptions.length === 0) return 0;
  // One user's events stay in order per endpoint; account events, per account.
  const subject = event.event.startsWith('user.') ? (payload?.object?.id ?? accountId) : accountId;
  const now = event.event_ts ?? Date.now();
  const body = JSON.stringify(event);
  const eventId = randomUUID();
  await webhookDeliveries.insertMany(
    tx,
    subscriptions.map((s) => ({
      event_id: eventId,
      subscription_id: s.id,
      account_id: accountId,
      event: event.event,
      body,
      ordering_key: `${s.id}:${subject}`,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: now,
      last_attempt_at: null,
      last_status: null,
      last_error: null,
      created_at: now,
      delivered_at: null,
    })),
  );
  return subscriptions.length;
}
