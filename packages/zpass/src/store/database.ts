import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from 'kysely';
import type pg from 'pg';
import { redactUrl } from '../log/redact.js';
import { type AuthChanges, countedChanges, NotifiedChanges } from './auth-changes.js';
import { prepareDataDir } from './data-dir.js';
import { type Dialect, type DialectRules, dialectOf } from './dialect.js';
import { postgresDriver } from './drivers.js';
import { AfterCommitError, isRetryableConflict, isUnavailable, StoreUnavailableError } from './failures.js';
import { migrateToLatest, pendingMigrations } from './migrator.js';
import { OUTBOX_CHANNEL } from './outbox-channel.js';
import { type User, users } from './repositories/users.js';
import type { Database } from './schema.js';
import type { Tx } from './tx.js';

export { OUTBOX_CHANNEL } from './outbox-channel.js';
export type { Tx } from './tx.js';

export type Db = Kysely<Database>;

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

/**
 * The store: one Kysely instance and the transaction discipline every
 * write goes through.
 */
export class Store {
  private readonly listeners = new Map<string, Set<() => void>>();
  /** The PostgreSQL connection pool (undefined on SQLite), for metrics of its use. */
  pool?: pg.Pool;
  /** The server processes (backend PIDs) of the pool's open connections (PostgreSQL). */
  readonly backends = new Set<number>();
  /** Every SQLite/PostgreSQL difference the store's code has to know. */
  readonly rules: DialectRules;

  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    /** Where the data lives, without credentials (for logs). */
    readonly location: string,
    /**
     * What changes whenever anything that decides an access token's verdict changes, in
     * any process (store/auth-changes.ts); on PostgreSQL known only while a LISTEN
     * connection follows it (`startServer`).
     */
    readonly authChanges: AuthChanges,
    /** Told about a failure outside any request (a throwing after-commit hook, a dropped idle connection). */
    private readonly onBackgroundError: (err: Error) => void = () => {},
  ) {
    this.rules = dialectOf(dialect);
  }

  /**
   * Calls `fn` after every commit of this process that announced `channel`
   * (`tx.announce`). Returns the function that unsubscribes.
   */
  listen(channel: string, fn: () => void): () => void {
    const set = this.listeners.get(channel) ?? new Set<() => void>();
    this.listeners.set(channel, set);
    set.add(fn);
    return () => set.delete(fn);
  }

  /**
   * Whether a PostgreSQL notification from this backend PID was sent by one of this store's
   * own connections: its transaction announced the channel here, whose listeners the
   * commit has already called (`tx.announce`).
   */
  announcedHere(backendPid: number): boolean {
    return this.backends.has(backendPid);
  }

  /**
   * Calls `fn` after every commit of this process that queued a notice (see
   * `outbox.insert`). Returns the function that unsubscribes. On PostgreSQL such a
   * commit also sends NOTIFY on OUTBOX_CHANNEL, for relays in other processes.
   */
  onOutbox(fn: () => void): () => void {
    return this.listen(OUTBOX_CHANNEL, fn);
  }

  /** The transaction handle `fn` receives: `q` with the hooks of one attempt. */
  private begin(q: Kysely<Database>): { tx: Tx; hooks: Array<() => void> } {
    const hooks: Array<() => void> = [];
    const announced = new Set<string>();
    const { rules, listeners } = this;
    const tx: Tx = Object.assign(q, {
      afterCommit(fn: () => void): void {
        hooks.push(fn);
      },
      async announce(channel: string): Promise<void> {
        if (announced.has(channel)) return;
        announced.add(channel);
        // Delivered to listening processes when (and only if) the transaction commits.
        await rules.notify(q as Kysely<unknown>, channel);
        hooks.push(() => {
          for (const fn of listeners.get(channel) ?? []) fn();
        });
      },
    });
    return { tx, hooks };
  }

  /** Runs the hooks of a committed transaction; one that throws does not stop the others. */
  private committed(hooks: Array<() => void>): void {
    for (const fn of hooks) {
      try {
        fn();
      } catch (err) {
        this.onBackgroundError(new AfterCommitError(err));
      }
    }
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
    if (this.rules.beginsImmediate) {
      const { result, hooks } = await this.db.connection().execute(async (conn) => {
        const { tx, hooks } = this.begin(conn);
        await sql`begin immediate`.execute(tx);
        try {
          const result = await fn(tx);
          await sql`commit`.execute(tx);
          return { result, hooks };
        } catch (err) {
          await sql`rollback`.execute(tx);
          throw err;
        }
      });
      this.committed(hooks);
      return result;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, hooks } = await this.db.transaction().execute(async (trx) => {
          const { tx, hooks } = this.begin(trx);
          return { result: await fn(tx), hooks };
        });
        this.committed(hooks);
        return result;
      } catch (err) {
        if (isRetryableConflict(err) && attempt < TX_ATTEMPTS) continue;
        if (isUnavailable(err)) throw new StoreUnavailableError(err);
        throw err;
      }
    }
  }

  /**
   * Runs `fn`'s writes in `tx` together: on PostgreSQL `fn` receives a handle that records
   * the statements instead of sending them, and they then go as one statement (each a
   * data-modifying part of one WITH), one round trip instead of one each; on SQLite (no
   * round trips) `fn` simply runs on `tx`. For writes only, none depending on another's
   * effect: the parts of one statement see the same snapshot, and each recorded statement
   * is answered "no rows" at once, so `fn` must not read through the handle or use what
   * a write returns. `afterCommit` and `announce` are the transaction's own.
   */
  async writeTogether(tx: Tx, fn: (w: Tx) => Promise<void>): Promise<void> {
    if (!this.rules.rowLocks) return fn(tx);
    const recorded: CompiledQuery[] = [];
    const w: Tx = Object.assign(recordingHandle(recorded), {
      afterCommit: (f: () => void) => tx.afterCommit(f),
      announce: (channel: string) => tx.announce(channel),
    });
    await fn(w);
    if (recorded.length === 0) return;
    if (recorded.length === 1) {
      await tx.executeQuery(recorded[0]!);
      return;
    }
    const parameters: unknown[] = [];
    const parts = recorded.map((q, i) => {
      const offset = parameters.length;
      parameters.push(...q.parameters);
      return `w${i} as (${q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
    });
    await tx.executeQuery(CompiledQuery.raw(`with ${parts.join(', ')} select 1`, parameters));
  }

  /** Locks a user's row until the transaction ends (PostgreSQL; SQLite's write lock already covers it). */
  async lockUser(tx: Tx, userId: string): Promise<void> {
    await this.lockRow(tx, 'users', userId);
  }

  /**
   * Locks a user's row until the transaction ends and returns it, in one round trip on
   * PostgreSQL (`SELECT … FOR UPDATE`); undefined when there is no such user.
   */
  async lockedUser(tx: Tx, userId: string): Promise<User | undefined> {
    if (!this.rules.rowLocks) return users.byId(tx, userId);
    return this.rules
      .lockRows(tx.selectFrom('users').selectAll().where('id', '=', userId))
      .executeTakeFirst();
  }

  /** Locks an account's row until the transaction ends (PostgreSQL; SQLite's write lock already covers it). */
  async lockAccount(tx: Tx, accountId: string): Promise<void> {
    await this.lockRow(tx, 'accounts', accountId);
  }

  /** Locks an app's row until the transaction ends (PostgreSQL). */
  async lockApp(tx: Tx, appId: string): Promise<void> {
    await this.lockRow(tx, 'apps', appId);
  }

  private async lockRow(tx: Tx, table: 'users' | 'accounts' | 'apps', id: string): Promise<void> {
    if (this.rules.rowLocks)
      await this.rules.lockRows(tx.selectFrom(table).select('id').where('id', '=', id)).execute();
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

/**
 * A PostgreSQL query API that compiles each statement into `recorded` and answers it with
 * no rows, without a database: `Store.writeTogether` sends what it recorded.
 */
function recordingHandle(recorded: CompiledQuery[]): Kysely<Database> {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      recorded.push(query);
      return { rows: [] };
    },
    // biome-ignore lint/correctness/useYield: nothing is ever streamed from a recording.
    async *streamQuery() {
      throw new Error('a recorded write cannot be streamed');
    },
  };
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createDriver: () => ({
        init: async () => {},
        acquireConnection: async () => connection,
        beginTransaction: async () => {},
        commitTransaction: async () => {},
        rollbackTransaction: async () => {},
        releaseConnection: async () => {},
        destroy: async () => {},
      }),
    },
  });
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
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) return stmt;
      stmt = objectRows(database.prepare(text));
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/**
 * A statement whose rows are made here, from SQLite's raw arrays, by a function written for
 * its columns (an object literal: every row of the statement gets the same shape at once).
 * better-sqlite3 on Node 20 makes each row object by looking every column's name up in V8's
 * string table again and adding the properties one by one, which cost 7 % of a
 * `GET /v2/users/{id}` (docs/benchmarks.md). The rows are the same objects: each column
 * once, a later column of the same name winning. The function is written again when a row's
 * width changes (SQLite re-prepares a statement after a schema change).
 */
function objectRows(stmt: SQLite.Statement): SqliteStatement {
  if (!stmt.reader) return stmt;
  stmt.raw(true);
  let width = -1;
  let make: (raw: unknown[]) => unknown = () => undefined;
  const row = (raw: unknown[]) => {
    if (raw.length !== width) {
      const names = stmt.columns().map((c) => c.name);
      width = names.length;
      make = names.includes('__proto__')
        ? (r) => Object.fromEntries(names.map((n, i) => [n, r[i]]))
        : (new Function(
            'r',
            `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')}};`,
          ) as (raw: unknown[]) => unknown);
    }
    return make(raw);
  };
  return {
    reader: true,
    all: (parameters) => (stmt.all(parameters) as unknown[][]).map(row),
    run: (parameters) => stmt.run(parameters),
    *iterate(parameters) {
      for (const raw of stmt.iterate(parameters) as IterableIterator<unknown[]>) yield row(raw);
    },
  };
}

