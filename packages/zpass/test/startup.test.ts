import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { BIN } from './processes.js';
import { freePort } from './relay.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real binary; a run that does not end is killed (and fails the test) rather than hanging it. */
function zpass(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('ZPASS_') && k !== 'DATABASE_URL'),
    );
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, ...env }, cwd, timeout: 60_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

/** One line on standard error, nothing but JSON log lines on standard output, exit code 1. */
function refused(r: Run): string {
  assert.equal(r.code, 1, `exit code ${r.code}; stderr: ${r.stderr}`);
  for (const line of r.stdout.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), line);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  return lines[0]!;
}

describe('start-up errors, through the real binary', () => {
  it('a port in use: says so and names --port', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    const data = tempDir();
    try {
      const line = refused(await zpass(['serve', '--port', String(port), '--data', data]));
      assert.match(line, new RegExp(`^zpass: Port ${port} on 127\\.0\\.0\\.1 is already in use.*use --port`));
    } finally {
      taken.close();
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('a data path that is a file: names the path', async () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    try {
      for (const data of [file, join(file, 'below')]) {
        const line = refused(await zpass(['serve', '--port', '0', '--data', data]));
        assert.ok(line.includes(file), line);
        assert.match(line, /is a file, not a folder.*--data/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a data path that cannot be created (under /proc) ends at once with the path, instead of spinning', async () => {
    const line = refused(await zpass(['serve', '--port', '0', '--data', '/proc/zpass-no-such/data']));
    assert.match(line, /^zpass: Cannot create the data folder \/proc\/zpass-no-such\/data .*--data/);
  });

  it('an unreachable database: names the (password-less) URL and what to check', async () => {
    const port = await freePort();
    const data = tempDir();
    try {
      const line = refused(
        await zpass(['serve', '--port', '0', '--data', data], {
          DATABASE_URL: `postgres://zpass:secret-pw@127.0.0.1:${port}/zpass`,
        }),
      );
      assert.match(
        line,
        new RegExp(
          `^zpass: Cannot reach the database at postgres://zpass:\\*\\*\\*@127\\.0\\.0\\.1:${port}/zpass`,
        ),
      );
      assert.match(line, /Check DATABASE_URL/);
      assert.equal(line.includes('secret-pw'), false);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('a mistaken setting: one line naming it', async () => {
    const line = refused(
      await zpass(['serve', '--port', '0', '--data', tempDir()], { ZPASS_LOG_FORMAT: 'xml' }),
    );
    assert.equal(line, 'zpass: ZPASS_LOG_FORMAT must be json or pretty, got "xml".');
  });

  it('admin and mail commands refuse to create a store; migrate creates one, then they work', async () => {
    const cwd = tempDir();
    try {
      for (const args of [
        ['admin', 'list-accounts'],
        ['admin', 'create-account', '--owner-email', 'o@example.com'],
        ['mail', 'list'],
      ]) {
        const line = refused(await zpass(args, {}, cwd));
        assert.match(line, /^zpass: No store at \.\/\.zpass: use --data or ZPASS_DATA/);
      }
      const elsewhere = join(cwd, 'elsewhere');
      assert.match(
        refused(await zpass(['admin', 'list-accounts', '--data', elsewhere])),
        /No store at .*elsewhere/,
      );
      assert.equal(existsSync(join(cwd, '.zpass')), false);
      assert.equal(existsSync(elsewhere), false);
      mkdirSync(join(cwd, 'empty'));
      refused(await zpass(['admin', 'list-accounts'], { ZPASS_DATA: join(cwd, 'empty') }));

      const migrate = await zpass(['migrate'], {}, cwd);
      assert.equal(migrate.code, 0, migrate.stderr);
      const created = await zpass(
        ['admin', 'create-account', '--owner-email', 'o@example.com', '--json'],
        {},
        cwd,
      );
      assert.equal(created.code, 0, created.stderr);
      assert.ok(JSON.parse(created.stdout).account_id);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

/** `zpass serve` until it says it listens, then SIGTERM: what it wrote on each stream. */
async function serveOnce(env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const data = tempDir();
  const port = await freePort();
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  try {
    for (let i = 0; i < 300 && !stdout.includes('zpass is listening'); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return { stdout, stderr };
  } finally {
    child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
}

describe('log format', () => {
  it('ZPASS_LOG_FORMAT=pretty: lines for people (time, level, message), not JSON', async () => {
    const { stdout } = await serveOnce({ ZPASS_LOG_FORMAT: 'pretty' });
    const line = stdout.split('\n').find((l) => l.includes('zpass is listening'));
    assert.ok(line, stdout);
    assert.match(line, /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO.*: zpass is listening/);
    assert.throws(() => JSON.parse(line));
  });
});

describe('standard output when it is not a terminal', () => {
  it('holds only JSON log lines; the demo banner goes to standard error', async () => {
    const { stdout, stderr } = await serveOnce();
    const lines = stdout.trim().split('\n');
    assert.ok(
      lines.some((l) => l.includes('zpass is listening')),
      stdout,
    );
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON on stdout: ${line}`);
    assert.match(stderr, /demo/i);
  });
});
