import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verify } from '@node-rs/argon2';
import { ManualClock } from '../src/clock.js';
import { digest } from '../src/crypto/random.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { accountToken, addUser, putPassword, startTestServer, type TestServer } from './helpers.js';
import { outboxFor, passwordChangesFor } from './queries.js';

const CAP_REACHED = {
  code: 300,
  message:
    'This password cannot be changed because it has already been changed the maximum number of times over the past 24 hours.',
};
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

describe('concurrent password changes to one user', () => {
  let t: TestServer;

  before(async () => {
    // Room for one token per request, so that each change row names the request that made it.
    t = await startTestServer({ settings: { maxLiveTokensPerApp: 100 } });
  });
  after(() => t.stop());

  it('accepts exactly 5 of 20 parallel changes and keeps the store consistent', async () => {
    const u = await addUser(t);
    const db = t.server.store.db;
    const initial = (await credentials.get(db, u.id))!.version;
    const requests = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => ({
        token: await accountToken(t),
        password: `Parallel-Pw-${i}q`,
      })),
    );
    assert.equal(new Set(requests.map((r) => r.token)).size, 20);

    const responses = await Promise.all(requests.map((r) => putPassword(t, r.token, u.id, r.password)));

    const accepted = requests.filter((_, i) => responses[i]!.status === 204);
    const refused = responses.filter((r) => r.status !== 204);
    assert.equal(accepted.length, 5, `statuses: ${responses.map((r) => r.status).join(',')}`);
    assert.equal(refused.length, 15);
    for (const r of responses.filter((r) => r.status === 204)) assert.equal(r.text, '');
    for (const r of refused) {
      assert.equal(r.status, 400, r.text);
      assert.deepEqual(r.body, CAP_REACHED);
    }

    const log = await passwordChangesFor(db, u.id);
    assert.equal(log.length, 5);
    const cred = await credentials.get(db, u.id);
    assert.equal(cred!.version, initial + 5);
    const mails = await outboxFor(db, u.email);
    assert.equal(mails.length, 5);
    for (const m of mails) {
      assert.equal(m.kind, 'password_changed');
      assert.equal((JSON.parse(m.payload) as { user_id: string }).user_id, u.id);
    }

    // Each change row names the token of one accepted request, once.
    const byDigest = new Map(requests.map((r) => [digest(r.token), r]));
    const rowRequests = log.map((row) => byDigest.get(row.token_digest!));
    assert.ok(rowRequests.every((r) => r !== undefined && accepted.includes(r)));
    assert.equal(new Set(rowRequests).size, 5);
    for (let i = 1; i < log.length; i++) {
      assert.ok(log[i]!.id > log[i - 1]!.id);
      assert.ok(log[i]!.changed_at >= log[i - 1]!.changed_at);
    }

    // The stored hash is the last committed change's password, and only that one.
    const matching: string[] = [];
    for (const r of accepted) if (await verify(cred!.phc, r.password)) matching.push(r.password);
    assert.equal(matching.length, 1);
    assert.equal(matching[0], rowRequests.at(-1)!.password);
    for (const r of requests.filter((r) => !accepted.includes(r))) {
      assert.equal(await verify(cred!.phc, r.password), false);
    }

    // The cap still holds afterwards.
    assert.deepEqual((await putPassword(t, requests[0]!.token, u.id, 'After-Burst-Pw-1q')).body, CAP_REACHED);
  });

  it('accepts parallel changes to different users, one each', async () => {
    const token = await accountToken(t);
    const people = await Promise.all(Array.from({ length: 8 }, () => addUser(t)));
    const responses = await Promise.all(
      people.map((p, i) => putPassword(t, token, p.id, `Distinct-User-${i}q`)),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      people.map(() => 204),
    );
    for (const [i, p] of people.entries()) {
      const cred = await credentials.get(t.server.store.db, p.id);
      assert.equal(cred!.version, 2);
      assert.ok(await verify(cred!.phc, `Distinct-User-${i}q`));
      assert.equal((await passwordChangesFor(t.server.store.db, p.id)).length, 1);
    }
  });
});

describe('the 24-hour cap is a rolling window', () => {
  let t: TestServer;
  let clock: ManualClock;
  let n = 0;
  /** A change with a fresh token (tokens last one hour; the clock jumps by days). */
  const change = async (userId: string) =>
    putPassword(t, await accountToken(t), userId, `Rolling-Pw-${++n}q`);

  before(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 1, 12, 0, 0));
    t = await startTestServer({ clock });
  });
  after(() => t.stop());

  it('accepts a change again 24 h + 1 s after five', async () => {
    const u = await addUser(t);
    for (let i = 0; i < 5; i++) assert.equal((await change(u.id)).status, 204);
    assert.deepEqual((await change(u.id)).body, CAP_REACHED);
    clock.advance(DAY - 1000);
    assert.deepEqual((await change(u.id)).body, CAP_REACHED);
    clock.advance(2000);
    const again = await change(u.id);
    assert.equal(again.status, 204, again.text);
    assert.equal((await passwordChangesFor(t.server.store.db, u.id)).length, 6);
    assert.equal((await credentials.get(t.server.store.db, u.id))!.version, 7);
  });

  it('frees each slot 24 h after the change that used it', async () => {
    const u = await addUser(t);
    // Two changes now, three twelve hours later: the cap is reached.
    for (let i = 0; i < 2; i++) assert.equal((await change(u.id)).status, 204);
    clock.advance(12 * HOUR);
    for (let i = 0; i < 3; i++) assert.equal((await change(u.id)).status, 204);
    assert.deepEqual((await change(u.id)).body, CAP_REACHED);
    // 24 h + 1 s after the first two: exactly two slots are free.
    clock.advance(12 * HOUR + 1000);
    for (let i = 0; i < 2; i++) assert.equal((await change(u.id)).status, 204);
    assert.deepEqual((await change(u.id)).body, CAP_REACHED);
    // 24 h + 1 s after the next three: three more.
    clock.advance(12 * HOUR);
    for (let i = 0; i < 3; i++) assert.equal((await change(u.id)).status, 204);
    assert.deepEqual((await change(u.id)).body, CAP_REACHED);
    assert.equal((await passwordChangesFor(t.server.store.db, u.id)).length, 10);
    assert.equal((await outboxFor(t.server.store.db, u.email)).length, 10);
  });
});
