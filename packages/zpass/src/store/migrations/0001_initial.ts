import type { Kysely, Migration } from 'kysely';
import { type Dialect, dialectOf } from '../dialect.js';

// Immutable once released: later changes go in new, numbered files.
// Column types are chosen to mean the same on SQLite and PostgreSQL.

export const initial = (dialect: Dialect): Migration => ({ up: (db) => up(db, dialect), down });

function autoId(dialect: Dialect) {
  return dialectOf(dialect).autoId;
}

async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('plan', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('email_norm', 'varchar(320)', (c) => c.notNull().unique())
    .addColumn('first_name', 'varchar(128)', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'varchar(128)', (c) => c.notNull().defaultTo(''))
    .addColumn('display_name', 'varchar(256)', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('users_account_idx')
    .on('users')
    .columns(['account_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('credentials')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('phc', 'varchar(255)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('password_changes')
    .addColumn('id', 'integer', autoId(dialect))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('actor_user_id', 'varchar(64)')
    .addColumn('app_id', 'varchar(64)')
    .addColumn('token_digest', 'varchar(64)')
    .addColumn('via', 'varchar(16)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('password_changes_user_idx')
    .on('password_changes')
    .columns(['user_id', 'changed_at'])
    .execute();

  await db.schema
    .createTable('apps')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('client_secret_digest', 'varchar(64)', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('creator_user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('access_tokens')
    .addColumn('digest', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('app_id', 'varchar(64)')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('access_tokens_app_idx')
    .on('access_tokens')
    .columns(['app_id', 'expires_at'])
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'integer', autoId(dialect))
    .addColumn('kind', 'varchar(64)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('recipient', 'varchar(320)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('outbox_pending_idx')
    .on('outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'outbox',
    'access_tokens',
    'apps',
    'password_changes',
    'credentials',
    'users',
    'accounts',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
