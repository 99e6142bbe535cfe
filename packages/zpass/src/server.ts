import { statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultWeakList } from '@zpass/policy';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { type Clock, systemClock } from './clock.js';
import { ConfigError, checkPublicUrl, type ServeConfig } from './config.js';
import { Hasher } from './crypto/hasher.js';
import { loadSecretKeyring } from './crypto/secret-keys.js';
import { type DemoCredentials, demoBanner, ensureDemo } from './domain/accounts/demo.js';
import { FixtureError, type Fixtures, seedStore } from './domain/accounts/seed.js';
import { DEFAULT_DOMAIN_SETTINGS, type DomainContext, type DomainSettings } from './domain/context.js';
import { TokenKeyring } from './domain/tokens/jwt.js';
import { DEFAULT_TOKEN_CACHE_SIZE, PrincipalCache } from './domain/tokens/principal-cache.js';
import { wantsPage } from './edge/audience.js';
import { type AppOptions, buildApi } from './http/app.js';
import { apiNotFound } from './http/plugins/errors.js';
import type { Limits } from './limits/categories.js';
import { createRateLimiter, type RateLimiter, RedisCounter } from './limits/index.js';
import { MemoryThrottle, RedisThrottle, type ThrottleOptions } from './limits/throttle.js';
import { createLogger } from './log/logger.js';
import { redactUrl } from './log/redact.js';
import { createRelay, type MailRelay } from './mail/index.js';
import { Metrics } from './monitoring/metrics.js';
import { listenMetrics } from './monitoring/metrics-server.js';
import { checkReadiness } from './monitoring/readiness.js';
import { AUTH_CHANNEL, NotifiedChanges } from './store/auth-changes.js';
import { prepareDataDir } from './store/data-dir.js';
import { openStore, type Store } from './store/database.js';
import { listenForNotices } from './store/listen.js';
import { tokens } from './store/repositories/tokens.js';
import { restoreSnapshot, takeSnapshot } from './store/snapshot.js';
import { webEdge } from './web/edge.js';
import { pageNotFound } from './web/errors.js';
import { createWebhookRelay, type WebhookRelay } from './webhooks/index.js';

