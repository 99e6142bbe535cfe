import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { accountToken, call, startTestServer, tempDir } from './helpers.js';
import { waitFor } from './smtp.js';

const modeOf = (f: string) => (statSync(f).mode & 0o777).toString(8);

describe('files in the data folder', () => {
  it('are created 0600 even in a folder that already exists (world-readable), with a warning at start', async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const t = await startTestServer({ dataDir, mail: { pollMs: 100 } });
    try {
      const token = await accountToken(t);
      const email = 'file.perms@example.test';
      const res = await call(`${t.url}/v2/users`, {
        method: 'POST',
        token,
        json: { action: 'create', user_info: { email, type: 1 } },
      });
      assert.equal(res.status, 201, res.text);
      const mailDir = join(dataDir, 'mail');
      await waitFor(
        'the .eml file',
        () => existsSync(mailDir) && readdirSync(mailDir).some((f) => f.endsWith('.eml')),
      );
      const files = ['demo-credentials.json', ...readdirSync(mailDir).map((f) => join('mail', f))];
      if (!t.databaseUrl) files.push('zpass.db', 'zpass.db-wal', 'zpass.db-shm');
      for (const f of files) assert.equal(modeOf(join(dataDir, f)), '600', f);
      assert.ok(
        t.logs.some(
          (l) => l.includes('the data folder is open to other users') && l.includes('"mode":"0755"'),
        ),
        t.logs.join(''),
      );
    } finally {
      await t.stop();
    }
  });

  it('no warning for an owner-only folder', async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const t = await startTestServer({ dataDir });
    try {
      assert.ok(!t.logs.some((l) => l.includes('the data folder is open')));
    } finally {
      await t.stop();
    }
  });
});

describe('trusting a proxy', () => {
  it('warns at start when every peer is trusted, not when the proxies are listed', async () => {
    const warn = 'ZPASS_TRUST_PROXY=1 believes X-Forwarded-For from any peer';
    const any = await startTestServer({ trustProxy: true });
    try {
      assert.ok(any.logs.some((l) => l.includes(warn)));
    } finally {
      await any.stop();
    }
    const listed = await startTestServer({ trustProxy: ['127.0.0.1'] });
    try {
      assert.ok(!listed.logs.some((l) => l.includes(warn)));
    } finally {
      await listed.stop();
    }
  });
});
