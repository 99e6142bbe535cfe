import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../log/redact.js';
import { prepareDataDir } from './data-dir.js';
import type { Dialect } from './dialect.js';
import { isRetryableConflict, isUnavailable, StoreUnavailableError } from './failures.js';
import { migrateToLatest, pendingMigrations } from './migrator.js';
import { type User, users, wroteOutbox } from './repositories.js';
import type { Database } from './schema.js';
import { wroteWebhooks } from './webhooks.js';

export type Db = Kysely<Database>;
/** What a transaction callback receives: the same query API as the database. */
export type Tx = Kysely<Database>;

export interface StoreOptions {
  /** Folder of the embedded SQLite file (`<dataDir>/zpass.db`), used when no `databaseUrl` is given. */
  dataDir: string;
  /** `postgres://...` switches the store to PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL connections per process (default 10). */
  poolSize?: number;
  /** Called when the store reports a problem outside any request (a dropped idle connection). */
  onBackgroundError?: (err: Error) => void;
}

/** Attempts of a transaction that hit a serialization failure or deadlock. */
const TX_ATTEMPTS = 5;

/** The PostgreSQL channel a commit that queued a notice announces itself on (LISTEN/NOTIFY). */
export const OUTBOX_CHANNEL = 'zpass_outbox';
/** The PostgreSQL channel a commit that queued a webhook delivery announces itself on. */
export const WEBHOOK_CHANNEL = 'zpass_webhooks';

/**
 * The store: one Kysely instance and the transaction discipline every
 * write goes through.
 */
export class Store {
  private readonly outboxListeners = new Set<() => void>();
  private readonly webhookListeners = new Set<() => void>();
  /** The PostgreSQL connection pool (undefined on SQLite), for metrics of its use. */
  pool?: pg.Pool;

  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    /** Where the data lives, without credentials (for logs). */
    readonly location: string,
  ) {}

  /**
   * Calls `fn` after every commit of this process that queued a notice (see
   * `outbox.insert`). Returns the function that unsubscribes. On PostgreSQL such a
   * commit also sends NOTIFY on OUTBOX_CHANNEL, for relays in other processes.
   */
  onOutbox(fn: () => void): () => void {
    this.outboxListeners.add(fn);
    return () => this.outboxListeners.delete(fn);
  }

  private outboxQueued(): void {
    for (const fn of this.outboxListeners) fn();
  }

  /**
   * Calls `fn` after every commit of this process that queued a webhook delivery (see
   * `webhookDeliveries.insertMany`); on PostgreSQL such a commit also sends NOTIFY on
   * WEBHOOK_CHANNEL. Returns the function that unsubscribes.
   */
  onWebhooks(fn: () => void): () => void {
    this.webhookListeners.add(fn);
    return () => this.webhookListeners.delete(fn);
  }

  private webhooksQueued(): void {
    for (const fn of this.webhookListeners) fn();
  }

  /**
   * Runs `fn` in one transaction: all of it commits or none. On SQLite the
   * transaction takes the write lock at its start (BEGIN IMMEDIATE), so a
   * read-then-write inside it never interleaves with another writer. On
   * PostgreSQL it runs at READ COMMITTED and use cases lock the rows they
   * decide on (`lockUser`); serialization failures and deadlocks are retried.
   * A lost database connection becomes `StoreUnavailableError`.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.dialect === 'sqlite') {
      return this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          if (wroteOutbox(conn)) this.outboxQueued();
          if (wroteWebhooks(conn)) this.webhooksQueued();
          return result;
        } catch (err) {
          wroteOutbox(conn);
          wroteWebhooks(conn);
          await sql`rollback`.execute(conn);
          throw err;
        }
      });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        let queued = false;
        let hooked = false;
        const result = await this.db.transaction().execute(async (trx) => {
          const r = await fn(trx);
          queued = wroteOutbox(trx);
          hooked = wroteWebhooks(trx);
          // Delivered to listening relays when (and only if) the transaction commits.
          if (queued) await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
          if (hooked) await sql`select pg_notify(${WEBHOOK_CHANNEL}, '')`.execute(trx);
          return r;
        });
        if (queued) this.outboxQueued();
        if (hooked) this.webhooksQueued();
        return result;
      } catch (err) {
        if (isRetryableConflict(err) && attempt < TX_ATTEMPTS) continue;
        if (isUnavailable(err)) throw new StoreUnavailableError(err);
        throw err;
      }
    }
  }

  /** Locks a user's row until the transaction ends (PostgreSQL; SQLite's write lock already covers it). */
  async lockUser(tx: Tx, userId: string): Promise<void> {
    if (this.dialect === 'postgres') {
      await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
    }
  }

  /**
   * Locks a user's row until the transaction ends and returns it, in one round trip on
   * PostgreSQL (`SELECT … FOR UPDATE`); undefined when there is no such user.
   */
  async lockedUser(tx: Tx, userId: string): Promise<User | undefined> {
    if (this.dialect === 'postgres')
      return tx.selectFrom('users').selectAll().where('id', '=', userId).forUpdate().executeTakeFirst();
    return users.byId(tx, userId);
  }

  /** Locks an account's row until the transaction ends (PostgreSQL; SQLite's write lock already covers it). */
  async lockAccount(tx: Tx, accountId: string): Promise<void> {
    if (this.dialect === 'postgres') {
      await tx.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().execute();
    }
  }

  /** Locks an app's row until the transaction ends (PostgreSQL). */
  async lockApp(tx: Tx, appId: string): Promise<void> {
    if (this.dialect === 'postgres') {
      await tx.selectFrom('apps').select('id').where('id', '=', appId).forUpdate().execute();
    }
  }

  migrate() {
    return migrateToLatest(this.db as Kysely<unknown>, this.dialect);
  }

  pending() {
    return pendingMigrations(this.db as Kysely<unknown>, this.dialect);
  }

  /** Round trip to the database: throws if it cannot be reached. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Prepared statements kept per SQLite connection (distinct SQL texts; the hot path uses about twenty). */
