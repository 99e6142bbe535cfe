import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Clock } from '../src/clock.js';
import type { MailConfig, WebhookConfig } from '../src/config.js';
import { type HashCall, Hasher, type HasherOptions } from '../src/crypto/hasher.js';
import type { DemoCredentials } from '../src/domain/accounts/demo.js';
import { createApp, createUser } from '../src/domain/accounts/provisioning.js';
import type { DomainSettings } from '../src/domain/context.js';
import type { ConnectionLimits } from '../src/http/connections.js';
import { CATEGORIES, MAX_LIMIT } from '../src/limits/categories.js';
import type { ThrottleOptions } from '../src/limits/throttle.js';
import { type RunningServer, startServer } from '../src/server.js';
import { rateLimitOverrides } from '../src/store/repositories/accounts.js';
import { databaseFor, dropTestDatabase } from './pg.js';

export interface TestServer {
  server: RunningServer;
  url: string;
  demo: DemoCredentials;
  dataDir: string;
  /** The PostgreSQL database on the PostgreSQL pass; undefined on SQLite. */
  databaseUrl?: string;
  /** Every log line the server wrote, as text. */
  logs: string[];
  /** The Redis key prefix of this server's rate-limit counters, when it counts in Redis. */
  redisPrefix?: string;
  /** Stops the server; keeps the data folder unless `remove`. */
  stop(remove?: boolean): Promise<void>;
}

