/**
 * The CLI as people use it, through the real binary: Ctrl-C during a bulk run and at prompts,
 * pipes closed early, the progress line on narrow terminals, --version, completion, --json
 * (failures too), usage errors, tables, login's checks, profiles and the user lifecycle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Progress } from '../src/cli/api/progress.js';
import { createUser } from '../src/domain/accounts/provisioning.js';
import { users as userRepo } from '../src/store/repositories/users.js';
import {
  BIN,
  changeCounts,
  cliEnv,
  loginArgs,
  QuickHasher,
  type Run,
  shellQuote,
  startOnTerminal,
  startProcess,
  until,
} from './cli-helpers.js';
import { startTestServer, type TestServer, tempDir } from './helpers.js';
import { databaseFor, dropTestDatabase } from './pg.js';

const configHome = tempDir('zpass-cli-config-');
after(() => rmSync(configHome, { recursive: true, force: true }));
const env = (extra: Record<string, string> = {}) => cliEnv(configHome, extra);
const start = (args: string[], input?: string) =>
  startProcess(process.execPath, [BIN, ...args], { env: env(), input });
const zpass = (args: string[], input?: string): Promise<Run> => start(args, input).done;

/**
 * `zpass args | head -1` in a shell: zpass's exit status, its stderr, and what head printed.
 * Asynchronous: the test server answering zpass runs in this process.
 */
async function piped(args: string[]): Promise<{ status: number; stderr: string; head: string }> {
  const script = `${[process.execPath, BIN, ...args].map(shellQuote).join(' ')} 2>"$ERR" | head -1; echo "\${PIPESTATUS[0]}" > "$STATUS"`;
  const dir = tempDir('zpass-pipe-');
  try {
    const r = await startProcess('bash', ['-c', script], {
      env: { ...env(), ERR: join(dir, 'err'), STATUS: join(dir, 'status') },
    }).done;
    return {
      status: Number(readFileSync(join(dir, 'status'), 'utf8').trim()),
      stderr: readFileSync(join(dir, 'err'), 'utf8'),
      head: r.stdout,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every line a terminal shows: split at line ends and carriage returns, escapes removed. */
function screenLines(output: string): string[] {
  return output
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'), '')
    .split(/\r|\n/)
    .filter((l) => l.length > 0);
}

async function makeUsers(t: TestServer, prefix: string, n: number, password?: string) {
  const out: Array<{ id: string; email: string }> = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) =>
        createUser(t.server.ctx, {
          accountId: t.demo.account_id,
          email: `${prefix}-${i + j}@example.test`,
          role: 'member',
          ...(password ? { password } : {}),
        }),
      ),
    );
    out.push(...batch.map((u) => ({ id: u.id, email: u.email })));
  }
  return out;
}

