/**
 * An app's endpoints: added only after they pass Zoom's URL validation (a signed
 * `endpoint.url_validation` whose answer must prove the endpoint holds the app's secret
 * token), listed, removed. Posting is not the domain's: the caller passes `post`.
 */
import { randomBytes } from 'node:crypto';
import { signWebhook, urlValidationResponse } from '@zpass/zoom-client/webhooks';
import { newId } from '../../crypto/random.js';
import { isUniqueViolation } from '../../store/failures.js';
import { type WebhookSubscription, webhookSubscriptions } from '../../store/repositories/webhooks.js';
import type { DomainContext } from '../context.js';
import { WebhookError } from '../errors.js';
import { isWebhookEventName, WEBHOOK_EVENT_NAMES, type WebhookEventName } from './events.js';
import { appByClientId, appSecret } from './secrets.js';

/** An endpoint's answer: its status and the start of its body. */
export interface EndpointAnswer {
  status: number;
  body: string;
}

/**
 * Posts a signed body to an endpoint, within the relay's bounds (time, size, no redirects,
 * allowed hosts); resolves with the answer, or rejects with an Error whose message says
 * why there was none.
 */
export type PostWebhook = (
  url: string,
  signed: { body: string; headers: Record<string, string> },
  signal?: AbortSignal,
) => Promise<EndpointAnswer>;

/** Longest endpoint URL accepted. */
export const URL_MAX = 2048;

/** The URL as stored, or a refusal: http(s), a host, no credentials, no fragment. */
export function checkEndpointUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new WebhookError('invalid_url', `Not a URL: ${JSON.stringify(raw.slice(0, 200))}.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new WebhookError(
      'invalid_url',
      `An endpoint must be an http:// or https:// URL, not ${u.protocol.replace(/:$/, '')}.`,
    );
  if (!u.hostname) throw new WebhookError('invalid_url', 'The endpoint URL names no host.');
  if (u.username || u.password)
    throw new WebhookError(
      'invalid_url',
      'The endpoint URL holds credentials: endpoints check the signature instead, and a URL is shown in lists and logs.',
    );
  if (u.hash) throw new WebhookError('invalid_url', 'The endpoint URL has a #fragment, which is never sent.');
  const url = u.toString();
  if (url.length > URL_MAX)
    throw new WebhookError('invalid_url', `The endpoint URL is longer than ${URL_MAX} characters.`);
  return url;
}

/** Event names from a list (commas or spaces), or a refusal naming the unknown ones. */
export function checkEvents(list: readonly string[]): WebhookEventName[] {
  const names = [...new Set(list.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean))];
  if (names.length === 0)
    throw new WebhookError('no_events', `Name at least one event: ${WEBHOOK_EVENT_NAMES.join(', ')}.`);
  const unknown = names.filter((n) => !isWebhookEventName(n));
  if (unknown.length > 0)
    throw new WebhookError(
      'unknown_event',
      `Unknown event${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. zpass sends ${WEBHOOK_EVENT_NAMES.join(', ')}.`,
    );
  return names as WebhookEventName[];
}

/**
 * Zoom's URL validation: posts a signed `endpoint.url_validation` with a fresh plainToken and
 * checks that the endpoint answers 200 with the same plainToken and its HMAC under the
 * secret. Returns undefined when it does, else the reason.
 */
