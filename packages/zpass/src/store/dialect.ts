import { type ColumnDefinitionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';

/** The database engine a store runs on. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * Every difference between SQLite and PostgreSQL that the store's code has to know, in
 * one place; everything else is written once for both. Look one up with `dialectOf`.
 */
export interface DialectRules {
  readonly name: Dialect;
  /** An auto-increment integer primary key (migrations). */
  autoId(c: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /**
   * Whether transactions run as BEGIN IMMEDIATE on the one connection (SQLite: the
   * write lock from the start, so nothing needs retrying); otherwise as the driver's
   * transactions on a pooled connection, at READ COMMITTED, retried on a serialization
   * failure or deadlock (PostgreSQL).
   */
  readonly beginsImmediate: boolean;
  /**
   * Whether a transaction locks rows it reads (`SELECT … FOR UPDATE`). False on SQLite,
   * whose transactions take the write lock at their start (BEGIN IMMEDIATE), so a
   * read-then-write never interleaves with another writer anyway.
   */
  readonly rowLocks: boolean;
  /**
   * Locks the rows `query` selects until the transaction ends; concurrent claimers
   * skip rows another holds (PostgreSQL `FOR UPDATE SKIP LOCKED`). Unchanged on SQLite.
   */
  claimRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /** Locks the rows `query` selects until the transaction ends (`FOR UPDATE`). Unchanged on SQLite. */
  lockRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Whether commits can be announced to other processes (PostgreSQL LISTEN/NOTIFY).
   * SQLite has no such channel: other processes sharing the file rely on their poll.
   */
  readonly notifies: boolean;
  /**
   * Whether another process's commit is seen by this process's very next read without a
   * message on its way (SQLite: one file and a change counter in it). False on PostgreSQL,
   * where other servers' changes arrive by NOTIFY, a moment after their commit.
   */
  readonly seesOthersAtOnce: boolean;
  /** Sends NOTIFY `channel`, delivered when (and only if) the transaction of `q` commits. */
  notify(q: Kysely<unknown>, channel: string): Promise<void>;
  /**
   * Deletes every row of `tables` (given parents first), foreign keys notwithstanding:
   * one TRUNCATE on PostgreSQL, a DELETE per table, children first, on SQLite.
   */
  emptyTables(q: Kysely<unknown>, tables: readonly string[]): Promise<void>;
}

const sqlite: DialectRules = {
  name: 'sqlite',
  autoId: (c) => c.primaryKey().autoIncrement(),
  beginsImmediate: true,
  rowLocks: false,
  claimRows: (query) => query,
  lockRows: (query) => query,
  notifies: false,
  seesOthersAtOnce: true,
  notify: async () => {},
  emptyTables: async (q, tables) => {
    // biome-ignore lint/suspicious/noExplicitAny: any table, whatever its columns
    for (const t of [...tables].reverse()) await (q as Kysely<any>).deleteFrom(t).execute();
  },
};

const postgres: DialectRules = {
  name: 'postgres',
  autoId: (c) => c.primaryKey().generatedByDefaultAsIdentity(),
  beginsImmediate: false,
  rowLocks: true,
  claimRows: (query) => query.forUpdate().skipLocked(),
  lockRows: (query) => query.forUpdate(),
  notifies: true,
  seesOthersAtOnce: false,
  notify: async (q, channel) => {
    await sql`select pg_notify(${channel}, '')`.execute(q);
  },
  emptyTables: async (q, tables) => {
    await sql`TRUNCATE ${sql.join(tables.map((t) => sql.id(t)))}`.execute(q);
  },
};

const DIALECTS: Readonly<Record<Dialect, DialectRules>> = { sqlite, postgres };

/** The rules of an engine. */
export function dialectOf(name: Dialect): DialectRules {
  return DIALECTS[name];
}
