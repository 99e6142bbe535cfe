import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { verify } from '@node-rs/argon2';
import { ManualClock } from '../src/clock.js';
import { accounts } from '../src/store/repositories/accounts.js';
import { credentials } from '../src/store/repositories/passwords.js';
import { accountToken, call, putPassword, startTestServer, type TestServer, tempDir } from './helpers.js';
import { outboxFor, passwordChangesFor } from './queries.js';

const CAP_REACHED = {
  code: 300,
  message:
    'This password cannot be changed because it has already been changed the maximum number of times over the past 24 hours.',
};

describe('restarting on the same data', () => {
  it('keeps the account, tokens, the changed password and the change log', async () => {
    const dataDir = tempDir();
    let first: TestServer | undefined;
    let second: TestServer | undefined;
    let third: TestServer | undefined;
    try {
      first = await startTestServer({ dataDir });
      assert.ok(first.server.demo, 'the first start creates the demo account');
      const demo = first.demo;
      const credsFile = readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8');
      const token = await accountToken(first);
      assert.equal((await putPassword(first, token, demo.member.id, 'Before-Restart-Pw-1q')).status, 204);
      const db1 = first.server.store.db;
      const changesBefore = await passwordChangesFor(db1, demo.member.id);
      const mailsBefore = await outboxFor(db1, demo.member.email);
      const credBefore = await credentials.get(db1, demo.member.id);
      assert.equal(changesBefore.length, 1);
      assert.equal(mailsBefore.length, 1);
      assert.equal(credBefore!.version, 2);
      await first.stop(false);

      second = await startTestServer({ dataDir });
      const db = second.server.store.db;
      // No second demo account: same account, nothing printed or rewritten.
      assert.equal(second.server.demo, undefined);
      assert.deepEqual(second.demo, demo);
      assert.equal(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'), credsFile);
      assert.equal(await accounts.count(db), 1);
      assert.deepEqual(
        (await accounts.list(db)).map((a) => a.id),
        [demo.account_id],
      );

      // The token issued before the restart still works.
      const me = await call(`${second.url}/v2/users/me`, { token });
      assert.equal(me.status, 200, me.text);
      assert.equal((me.body as { id: string }).id, demo.owner.id);
      assert.equal((me.body as { account_id: string }).account_id, demo.account_id);

      // The changed password is the stored one.
      const cred = await credentials.get(db, demo.member.id);
      assert.deepEqual(cred, credBefore);
      assert.equal(await verify(cred!.phc, 'Before-Restart-Pw-1q'), true);
      assert.equal(await verify(cred!.phc, demo.member.password), false);
      assert.deepEqual(await passwordChangesFor(db, demo.member.id), changesBefore);
      assert.deepEqual(await outboxFor(db, demo.member.email), mailsBefore);
      const same = await putPassword(second, token, demo.member.id, 'Before-Restart-Pw-1q');
      assert.deepEqual(same.body, {
        code: 300,
        message: 'Your new password can not match the old password.',
      });

      // The 24-hour window spans the restart: four more changes, then the cap.
      for (let i = 2; i <= 5; i++) {
        const res = await putPassword(second, token, demo.member.id, `After-Restart-Pw-${i}q`);
        assert.equal(res.status, 204, res.text);
      }
      assert.deepEqual(
        (await putPassword(second, token, demo.member.id, 'After-Restart-Pw-6q')).body,
        CAP_REACHED,
      );
      assert.equal((await passwordChangesFor(db, demo.member.id)).length, 5);
      // The client credentials still work.
      assert.equal(
        (await call(`${second.url}/v2/users/me`, { token: await accountToken(second) })).status,
        200,
      );
      await second.stop(false);

      // Expiry is stored too: 90 minutes later the old token is expired (its row is kept for an
      // hour after expiry, so that it is told so, then purged).
      third = await startTestServer({ dataDir, clock: new ManualClock(Date.now() + 90 * 60 * 1000) });
      assert.equal(third.server.demo, undefined);
      assert.deepEqual(await call(`${third.url}/v2/users/me`, { token }).then((r) => r.body), {
        code: 124,
        message: 'Access token is expired.',
      });
      const finalCred = await credentials.get(third.server.store.db, demo.member.id);
      assert.equal(finalCred!.version, 6);
      assert.equal(await verify(finalCred!.phc, 'After-Restart-Pw-5q'), true);
    } finally {
      // Stop whichever server is still running; the last one started removes the data
      // (and, on PostgreSQL, its database).
      for (const s of [third, second, first]) await s?.server.close();
      const last = third ?? second ?? first;
      if (last) await last.stop(true);
      else rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
