// The pacer keeps a batch under a per-second limit that a scripted stand-in for Zoom enforces
// strictly (a sliding one-second window), learning the limit from X-RateLimit-Limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RateLimitPacer, ZoomClient, ZoomRateLimitError } from '../src/index.js';
import { json, type StandIn, standIn } from './stand-in.js';

const LIMIT = 10;
const DAILY =
  'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.';

describe('RateLimitPacer', () => {
  let s: StandIn;
  let daily = false;
  const served: number[] = [];
  let refused = 0;

  before(async () => {
    s = await standIn((req, res) => {
      if (daily) {
        return json(
          res,
          429,
          { code: 429, message: DAILY },
          {
            'x-ratelimit-category': 'Medium',
            'x-ratelimit-type': 'Daily-limit',
            'x-ratelimit-limit': '2000',
            'x-ratelimit-remaining': '0',
            'retry-after': '2030-01-01T00:00:00Z',
          },
        );
      }
      const now = Date.now();
      const inWindow = served.filter((t) => t > now - 1000).length;
      const headers = {
        'x-ratelimit-category': 'Medium',
        'x-ratelimit-type': 'QPS',
        'x-ratelimit-limit': String(LIMIT),
      };
      if (inWindow >= LIMIT) {
        refused++;
        return json(
          res,
          429,
          {
            code: 429,
            message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
          },
          { ...headers, 'retry-after': '1' },
        );
      }
      served.push(now);
      return json(res, 200, { id: req.url.split('/').at(-1), email: 'x@example.test', type: 1 }, headers);
    });
  });
  after(() => s.close());

  const zoom = () => new ZoomClient({ accessToken: 'tok-pacer-1', baseUrl: `${s.url}/v2`, maxRetries: 0 });

  it('without pacing, a burst is refused (the stand-in enforces its limit)', async () => {
    refused = 0;
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => zoom().users.get(`b${i}`)));
    assert.ok(refused > 0);
    assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof ZoomRateLimitError));
    await new Promise((r) => setTimeout(r, 1100)); // let the window empty
  });

  it('paces a batch of 30 under the learned limit: no 429 at all', async () => {
    refused = 0;
    const client = zoom();
    const pacer = new RateLimitPacer(client, { category: 'Medium', concurrency: 4 });
    assert.equal(pacer.limit, 2, 'the Free plan Medium limit until the headers say more');
    const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const got = await Promise.all(ids.map((id) => pacer.schedule(() => client.users.get(id))));
    pacer.close();
    assert.deepEqual(
      got.map((u) => u.id),
      ids,
    );
    assert.equal(refused, 0);
    assert.equal(pacer.limit, LIMIT);
    assert.equal(pacer.ratePerSecond, 8);
  });

  it('a per-second 429 (another app used the limit) holds every next start until its Retry-After', async () => {
    // Fill the stand-in's window from elsewhere, so that the pacer's first call is refused.
    for (let i = 0; i < LIMIT; i++) served.push(Date.now());
    refused = 0;
    const client = zoom();
    const pacer = new RateLimitPacer(client, { category: 'Medium', limit: LIMIT });
    const before = s.requests.length;
    const first = await pacer.schedule(() => client.users.get('q1')).catch((e: unknown) => e);
    const refusedAt = Date.now();
    assert.ok(first instanceof ZoomRateLimitError && !first.isDailyLimit);
    const second = await pacer.schedule(async () => ({ at: Date.now(), user: await client.users.get('q2') }));
    pacer.close();
    assert.equal(second.user.id, 'q2');
    assert.ok(second.at - refusedAt >= 950, `started ${second.at - refusedAt} ms after the 429`);
    assert.equal(s.requests.length - before, 2);
    assert.equal(refused, 1);
  });

  it('after a daily-limit 429, fails further calls at once without sending them', async () => {
    daily = true;
    const client = zoom();
    const pacer = new RateLimitPacer(client, { category: 'Medium' });
    const before = s.requests.length;
    const first = await pacer.schedule(() => client.users.get('d1')).catch((e: unknown) => e);
    assert.ok(first instanceof ZoomRateLimitError && first.isDailyLimit);
    const second = await pacer.schedule(() => client.users.get('d2')).catch((e: unknown) => e);
    assert.equal(second, first);
    assert.equal(s.requests.length - before, 1);
    pacer.close();
    daily = false;
  });
});
