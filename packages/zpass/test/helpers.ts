import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Clock } from '../src/clock.js';
import type { DomainSettings } from '../src/domain/context.js';
import type { DemoCredentials } from '../src/demo.js';
import { type RunningServer, startServer } from '../src/server.js';

export interface TestServer {
  server: RunningServer;
  url: string;
  demo: DemoCredentials;
  dataDir: string;
  /** Every log line the server wrote, as text. */
  logs: string[];
  /** Stops the server; keeps the data folder unless `remove`. */
  stop(remove?: boolean): Promise<void>;
}

export function tempDir(prefix = 'zpass-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestServerOptions {
  dataDir?: string;
  clock?: Clock;
  settings?: Partial<DomainSettings>;
}

/** A real server on an ephemeral port over a temporary SQLite store, with its logs captured. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'debug',
    trustProxy: false,
    logStream,
    clock: opts.clock,
    settings: opts.settings,
    print: () => {},
  });
  const demo = server.demo ?? (JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'))) as DemoCredentials);
  return {
    server,
    url: server.url,
    demo,
    dataDir,
    logs,
    async stop(remove = true) {
      await server.close();
      if (remove) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** An S2S access token for the demo app (or the given credentials). */
export async function accountToken(
  t: TestServer,
  creds: { accountId: string; clientId: string; clientSecret: string } = {
    accountId: t.demo.account_id,
    clientId: t.demo.client_id,
    clientSecret: t.demo.client_secret,
  },
): Promise<string> {
  const res = await fetch(
    `${t.url}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(creds.accountId)}`,
    { method: 'POST', headers: { authorization: basic(creds.clientId, creds.clientSecret) } },
  );
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export async function call(
  url: string,
  init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string>; body?: BodyInit } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** PUT /v2/users/{userId}/password with a JSON body. */
export function putPassword(t: TestServer, token: string, userId: string, password: unknown) {
  return call(`${t.url}/v2/users/${encodeURIComponent(userId)}/password`, { method: 'PUT', token, json: { password } });
}
