/**
 * The account's `sign_again_period_for_inactivity_on_web` on the pages, with the test
 * clock: a session idle longer than the period must sign in again; use keeps it going;
 * the 12-hour limit stays; 0 turns the rule off. Both stores.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { addUser, setSecurity, startTestServer, type TestServer } from './helpers.js';
import { webSessionsFor } from './queries.js';
import { WebClient } from './web.js';

const MINUTE = 60_000;

describe('the account idle rule on the web pages', () => {
  let t: TestServer;
  const clock = new ManualClock();
  let ipSeq = 0;
  const client = () => new WebClient(t.url, `192.0.2.${++ipSeq}`);

  const setPeriod = (minutes: number) => setSecurity(t, { sign_again_period_for_inactivity_on_web: minutes });

  before(async () => {
    t = await startTestServer({ clock, trustProxy: true });
  });
  after(() => t.stop());

  const signedIn = async () => {
    const u = await addUser(t, { password: 'Idle-Rule-2026' });
    const c = client();
    assert.equal((await c.signIn(u.email, 'Idle-Rule-2026')).status, 303);
    assert.equal((await c.get('/account/password')).status, 200);
    return { u, c };
  };

  it('ends a session idle longer than the period; a session in use goes on', async () => {
    await setPeriod(15);
    const idle = await signedIn();
    const busy = await signedIn();
    // The busy one is used every 10 minutes; the idle one not at all.
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * MINUTE);
      assert.equal((await busy.c.get('/account/password')).status, 200, `busy, round ${i}`);
    }
    const page = await idle.c.get('/account/password');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/signin');
    // Its row is gone, and a form from it is refused as any ended session's.
    assert.equal((await webSessionsFor(t.server.store.db, idle.u.id)).length, 0);
    const form = await idle.c.post('/account/password', {
      csrf: 'x',
      current_password: 'a',
      new_password: 'b',
    });
    assert.equal(form.status, 403);
    // Exactly at the period it is still good; a minute past, not.
    const edge = await signedIn();
    clock.advance(15 * MINUTE);
    assert.equal((await edge.c.get('/account/password')).status, 200);
    clock.advance(15 * MINUTE + MINUTE);
    assert.equal((await edge.c.get('/account/password')).status, 303);
    // Signing in again works.
    assert.equal((await edge.c.signIn(edge.u.email, 'Idle-Rule-2026')).status, 303);
    assert.equal((await edge.c.get('/account/password')).status, 200);
  });

  it('with the rule off (0), only the 12-hour limit ends a session, however idle', async () => {
    await setPeriod(0);
    const s = await signedIn();
    clock.advance(11 * 60 * MINUTE);
    assert.equal((await s.c.get('/account/password')).status, 200);
    clock.advance(61 * MINUTE);
    assert.equal((await s.c.get('/account/password')).status, 303);
  });

  it('the 12-hour limit stays when the session is in use all along', async () => {
    await setPeriod(120);
    const s = await signedIn();
    for (let h = 0; h < 12; h++) {
      clock.advance(59 * MINUTE);
      assert.equal((await s.c.get('/account/password')).status, 200, `hour ${h}`);
    }
    clock.advance(13 * MINUTE);
    assert.equal((await s.c.get('/account/password')).status, 303);
  });

  it('writes a session use at most once a minute', async () => {
    await setPeriod(5);
    const s = await signedIn();
    const seen = async () => (await webSessionsFor(t.server.store.db, s.u.id))[0]!.last_seen_at;
    clock.advance(MINUTE);
    await s.c.get('/account/password');
    const first = await seen();
    assert.equal(first, clock.now());
    clock.advance(30_000);
    await s.c.get('/account/password');
    assert.equal(await seen(), first);
  });
});
