import type { Kysely, Migration } from 'kysely';
import { type Dialect, dialectOf } from '../dialect.js';

// Immutable once released: later changes go in new, numbered files.

/**
 * Zoom's two audit reports. `operation_logs`: who changed what in an account (users,
 * roles, passwords, settings), one row written in the transaction of each change, in
 * the words Zoom's "Operation logs" report uses. `sign_in_activities`: sign-ins and
 * sign-outs on the web pages, for Zoom's "Sign In/Sign Out Activities" report.
 */
export const operationLogs = (dialect: Dialect): Migration => ({
  up: (db) => up(db, dialect),
  down,
});

function autoId(dialect: Dialect) {
  return dialectOf(dialect).autoId;
}

async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('operation_logs')
    .addColumn('id', 'integer', autoId(dialect))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('operator', 'varchar(255)', (c) => c.notNull())
    .addColumn('operator_id', 'varchar(64)')
    .addColumn('category', 'varchar(32)', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('operation_logs_account_time_idx')
    .on('operation_logs')
    .columns(['account_id', 'time', 'id'])
    .execute();

  await db.schema
    .createTable('sign_in_activities')
    .addColumn('id', 'integer', autoId(dialect))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('email', 'varchar(255)', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('client_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('version', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sign_in_activities_account_time_idx')
    .on('sign_in_activities')
    .columns(['account_id', 'time', 'id'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sign_in_activities').execute();
  await db.schema.dropTable('operation_logs').execute();
}
