// Webhooks: verifyWebhook, signWebhook and urlValidationResponse on their own, then against
// Zoom's own receiver: @zoom/rivet's HttpReceiver with a secret token, on 127.0.0.1, as the
// endpoint our signed events are posted to, and as the judge of which signatures are Zoom's.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  HttpReceiver,
  type UserCreatedEvent as RivetUserCreatedEvent,
  type UserDeactivatedEvent as RivetUserDeactivatedEvent,
  type UserUpdatedEvent as RivetUserUpdatedEvent,
  UsersS2SAuthClient,
} from '@zoom/rivet/users';
import {
  DEFAULT_WEBHOOK_TOLERANCE,
  signWebhook,
  type UserCreatedEvent,
  type UserDeactivatedEvent,
  type UserUpdatedEvent,
  urlValidationResponse,
  verifyWebhook,
  type WebhookErrorReason,
  ZoomConfigError,
  ZoomWebhookError,
} from '../src/index.js';

const SECRET = 'wh-secret-4fQ9xT2mLr8Zp1Kc';
const NOW = Date.parse('2026-12-02T06:00:00Z');
const NOW_S = NOW / 1000;

const passwordChanged: UserUpdatedEvent = {
  event: 'user.updated',
  event_ts: NOW,
  payload: {
    account_id: 'Acc0unt1d',
    operator: 'admin@example.com',
    operator_id: 'AdminId0000000000000001',
    operation: 'change_password',
    object: { id: 'UserId00000000000000001', email: 'jane@example.com' },
    time_stamp: NOW,
  },
};
const ann = {
  id: 'UserId00000000000000002',
  first_name: 'Ann',
  last_name: 'Lee',
  email: 'ann@example.com',
  type: 1 as const,
};
const created: UserCreatedEvent = {
  event: 'user.created',
  event_ts: NOW,
  payload: {
    account_id: 'Acc0unt1d',
    operator: 'admin@example.com',
    operator_id: 'AdminId0000000000000001',
    creation_type: 'create',
    object: ann,
  },
};
const deactivated: UserDeactivatedEvent = {
  event: 'user.deactivated',
  event_ts: NOW,
  payload: {
    account_id: 'Acc0unt1d',
    operator: 'admin@example.com',
    operator_id: 'AdminId0000000000000001',
    object: ann,
  },
};

/** The signature as Zoom's documentation and Rivet compute it, with node:crypto (independent of ours). */
function zoomSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function headersFor(timestamp: string, signature: string): Record<string, string> {
  return {
    'x-zm-request-timestamp': timestamp,
    'x-zm-signature': signature,
    'content-type': 'application/json',
  };
}

async function refused(promise: Promise<unknown>, reason: WebhookErrorReason): Promise<ZoomWebhookError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return e instanceof ZoomWebhookError && e.reason === reason;
  });
  return caught as ZoomWebhookError;
}

describe('signWebhook', () => {
  it("signs as Zoom documents it: v0=HMAC-SHA256(secret, 'v0:{ts}:{body}'), timestamp in seconds", async () => {
    const signed = await signWebhook({ secretToken: SECRET, body: passwordChanged, timestamp: NOW_S });
    assert.equal(signed.body, JSON.stringify(passwordChanged));
    assert.deepEqual(signed.headers, {
      'content-type': 'application/json',
      'x-zm-request-timestamp': String(NOW_S),
      'x-zm-signature': zoomSignature(SECRET, String(NOW_S), signed.body),
    });
    const fromDate = await signWebhook({
      secretToken: SECRET,
      body: passwordChanged,
      timestamp: new Date(NOW + 999),
    });
    assert.equal(
      fromDate.headers['x-zm-request-timestamp'],
      String(NOW_S),
      'a Date is floored to whole seconds',
    );
  });

  it('dates the signature now by default', async () => {
    const before = Math.floor(Date.now() / 1000);
    const signed = await signWebhook({ secretToken: SECRET, body: created });
    const ts = Number(signed.headers['x-zm-request-timestamp']);
    assert.ok(ts >= before && ts <= Math.floor(Date.now() / 1000), String(ts));
  });

  it('sends a compact string body as is, and refuses one that Rivet would not verify', async () => {
    const compact = JSON.stringify(created);
    assert.equal((await signWebhook({ secretToken: SECRET, body: compact, timestamp: NOW_S })).body, compact);
    for (const body of [
      JSON.stringify(created, null, 2),
      '{"event":"user.created","n":1.0}',
      'not json',
      '{"no":"event"}',
    ])
      await assert.rejects(
        signWebhook({ secretToken: SECRET, body, timestamp: NOW_S }),
        ZoomConfigError,
        body,
      );
  });

  it('refuses an empty secret and a timestamp that is not whole seconds', async () => {
    await assert.rejects(signWebhook({ secretToken: '', body: created }), ZoomConfigError);
    for (const timestamp of [-1, 1.5, Number.NaN, new Date(Number.NaN)])
      await assert.rejects(signWebhook({ secretToken: SECRET, body: created, timestamp }), ZoomConfigError);
  });
});