export function tempDir(prefix = 'zpass-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The shared Redis of tests (env ZPASS_TEST_REDIS_URL, default the local one). */
export const TEST_REDIS_URL = process.env.ZPASS_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

export interface TestServerOptions {
  dataDir?: string;
  clock?: Clock;
  settings?: Partial<DomainSettings>;
  /**
   * The argon2id hasher; tests pass a subclass that counts computations. By default a new
   * one without the wait bound (it queues every computation), so that tests about other
   * things never meet a 503 by chance when they send requests in parallel on a busy
   * machine; hasher.test.ts tests the bound.
   */
  hasher?: Hasher;
  /**
   * Keep Zoom's rate limits on the demo account. By default the helper lifts them
   * (an operator override, the real mechanism) so that tests about other things
   * never meet a 429 by chance.
   */
  zoomLimits?: boolean;
  /** Count in Redis: `true` for the test Redis, or a URL (e.g. a relay's). */
  redis?: boolean | string;
  /** Key prefix in Redis (default: a new one for this server, deleted at stop). */
  redisPrefix?: string;
  redisTimeoutMs?: number;
  testControls?: boolean;
  trustProxy?: boolean | string[];
  /** The cluster name in tracking ids. */
  cluster?: string;
  throttle?: Partial<ThrottleOptions>;
  /**
   * Mail relay settings. Without them the relay is off, so that tests of other parts
   * see their outbox rows stay pending; pass `{}` (or settings) to run it.
   */
  mail?: Partial<MailConfig>;
  /** Webhook relay settings; like the mail relay, off unless given (`{}` runs it with the defaults). */
  webhooks?: Partial<WebhookConfig>;
  /** Tokens issued per app (default: lifted unless `zoomLimits`, like Zoom's limits). */
  tokenRate?: { qps: number; daily: number | null };
  tokenPurge?: { graceMs?: number; everyMs?: number };
  /** Timeouts and connection caps (default: the server's defaults). */
  connections?: Partial<ConnectionLimits>;
  /** At stop, how long /readyz answers 503 before the listener closes (default 0). */
  shutdownDelayMs?: number;
  /** Serve GET /metrics there (`{ host: '127.0.0.1', port: 0 }`: a free port). */
  metricsAddr?: { host: string; port: number };
  /**
   * ZPASS_SECRET_KEY (and previous keys) as the server reads them. Default: a new random
   * key, so that two-factor sign-in works on both stores; `null`: none (SQLite then makes
   * its key file, PostgreSQL has no two-factor sign-in).
   */
  secretKeys?: { current: Buffer; previous?: Buffer[] } | null;
  /** Access tokens kept verified in memory (default: the server's default; 0: none). */
  tokenCacheSize?: number;
}

/**
 * Lifts an account's per-second limits with an operator override (the real mechanism),
 * for tests about other things than rate limits; accounts a test creates need it too.
 */
export async function liftRateLimits(server: RunningServer | TestServer, accountId: string): Promise<void> {
  const store = 'server' in server ? server.server.store : server.store;
  for (const category of CATEGORIES)
    await rateLimitOverrides.set(store.db, accountId, category, 'QPS', MAX_LIMIT, Date.now());
}

/** A key prefix no other test server uses. */
export function uniqueRedisPrefix(): string {
  return `zpass-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every Redis key under the prefix. */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
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
  const databaseUrl = await databaseFor(dataDir);
  const redisUrl = opts.redis === true ? TEST_REDIS_URL : opts.redis || undefined;
  const ownPrefix = redisUrl && !opts.redisPrefix ? uniqueRedisPrefix() : undefined;
  const redisPrefix = redisUrl ? (opts.redisPrefix ?? ownPrefix) : undefined;
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl,
    migrate: true,
    logLevel: 'debug',
    trustProxy: opts.trustProxy ?? false,
    logStream,
    clock: opts.clock,
    settings: opts.settings,
    hasher: opts.hasher ?? new Hasher({ maxWaitMs: Number.POSITIVE_INFINITY }),
    mail: opts.mail ?? { relay: false },
    webhooks: opts.webhooks ?? { relay: false },
    print: () => {},
    redisUrl,
    redisPrefix,
    redisTimeoutMs: opts.redisTimeoutMs,
    testControls: opts.testControls,
    connections: opts.connections,
    tokenRate: opts.tokenRate ?? (opts.zoomLimits ? undefined : { qps: 1_000_000, daily: null }),
    tokenPurge: opts.tokenPurge,
    cluster: opts.cluster,
    shutdownDelayMs: opts.shutdownDelayMs,
    metricsAddr: opts.metricsAddr,
    secretKeys:
      opts.secretKeys === null
        ? undefined
        : {
            current: opts.secretKeys?.current ?? randomBytes(32),
            previous: opts.secretKeys?.previous ?? [],
          },
    tokenCacheSize: opts.tokenCacheSize,
    // Failed token requests are throttled per address; tests about other things make many from one.
    throttle: opts.throttle ?? (opts.zoomLimits ? undefined : { freeFailures: 1_000_000 }),
  });
  const demo =
    server.demo ??
    (JSON.parse(
      await import('node:fs').then((fs) => fs.readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')),
    ) as DemoCredentials);
  if (!opts.zoomLimits) await liftRateLimits(server, demo.account_id);
  return {
    server,
    url: server.url,
    demo,
    dataDir,
    databaseUrl,
    logs,
    redisPrefix,
    async stop(remove = true) {
      await server.close();
      if (ownPrefix) await deleteRedisKeys(ownPrefix);
      if (remove) {
        if (databaseUrl) await dropTestDatabase(databaseUrl);
        rmSync(dataDir, { recursive: true, force: true });
      }
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

/** The rate-limit headers of an answer (`X-RateLimit-*` and `Retry-After`), null where absent. */
export function rateHeaders(r: { headers: Headers }) {
  return {
    category: r.headers.get('x-ratelimit-category'),
    type: r.headers.get('x-ratelimit-type'),
    limit: r.headers.get('x-ratelimit-limit'),
    remaining: r.headers.get('x-ratelimit-remaining'),
    retryAfter: r.headers.get('retry-after'),
  };
}

export async function call(
  url: string,
  init: {
    method?: string;
    token?: string;
    json?: unknown;
    headers?: Record<string, string>;
    body?: RequestInit['body'];
  } = {},
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

/**
 * Changes the account's security settings as an admin does (PATCH
 * /v2/accounts/me/settings?option=security with a fresh token of the demo app, or the
 * given one, as the test clock may have moved hours); throws unless 204.
 */
export async function setSecurity(
  t: TestServer,
  security: Record<string, unknown>,
  token?: string,
): Promise<void> {
  const res = await call(`${t.url}/v2/accounts/me/settings?option=security`, {
    method: 'PATCH',
    token: token ?? (await accountToken(t)),
    json: { security },
  });
  if (res.status !== 204) throw new Error(`security settings not changed: ${res.status} ${res.text}`);
}

/** PUT /v2/users/{userId}/password with a JSON body. */
export function putPassword(t: TestServer, token: string, userId: string, password: unknown) {
  return call(`${t.url}/v2/users/${encodeURIComponent(userId)}/password`, {
    method: 'PUT',
    token,
    json: { password },
  });
}

/** POST /oauth/token with parameters in the query string and/or a urlencoded form body. */
export function tokenRequest(
  t: TestServer,
  opts: { query?: Record<string, string>; form?: Record<string, string>; authorization?: string } = {},
): Promise<JsonResponse> {
  const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
  const headers: Record<string, string> = {};
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  }
  return call(`${t.url}/oauth/token${qs}`, { method: 'POST', headers, body });
}

let userSeq = 0;

/**
 * A new user of the demo account (or the given one), with a known password; a new e-mail
 * address unless given (screenshots give one, so that the same run draws the same page).
 */
export async function addUser(
  t: TestServer,
  opts: { role?: 'member' | 'admin'; password?: string; accountId?: string; email?: string } = {},
) {
  userSeq++;
  return createUser(t.server.ctx, {
    accountId: opts.accountId ?? t.demo.account_id,
    email: opts.email ?? `u${userSeq}-${Date.now().toString(36)}@example.test`,
    role: opts.role ?? 'member',
    password: opts.password ?? 'Initial-Pass-1',
  });
}

/** A new Server-to-Server app of the demo account with these scopes, and a token for it. */
export async function appWithToken(t: TestServer, scopes: string[], creatorEmail?: string) {
  const app = await createApp(t.server.ctx, t.demo.account_id, scopes, creatorEmail);
  const token = await accountToken(t, {
    accountId: t.demo.account_id,
    clientId: app.client_id,
    clientSecret: app.client_secret,
  });
  return { app, token };
}

/** The real argon2id hasher, counting its computations. */
export class CountingHasher extends Hasher {
  counts = { hash: 0, hashWithSalt: 0, verify: 0 };
  /** Without the wait bound by default, like the helper's own hasher (hasher.test.ts tests the bound). */
  constructor(options: HasherOptions = { maxWaitMs: Number.POSITIVE_INFINITY }) {
    super(options);
  }
  reset(): void {
    this.counts = { hash: 0, hashWithSalt: 0, verify: 0 };
  }
  get total(): number {
    return this.counts.hash + this.counts.hashWithSalt + this.counts.verify;
  }
  override hash(password: string, call?: HashCall): Promise<string> {
    this.counts.hash++;
    return super.hash(password, call);
  }
  override hashWithSalt(password: string, salt: Uint8Array, call?: HashCall): Promise<string> {
    this.counts.hashWithSalt++;
    return super.hashWithSalt(password, salt, call);
  }
  override verify(phc: string, password: string, call?: HashCall): Promise<boolean> {
    this.counts.verify++;
    return super.verify(phc, password, call);
  }
}
