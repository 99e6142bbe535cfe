/**
 * The failure throttle cannot be reset by a success of another identity, nor raced by a
 * burst of concurrent attempts (issue 16, findings 2 and 3), in memory and in Redis.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addUser, basic, CountingHasher, startTestServer, type TestServer } from './helpers.js';
import { csrfOf, WebClient } from './web.js';

const FREE = 5;

function tokenAttempt(t: TestServer, clientId: string, secret: string, from: string) {
  return fetch(
    `${t.url}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(t.demo.account_id)}`,
    { method: 'POST', headers: { authorization: basic(clientId, secret), 'x-forwarded-for': from } },
  );
}

for (const redis of [false, true]) {
  describe(`the failure throttle (${redis ? 'Redis' : 'memory'})`, () => {
    const start = (hasher?: CountingHasher) =>
      startTestServer({
        redis,
        hasher,
        trustProxy: ['127.0.0.1'],
        throttle: { freeFailures: FREE, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      });

    it('a successful token request does not clear the address’s failures', async () => {
      const t = await start();
      try {
        const from = '203.0.113.40';
        const statuses: number[] = [];
        // Guess other clients' secrets, getting a token of one's own every fourth try.
        for (let round = 0; round < 4; round++) {
          for (let i = 0; i < 3; i++)
            statuses.push((await tokenAttempt(t, `other-client-${round}-${i}`, 'guess', from)).status);
          await tokenAttempt(t, t.demo.client_id, t.demo.client_secret, from);
        }
        const checked = statuses.filter((s) => s === 400).length;
        assert.equal(checked, FREE, statuses.join(','));
        assert.ok(statuses.includes(429));
      } finally {
        await t.stop();
      }
    });

    it('a burst of concurrent wrong secrets gets at most the free failures checked', async () => {
      const t = await start();
      try {
        const from = '203.0.113.41';
        const res = await Promise.all(
          Array.from({ length: 60 }, (_, i) => tokenAttempt(t, t.demo.client_id, `wrong-${i}`, from)),
        );
        const statuses = res.map((r) => r.status);
        assert.ok(statuses.filter((s) => s === 400).length <= FREE, statuses.join(','));
        assert.equal(statuses.filter((s) => s === 400).length + statuses.filter((s) => s === 429).length, 60);
        // The real client, from its own address, is still served after the burst... once trusted.
      } finally {
        await t.stop();
      }
    });

    it('web sign-in: a success clears only that e-mail, and a burst is bounded', async () => {
      const hasher = new CountingHasher();
      const t = await start(hasher);
      try {
        const own = await addUser(t, { password: 'Own-Account-Pass-1' });
        const victims = await Promise.all(
          [1, 2, 3, 4].map(() => addUser(t, { password: 'Victim-Pass-123' })),
        );
        const c = new WebClient(t.url, '203.0.113.42');
        const statuses: number[] = [];
        for (const v of victims) {
          for (let i = 0; i < 3; i++) statuses.push((await c.signIn(v.email, `Guess-${i}-xyz`)).status);
          // Signed in on a browser of its own (a signed-in browser is sent past the form), same address.
          const ok = await new WebClient(t.url, '203.0.113.42').signIn(own.email, 'Own-Account-Pass-1');
          assert.ok(ok.status === 303 || ok.status === 302 || ok.status === 429, String(ok.status));
        }
        assert.equal(statuses.filter((s) => s === 401).length, FREE, statuses.join(','));
        assert.ok(statuses.includes(429));

        // A burst from a fresh address at one e-mail: verified at most FREE times.
        const burst = new WebClient(t.url, '203.0.113.43');
        const page = await burst.get('/signin');
        const csrf = csrfOf(page.text);
        hasher.reset();
        const res = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            burst.post('/signin', { csrf, email: victims[0]!.email, password: `Burst-${i}-guess` }),
          ),
        );
        assert.ok(hasher.counts.verify <= FREE, `${hasher.counts.verify} verified`);
        assert.ok(res.every((r) => r.status === 401 || r.status === 429));
      } finally {
        await t.stop();
      }
    });
  });
}
