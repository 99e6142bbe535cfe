/**
 * Zoom's webhook signatures: `x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:{timestamp}:{body}")>`
 * with `x-zm-request-timestamp` in seconds, and the `endpoint.url_validation` answer.
 *
 * Web Crypto (`globalThis.crypto.subtle`) only, so the same code runs in Node 20+, Deno, Bun,
 * edge workers and browsers; the price is an async API (see docs/webhooks.md for the figures).
 */
import { type WebhookErrorReason, ZoomConfigError, ZoomWebhookError } from '../errors.js';
import type { WebhookEvent } from './events.js';

/** Request headers: a fetch `Headers`, or Node's `req.headers` (any letter case). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The body exactly as received: the bytes (`Buffer`, `Uint8Array`, `ArrayBuffer`) or their UTF-8 text. */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

/** Seconds a request's timestamp may differ from the receiver's clock, unless told otherwise. */
export const DEFAULT_WEBHOOK_TOLERANCE = 300;

export interface VerifyWebhookOptions {
  /** The app's secret token (Zoom Marketplace: Features → Access → Secret Token). */
  secretToken: string;
  headers: WebhookHeaders;
  /** The body as it arrived, before any JSON parsing. */
  rawBody: WebhookBody;
  /**
   * Seconds `x-zm-request-timestamp` may be away from now, either way (default 300). Older
   * requests are refused as replays. `Infinity` turns the check off.
   */
  tolerance?: number;
  /** The current time (milliseconds since the epoch, or a `Date`); default `Date.now()`. */
  now?: number | Date;
}

export interface SignWebhookOptions<E extends { readonly event: string } = WebhookEvent> {
  secretToken: string;
  /**
   * The event: an object is serialised with `JSON.stringify` (compact); a string is sent as is
   * and must be compact JSON that survives `JSON.stringify(JSON.parse(body))` unchanged, as
   * Zoom's own SDK checks the signature over that form.
   */
  body: string | E;
  /** Seconds since the epoch, or a `Date`; default now. Sign each delivery attempt when it is sent. */
  timestamp?: number | Date;
}

/** What to POST: the body and the headers, signed. */
export interface SignedWebhook {
  body: string;
  headers: {
    'content-type': 'application/json';
    'x-zm-request-timestamp': string;
    'x-zm-signature': string;
  };
}

/** The answer to `endpoint.url_validation`, to send as JSON with status 200. */
export interface UrlValidationResponse {
  plainToken: string;
  /** Hex HMAC-SHA256 of `plainToken` under the secret token. */
  encryptedToken: string;
}

type Subtle = (typeof globalThis.crypto)['subtle'];
type HmacKey = Awaited<ReturnType<Subtle['importKey']>>;

const encoder = new TextEncoder();
const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^[0-9]{1,15}$/;

/**
 * Checks a webhook request and returns its event. Throws {@link ZoomWebhookError} (with a
 * `reason`) when the headers are missing or malformed, the signature is not the secret token's,
 * the timestamp is outside the tolerance, or the authenticated body is not an event.
 *
 * The signature is compared in constant time. It is accepted when it covers the body's bytes
 * as received, or `JSON.stringify(JSON.parse(body))` (the form Zoom's own SDK checks): both
 * stand for the same event, and only the secret token's holder can produce either.
 *
 * The type parameter names what the caller expects; by default the events zpass sends and
 * `endpoint.url_validation`. Events from Zoom that zpass does not send come back as they are.
 */
export async function verifyWebhook<E extends { event: string } = WebhookEvent>(
  options: VerifyWebhookOptions,
): Promise<E> {
  const key = await hmacKey(options.secretToken);
  const tolerance = options.tolerance ?? DEFAULT_WEBHOOK_TOLERANCE;
  if (typeof tolerance !== 'number' || Number.isNaN(tolerance) || tolerance < 0)
    throw new ZoomConfigError(
      'tolerance must be a number of seconds, 0 or more (Infinity turns the check off).',
    );
  const nowMs = options.now === undefined ? Date.now() : +options.now;
  if (!Number.isFinite(nowMs))
    throw new ZoomConfigError('now must be a time: milliseconds since the epoch, or a Date.');

  const signature = header(options.headers, 'x-zm-signature');
  const timestamp = header(options.headers, 'x-zm-request-timestamp');
  if (signature === undefined) fail('missing_signature', 'The request has no x-zm-signature header.');
  if (timestamp === undefined) fail('missing_timestamp', 'The request has no x-zm-request-timestamp header.');
  const hex = typeof signature === 'string' ? SIGNATURE.exec(signature)?.[1] : undefined;
  if (hex === undefined)
    fail('malformed_signature', 'The x-zm-signature header is not "v0=" followed by 64 hexadecimal digits.');
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp))
    fail('malformed_timestamp', 'The x-zm-request-timestamp header is not a whole number of seconds.');

  const given = fromHex(hex);
  const bytes = bodyBytes(options.rawBody);
  let parsed: { ok: true; value: unknown } | { ok: false } | undefined;
  if (!equal(given, await mac(key, timestamp, bytes))) {
    // Not over the bytes as received: perhaps over their JSON round trip (see above).
    parsed = parse(bytes);
    const canonical = parsed.ok ? JSON.stringify(parsed.value) : undefined;
    const matches =
      canonical !== undefined &&
      canonical !== decode(bytes) &&
      equal(given, await mac(key, timestamp, encoder.encode(canonical)));
    if (!matches)
      fail(
        'signature_mismatch',
        'The x-zm-signature header does not match: the secret token differs, or the body was changed.',
      );
  }

  const age = nowMs / 1000 - Number(timestamp);
  if (age > tolerance)
    fail(
      'timestamp_too_old',
      `The request was signed ${Math.round(age)} s ago, more than the ${tolerance} s allowed.`,
    );
  if (-age > tolerance)
    fail(
      'timestamp_in_future',
      `The request is dated ${Math.round(-age)} s ahead of this clock, more than the ${tolerance} s allowed.`,
    );

  parsed ??= parse(bytes);
  if (!parsed.ok) fail('invalid_json', 'The body is not JSON.');
  const event = parsed.value;
  if (
    typeof event !== 'object' ||
    event === null ||
    Array.isArray(event) ||
    typeof (event as { event?: unknown }).event !== 'string'
  )
    fail('invalid_event', 'The body is not an event: it has no "event" name.');
  if (
    (event as { event: string }).event === 'endpoint.url_validation' &&
    typeof (event as { payload?: { plainToken?: unknown } }).payload?.plainToken !== 'string'
  )
    fail('invalid_event', 'The endpoint.url_validation event has no payload.plainToken.');
  return event as E;
}

