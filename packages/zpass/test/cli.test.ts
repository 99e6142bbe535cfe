import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type DemoCredentials, demoBanner } from '../src/domain/accounts/demo.js';
import { basic, call, tempDir } from './helpers.js';
import { databaseFor, dropTestDatabase } from './pg.js';

/**
 * The real CLI, run as child processes (`node packages/zpass/bin/zpass.js ...`), on a
 * data folder of its own (and, on the PostgreSQL pass, a database of its own).
 */

const BIN = fileURLToPath(new URL('../bin/zpass.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ID = /^[A-Za-z0-9_-]{22}$/;

/** The environment of every CLI run: nothing inherited that would point it at another store. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ZPASS_LOG_LEVEL: 'info' };
  for (const name of ['ZPASS_DATA', 'DATABASE_URL', 'ZPASS_PORT', 'ZPASS_HOST', 'ZPASS_TRUST_PROXY'])
    delete env[name];
  return env;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `zpass args...` to its end, with `input` on standard input (always closed). */
function zpass(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A run that must succeed and print JSON. */
async function zpassJson<T>(args: string[], input?: string): Promise<T> {
  const r = await zpass([...args, '--json'], input);
  assert.equal(r.code, 0, `zpass ${args.join(' ')} failed: ${r.stderr}`);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as T;
}

/** A run that must fail with exit code 1, this message on stderr and nothing on stdout. */
async function zpassFails(args: string[], message: string, input?: string): Promise<void> {
  const r = await zpass(args, input);
  assert.equal(r.code, 1, `zpass ${args.join(' ')} should fail: ${r.stdout}`);
  assert.equal(r.stderr, `zpass: ${message}\n`);
  assert.equal(r.stdout, '');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Standard error: the demo banner and anything else that is not a log line. */
  errors: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `zpass serve --port <free port>`, once it has said it is listening. */
async function serve(storeArgs: string[]): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), ...storeArgs], {
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in 20 s:\n${out}\n${err}`));
    }, 20_000);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('"msg":"zpass is listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}\n${err}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, errors: () => err, exited };
}

/** SIGTERM: the server finishes and exits with 0. */
async function stopServed(s: Served): Promise<void> {
  s.child.kill('SIGTERM');
  const { code, signal } = await s.exited;
  assert.equal(signal, null);
  assert.equal(code, 0);
}

async function s2sToken(
  url: string,
  accountId: string,
  clientId: string,
  clientSecret: string,
): Promise<string> {
  const res = await call(`${url}/oauth/token?grant_type=account_credentials&account_id=${accountId}`, {
    method: 'POST',
    headers: { authorization: basic(clientId, clientSecret) },
  });
  assert.equal(res.status, 200, res.text);
  return (res.body as { access_token: string }).access_token;
}

interface CreatedAccountOut {
  account_id: string;
  owner: { id: string; email: string };
  app: { client_id: string; client_secret: string };
}

describe('zpass CLI', () => {
  /** Folders and databases to remove at the end. */
  const dirs: string[] = [];
  const databases: string[] = [];
  /** A new data folder, and the flags that point the CLI at its store. */
  const newStore = async () => {
    const dir = tempDir('zpass-cli-');
    dirs.push(dir);
    const databaseUrl = await databaseFor(dir);
    if (databaseUrl) databases.push(databaseUrl);
    return { dir, args: databaseUrl ? ['--data', dir, '--database-url', databaseUrl] : ['--data', dir] };
  };

  before(() => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run "npx tsc -b packages/zpass" first`);
  });
  after(async () => {
    for (const url of databases) await dropTestDatabase(url);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('admin commands', () => {
    let store: { dir: string; args: string[] };
    let account: CreatedAccountOut;
    let adminUser: { id: string; email: string; role: string; account_id: string };
    let readApp: { client_id: string; client_secret: string; scopes: string[]; creator: string };
    let userToken: { access_token: string; user_id: string };

    before(async () => {
      store = await newStore();
    });

    it('migrate applies the migrations once, then finds the schema up to date', async () => {
      const first = await zpass(['migrate', ...store.args]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^applied: 0001_initial(, \w+)*\n$/);
      const second = await zpass(['migrate', ...store.args]);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, 'the schema is up to date\n');
    });

    it('create-account prints the account, its owner and its app, secret included', async () => {
      account = await zpassJson<CreatedAccountOut>([
        'admin',
        'create-account',
        '--owner-email',
        'Owner@Cli.Test',
        '--plan',
        'business',
        ...store.args,
      ]);
      assert.deepEqual(Object.keys(account).sort(), ['account_id', 'app', 'owner']);
      assert.match(account.account_id, ID);
      assert.deepEqual(Object.keys(account.owner).sort(), ['email', 'id']);
      assert.match(account.owner.id, ID);
      assert.equal(account.owner.email, 'Owner@Cli.Test');
      assert.deepEqual(Object.keys(account.app).sort(), ['client_id', 'client_secret']);
      assert.match(account.app.client_id, /^[A-Za-z0-9]{22}$/);
      assert.match(account.app.client_secret, /^[A-Za-z0-9]{32}$/);
    });

    it('create-user takes the password on standard input', async () => {
      adminUser = await zpassJson(
        [
          'admin',
          'create-user',
          '--account',
          account.account_id,
          '--email',
          'admin@cli.test',
          '--role',
          'admin',
          '--password-stdin',
          ...store.args,
        ],
        'Admin-Pass-123\n',
      );
      assert.match(adminUser.id, ID);
      assert.deepEqual(adminUser, {
        id: adminUser.id,
        email: 'admin@cli.test',
        role: 'admin',
        account_id: account.account_id,
      });
    });

    it("create-user refuses a weak password on standard input with Zoom's message, creating nobody", async () => {
      await zpassFails(
        [
          'admin',
          'create-user',
          '--account',
          account.account_id,
          '--email',
          'weak@cli.test',
          '--password-stdin',
          ...store.args,
        ],
        'Have at least 1 number (1, 2, 3...) (code 1126)',
        'password\n',
      );
      await zpassFails(
        [
          'admin',
          'create-user',
          '--account',
          account.account_id,
          '--email',
          'weak@cli.test',
          '--password-stdin',
          ...store.args,
        ],
        "Password can't use continuation character.Such as 'abcdef','123456'. (code 1131)",
        '12345678',
      );
      const users = await zpassJson<Array<{ email: string }>>([
        'admin',
        'list-users',
        '--account',
        account.account_id,
        ...store.args,
      ]);
      assert.ok(!users.some((u) => u.email === 'weak@cli.test'));
    });

    it('create-user refuses an e-mail already used, in any case', async () => {
      for (const email of ['admin@cli.test', 'OWNER@cli.test']) {
        await zpassFails(
          ['admin', 'create-user', '--account', account.account_id, '--email', email, ...store.args],
          `The e-mail ${email} is already used.`,
        );
      }
      await zpassFails(
        ['admin', 'create-account', '--owner-email', 'admin@cli.test', ...store.args],
        'The e-mail admin@cli.test is already used.',
      );
    });

    it('create-user and create-app refuse an unknown account', async () => {
      await zpassFails(
        ['admin', 'create-user', '--account', 'no-such-account', '--email', 'x@cli.test', ...store.args],
        'No account no-such-account.',
      );
      await zpassFails(
        ['admin', 'create-app', '--account', 'no-such-account', '--scopes', 'user:read:admin', ...store.args],
        'No account no-such-account.',
      );
    });

    it('create-account refuses an unknown plan and a malformed e-mail', async () => {
      await zpassFails(
        ['admin', 'create-account', '--owner-email', 'plan@cli.test', '--plan', 'enterprise', ...store.args],
        'Unknown plan "enterprise": use free, pro, business.',
      );
      await zpassFails(
        ['admin', 'create-account', '--owner-email', 'not an e-mail', ...store.args],
        'Not an e-mail address (at most 128 characters, a domain with a dot): "not an e-mail"',
      );
    });

    it('create-app prints a new app with the scopes asked for', async () => {
      readApp = await zpassJson([
        'admin',
        'create-app',
        '--account',
        account.account_id,
        '--scopes',
        'user:read:admin',
        ...store.args,
      ]);
      assert.match(readApp.client_id, /^[A-Za-z0-9]{22}$/);
      assert.match(readApp.client_secret, /^[A-Za-z0-9]{32}$/);
      assert.notEqual(readApp.client_id, account.app.client_id);
      assert.deepEqual(readApp.scopes, ['user:read:admin']);
      assert.equal(readApp.creator, 'Owner@Cli.Test');
    });

    it('issue-token prints a user-level token', async () => {
      const r = await zpassJson<Record<string, unknown>>([
        'admin',
        'issue-token',
        '--user',
        'admin@cli.test',
        '--scopes',
        'user:write',
        ...store.args,
      ]);
      assert.equal(typeof r.access_token, 'string');
      assert.ok((r.access_token as string).length >= 32);
      assert.deepEqual(r, {
        access_token: r.access_token,
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'user:write',
        user_id: adminUser.id,
        account_id: account.account_id,
      });
      userToken = r as unknown as { access_token: string; user_id: string };
    });

    it('issue-token refuses :admin scopes and an unknown user', async () => {
      await zpassFails(
        ['admin', 'issue-token', '--user', 'admin@cli.test', '--scopes', 'user:write:admin', ...store.args],
        'User-level tokens cannot hold :admin scopes (user:write:admin).',
      );
      await zpassFails(
        ['admin', 'issue-token', '--user', 'nobody@cli.test', '--scopes', 'user:write', ...store.args],
        'No user with e-mail nobody@cli.test.',
      );
    });

    it('list-accounts prints the accounts', async () => {
      const list = await zpassJson<Array<Record<string, string>>>(['admin', 'list-accounts', ...store.args]);
      assert.equal(list.length, 1);
      assert.deepEqual(list[0], {
        id: account.account_id,
        name: 'Owner@Cli.Test',
        plan: 'business',
        created_at: list[0]!.created_at,
      });
      assert.match(list[0]!.created_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it("list-users prints the account's users as Zoom user objects", async () => {
      const list = await zpassJson<Array<Record<string, unknown>>>([
        'admin',
        'list-users',
        '--account',
        account.account_id,
        ...store.args,
      ]);
      assert.deepEqual(
        list.map((u) => [u.id, u.email, u.role_name, u.status, u.account_id, u.type]),
        [
          [account.owner.id, 'Owner@Cli.Test', 'Owner', 'active', account.account_id, 1],
          [adminUser.id, 'admin@cli.test', 'Admin', 'active', account.account_id, 1],
        ],
      );
    });

    it('import-users creates a thousand users, a batch per transaction, hashing only given passwords; bad rows are refused', async () => {
      const file = `${store.dir}/import.csv`;
      const lines = ['email,first_name,last_name,role,password'];
      for (let i = 0; i < 1000; i++)
        lines.push(
          `imp${i}@cli.test,Imp,${i},${i % 10 === 0 ? 'admin' : 'member'},${i % 250 === 0 ? `Import-Pass-${i}x` : ''}`,
        );
      lines.push(
        'not-an-email,,,member,',
        'imp1@cli.test,,,member,',
        'admin@cli.test,,,member,',
        'weak@cli.test,,,member,abc',
      );
      await writeFile(file, `${lines.join('\n')}\n`);
      const r = await zpass([
        'admin',
        'import-users',
        file,
        '--account',
        account.account_id,
        '--batch-size',
        '300',
        '--json',
        ...store.args,
      ]);
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as {
        rows: number;
        created: number;
        failed: Array<{ row: number; message: string }>;
      };
      assert.deepEqual([out.rows, out.created], [1004, 1000]);
      assert.deepEqual(
        out.failed.map((f) => f.row),
        [1001, 1002, 1003, 1004],
      );
      assert.match(out.failed[1]!.message, /The same e-mail as row 2\./);
      assert.match(out.failed[2]!.message, /already used/);
      assert.match(out.failed[3]!.message, /\(code 1124\)$/);
      const listed = await zpassJson<Array<{ email: string; role_name: string }>>([
        'admin',
        'list-users',
        '--account',
        account.account_id,
        ...store.args,
      ]);
      const imported = listed.filter((u) => u.email.startsWith('imp'));
      assert.equal(imported.length, 1000);
      assert.equal(imported.filter((u) => u.role_name === 'Admin').length, 100);
      // A table in the CLI's one style.
      const table = await zpass([
        'admin',
        'list-users',
        '--account',
        account.account_id,
        '--columns',
        'email,role_name',
        ...store.args,
      ]);
      assert.match(table.stdout, /^EMAIL +ROLE_NAME\n/);
    });

    it('list-users refuses an unknown account', async () => {
      await zpassFails(
        ['admin', 'list-users', '--account', 'no-such-account', ...store.args],
        'No account no-such-account.',
      );
    });

    it('serve answers with what the CLI created, without a demo account, and stops on SIGTERM', async () => {
      const s = await serve(store.args);
      try {
        assert.ok(!s.errors().includes('zpass created a demo account'));
        assert.equal(existsSync(`${store.dir}/demo-credentials.json`), false);

        // The account's own app holds user:write:admin: the owner changes the admin's password.
        const token = await s2sToken(
          s.url,
          account.account_id,
          account.app.client_id,
          account.app.client_secret,
        );
        const put = (t: string, userId: string, password: string) =>
          call(`${s.url}/v2/users/${userId}/password`, { method: 'PUT', token: t, json: { password } });
        // The password given on standard input, without its newline, is the admin's.
        const same = await put(token, adminUser.id, 'Admin-Pass-123');
        assert.equal(same.status, 400);
        assert.deepEqual(same.body, {
          code: 300,
          message: 'Your new password can not match the old password.',
        });
        const changed = await put(token, 'ADMIN@cli.test', 'Admin-Pass-456');
        assert.equal(changed.status, 204);
        assert.equal(changed.text, '');

        // The read-only app reads users but may not change passwords.
        const readToken = await s2sToken(s.url, account.account_id, readApp.client_id, readApp.client_secret);
        const got = await call(`${s.url}/v2/users/${adminUser.id}`, { token: readToken });
        assert.equal(got.status, 200);
        assert.equal((got.body as { email: string }).email, 'admin@cli.test');
        const denied = await put(readToken, adminUser.id, 'Admin-Pass-789');
        assert.equal(denied.status, 400);
        assert.deepEqual(denied.body, {
          code: 4711,
          message:
            'Invalid access token, does not contain scopes:[user:write:admin, user:update:password:admin].',
        });

        // The user-level token from issue-token changes its own password.
        const self = await put(userToken.access_token, 'me', 'Admin-Self-Pass-1');
        assert.equal(self.status, 204);
      } finally {
        await stopServed(s);
      }
    });
  });

  describe('serve on an empty store', () => {
    let store: { dir: string; args: string[] };
    let s: Served;
    let demo: DemoCredentials;

    before(async () => {
      store = await newStore();
      // --demo: on the PostgreSQL pass DATABASE_URL is set, where no demo is made unless asked.
      s = await serve([...store.args, '--demo']);
      demo = JSON.parse(await readFile(`${store.dir}/demo-credentials.json`, 'utf8')) as DemoCredentials;
    });
    after(async () => {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await s.exited;
      }
    });

    it('writes the demo credentials to <data>/demo-credentials.json with mode 0600', async () => {
      const info = await stat(`${store.dir}/demo-credentials.json`);
      assert.equal(info.mode & 0o777, 0o600);
      assert.match(demo.account_id, ID);
      assert.match(demo.client_id, /^[A-Za-z0-9]{22}$/);
      assert.match(demo.client_secret, /^[A-Za-z0-9]{32}$/);
      assert.equal(demo.owner.email, 'owner@demo.zpass.test');
      assert.equal(demo.member.email, 'member@demo.zpass.test');
    });

    it('prints no secret when its output is not a terminal: one line on standard error points at the 0600 file', () => {
      const out = s.errors();
      assert.equal(s.output().includes('zpass created a demo account'), false);
      assert.ok(
        out.includes(
          `zpass created a demo account; its credentials are in ${store.dir}/demo-credentials.json (mode 0600)`,
        ),
      );
      assert.ok(!out.includes(demo.client_secret));
      assert.ok(!out.includes(demo.owner.password));
    });

    it('the banner (on a terminal) has the client id and curl commands for this server', () => {
      const out = demoBanner(demo, s.url, `${store.dir}/demo-credentials.json`);
      assert.ok(out.includes('zpass created a demo account'));
      assert.ok(out.includes(`client id      ${demo.client_id}`));
      assert.ok(out.includes(`${store.dir}/demo-credentials.json (mode 0600)`));
      assert.ok(out.includes(`curl -s -X POST -u '${demo.client_id}:${demo.client_secret}'`));
      assert.ok(
        out.includes(`'${s.url}/oauth/token?grant_type=account_credentials&account_id=${demo.account_id}'`),
      );
      assert.ok(out.includes(`curl -i -X PUT -H "Authorization: Bearer $TOKEN"`));
      assert.ok(out.includes(`'${s.url}/v2/users/${demo.member.email}/password'`));
    });

    it("the banner's curl commands, pasted into a shell, change the member's password (204)", async () => {
      const out = demoBanner(demo, s.url, `${store.dir}/demo-credentials.json`);
      const start = out.indexOf('  TOKEN=$(curl');
      const end = out.indexOf('\n\n', start);
      assert.ok(start > 0 && end > start);
      const script = out.slice(start, end);
      const { stdout } = await promisify(execFile)('bash', ['-c', script], {
        encoding: 'utf8',
        env: { ...cliEnv(), PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      });
      assert.match(stdout, /^HTTP\/1\.1 204 /);
      assert.match(stdout, /x-zm-trackingid: \S+/i);
    });

    it("the demo app's token works over HTTP", async () => {
      const token = await s2sToken(s.url, demo.account_id, demo.client_id, demo.client_secret);
      const me = await call(`${s.url}/v2/users/me`, { token });
      assert.equal(me.status, 200);
      assert.equal((me.body as { email: string }).email, demo.owner.email);
      const put = await call(`${s.url}/v2/users/${demo.member.id}/password`, {
        method: 'PUT',
        token,
        json: { password: 'Member-New-Pass-1' },
      });
      assert.equal(put.status, 204);
    });

    it('stops on SIGTERM with exit code 0', async () => {
      await stopServed(s);
      const res = await fetch(`${s.url}/v2/users/me`).then(
        () => 'answered',
        () => 'refused',
      );
      assert.equal(res, 'refused');
    });
  });
});
