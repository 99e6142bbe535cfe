import type SQLite from 'better-sqlite3';

/**
 * The channel on which PostgreSQL announces, with the commit, any change to what decides
 * whether an access token authenticates (the triggers of migration 0014).
 */
export const AUTH_CHANNEL = 'zpass_auth';

/**
 * How a server learns that what it verified about access tokens may no longer hold: a
 * token's revocation or expiry, its user's status, role, e-mail or account, the account's
 * plan or rate-limit overrides, the signing keys. The database tells of every such change,
 * whichever process writes it (migration 0014's triggers), so a verdict kept in memory is
 * served only while `version()` still gives what it gave before the verdict was read.
 */
export interface AuthChanges {
  /**
   * A number that differs after every such change; undefined when this process cannot
   * tell (then nothing may be served from memory).
   */
  version(): number | undefined;
}

/**
 * SQLite: the counter every such change increments in the writer's own transaction, read
 * on the process's connection, so a change committed by any process (another server on
 * the same file, the admin CLI) or by this one is seen by the very next read. A
 * primary-key read of one row, without Kysely: about a microsecond. Not known while this
 * connection is inside a transaction (its own uncommitted changes would show).
 */
export function countedChanges(database: SQLite.Database): AuthChanges {
  let statement: SQLite.Statement | undefined;
  return {
    version() {
      // Inside one of this connection's transactions the counter may hold its own
      // uncommitted change, which a rollback would hand out again: cannot tell.
      if (database.inTransaction) return undefined;
      try {
        statement ??= database.prepare('select counter from auth_changes where id = 1').pluck();
        const v = statement.get();
        return typeof v === 'number' ? v : undefined;
      } catch {
        // A schema without the counter (never migrated, or the file is gone): cannot tell.
        statement = undefined;
        return undefined;
      }
    },
  };
}

/**
 * PostgreSQL: the notifications on AUTH_CHANNEL, heard by one LISTEN connection
 * (`store/listen.ts`). Each notice, and each (re)opening of the connection (notices may
 * have been missed while it was down), gives a new version, and so does every write of
 * this process once committed (before its answer leaves: its own notice comes back
 * later); while the connection is down the version is unknown. A notice leaves the
 * database with the commit, before the writer has its answer.
 */
export class NotifiedChanges implements AuthChanges {
  #generation = 0;
  #listening = false;

  version(): number | undefined {
    return this.#listening ? this.#generation : undefined;
  }

  /** A notice arrived, or the connection listens again. */
  changed(): void {
    this.#generation++;
    this.#listening = true;
  }

  /**
   * This process wrote (a statement or transaction other than a plain SELECT, just
   * committed): its own notice may still be on the way, and its answer leaves first.
   */
  wrote(): void {
    this.#generation++;
  }

  /** The connection is lost (or closed): nothing is known until it listens again. */
  lost(): void {
    this.#generation++;
    this.#listening = false;
  }
}