/**
 * Signs an event the way Zoom does, for a sender (zpass's delivery, a test): returns the body
 * and the three headers to POST.
 */
export async function signWebhook<E extends { readonly event: string }>(
  options: SignWebhookOptions<E>,
): Promise<SignedWebhook> {
  const key = await hmacKey(options.secretToken);
  let body: string;
  if (typeof options.body === 'string') {
    body = options.body;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw new ZoomConfigError('The webhook body is not JSON.');
    }
    if (JSON.stringify(value) !== body)
      throw new ZoomConfigError(
        "The webhook body is not compact JSON (JSON.stringify(JSON.parse(body)) differs): Zoom's SDK would refuse its signature.",
      );
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof (value as { event?: unknown }).event !== 'string'
    )
      throw new ZoomConfigError('The webhook body has no "event" name.');
  } else {
    if (typeof options.body !== 'object' || options.body === null || typeof options.body.event !== 'string')
      throw new ZoomConfigError('The webhook body has no "event" name.');
    body = JSON.stringify(options.body);
  }
  const ts = options.timestamp ?? new Date();
  const seconds = ts instanceof Date ? Math.floor(ts.getTime() / 1000) : ts;
  if (!Number.isSafeInteger(seconds) || seconds < 0)
    throw new ZoomConfigError('The timestamp must be a whole number of seconds since the epoch, or a Date.');
  const timestamp = String(seconds);
  const signature = `v0=${toHex(await mac(key, timestamp, encoder.encode(body)))}`;
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': timestamp,
      'x-zm-signature': signature,
    },
  };
}

/**
 * The answer to Zoom's `endpoint.url_validation` event (`payload.plainToken`): send it as JSON
 * with status 200. Verify the request with {@link verifyWebhook} first: Zoom signs it too.
 */
export async function urlValidationResponse(
  plainToken: string,
  secretToken: string,
): Promise<UrlValidationResponse> {
  if (typeof plainToken !== 'string') throw new ZoomConfigError('plainToken must be a string.');
  const key = await hmacKey(secretToken);
  const digest = new Uint8Array(await subtle().sign('HMAC', key, encoder.encode(plainToken)));
  return { plainToken, encryptedToken: toHex(digest) };
}

function fail(reason: WebhookErrorReason, message: string): never {
  throw new ZoomWebhookError(reason, message);
}

function subtle(): Subtle {
  const s = globalThis.crypto?.subtle;
  if (!s)
    throw new ZoomConfigError('Webhook signatures need Web Crypto (globalThis.crypto.subtle), absent here.');
  return s;
}

function hmacKey(secretToken: string): Promise<HmacKey> {
  if (typeof secretToken !== 'string' || secretToken.length === 0)
    throw new ZoomConfigError('secretToken must be a non-empty string.');
  return subtle().importKey('raw', encoder.encode(secretToken), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
}

async function mac(key: HmacKey, timestamp: string, body: Uint8Array): Promise<Uint8Array> {
  const prefix = encoder.encode(`v0:${timestamp}:`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  return new Uint8Array(await subtle().sign('HMAC', key, message));
}

/** Constant time for equal lengths (both are 32 bytes here: the length is not secret). */
function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** A header's value; an array (the header sent twice) is returned as is, for the caller to refuse. */
function header(headers: WebhookHeaders, name: string): string | readonly string[] | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const key of Object.keys(record)) if (key.toLowerCase() === name) return record[key];
  return undefined;
}

function bodyBytes(body: WebhookBody): Uint8Array {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new ZoomConfigError(
    'rawBody must be the body as received (a string, a Buffer/Uint8Array or an ArrayBuffer), not a parsed object: ' +
      'a signature covers bytes, which parsing loses.',
  );
}

function decode(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function parse(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  const text = decode(bytes);
  if (text === undefined) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