describe('zpass without a server', () => {
  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    const r = await zpass(['--version']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${pkg.version}\n`, '']);
  });

  it('--help | head -1 and completion | head -1 exit 0 without error output', async () => {
    for (const args of [['--help'], ['completion', 'bash'], ['admin', '--help']]) {
      const r = await piped(args);
      assert.deepEqual([r.status, r.stderr], [0, ''], args.join(' '));
      assert.ok(r.head.length > 0);
    }
  });

  it('the bash completion script loads and completes subcommands and options', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source <(${shellQuote(process.execPath)} ${shellQuote(BIN)} completion bash) && complete -p zpass && COMP_WORDS=(zpass users password b) COMP_CWORD=3 && _zpass && echo "\${COMPREPLY[*]}" && COMP_WORDS=(zpass users password bulk --dr) COMP_CWORD=4 && _zpass && echo "\${COMPREPLY[*]}"`,
      ],
      { env: env(), encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'complete -o default -F _zpass zpass\nbulk\n--dry-run\n');
  });

  it('zsh and fish scripts are printed; an unknown shell is a usage error (exit 2)', async () => {
    const zsh = await zpass(['completion', 'zsh']);
    assert.match(zsh.stdout, /^#compdef zpass\n/);
    const fish = await zpass(['completion', 'fish']);
    assert.match(fish.stdout, /complete -c zpass -f -n '__fish_seen_subcommand_from users' -a create/);
    const bad = await zpass(['completion', 'tcsh']);
    assert.equal(bad.code, 2);
  });

  it('usage errors exit 2, as one JSON object on stderr with --json', async () => {
    for (const args of [
      ['bogus'],
      ['users', 'get'],
      ['users', 'list', '--no-such-option'],
      ['users', 'password', 'set', 'jane@example.com', 'Secret-Pass-1'],
      ['users', 'list', '--columns', 'id,shoe_size'],
    ]) {
      const r = await zpass(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /\S/);
      const j = await zpass([...args, '--json']);
      assert.equal(j.code, 2, args.join(' '));
      assert.equal(j.stdout, '');
      const parsed = JSON.parse(j.stderr) as { code: unknown; message: string };
      assert.deepEqual(Object.keys(parsed), ['code', 'message'], j.stderr);
      assert.ok(parsed.message.length > 0);
      assert.ok(!j.stderr.trimEnd().includes('\n'), 'one line');
    }
  });

  it('help hides the internal argument that refuses passwords, and every admin command has examples', async () => {
    const set = await zpass(['users', 'password', 'set', '--help']);
    assert.match(set.stdout, /^Usage: zpass users password set \[options\] <user>\n/);
    assert.doesNotMatch(set.stdout, /refused/);
    const admin = await zpass(['admin', '--help']);
    const names = [...admin.stdout.matchAll(/^ {2}([a-z-]+) /gm)]
      .map((m) => m[1]!)
      .filter((n) => n !== 'help');
    assert.ok(names.length >= 16, names.join(' '));
    for (const name of names) {
      const h = await zpass(['admin', name, '--help']);
      assert.match(h.stdout, new RegExp(`\\nExamples:\\n {2}\\$ zpass admin ${name}[ \\n]`), name);
    }
  });

  it('Ctrl-C at a prompt exits 130 after a newline (login, users password set, admin create-user)', async () => {
    const data = tempDir('zpass-prompt-data-');
    try {
      for (const [args, prompt] of [
        [['login', '--profile', 'never'], /Account ID/],
        [['login', '--profile', 'never', '--account-id', 'a', '--client-id', 'c'], /Client secret/],
        [
          [
            'admin',
            'create-user',
            '--account',
            'x',
            '--email',
            'p@example.test',
            '--password-prompt',
            '--data',
            data,
          ],
          /New password/,
        ],
      ] as const) {
        const run = startOnTerminal([...args], { env: env() });
        await until(() => prompt.test(run.output()));
        run.child.stdin!.write('\x03');
        const r = await run.done;
        assert.equal(r.code, 130, `${args.join(' ')}: ${r.stdout}`);
        assert.match(r.stdout, /\n$/);
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('--json on the store commands', () => {
  it('migrate and the admin commands print JSON that parses, failures included', async () => {
    const data = tempDir('zpass-json-store-');
    const databaseUrl = await databaseFor(data);
    const store = ['--data', data, ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    try {
      const json = async (args: string[], code = 0) => {
        const r = await zpass([...args, ...store, '--json']);
        assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
        return JSON.parse(code === 0 ? r.stdout : r.stderr) as Record<string, unknown>;
      };
      assert.ok(Array.isArray((await json(['migrate'])).applied));
      const account = (await json(['admin', 'create-account', '--owner-email', 'o@json.test'])) as {
        account_id: string;
      };
      await json(['admin', 'create-user', '--account', account.account_id, '--email', 'm@json.test']);
      assert.equal(
        (await json(['admin', 'set-status', '--user', 'm@json.test', '--action', 'deactivate'])).status,
        'inactive',
      );
      assert.equal(
        (await json(['admin', 'set-role', '--user', 'm@json.test', '--role', 'admin'])).role,
        'admin',
      );
      assert.equal(
        (await json(['admin', 'delete-user', '--user', 'm@json.test', '--action', 'delete'])).status,
        'deleted',
      );
      const failure = await json(['admin', 'set-role', '--user', 'nobody@json.test', '--role', 'admin'], 1);
      assert.deepEqual(Object.keys(failure), ['code', 'message']);
    } finally {
      if (databaseUrl) await dropTestDatabase(databaseUrl);
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('the progress line', () => {
  it('never exceeds the width it is given, and says retrying while the API does not answer', () => {
    for (const columns of [20, 40, 60, 80, 120]) {
      for (const [done, failed, total] of [
        [0, 0, 0],
        [5, 1, 100],
        [999_999, 1, 1_000_000],
      ] as const) {
        for (const retrying of [false, true]) {
          const p = new Progress({ done, failed, total, retrying }, { tty: true, columns: () => columns });
          const line = p.line();
          assert.ok(line.length < columns, `${columns}: ${line}`);
          if (retrying && columns >= 60) assert.match(line, /retrying/);
        }
      }
    }
    const plain = new Progress({ done: 1, failed: 0, total: 2, retrying: true }, { tty: false });
    assert.match(plain.line(), /^1\/2 retrying \(no answer from the API\) ok 1 failed 0 /);
  });
});

describe('zpass API commands: profiles, --json, tables, the user lifecycle', () => {
  let t: TestServer;
  let dir: string;

  before(async () => {
    t = await startTestServer({ hasher: new QuickHasher() });
    dir = tempDir('zpass-cli-files-');
    const r = await zpass(loginArgs(t, 'test'), `${t.demo.client_secret}\n`);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Ctrl-C at the password prompt of users password set exits 130 after a newline; nothing changes', async () => {
    const [user] = await makeUsers(t, 'prompted', 1);
    const run = startOnTerminal(['users', 'password', 'set', user!.email, '--profile', 'test'], {
      env: env(),
    });
    await until(() => /New password/.test(run.output()));
    run.child.stdin!.write('Half-typed\x03');
    const r = await run.done;
    assert.equal(r.code, 130, r.stdout);
    assert.match(r.stdout, /\n$/);
    assert.deepEqual(await changeCounts(t, [user!.id]), [0]);
  });

  it('login checks the API address with a real call: /v2 is added to a bare address, a wrong path is refused, a wrong API is not saved', async () => {
    const bare = loginArgs(t, 'bare').map((a) => (a === `${t.url}/v2` ? t.url : a));
    const r = await zpass(bare, t.demo.client_secret);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `note: --api-url has no /v2; using ${t.url}/v2\n`);
    const profiles = JSON.parse(readFileSync(join(configHome, 'zpass', 'profiles.json'), 'utf8'));
    assert.equal(profiles.profiles.bare.api_url, `${t.url}/v2`);

    const odd = loginArgs(t, 'odd').map((a) => (a === `${t.url}/v2` ? `${t.url}/api` : a));
    const refused = await zpass(odd, t.demo.client_secret);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--api-url must end in \/v2/);

    // Right credentials, an address that is not the API: the token comes, the API call fails.
    const wrong = loginArgs(t, 'wrong').map((a) => (a === `${t.url}/v2` ? `${t.url}/nothing/v2` : a));
    const failed = await zpass(wrong, t.demo.client_secret);
    assert.equal(failed.code, 1, failed.stdout);
    const after = JSON.parse(readFileSync(join(configHome, 'zpass', 'profiles.json'), 'utf8'));
    assert.equal(after.profiles.wrong, undefined);
    assert.equal(after.profiles.odd, undefined);
  });

  it('auth status, auth list and logout', async () => {
    const status = await zpass(['auth', 'status', '--profile', 'test', '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), {
      source: 'profile test',
      account_id: t.demo.account_id,
      client_id: t.demo.client_id,
      api_url: `${t.url}/v2`,
      logged_in: true,
    });
    const text = await zpass(['auth', 'status', '--profile', 'test']);
    assert.match(text.stdout, /^logged in \(profile test\)\n/);

    const added = await zpass(loginArgs(t, 'spare'), t.demo.client_secret);
    assert.equal(added.code, 0, added.stderr);
    const list = await zpass(['auth', 'list']);
    assert.match(list.stdout, /^PROFILE +ACCOUNT_ID +CLIENT_ID +API_URL\n/);
    assert.match(list.stdout, new RegExp(`^spare +${t.demo.account_id} `, 'm'));
    assert.ok(!list.stdout.includes(t.demo.client_secret));
    const listJson = JSON.parse((await zpass(['auth', 'list', '--json'])).stdout) as Array<{
      profile: string;
    }>;
    assert.ok(listJson.some((p) => p.profile === 'spare'));

    const out = await zpass(['logout', '--profile', 'spare']);
    assert.equal(out.code, 0, out.stderr);
    const again = await zpass(['logout', '--profile', 'spare', '--json']);
    assert.equal(again.code, 1);
    assert.equal(JSON.parse(again.stderr).code, 'error');
    const gone = await zpass(['auth', 'status', '--profile', 'spare']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No profile "spare"/);
  });

  it('users create, get, update, deactivate, activate, delete over the API, each with --json', async () => {
    const p = ['--profile', 'test'];
    const email = 'lifecycle@example.test';
    const created = await zpass(
      [
        'users',
        'create',
        '--email',
        email,
        '--first-name',
        'Life',
        '--last-name',
        'Cycle',
        '--action',
        'autoCreate',
        '--password-stdin',
        '--json',
        ...p,
      ],
      'Life-Cycle-Pass-9x',
    );
    assert.equal(created.code, 0, created.stderr);
    const user = JSON.parse(created.stdout) as { id: string; email: string };
    assert.equal(user.email, email);

    const updated = await zpass(['users', 'update', email, '--last-name', 'Changed', '--json', ...p]);
    assert.equal(updated.code, 0, updated.stderr);
    JSON.parse(updated.stdout);
    const got = JSON.parse((await zpass(['users', 'get', user.id, '--json', ...p])).stdout);
    assert.deepEqual([got.first_name, got.last_name, got.status], ['Life', 'Changed', 'active']);

    const off = await zpass(['users', 'deactivate', email, '--json', ...p]);
    assert.deepEqual(JSON.parse(off.stdout), { user: email, status: 'inactive' });
    assert.equal((await userRepo.byId(t.server.store.db, user.id))!.status, 'inactive');
    const on = await zpass(['users', 'activate', email, ...p]);
    assert.equal(on.stdout, `${email} is active\n`);
    assert.equal((await userRepo.byId(t.server.store.db, user.id))!.status, 'active');

    const removed = await zpass(['users', 'delete', user.id, '--action', 'delete', '--json', ...p]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await userRepo.byId(t.server.store.db, user.id), undefined);

    // An API error with --json: Zoom's code and message, one object on stderr.
    const missing = await zpass(['users', 'get', user.id, '--json', ...p]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    const err = JSON.parse(missing.stderr) as { code: number; message: string };
    assert.equal(err.code, 1001);
    assert.match(err.message, /does not exist/);
  });

  it('--json output parses for every API command', async () => {
    const p = ['--profile', 'test'];
    const policy = ['settings', 'set-password-policy', '--history', '0', ...p];
    for (const args of [
      ['users', 'list', ...p],
      ['users', 'get', 'me', ...p],
      ['settings', 'get', ...p],
      policy,
      ['auth', 'status', ...p],
      ['auth', 'list'],
    ]) {
      const r = await zpass([...args, '--json']);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      JSON.parse(r.stdout);
    }
  });

  it('users list is a table with a header and aligned columns; --columns picks them', async () => {
    await makeUsers(t, 'table', 3);
    const r = await zpass(['users', 'list', '--profile', 'test', '--columns', 'email,status,id']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^EMAIL +STATUS +ID$/);
    const at = (l: string, word: string) => l.indexOf(word);
    for (const line of lines.slice(1))
      assert.equal(line.indexOf(line.split(/ +/)[1]!), at(lines[0]!, 'STATUS'));
    assert.ok(lines.some((l) => l.startsWith('table-0@example.test ')));
  });

  it('users list | head -1 exits 0 without error output, however long the list', async () => {
    await makeUsers(t, 'piped', 1500);
    for (const args of [
      ['users', 'list', '--profile', 'test'],
      ['users', 'list', '--profile', 'test', '--json'],
    ]) {
      const r = await piped(args);
      assert.deepEqual([r.status, r.stderr], [0, ''], args.join(' '));
      assert.ok(r.head.length > 0);
    }
  });

  it('a dry run writes the results file and groups repeated problems', async () => {
    const users = await makeUsers(t, 'dry', 40);
    const file = join(dir, 'dry.csv');
    const rows = users.map((u, i) => (i < 30 ? `${u.email},short${i}` : `${u.email},Dry-Pass-${1000 + i}x`));
    writeFileSync(file, `user,password\n${rows.join('\n')}\n${users[0]!.email},Dry-Pass-9999x\n`);
    const r = await zpass(['users', 'password', 'bulk', file, '--dry-run', '--profile', 'test']);
    assert.equal(r.code, 1, r.stderr);
    const resultsPath = join(dir, 'dry.results.csv');
    assert.equal(
      r.stdout.split('\n').slice(0, 3).join('\n'),
      'dry run: 41 rows, 10 valid, 31 invalid; nothing was changed\n  30 rows: Have at least 8 characters (code 1124)\n    row 1 dry-0@example.test, row 2 dry-1@example.test, row 3 dry-2@example.test, row 4 dry-3@example.test, row 5 dry-4@example.test, and 25 more',
    );
    assert.match(
      r.stdout,
      /\n {2}1 row: Duplicate: the same user as an earlier row\.\n {4}row 41 dry-0@example\.test \[row 1\]\n/,
    );
    assert.match(r.stdout, new RegExp(`\\nresults: ${resultsPath.replace(/[.\\/]/g, '\\$&')}\\n$`));
    const results = readFileSync(resultsPath, 'utf8').trimEnd().split('\n');
    assert.equal(results.length, 42);
    assert.equal(results.filter((l) => l.includes(',invalid,1124,')).length, 30);
    assert.equal(results.filter((l) => l.endsWith(',valid,,Dry run: would be sent.')).length, 10);
    assert.deepEqual(
      await changeCounts(
        t,
        users.map((u) => u.id),
      ),
      users.map(() => 0),
    );
  });

  it('users import creates users with the bulk machinery: validation, journal, results, resume without creating twice', async () => {
    const file = join(dir, 'staff.csv');
    const rows = Array.from({ length: 30 }, (_, i) =>
      i < 20
        ? `staff-${i}@example.test,Staff,${i},Import-Pass-${1000 + i}x`
        : `staff-${i}@example.test,Staff,${i},`,
    );
    writeFileSync(
      file,
      `email,first_name,last_name,password\n${rows.join('\n')}\nnot-an-email,X,Y,\nstaff-0@example.test,Again,Z,\nshort@example.test,S,T,abc\n`,
    );
    const dry = await zpass(['users', 'import', file, '--dry-run', '--json', '--profile', 'test']);
    assert.equal(dry.code, 1, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { rows: number; valid: number; invalid: number };
    assert.deepEqual([plan.rows, plan.valid, plan.invalid], [33, 30, 3]);
    assert.equal(await userRepo.byEmail(t.server.store.db, 'staff-0@example.test'), undefined);

    const run = await zpass(['users', 'import', file, '--json', '--profile', 'test']);
    assert.equal(run.code, 1, run.stderr);
    const summary = JSON.parse(run.stdout) as Record<string, number>;
    assert.deepEqual([summary.ok, summary.invalid, summary.changed_this_run], [30, 3, 30]);
    const active = await userRepo.byEmail(t.server.store.db, 'staff-3@example.test');
    const invited = await userRepo.byEmail(t.server.store.db, 'staff-25@example.test');
    assert.deepEqual([active?.status, active?.first_name, invited?.status], ['active', 'Staff', 'pending']);
    const results = readFileSync(join(dir, 'staff.results.csv'), 'utf8');
    assert.match(results, /^not-an-email,invalid,,Not an e-mail address\.$/m);
    assert.match(results, /^short@example\.test,invalid,1124,Have at least 8 characters$/m);

    // A run that died after the server created two users but before the journal said so:
    // the rerun sends them again and the server's "already in the account" settles them.
    const journal = readFileSync(`${file}.journal`, 'utf8').trimEnd().split('\n');
    const okAt = journal.flatMap((l, i) => (l.includes('"event":"ok"') ? [i] : []));
    const dropped = new Set([okAt[0], okAt.at(-1)]);
    const kept = journal.filter((l, i) => !dropped.has(i) && !l.includes('"event":"complete"'));
    writeFileSync(`${file}.journal`, `${kept.join('\n')}\n`);
    const rest = await zpass(['users', 'import', file, '--json', '--profile', 'test']);
    const again = JSON.parse(rest.stdout) as Record<string, number>;
    assert.deepEqual([again.ok, again.changed_this_run, again.failed], [30, 0, 0], rest.stderr);
    assert.match(
      readFileSync(join(dir, 'staff.results.csv'), 'utf8'),
      /,ok,,Created by an earlier attempt of this run\.$/m,
    );
  });

  it('the progress line fits a 60- and an 80-column terminal', async () => {
    const users = await makeUsers(t, 'narrow', 120);
    for (const columns of [60, 80]) {
      const file = join(dir, `narrow-${columns}.csv`);
      writeFileSync(
        file,
        `user,password\n${users.map((u, i) => `${u.email},Narrow-${columns}-Pass-${1000 + i}x`).join('\n')}\n`,
      );
      const run = startOnTerminal(
        ['users', 'password', 'bulk', file, '--profile', 'test', '--rate-fraction', '0.005'],
        {
          env: env(),
          columns,
        },
      );
      const r = await run.done;
      assert.equal(r.code, 0, r.stdout);
      const lines = screenLines(r.stdout);
      assert.ok(
        lines.some((l) => /^(\[[#-]+\] )?120\/120 /.test(l)),
        r.stdout,
      );
      // The progress lines (other output may wrap, as any text does).
      const progress = lines.filter((l) => /^(\[[#-]+\] )?\d+\/120( |$)/.test(l));
      assert.ok(progress.length >= 1, r.stdout);
      for (const l of progress) assert.ok(l.length < columns, `${columns}: ${JSON.stringify(l)}`);
    }
  });
});

describe('Ctrl-C during a bulk run on a Free-plan account (2 changes a second)', () => {
  let t: TestServer;
  let dir: string;

  before(async () => {
    t = await startTestServer({ hasher: new QuickHasher(), zoomLimits: true });
    dir = tempDir('zpass-cli-sigint-');
    const store = ['--data', t.dataDir, ...(t.databaseUrl ? ['--database-url', t.databaseUrl] : [])];
    const plan = await zpass([
      'admin',
      'set-plan',
      '--account',
      t.demo.account_id,
      '--plan',
      'free',
      ...store,
    ]);
    assert.equal(plan.code, 0, plan.stderr);
    const r = await zpass(loginArgs(t, 'free'), t.demo.client_secret);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops sending at once, journals, exits 130; the rerun changes each row exactly once', async (ctx) => {
    const users = await makeUsers(t, 'free', 40);
    const ids = users.map((u) => u.id);
    const file = join(dir, 'free.csv');
    writeFileSync(
      file,
      `user,password\n${users.map((u, i) => `${u.email},Free-Pass-${1000 + i}x`).join('\n')}\n`,
    );
    const args = ['users', 'password', 'bulk', file, '--profile', 'free'];
    const first = start(args);
    await until(async () => (await changeCounts(t, ids)).filter((n) => n > 0).length >= 3);
    const sentAt = Date.now();
    first.child.kill('SIGINT');
    const stopped = await first.done;
    const seconds = (Date.now() - sentAt) / 1000;
    ctx.diagnostic(`exit ${seconds.toFixed(2)} s after SIGINT at 2 changes a second`);
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /interrupted: sending stopped/);
    assert.match(stopped.stdout, /\ninterrupted: rerun the same command to resume\n$/);

    // The journal: every row sent has its answer (or is left in flight, to be resolved by the
    // rerun); the rows it calls ok are exactly the rows the server changed.
    const events = readFileSync(`${file}.journal`, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as { row: number; event: string });
    const last = new Map<number, string>();
    for (const e of events) last.set(e.row, e.event);
    const counts = await changeCounts(t, ids);
    const okRows = [...last].filter(([, e]) => e === 'ok').map(([r]) => r);
    for (const r of okRows) assert.equal(counts[r - 1], 1, `row ${r}`);
    for (const [r, e] of last) assert.ok(['ok', 'retry', 'sent'].includes(e), `row ${r}: ${e}`);
    const changed = counts.filter((n) => n > 0).length;
    assert.ok(changed < 40, `${changed} changed`);
    assert.ok(counts.every((n) => n <= 1));

    const rest = await zpass(args);
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stdout, /^40 rows: 40 ok, 0 failed, 0 invalid /);
    assert.deepEqual(
      await changeCounts(t, ids),
      ids.map(() => 1),
    );
  });
});
