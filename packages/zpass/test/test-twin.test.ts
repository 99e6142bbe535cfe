import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EmbeddedServer, type Fixtures, startServer } from '../src/index.js';
import { basic, call, tempDir } from './helpers.js';
import { databaseFor, dropTestDatabase } from './pg.js';
import { BIN, spawnServer } from './processes.js';
import { WebClient } from './web.js';

const FIXTURES: Fixtures = {
  accounts: [
    {
      id: 'acct-twin-1',
      name: 'Acme (tests)',
      owner: { email: 'owner@acme.test', password: 'Owner-Pass-123' },
      users: [{ email: 'ann@acme.test', password: 'Ann-Pass-1234', role: 'member', first_name: 'Ann' }],
      apps: [
        { client_id: 'acme_admin_app', client_secret: 'acme-admin-secret-1' },
        { client_id: 'acme_reader', client_secret: 'acme-reader-secret', scopes: ['user:read:admin'] },
      ],
      settings: { security: { password_requirement: { minimum_password_length: 10 } } },
    },
  ],
};

async function token(url: string, clientId = 'acme_admin_app', secret = 'acme-admin-secret-1') {
  return call(`${url}/oauth/token?grant_type=account_credentials&account_id=acct-twin-1`, {
    method: 'POST',
    headers: { authorization: basic(clientId, secret) },
  });
}

async function bearer(url: string): Promise<string> {
  const r = await token(url);
  assert.equal(r.status, 200, r.text);
  return (r.body as { access_token: string }).access_token;
}

/** A seeded embedded server on this pass's store (PostgreSQL on the PostgreSQL pass). */
async function seeded(dataDir = tempDir()): Promise<{ s: EmbeddedServer; dataDir: string; db?: string }> {
  const db = await databaseFor(dataDir);
  const s = await startServer({ dataDir, databaseUrl: db, seed: FIXTURES });
  return { s, dataDir, db };
}

async function cleanup(dataDir: string, db?: string) {
  if (db) await dropTestDatabase(db);
  rmSync(dataDir, { recursive: true, force: true });
}