export function openSqliteStore(dataDir: string, onBackgroundError?: (err: Error) => void): Store {
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
  return new Store(db, 'sqlite', file, countedChanges(database), onBackgroundError);
}

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
  const pool = new (postgresDriver().Pool)({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // A connection that dies while idle is dropped from the pool; without this handler it would end the process.
  pool.on('error', (err) => options.onBackgroundError?.(err));
  // So does one that dies while checked out between queries: the query that next uses it fails instead.
  pool.on('connect', (client) => client.on('error', (err) => options.onBackgroundError?.(err)));
  const changes = new NotifiedChanges();
  followOwnWrites(pool, changes);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store = new Store(db, 'postgres', redactUrl(url), changes, options.onBackgroundError);
  store.pool = pool;
  followBackends(pool, store.backends);
  return store;
}

/** Keeps `backends` to the server processes (PIDs) of the pool's open connections. */
function followBackends(pool: pg.Pool, backends: Set<number>): void {
  const pid = (client: pg.PoolClient) => (client as { processID?: number | null }).processID;
  pool.on('connect', (client) => {
    const p = pid(client);
    if (typeof p === 'number') backends.add(p);
  });
  pool.on('remove', (client) => {
    const p = pid(client);
    if (typeof p === 'number') backends.delete(p);
  });
}

/**
 * Tells `changes` of every write of this process when its connection goes back to the
 * pool: after the statement, or after the transaction's commit or rollback (Kysely
 * releases the connection before the caller has the result). Anything but a plain SELECT
 * counts (BEGIN included), so a write needs no list of the tables it touched.
 */
function followOwnWrites(pool: pg.Pool, changes: NotifiedChanges): void {
  const wrote = new WeakSet<pg.PoolClient>();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
      if (typeof text !== 'string' || !/^\s*select\b/i.test(text)) wrote.add(client);
      return query(...args);
    };
  });
  pool.on('release', (_err: unknown, client: pg.PoolClient) => {
    if (wrote.delete(client)) changes.wrote();
  });
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
  return openSqliteStore(options.dataDir, options.onBackgroundError);
}
