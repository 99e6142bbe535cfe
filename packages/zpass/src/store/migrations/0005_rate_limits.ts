import type { Kysely, Migration } from 'kysely';

// Immutable once released: later changes go in new, numbered files.

/** Per-account replacements of plan rate limits, set by operators (`zpass admin set-limit`). */
export const rateLimits = (): Migration => ({ up, down });

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_overrides')
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('category', 'varchar(16)', (c) => c.notNull())
    .addColumn('limit_type', 'varchar(16)', (c) => c.notNull())
    // Requests per second or per day; null for "no daily limit".
    .addColumn('value', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_overrides_pk', ['account_id', 'category', 'limit_type'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_overrides').execute();
}