describe('seed fixtures and reset (startServer from the package entry)', () => {
  let s: EmbeddedServer;
  let dataDir: string;
  let db: string | undefined;
  before(async () => {
    ({ s, dataDir, db } = await seeded());
  });
  after(async () => {
    await s.close();
    await cleanup(dataDir, db);
  });

  it('answers tokens for the seeded apps, signs the seeded users in, and applied the settings', async () => {
    assert.equal(s.seeded, true);
    assert.equal(s.demo, undefined);
    const admin = await token(s.url);
    assert.equal(admin.status, 200, admin.text);
    const reader = await token(s.url, 'acme_reader', 'acme-reader-secret');
    assert.equal(reader.status, 200, reader.text);
    assert.equal((reader.body as { scope: string }).scope, 'user:read:admin');
    assert.equal((await token(s.url, 'acme_admin_app', 'wrong-secret-123')).status, 400);
    assert.equal((await new WebClient(s.url).signIn('ann@acme.test', 'Ann-Pass-1234')).status, 303);
    assert.equal((await new WebClient(s.url).signIn('owner@acme.test', 'Owner-Pass-123')).status, 303);
    assert.equal((await new WebClient(s.url).signIn('ann@acme.test', 'Not-Her-Pass-1')).status, 401);
    const settings = await call(`${s.url}/v2/accounts/me/settings?option=security`, {
      token: (admin.body as { access_token: string }).access_token,
    });
    assert.equal(settings.status, 200, settings.text);
    const sec = (settings.body as { security: { password_requirement: { minimum_password_length: number } } })
      .security;
    assert.equal(sec.password_requirement.minimum_password_length, 10);
  });

  it('POST /zpass/test/reset brings back the seeded state', async () => {
    const t = await bearer(s.url);
    const changed = await call(`${s.url}/v2/users/ann@acme.test/password`, {
      method: 'PUT',
      token: t,
      json: { password: 'Ann-New-Pass-99' },
    });
    assert.equal(changed.status, 204, changed.text);
    const created = await call(`${s.url}/v2/users`, {
      method: 'POST',
      token: t,
      json: { action: 'create', user_info: { email: 'bob@acme.test', type: 1 } },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((await new WebClient(s.url).signIn('ann@acme.test', 'Ann-New-Pass-99')).status, 303);

    const reset = await call(`${s.url}/zpass/test/reset`, { method: 'POST' });
    assert.equal(reset.status, 204, reset.text);

    assert.equal((await new WebClient(s.url).signIn('ann@acme.test', 'Ann-Pass-1234')).status, 303);
    assert.equal((await new WebClient(s.url).signIn('ann@acme.test', 'Ann-New-Pass-99')).status, 401);
    // The token issued after start is gone with everything else made since.
    assert.equal((await call(`${s.url}/v2/users/ann@acme.test`, { token: t })).status, 401);
    const fresh = await bearer(s.url);
    assert.equal((await call(`${s.url}/v2/users/bob@acme.test`, { token: fresh })).status, 404);
    assert.equal((await call(`${s.url}/v2/users/ann@acme.test`, { token: fresh })).status, 200);
    // A second reset works as well as the first.
    assert.equal((await call(`${s.url}/zpass/test/reset`, { method: 'POST' })).status, 204);
    assert.equal((await token(s.url)).status, 200);
  });
});

describe('seeding is applied once', () => {
  it('a restart on a store with data neither seeds again nor changes it', async () => {
    const { s, dataDir, db } = await seeded();
    try {
      const changed = await call(`${s.url}/v2/users/ann@acme.test/password`, {
        method: 'PUT',
        token: await bearer(s.url),
        json: { password: 'Ann-New-Pass-99' },
      });
      assert.equal(changed.status, 204, changed.text);
    } finally {
      await s.close();
    }
    const again = await startServer({ dataDir, databaseUrl: db, seed: FIXTURES });
    try {
      assert.equal(again.seeded, false);
      assert.equal((await new WebClient(again.url).signIn('ann@acme.test', 'Ann-New-Pass-99')).status, 303);
      assert.equal((await token(again.url)).status, 200);
    } finally {
      await again.close();
      await cleanup(dataDir, db);
    }
  });

  it('without a data folder, startServer makes a temporary one and removes it at close', async () => {
    const s = await startServer({ port: 0 });
    assert.equal(s.seeded, false);
    assert.equal(s.demo, undefined);
    assert.equal((await call(`${s.url}/healthz`)).status, 200);
    await s.close();
    assert.throws(() => readFileSync(join(s.dataDir, 'zpass.db')), /ENOENT/);
  });

  it('a fixture the store refuses (a password too short for the seeded settings) fails the start naming it', async () => {
    const dataDir = tempDir();
    const db = await databaseFor(dataDir);
    const bad = structuredClone(FIXTURES);
    bad.accounts[0]!.users![0]!.password = 'Short-1';
    await assert.rejects(startServer({ dataDir, databaseUrl: db, seed: bad }), /accounts\[0\]\.users\[0\]/);
    await cleanup(dataDir, db);
  });
});

/** Runs `zpass serve` to its exit; for starts that must fail. */
function serveFails(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      env: { ...process.env, ZPASS_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('zpass serve --seed', () => {
  it('serves the seeded state and resets it with --test-controls', async () => {
    const dir = tempDir();
    const db = await databaseFor(dir);
    const file = join(dir, 'fixtures.json');
    writeFileSync(file, JSON.stringify(FIXTURES));
    const p = await spawnServer(['--data', dir, '--seed', file, '--test-controls'], {
      DATABASE_URL: db,
      ZPASS_DEMO: undefined,
    });
    try {
      const t = await bearer(p.url);
      const changed = await call(`${p.url}/v2/users/ann@acme.test/password`, {
        method: 'PUT',
        token: t,
        json: { password: 'Ann-New-Pass-99' },
      });
      assert.equal(changed.status, 204, changed.text);
      assert.equal((await call(`${p.url}/zpass/test/reset`, { method: 'POST' })).status, 204);
      assert.equal((await new WebClient(p.url).signIn('ann@acme.test', 'Ann-Pass-1234')).status, 303);
      // Fixtures replace the demo account.
      assert.doesNotMatch(p.output(), /demo/);
    } finally {
      await p.stop();
      await cleanup(dir, db);
    }
  });

  it('without --test-controls there is no reset route', async () => {
    const dir = tempDir();
    const db = await databaseFor(dir);
    const file = join(dir, 'fixtures.json');
    writeFileSync(file, JSON.stringify(FIXTURES));
    const p = await spawnServer(['--data', dir, '--seed', file], { DATABASE_URL: db });
    try {
      assert.equal((await call(`${p.url}/zpass/test/reset`, { method: 'POST' })).status, 404);
    } finally {
      await p.stop();
      await cleanup(dir, db);
    }
  });

  const cases: Array<[string, unknown, RegExp]> = [
    [
      'a short secret',
      { accounts: [{ ...FIXTURES.accounts[0], apps: [{ client_id: 'x', client_secret: 'short' }] }] },
      /accounts\[0\]\.apps\[0\]\.client_secret: must be a string of 8 to 128 characters/,
    ],
    [
      'an unknown field',
      { accounts: [{ ...FIXTURES.accounts[0], usrs: [] }] },
      /accounts\[0\]\.usrs: unknown field/,
    ],
    ['no owner', { accounts: [{ id: 'a1' }] }, /accounts\[0\]\.owner: must be an object/],
    [
      'a bad e-mail',
      { accounts: [{ id: 'a1', owner: { email: 'nope' } }] },
      /accounts\[0\]: Not an e-mail address/,
    ],
    ['not JSON', '{"accounts": [', /are not JSON/],
  ];
  for (const [name, content, expected] of cases)
    it(`a fixtures file with ${name} fails at start with one line naming it`, async () => {
      const dir = tempDir();
      const db = await databaseFor(dir);
      const file = join(dir, 'fixtures.json');
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      try {
        const r = await serveFails(['--data', dir, '--seed', file], { DATABASE_URL: db });
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stdout, '');
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, expected);
        assert.match(lines[0]!, /fixtures\.json|Seed fixtures/);
      } finally {
        await cleanup(dir, db);
      }
    });
});

describe('docs/testing-with-zpass.md', () => {
  it("the example an integrator copies passes, importing 'zpass' as they would", async () => {
    const doc = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'docs', 'testing-with-zpass.md'),
      'utf8',
    );
    const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const example = blocks.find((b) => b.includes("from 'node:test'"));
    assert.ok(example, 'the example suite is in the document');
    // Inside the workspace, where `zpass` resolves to this package's built entry, as from node_modules.
    const dir = join(import.meta.dirname, '..', '.doc-example');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `example-${process.pid}.test.mjs`);
    writeFileSync(file, example);
    try {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        // A runner of its own, not a child of this one.
        const env = { ...process.env, NODE_TEST_CONTEXT: undefined };
        const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
        });
        child.stderr.on('data', (d) => {
          out += String(d);
        });
        child.on('exit', (code) => resolve({ code, out }));
      });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /# pass 2/);
      assert.match(r.out, /# fail 0/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
