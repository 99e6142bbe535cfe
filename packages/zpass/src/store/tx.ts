import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * What a transaction callback receives: the same query API as the database, plus
 * hooks on how the transaction ends.
 */
export interface Tx extends Kysely<Database> {
  /**
   * Calls `fn` once this transaction has committed, after the commit (in registration
   * order). Never called when it rolls back; when an attempt is retried (a PostgreSQL
   * serialization failure), that attempt's hooks are dropped with it. A hook that throws
   * does not make the committed transaction fail: the store reports it as a background error.
   */
  afterCommit(fn: () => void): void;
  /**
   * Announces `channel` when this transaction commits: the store's listeners of that
   * channel in this process (`Store.listen`) are called after the commit, and on
   * PostgreSQL a `NOTIFY channel` goes out with the commit itself, for other processes.
   * Announcing a channel more than once in a transaction announces it once.
   */
  announce(channel: string): Promise<void>;
}
