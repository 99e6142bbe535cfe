import type { Kysely, Migration } from 'kysely';
import { type Dialect, dialectOf } from '../dialect.js';

// Immutable once released: later changes go in new, numbered files.
// Account settings (the password policy), their change log, and the password
// history (argon2id hashes under a per-user history salt: see docs/policy.md).

export const policy = (dialect: Dialect): Migration => ({ up: (db) => up(db, dialect), down });

function autoId(dialect: Dialect) {
  return dialectOf(dialect).autoId;
}

async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('account_settings')
    .addColumn('account_id', 'varchar(64)', (c) =>
      c.primaryKey().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('password_requirement', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_settings_changes')
    .addColumn('id', 'integer', autoId(dialect))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('actor_user_id', 'varchar(64)')
    .addColumn('app_id', 'varchar(64)')
    .addColumn('token_digest', 'varchar(64)')
    .addColumn('via', 'varchar(16)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('account_settings_changes_account_idx')
    .on('account_settings_changes')
    .columns(['account_id', 'id'])
    .execute();

  await db.schema
    .createTable('password_history')
    .addColumn('id', 'integer', autoId(dialect))
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('phc', 'varchar(255)', (c) => c.notNull())
    .addColumn('credential_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('password_history_user_idx')
    .on('password_history')
    .columns(['user_id', 'id'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['password_history', 'account_settings_changes', 'account_settings']) {
    await db.schema.dropTable(t).execute();
  }
}