export async function validateEndpoint(
  post: PostWebhook,
  url: string,
  secretToken: string,
  now: number,
): Promise<string | undefined> {
  const plainToken = randomBytes(16).toString('base64url');
  const signed = await signWebhook({
    secretToken,
    body: { event: 'endpoint.url_validation', event_ts: now, payload: { plainToken } },
    timestamp: Math.floor(now / 1000),
  });
  let answer: EndpointAnswer;
  try {
    answer = await post(url, signed);
  } catch (err) {
    return (err as Error).message;
  }
  if (answer.status !== 200)
    return `the endpoint answered ${answer.status} to the URL validation; it must answer 200 with {"plainToken", "encryptedToken"}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return 'the endpoint answered 200, but its body is not JSON';
  }
  const got = parsed as { plainToken?: unknown; encryptedToken?: unknown } | null;
  if (!got || typeof got !== 'object' || got.plainToken !== plainToken)
    return 'the endpoint answered without the plainToken it was sent';
  const expected = await urlValidationResponse(plainToken, secretToken);
  if (typeof got.encryptedToken !== 'string' || got.encryptedToken.toLowerCase() !== expected.encryptedToken)
    return "the endpoint's encryptedToken is not the HMAC of the plainToken under this app's secret token: it holds another secret token (or none)";
  return undefined;
}

export interface SubscriptionView {
  id: string;
  client_id: string;
  account_id: string;
  url: string;
  events: string[];
  status: WebhookSubscription['status'];
  last_error: string | null;
  created_at: number;
  validated_at: number | null;
}

function view(s: WebhookSubscription, clientId: string): SubscriptionView {
  return {
    id: s.id,
    client_id: clientId,
    account_id: s.account_id,
    url: s.url,
    events: s.events.split(' '),
    status: s.status,
    last_error: s.last_error,
    created_at: s.created_at,
    validated_at: s.validated_at,
  };
}

export interface SubscribeInput {
  clientId: string;
  url: string;
  events: readonly string[];
}

/**
 * Adds an endpoint to an app: checks the URL and events, creates the app's secret token if
 * it has none, validates the endpoint, and stores it `active` when the answer is right, or
 * `unvalidated` with the reason otherwise (then throws `validation_failed`). A URL the app
 * already has active is refused; an unvalidated one is validated again, with the events given.
 */
export async function subscribe(
  ctx: DomainContext,
  post: PostWebhook,
  input: SubscribeInput,
): Promise<SubscriptionView> {
  const url = checkEndpointUrl(input.url);
  const events = checkEvents(input.events);
  const app = await appByClientId(ctx, input.clientId);
  const existing = await webhookSubscriptions.byAppUrl(ctx.store.db, app.id, url);
  if (existing?.status === 'active')
    throw new WebhookError(
      'duplicate_url',
      `App ${app.client_id} already sends events to ${url} (subscription ${existing.id}); remove it first to change its events.`,
    );
  const { secret_token } = await appSecret(ctx, input.clientId);
  const now = ctx.clock.now();
  const reason = await validateEndpoint(post, url, secret_token, now);
  const patch = {
    events: events.join(' '),
    status: reason ? ('unvalidated' as const) : ('active' as const),
    last_error: reason ? `URL validation failed: ${reason}` : null,
    validated_at: reason ? null : ctx.clock.now(),
  };
  const id = existing?.id ?? newId();
  try {
    await ctx.store.transaction(async (tx) => {
      const again = await webhookSubscriptions.byAppUrl(tx, app.id, url);
      if (again?.status === 'active')
        throw new WebhookError('duplicate_url', `App ${app.client_id} already sends events to ${url}.`);
      if (again) await webhookSubscriptions.update(tx, again.id, patch);
      else
        await webhookSubscriptions.insert(tx, {
          id,
          app_id: app.id,
          account_id: app.account_id,
          url,
          created_at: now,
          ...patch,
        });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new WebhookError('duplicate_url', `App ${app.client_id} already sends events to ${url}.`);
    throw err;
  }
  if (reason)
    throw new WebhookError(
      'validation_failed',
      `The endpoint ${url} did not pass URL validation, so it is not active: ${reason}.`,
    );
  const stored = await webhookSubscriptions.byAppUrl(ctx.store.db, app.id, url);
  if (!stored) throw new Error('the subscription could not be stored');
  return view(stored, app.client_id);
}

/** Every endpoint, or an app's, oldest first. */
export async function listSubscriptions(ctx: DomainContext, clientId?: string): Promise<SubscriptionView[]> {
  const app = clientId ? await appByClientId(ctx, clientId) : undefined;
  const rows = await webhookSubscriptions.list(ctx.store.db, app?.id);
  return rows.map((r) => view(r, r.client_id));
}

/** Removes an endpoint and its deliveries (pending ones are never sent). */
export async function removeSubscription(ctx: DomainContext, id: string): Promise<void> {
  const removed = await ctx.store.transaction((tx) => webhookSubscriptions.delete(tx, id));
  if (!removed) throw new WebhookError('subscription_not_found', `There is no webhook subscription ${id}.`);
}