describe('urlValidationResponse', () => {
  it('answers plainToken with the hex HMAC-SHA256 of it under the secret token', async () => {
    assert.deepEqual(await urlValidationResponse('qgg8vlvZRS6UYooatFL8Aw', SECRET), {
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
    await assert.rejects(urlValidationResponse('x', ''), ZoomConfigError);
  });
});

describe('verifyWebhook', () => {
  const ts = String(NOW_S);
  const body = JSON.stringify(passwordChanged);
  const good = headersFor(ts, zoomSignature(SECRET, ts, body));

  it('returns the typed event for a good signature, whatever form the headers and body take', async () => {
    const event = await verifyWebhook({ secretToken: SECRET, headers: good, rawBody: body, now: NOW });
    // Narrowing on the event name gives the typed payload.
    assert.equal(event.event === 'user.updated' ? event.payload.operation : undefined, 'change_password');
    assert.deepEqual(event, passwordChanged);

    const upper = { 'X-Zm-Request-Timestamp': ts, 'X-ZM-SIGNATURE': good['x-zm-signature'] as string };
    for (const headers of [upper, new Headers(good)])
      assert.deepEqual(
        await verifyWebhook({ secretToken: SECRET, headers, rawBody: body, now: NOW }),
        passwordChanged,
      );
    const bytes = Buffer.from(body);
    for (const rawBody of [
      bytes,
      new Uint8Array(bytes),
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    ])
      assert.deepEqual(
        await verifyWebhook({ secretToken: SECRET, headers: good, rawBody, now: new Date(NOW) }),
        passwordChanged,
      );
    const upperHex = headersFor(ts, `v0=${(good['x-zm-signature'] as string).slice(3).toUpperCase()}`);
    assert.deepEqual(
      await verifyWebhook({ secretToken: SECRET, headers: upperHex, rawBody: body, now: NOW }),
      passwordChanged,
    );
  });

  it('refuses a wrong secret and a tampered body, without quoting either signature or the secret', async () => {
    const e = await refused(
      verifyWebhook({ secretToken: 'another-secret', headers: good, rawBody: body, now: NOW }),
      'signature_mismatch',
    );
    const expected = zoomSignature('another-secret', ts, body);
    for (const shown of [e.message, JSON.stringify(e), inspect(e), e.stack ?? '']) {
      for (const hidden of [
        'another-secret',
        good['x-zm-signature'] as string,
        expected,
        expected.slice(3, 20),
      ])
        assert.ok(!shown.includes(hidden), `${shown} shows a secret value`);
    }
    const tampered = body.replace('jane@example.com', 'mallory@example.com');
    await refused(
      verifyWebhook({ secretToken: SECRET, headers: good, rawBody: tampered, now: NOW }),
      'signature_mismatch',
    );
    const otherTime = headersFor(String(NOW_S - 1), good['x-zm-signature'] as string);
    await refused(
      verifyWebhook({ secretToken: SECRET, headers: otherTime, rawBody: body, now: NOW }),
      'signature_mismatch',
    );
    const flipped = `${(good['x-zm-signature'] as string).slice(0, -1)}${good['x-zm-signature']?.endsWith('0') ? '1' : '0'}`;
    await refused(
      verifyWebhook({ secretToken: SECRET, headers: headersFor(ts, flipped), rawBody: body, now: NOW }),
      'signature_mismatch',
    );
  });

  it(`refuses a timestamp more than the tolerance (default ${DEFAULT_WEBHOOK_TOLERANCE} s) away, either way`, async () => {
    const at = (offsetS: number) =>
      verifyWebhook({ secretToken: SECRET, headers: good, rawBody: body, now: NOW + offsetS * 1000 });
    assert.deepEqual(await at(300), passwordChanged, 'exactly at the tolerance is accepted');
    assert.deepEqual(await at(-300), passwordChanged);
    const old = await refused(at(301), 'timestamp_too_old');
    assert.match(old.message, /signed 301 s ago, more than the 300 s allowed/);
    await refused(at(86_400), 'timestamp_too_old');
    const ahead = await refused(at(-301), 'timestamp_in_future');
    assert.match(ahead.message, /301 s ahead/);
    const with10 = (offsetS: number) =>
      verifyWebhook({
        secretToken: SECRET,
        headers: good,
        rawBody: body,
        now: NOW + offsetS * 1000,
        tolerance: 10,
      });
    assert.deepEqual(await with10(10), passwordChanged);
    await refused(with10(11), 'timestamp_too_old');
    const unbounded = {
      secretToken: SECRET,
      headers: good,
      rawBody: body,
      tolerance: Number.POSITIVE_INFINITY,
    };
    assert.deepEqual(await verifyWebhook({ ...unbounded, now: NOW + 365 * 86_400_000 }), passwordChanged);
    for (const tolerance of [-1, Number.NaN])
      await assert.rejects(
        verifyWebhook({ secretToken: SECRET, headers: good, rawBody: body, tolerance }),
        ZoomConfigError,
      );
    // A body already parsed (express.json) cannot be checked: the bytes are gone.
    await assert.rejects(
      verifyWebhook({ secretToken: SECRET, headers: good, rawBody: passwordChanged as never, now: NOW }),
      (e: unknown) => e instanceof ZoomConfigError && /not a parsed object/.test(e.message),
    );
    // An unreadable clock must not turn the window off.
    for (const now of [Number.NaN, new Date(Number.NaN)])
      await assert.rejects(
        verifyWebhook({ secretToken: SECRET, headers: good, rawBody: body, now }),
        ZoomConfigError,
      );
  });

  it('a forged request with an old timestamp is a signature mismatch, not a stale one', async () => {
    const forged = headersFor(String(NOW_S - 86_400), `v0=${'ab'.repeat(32)}`);
    await refused(
      verifyWebhook({ secretToken: SECRET, headers: forged, rawBody: body, now: NOW }),
      'signature_mismatch',
    );
  });

  it('names missing and malformed headers', async () => {
    const call = (headers: Record<string, string | string[]>) =>
      verifyWebhook({ secretToken: SECRET, headers, rawBody: body, now: NOW });
    await refused(call({}), 'missing_signature');
    await refused(call({ 'x-zm-request-timestamp': ts }), 'missing_signature');
    await refused(call({ 'x-zm-signature': good['x-zm-signature'] as string }), 'missing_timestamp');
    const sig = good['x-zm-signature'] as string;
    for (const bad of [
      sig.slice(3),
      `v1=${sig.slice(3)}`,
      sig.slice(0, -2),
      `${sig}00`,
      `v0=${'zz'.repeat(32)}`,
      '',
    ])
      await refused(call({ 'x-zm-request-timestamp': ts, 'x-zm-signature': bad }), 'malformed_signature');
    await refused(
      call({ 'x-zm-request-timestamp': ts, 'x-zm-signature': [sig, sig] }),
      'malformed_signature',
    );
    for (const bad of ['', 'abc', '-1', '1.5', `${ts}000000000`, ' 1'])
      await refused(call({ 'x-zm-request-timestamp': bad, 'x-zm-signature': sig }), 'malformed_timestamp');
    await refused(
      verifyWebhook({
        secretToken: SECRET,
        headers: new Headers([
          ['x-zm-signature', sig],
          ['x-zm-signature', sig],
          ['x-zm-request-timestamp', ts],
        ]),
        rawBody: body,
        now: NOW,
      }),
      'malformed_signature',
    );
  });

  it('an authentic body that is not JSON, or not an event, is refused as such; a forged one as a mismatch', async () => {
    const signedRaw = (raw: string) => headersFor(ts, zoomSignature(SECRET, ts, raw));
    await refused(
      verifyWebhook({ secretToken: SECRET, headers: signedRaw('not json'), rawBody: 'not json', now: NOW }),
      'invalid_json',
    );
    await refused(
      verifyWebhook({ secretToken: SECRET, headers: good, rawBody: 'not json', now: NOW }),
      'signature_mismatch',
    );
    const latin1 = Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]); // {"é"} in Latin-1: not UTF-8
    await refused(
      verifyWebhook({
        secretToken: SECRET,
        headers: headersFor(
          ts,
          `v0=${createHmac('sha256', SECRET)
            .update(Buffer.concat([Buffer.from(`v0:${ts}:`), latin1]))
            .digest('hex')}`,
        ),
        rawBody: latin1,
        now: NOW,
      }),
      'invalid_json',
    );
    for (const raw of [
      '[]',
      'null',
      '"user.updated"',
      '{"event":1}',
      '{"payload":{}}',
      '{"event":"endpoint.url_validation","payload":{}}',
    ])
      await refused(
        verifyWebhook({ secretToken: SECRET, headers: signedRaw(raw), rawBody: raw, now: NOW }),
        'invalid_event',
      );
  });

  // Rivet checks the signature over JSON.stringify(JSON.parse(body)); the bytes are what was
  // signed by a sender that signs what it sends. Ours accepts either: both stand for the same
  // event and need the secret. Compact bodies (what Zoom and signWebhook send) are both at once.
  it('accepts a signature over the bytes as sent or over their JSON round trip, and nothing else', async () => {
    const pretty = JSON.stringify(passwordChanged, null, 2);
    const overBytes = headersFor(ts, zoomSignature(SECRET, ts, pretty));
    const overRoundTrip = headersFor(ts, zoomSignature(SECRET, ts, JSON.stringify(JSON.parse(pretty))));
    for (const headers of [overBytes, overRoundTrip])
      assert.deepEqual(
        await verifyWebhook({ secretToken: SECRET, headers, rawBody: pretty, now: NOW }),
        passwordChanged,
      );
    const reformatted = pretty.replace('"jane@example.com"', '"mallory@example.com"');
    await refused(
      verifyWebhook({ secretToken: SECRET, headers: overBytes, rawBody: reformatted, now: NOW }),
      'signature_mismatch',
    );

    // A number beyond 2^53 changes in the round trip: the bytes' signature still holds, and the
    // parsed event carries JavaScript's nearest number, as JSON.parse gives it.
    const big =
      '{"event":"user.updated","payload":{"account_id":"a","object":{"id":"u","pmi":12345678901234567890}}}';
    const event = await verifyWebhook<UserUpdatedEvent>({
      secretToken: SECRET,
      headers: headersFor(ts, zoomSignature(SECRET, ts, big)),
      rawBody: big,
      now: NOW,
    });
    assert.equal(event.payload.object.pmi, 12345678901234567000);
  });

  it('checks an endpoint.url_validation request like any other, so the answer can be built from it', async () => {
    const validation = {
      event: 'endpoint.url_validation' as const,
      event_ts: NOW,
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
    };
    const signed = await signWebhook({ secretToken: SECRET, body: validation, timestamp: NOW_S });
    const event = await verifyWebhook({
      secretToken: SECRET,
      headers: signed.headers,
      rawBody: signed.body,
      now: NOW,
    });
    if (event.event !== 'endpoint.url_validation') assert.fail(event.event);
    assert.deepEqual(await urlValidationResponse(event.payload.plainToken, SECRET), {
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });

  it('round-trips every event through signWebhook', async () => {
    for (const e of [passwordChanged, created, deactivated]) {
      const signed = await signWebhook({ secretToken: SECRET, body: e, timestamp: NOW_S });
      assert.deepEqual(
        await verifyWebhook({ secretToken: SECRET, headers: signed.headers, rawBody: signed.body, now: NOW }),
        e,
      );
    }
  });

  it('is exported alone as @zpass/zoom-client/webhooks (the built package)', async () => {
    const alone = await import('@zpass/zoom-client/webhooks');
    const signed = await alone.signWebhook({ secretToken: SECRET, body: created, timestamp: NOW_S });
    assert.deepEqual(
      await verifyWebhook({ secretToken: SECRET, headers: signed.headers, rawBody: signed.body, now: NOW }),
      created,
    );
    await assert.rejects(
      alone.verifyWebhook({ secretToken: 'x', headers: signed.headers, rawBody: signed.body, now: NOW }),
      {
        name: 'ZoomWebhookError',
        reason: 'signature_mismatch',
      },
    );
  });
});

/** Rivet's HttpReceiver, as Zoom's developers run it, inside Rivet's Users client. */
interface RivetEndpoint {
  url: string;
  updated: RivetUserUpdatedEvent[];
  created: RivetUserCreatedEvent[];
  deactivated: RivetUserDeactivatedEvent[];
  stop(): Promise<void>;
}

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
  const endpoint: Omit<RivetEndpoint, 'url' | 'stop'> = { updated: [], created: [], deactivated: [] };
  consumer.event('user.updated', (e) => void endpoint.updated.push(e));
  consumer.event('user.created', (e) => void endpoint.created.push(e));
  consumer.event('user.deactivated', (e) => void endpoint.deactivated.push(e));
  // Rivet passes no host to listen(), so its receiver listens on every interface (and a Unix
  // socket path makes its start() throw); it starts on an ephemeral port, and its server is moved
  // at once to 127.0.0.1, with the same request handler, before anything is posted to it.
  const server: Server = await receiver.start(0);
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...endpoint,
    url: `http://127.0.0.1:${port}/zoom/events`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function post(url: string, headers: Record<string, string>, body: string) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as unknown };
}