const STATEMENT_CACHE = 256;

/**
 * The connection as Kysely sees it, with a bounded cache of prepared statements:
 * Kysely prepares every query it runs, and preparing costs more than running a
 * primary-key read. Statements are only ever run to completion (`all`/`run`), so one
 * can be reused by the next query with the same text; SQLite re-prepares it by itself
 * after a schema change.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) return stmt;
      stmt = database.prepare(text);
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      cache.set(text, stmt);
      return stmt;
    },
  };
}

export function openSqliteStore(dataDir: string): Store {
  prepareDataDir(dataDir);
  const file = join(dataDir, 'zpass.db');
  // Owner-only, even in a folder that already existed: hashes, token digests and the
  // page-token key are inside. SQLite gives its -wal and -shm files the database's mode.
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return new Store(db, 'sqlite', file);
}

// int8 (bigint) columns hold millisecond times, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export class DatabaseUrlError extends Error {}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function openPostgresStore(
  url: string,
  options: Pick<StoreOptions, 'poolSize' | 'onBackgroundError'> = {},
): Store {
  try {
    new URL(url);
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL is not a valid URL: ${redactUrl(url)}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // A connection that dies while idle is dropped from the pool; without this handler it would end the process.
  pool.on('error', (err) => options.onBackgroundError?.(err));
  // So does one that dies while checked out between queries: the query that next uses it fails instead.
  pool.on('connect', (client) => client.on('error', (err) => options.onBackgroundError?.(err)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store = new Store(db, 'postgres', redactUrl(url));
  store.pool = pool;
  return store;
}

export function openStore(options: StoreOptions): Store {
  const url = options.databaseUrl;
  if (url) {
    if (!isPostgresUrl(url)) {
      throw new DatabaseUrlError(
        `DATABASE_URL must start with postgres:// or postgresql:// (got ${redactUrl(url)}); leave it unset for the embedded SQLite store.`,
      );
    }
    return openPostgresStore(url, options);
  }
  return openSqliteStore(options.dataDir);
}
