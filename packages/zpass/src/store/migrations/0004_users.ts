import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

// Immutable once released. The Users API: how each user signs in, invitations to
// set a first password, keys the servers share (page tokens), and an index for
// keyset paging of an account's users.

export const usersApi = (_dialect: Dialect): Migration => ({ up, down });

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('sign_in', 'varchar(16)', (c) => c.notNull().defaultTo('password'))
    .execute();
  await db.schema
    .createIndex('users_account_page_idx')
    .on('users')
    .columns(['account_id', 'status', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('token_digest', 'varchar(64)', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('link_issued_at', 'bigint')
    .execute();

  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('secret', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('server_keys').execute();
  await db.schema.dropTable('invitations').execute();
  await db.schema.dropIndex('users_account_page_idx').execute();
  await db.schema.alterTable('users').dropColumn('sign_in').execute();
}