describe("Zoom's receiver (@zoom/rivet HttpReceiver) and our signatures", () => {
  let rivet: RivetEndpoint;
  before(async () => {
    rivet = await startRivetReceiver(SECRET);
  });
  after(() => rivet.stop());

  it('fires user.updated (change_password), user.created and user.deactivated for events we sign', async () => {
    for (const event of [passwordChanged, created, deactivated]) {
      const signed = await signWebhook({ secretToken: SECRET, body: event });
      assert.deepEqual(await post(rivet.url, signed.headers, signed.body), {
        status: 200,
        body: { message: 'Zoom event processed successfully.' },
      });
    }
    assert.deepEqual(rivet.updated, [passwordChanged]);
    assert.equal(rivet.updated[0]?.payload.operation, 'change_password');
    assert.deepEqual(rivet.created, [created]);
    assert.deepEqual(rivet.deactivated, [deactivated]);
  });

  it('fires user.updated for a profile change with old_object and for sign_out_from_all_devices', async () => {
    const renamed: UserUpdatedEvent = {
      event: 'user.updated',
      event_ts: Date.now(),
      payload: {
        account_id: 'Acc0unt1d',
        operator: 'admin@example.com',
        operator_id: 'AdminId0000000000000001',
        object: { id: 'UserId00000000000000001', first_name: 'Janet' },
        old_object: { id: 'UserId00000000000000001', first_name: 'Jane' },
        time_stamp: Date.now(),
      },
    };
    const signedOut: UserUpdatedEvent = {
      ...passwordChanged,
      payload: { ...passwordChanged.payload, operation: 'sign_out_from_all_devices' },
    };
    const before = rivet.updated.length;
    for (const event of [renamed, signedOut]) {
      const signed = await signWebhook({ secretToken: SECRET, body: event });
      assert.equal((await post(rivet.url, signed.headers, signed.body)).status, 200);
    }
    assert.deepEqual(rivet.updated.slice(before), [renamed, signedOut]);
  });

  it('answers endpoint.url_validation exactly as urlValidationResponse does', async () => {
    const plainToken = 'Zpass-PlainToken_0123456789';
    const signed = await signWebhook({
      secretToken: SECRET,
      body: { event: 'endpoint.url_validation', event_ts: Date.now(), payload: { plainToken } },
    });
    assert.deepEqual(await post(rivet.url, signed.headers, signed.body), {
      status: 200,
      body: await urlValidationResponse(plainToken, SECRET),
    });
  });

  it('refuses what we sign with another secret, and fires nothing', async () => {
    const before = rivet.updated.length;
    const signed = await signWebhook({ secretToken: 'not-the-secret', body: passwordChanged });
    assert.deepEqual(await post(rivet.url, signed.headers, signed.body), {
      status: 400,
      body: { error: 'Failed to verify event originated from Zoom.' },
    });
    assert.equal(rivet.updated.length, before);
  });

  it('what Rivet accepts, verifyWebhook accepts; the one difference is a body signed over non-compact bytes', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const pretty = JSON.stringify(created, null, 2);
    // Signed over the round trip (Rivet's form) and sent pretty: both accept.
    const overRoundTrip = headersFor(ts, zoomSignature(SECRET, ts, JSON.stringify(JSON.parse(pretty))));
    assert.equal((await post(rivet.url, overRoundTrip, pretty)).status, 200);
    assert.deepEqual(
      await verifyWebhook({ secretToken: SECRET, headers: overRoundTrip, rawBody: pretty }),
      created,
    );
    // Signed over the bytes sent: ours accepts, Rivet refuses (why signWebhook sends compact JSON only).
    const overBytes = headersFor(ts, zoomSignature(SECRET, ts, pretty));
    assert.equal((await post(rivet.url, overBytes, pretty)).status, 400);
    assert.deepEqual(
      await verifyWebhook({ secretToken: SECRET, headers: overBytes, rawBody: pretty }),
      created,
    );
    // Compact, signed by Rivet's formula: both accept.
    const compact = JSON.stringify(deactivated);
    const rivetSigned = headersFor(ts, zoomSignature(SECRET, ts, compact));
    assert.equal((await post(rivet.url, rivetSigned, compact)).status, 200);
    assert.deepEqual(
      await verifyWebhook({ secretToken: SECRET, headers: rivetSigned, rawBody: compact }),
      deactivated,
    );
  });
});
