/** The demo account only where asked for, and its secrets never in a log (issue 16, "Also"). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { demoFrom } from '../src/config.js';
import { tempDir } from './helpers.js';
import { spawnServer } from './processes.js';

describe('the demo account', () => {
  it('is decided by --demo/--no-demo, then ZPASS_DEMO, then DATABASE_URL and NODE_ENV', () => {
    assert.equal(demoFrom({}, {}), true);
    assert.equal(demoFrom({}, { DATABASE_URL: 'postgres://x/y' }), false);
    assert.equal(demoFrom({}, { NODE_ENV: 'production' }), false);
    assert.equal(demoFrom({ demo: true }, { NODE_ENV: 'production' }), true);
    assert.equal(demoFrom({}, { DATABASE_URL: 'postgres://x/y', ZPASS_DEMO: '1' }), true);
    assert.equal(demoFrom({}, { ZPASS_DEMO: '0' }), false);
    assert.equal(demoFrom({ demo: false }, { ZPASS_DEMO: '1' }), false);
    assert.throws(() => demoFrom({}, { ZPASS_DEMO: 'maybe' }), /ZPASS_DEMO must be 1 or 0/);
  });

  for (const [name, args, env] of [
    ['--no-demo', ['--no-demo'], {}],
    ['ZPASS_DEMO=0', [], { ZPASS_DEMO: '0' }],
    ['NODE_ENV=production', [], { NODE_ENV: 'production', ZPASS_DEMO: undefined }],
  ] as const) {
    it(`zpass serve with ${name} creates none`, async () => {
      const dir = tempDir();
      const s = await spawnServer([...args, '--data', dir], { DATABASE_URL: '', ...env });
      try {
        assert.equal(existsSync(join(dir, 'demo-credentials.json')), false);
        assert.ok(!s.output().includes('demo account'));
      } finally {
        await s.stop();
      }
    });
  }

  it('zpass serve with output to a pipe prints where the credentials are, not the secrets', async () => {
    const dir = tempDir();
    const s = await spawnServer(['--data', dir], {
      DATABASE_URL: '',
      ZPASS_LOG_LEVEL: 'info',
      ZPASS_DEMO: undefined,
    });
    try {
      const file = join(dir, 'demo-credentials.json');
      assert.ok(existsSync(file));
      const { client_secret, owner } = JSON.parse(
        await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8')),
      ) as { client_secret: string; owner: { password: string } };
      assert.ok(s.output().includes(`its credentials are in ${file} (mode 0600)`), s.output());
      assert.ok(!s.output().includes(client_secret));
      assert.ok(!s.output().includes(owner.password));
    } finally {
      await s.stop();
    }
  });
});