export interface ServerOptions extends ServeConfig {
  clock?: Clock;
  hasher?: Hasher;
  settings?: Partial<DomainSettings>;
  logStream?: DestinationStream;
  /** Create a demo account on an empty store (default true). */
  demo?: boolean;
  /** Where the demo banner goes (default standard error). */
  print?: (text: string) => void;
  /**
   * Print the demo's secrets (default: only when standard error, where the banner goes, is a terminal); otherwise
   * one line says where the 0600 file holding them is, so that they never reach a log.
   */
  bannerSecrets?: boolean;
  /** Tokens issued per app (default DEFAULT_TOKEN_RATE: 10 a second, 10 000 a day). */
  tokenRate?: Limits;
  /**
   * Rows of expired and revoked access tokens are deleted this long after they stopped
   * working (default 1 hour: until then an expired token is still told "expired"), checked
   * every `everyMs` (default 10 minutes) and at start.
   */
  tokenPurge?: { graceMs?: number; everyMs?: number };
  /**
   * Fixtures applied once to an empty store (see domain/accounts/seed.ts). With `testControls`,
   * `POST /zpass/test/reset` brings the store back to its state right after start.
   */
  seed?: Fixtures;
  /** Delays of the failed-sign-in throttle (defaults: see DEFAULT_THROTTLE). */
  throttle?: Partial<ThrottleOptions>;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  ctx: DomainContext;
  limiter: RateLimiter;
  url: string;
  /** The outbox relay running in this server (undefined when turned off). */
  relay?: MailRelay;
  /** The webhook relay running in this server (undefined when turned off). */
  webhookRelay?: WebhookRelay;
  /** Where the metrics are scraped (`http://host:port/metrics`), when `metricsAddr` is set. */
  metricsUrl?: string;
  demo?: DemoCredentials;
  /** Whether this start applied the seed fixtures (false: none given, or the store had data). */
  seeded: boolean;
  /** Brings the store back to its state right after start (the seeded state on a first start). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A data folder others can read or enter exposes the database's and the demo's file names and sizes. */
function warnOpenDataDir(dataDir: string, logger: { warn(o: object, msg: string): void }): void {
  let mode: number;
  try {
    mode = statSync(dataDir).mode & 0o777;
  } catch {
    return;
  }
  if (mode & 0o077)
    logger.warn(
      { dataDir, mode: mode.toString(8).padStart(4, '0') },
      'the data folder is open to other users: make it owner-only (chmod 700); its files are created 0600',
    );
}

/**
 * Logs where the keyring that seals two-factor secrets came from: the configured key, else
 * the embedded store's key file (named, never its value), else none: two-factor sign-in is
 * then not available, which the log says at every start.
 */
function reportSecretKeys(
  source: ReturnType<typeof loadSecretKeyring>,
  logger: { info(o: object, msg: string): void; warn(msg: string): void },
): void {
  if (source.kind === 'none') {
    logger.warn(
      'ZPASS_SECRET_KEY is not set and the store is PostgreSQL: two-factor sign-in is not available. Set ZPASS_SECRET_KEY (32 bytes, e.g. "openssl rand -base64 32") on every server.',
    );
    return;
  }
  if (source.kind === 'file')
    logger.info(
      { keyFile: source.file, keyId: source.keyring.current.id },
      source.created
        ? 'created the secret key file that seals two-factor secrets: back it up with the database'
        : 'two-factor secrets are sealed with the key file',
    );
  else
    logger.info({ keyId: source.keyring.current.id }, 'two-factor secrets are sealed with ZPASS_SECRET_KEY');
}

/**
 * The two edges on one Fastify instance: Zoom's API (http/, which owns the instance's
 * transport) and the pages (web/) beside it, each rendering the errors of its own routes.
 * A request no route matched goes to the pages when a browser asks for a page, else to
 * Zoom's JSON 404. One throttle: failed token requests and failed sign-ins count together.
 */
export async function buildApp(options: Omit<AppOptions, 'notFound'>): Promise<FastifyInstance> {
  const throttle = options.throttle ?? new MemoryThrottle();
  const app = await buildApi({
    ...options,
    throttle,
    notFound: (request, reply) =>
      wantsPage(request) ? pageNotFound(request, reply) : apiNotFound(request, reply),
  });
  await app.register(webEdge, { ctx: options.ctx, throttle });
  return app;
}

/**
 * Opens the store and checks it can be reached, applies pending migrations (or
 * refuses to start behind the schema with `migrate: false`), creates the demo
 * account on an empty store, and listens.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = createLogger(options.logLevel, options.logStream, options.logFormat);
  // SQLite keeps its file there; with PostgreSQL the demo's credentials and written mail go there.
  prepareDataDir(options.dataDir);
  if (options.mail?.publicUrl !== undefined) checkPublicUrl(options.mail.publicUrl);
  // Links in token responses, e-mails and pages: from configuration only, known once listening.
  let publicUrl = options.mail?.publicUrl?.replace(/\/+$/, '') ?? '';
  const store = openStore({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    onBackgroundError: (err) =>
      logger.warn({ error: err.message }, 'database connection lost; it will be reopened'),
  });
  try {
    try {
      await store.ping();
    } catch (err) {
      throw new ConfigError(
        `Cannot reach the database at ${store.location}: ${(err as Error).message}. Check DATABASE_URL (--database-url) and that the database server is running and accepts connections from here.`,
      );
    }
    if (options.migrate) {
      const { applied } = await store.migrate();
      if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
    } else {
      const pending = await store.pending();
      if (pending.length > 0) {
        throw new ConfigError(
          `The database schema is behind this zpass (pending: ${pending.join(', ')}). Run "zpass migrate", or start without --no-migrate.`,
        );
      }
    }
    warnOpenDataDir(options.dataDir, logger);
    if (options.trustProxy === true)
      logger.warn(
        "ZPASS_TRUST_PROXY=1 believes X-Forwarded-For from any peer: list the proxies' addresses instead (e.g. ZPASS_TRUST_PROXY=10.0.0.2), or any client that reaches zpass directly chooses its own address",
      );
    // Load the weak-password list now rather than on the first password check.
    defaultWeakList();
    const keys = loadSecretKeyring(options);
    const ctx: DomainContext = {
      store,
      hasher: options.hasher ?? new Hasher({ maxWaitMs: options.hashMaxWaitMs }),
      clock: options.clock ?? systemClock,
      settings: { ...DEFAULT_DOMAIN_SETTINGS, ...options.settings },
      tokenKeys: new TokenKeyring(),
      secrets: keys.kind === 'none' ? undefined : keys.keyring,
      principals: principalCache(options.tokenCacheSize, store),
    };
    const metrics = options.metricsAddr ? new Metrics({ store, hasher: ctx.hasher }) : undefined;
    if (metrics) ctx.observer = metrics.observer;
    const seeded = options.seed ? await seedOrExplain(ctx, options.seed) : false;
    if (seeded) logger.info({ accounts: options.seed!.accounts.length }, 'applied the seed fixtures');
    // Said once the fixtures are known good: a refused seed stops the start with its one line alone.
    reportSecretKeys(keys, logger);
    const demo = options.demo === false ? undefined : await ensureDemo(ctx, options.dataDir);
    // The state reset returns to: taken once, before any request.
    const snapshot = options.testControls ? await takeSnapshot(store) : undefined;
    const reset = async () => {
      if (!snapshot) throw new Error('reset needs testControls');
      await restoreSnapshot(store, snapshot);
    };
    const limiter = createRateLimiter(
      store,
      ctx.clock,
      {
        redisUrl: options.redisUrl,
        redisPrefix: options.redisPrefix,
        redisTimeoutMs: options.redisTimeoutMs,
      },
      logger,
    );
    if (limiter.counter instanceof RedisCounter) {
      const redis = redactUrl(options.redisUrl!);
      // When Redis is not there, the counter logs it (once) and counts in memory until it answers.
      if (await limiter.counter.waitReady()) logger.info({ redis }, 'rate limits counted in redis');
    }
    let shuttingDown = false;
    const redis = limiter.counter instanceof RedisCounter ? limiter.counter.client : undefined;
    let app: FastifyInstance;
    try {
      app = await buildApp({
        ctx,
        logger,
        trustProxy: options.trustProxy,
        limiter,
        throttle:
          limiter.counter instanceof RedisCounter
            ? new RedisThrottle(limiter.counter.client, limiter.counter.keyPrefix, options.throttle)
            : new MemoryThrottle(options.throttle),
        testControls: options.testControls,
        reset,
        publicUrl: () => publicUrl,
        connections: options.connections,
        tokenRate: options.tokenRate,
        cluster: options.cluster,
        readiness: () => checkReadiness({ store, redis, shuttingDown: () => shuttingDown }),
        metrics,
      });
      await app.listen({ port: options.port, host: options.host });
    } catch (err) {
      await limiter.close();
      throw listenError(err, options, '--port (or ZPASS_PORT)');
    }
    let metricsListener: Awaited<ReturnType<typeof listenMetrics>> | undefined;
    if (metrics && options.metricsAddr) {
      try {
        metricsListener = await listenMetrics(metrics, options.metricsAddr);
      } catch (err) {
        await app.close();
        await limiter.close();
        throw listenError(err, options.metricsAddr, '--metrics-addr (or ZPASS_METRICS_ADDR)');
      }
    }
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : options.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    if (!publicUrl) publicUrl = url;
    if (demo) {
      // Not a log line: on standard error, so that standard output carries only JSON logs.
      const print = options.print ?? ((t: string) => process.stderr.write(t));
      const file = join(options.dataDir, 'demo-credentials.json');
      const secrets = options.bannerSecrets ?? process.stderr.isTTY === true;
      print(
        secrets
          ? demoBanner(demo, url, file)
          : `zpass created a demo account; its credentials are in ${file} (mode 0600)\n`,
      );
    }
    let relay: MailRelay | undefined;
    if (options.mail?.relay !== false) {
      try {
        relay = createRelay({
          store,
          clock: ctx.clock,
          logger,
          dataDir: options.dataDir,
          databaseUrl: options.databaseUrl,
          mail: options.mail,
          serverUrl: url,
        });
        await relay.start();
      } catch (err) {
        await app.close();
        throw err;
      }
    }
    let webhookRelay: WebhookRelay | undefined;
    if (options.webhooks?.relay !== false) {
      try {
        webhookRelay = createWebhookRelay({
          store,
          clock: ctx.clock,
          logger,
          databaseUrl: options.databaseUrl,
          webhooks: options.webhooks,
        });
        await webhookRelay.start();
      } catch (err) {
        await relay?.stop();
        await metricsListener?.close();
        await app.close();
        throw err;
      }
    }
    // PostgreSQL: verified tokens are served from memory only while this connection hears
    // every change (store/auth-changes.ts); SQLite reads its change counter instead.
    const stopFollowing =
      ctx.principals && options.databaseUrl && store.authChanges instanceof NotifiedChanges
        ? await followAuthChanges(store.authChanges, options.databaseUrl, logger)
        : undefined;
    const purgeGrace = options.tokenPurge?.graceMs ?? 3_600_000;
    const purge = async () => {
      try {
        const n = await tokens.purge(store.db, ctx.clock.now() - purgeGrace);
        if (n > 0) logger.debug({ deleted: n }, 'purged expired and revoked access tokens');
      } catch (err) {
        logger.warn({ error: (err as Error).message }, 'could not purge expired access tokens');
      }
    };
    await purge();
    const purgeTimer = setInterval(purge, options.tokenPurge?.everyMs ?? 600_000);
    purgeTimer.unref();
    let closed = false;
    return {
      app,
      store,
      ctx,
      limiter,
      url,
      demo,
      seeded,
      reset,
      relay,
      webhookRelay,
      metricsUrl: metricsListener?.url,
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(purgeTimer);
        // Readiness fails first, so that a load balancer stops sending before the listener closes.
        shuttingDown = true;
        const delay = options.shutdownDelayMs ?? 0;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        await app.close();
        await metricsListener?.close();
        await relay?.stop();
        await webhookRelay?.stop();
        await stopFollowing?.();
        await limiter.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** One LISTEN connection on AUTH_CHANNEL, telling `changes` of every notice and of its losses. */
function followAuthChanges(
  changes: NotifiedChanges,
  databaseUrl: string,
  logger: Logger,
): Promise<() => Promise<void>> {
  const listen = listenForNotices(databaseUrl, logger, {
    channel: AUTH_CHANNEL,
    relayName: 'the access-token cache',
    meanwhile: 'tokens are read from the database meanwhile',
  });
  return listen(
    () => changes.changed(),
    () => changes.lost(),
  );
}

/** Seeds the store; a fixture the store refuses stops the start with one line naming the field. */
async function seedOrExplain(ctx: DomainContext, fixtures: Fixtures): Promise<boolean> {
  try {
    return await seedStore(ctx, fixtures);
  } catch (err) {
    if (err instanceof FixtureError) throw new ConfigError(`Seed fixtures: ${err.message}`);
    throw err;
  }
}

/** A listen failure as one line that says what to do: the address is taken, or not ours to bind. */
function listenError(err: unknown, at: { host: string; port: number }, flag: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new ConfigError(
      `Port ${at.port} on ${at.host} is already in use by another process: stop it, or use ${flag} to choose another port.`,
    );
  if (code === 'EACCES')
    return new ConfigError(
      `Not allowed to listen on port ${at.port} on ${at.host} (ports below 1024 need privileges): use ${flag} to choose a port from 1024 up.`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new ConfigError(
      `${at.host} is not an address of this machine: use ${flag.startsWith('--port') ? '--host (or ZPASS_HOST)' : flag} to name one, e.g. 127.0.0.1 or 0.0.0.0.`,
    );
  return err;
}

/**
 * The verified-token cache: on by default where every writer's change is seen by the very
 * next request (SQLite); on PostgreSQL only when asked for, since another server's change
 * reaches this one by NOTIFY a moment after its commit (docs/operations.md).
 */
function principalCache(size: number | undefined, store: Store): PrincipalCache | undefined {
  const n = size ?? (store.rules.seesOthersAtOnce ? DEFAULT_TOKEN_CACHE_SIZE : 0);
  return n === 0 ? undefined : new PrincipalCache(n);
}
