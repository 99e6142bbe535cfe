/** Access-token rows do not pile up, and issuance per app is limited (issue 16, finding 10). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { basic, startTestServer, type TestServer } from './helpers.js';
import { waitFor } from './smtp.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0, 0);

function tokenRequest(t: TestServer) {
  return fetch(
    `${t.url}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(t.demo.account_id)}`,
    { method: 'POST', headers: { authorization: basic(t.demo.client_id, t.demo.client_secret) } },
  );
}

const rows = (t: TestServer) =>
  t.server.store.db
    .selectFrom('access_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

for (const redis of [false, true]) {
  describe(`token issuance (${redis ? 'Redis' : 'memory'} counters)`, () => {
    it('is limited per app and per second, in the OAuth error shape with Retry-After', async () => {
      const clock = new ManualClock(T0);
      const t = await startTestServer({ clock, redis, tokenRate: { qps: 3, daily: 5 } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await tokenRequest(t)).status);
        assert.deepEqual(statuses, [200, 200, 200, 429]);
        const refused = await tokenRequest(t);
        assert.equal(refused.status, 429);
        assert.equal(refused.headers.get('retry-after'), '1');
        assert.deepEqual(await refused.json(), {
          reason: 'Too many token requests for this app. Try again later.',
          error: 'too_many_requests',
        });
        clock.advance(1000);
        assert.equal((await tokenRequest(t)).status, 200);
        assert.equal((await tokenRequest(t)).status, 200);
        // The day's five are used: refused until midnight UTC.
        clock.advance(1000);
        const daily = await tokenRequest(t);
        assert.equal(daily.status, 429);
        assert.equal(daily.headers.get('retry-after'), String(12 * 3600 - 2));
      } finally {
        await t.stop();
      }
    });
  });
}

describe('access-token rows', () => {
  it('of revoked and expired tokens are deleted after the grace period', async () => {
    const clock = new ManualClock(T0);
    const t = await startTestServer({ clock, tokenPurge: { graceMs: 60_000, everyMs: 50 } });
    try {
      const base = Number((await rows(t)).n);
      // Twelve tokens: the cap of ten revokes the two oldest.
      for (let i = 0; i < 12; i++) assert.equal((await tokenRequest(t)).status, 200);
      assert.equal(Number((await rows(t)).n), base + 12);
      clock.advance(60_000);
      await waitFor('the revoked rows purged', async () => Number((await rows(t)).n) === base + 10);
      // An hour later every one has expired; a grace period later, none is left.
      clock.advance(3_600_000 + 60_000);
      await waitFor('the expired rows purged', async () => Number((await rows(t)).n) === 0);
    } finally {
      await t.stop();
    }
  });
});
