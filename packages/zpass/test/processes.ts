import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './relay.js';

export const BIN = join(import.meta.dirname, '..', 'bin', 'zpass.js');

/** Waits until a spawned server answers, or fails with its output if it exits or never does. */
export async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${output()}`);
    try {
      const res = await fetch(`${url}/openapi.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start: ${output()}`);
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** `zpass serve` in a process of its own on a free port, with extra environment; resolves once it answers. */
export async function spawnServer(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<ServerProcess> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), ...args], {
    // ZPASS_DEMO=1: the tests read the demo account, PostgreSQL pass included.
    env: { ...process.env, ZPASS_LOG_LEVEL: 'warn', ZPASS_DEMO: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += String(d);
  });
  child.stderr!.on('data', (d) => {
    out += String(d);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    await waitUntilUp(url, child, () => out);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, url, output: () => out, stop };
}
