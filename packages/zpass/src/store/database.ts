import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Dialect } from './dialect.js';
import { migrateToLatest, pendingMigrations } from './migrator.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
/** What a transaction callback receives: the same query API as the database. */
export type Tx = Kysely<Database>;

export interface StoreOptions {
  /** Folder of the embedded SQLite file (`<dataDir>/zpass.db`). */
  dataDir: string;
}

/**
 * The store: one Kysely instance and the transaction discipline every
 * write goes through.
 */
export class Store {
  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    readonly location: string,
  ) {}

  /**
   * Runs `fn` in one transaction. On SQLite the transaction takes the write
   * lock at its start (BEGIN IMMEDIATE), so a read-then-write inside it can
   * never interleave with another process's write.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.dialect === 'sqlite') {
      return this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          await sql`rollback`.execute(conn);
          throw err;
        }
      });
    }
    return this.db.transaction().execute(fn);
  }

  migrate() {
    return migrateToLatest(this.db as Kysely<unknown>, this.dialect);
  }

  pending() {
    return pendingMigrations(this.db as Kysely<unknown>, this.dialect);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

export function openSqliteStore(options: StoreOptions): Store {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = join(options.dataDir, 'zpass.db');
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new Store(db, 'sqlite', file);
}

export function openStore(options: StoreOptions): Store {
  return openSqliteStore(options);
}
