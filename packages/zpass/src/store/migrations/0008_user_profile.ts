import { type Kysely, type Migration, sql } from 'kysely';

// Immutable once released: later changes go in new, numbered files.

/**
 * Zoom's user object beyond names: the profile fields `PATCH /v2/users/{userId}`
 * accepts (one JSON object, validated by the domain), when the user's e-mail was
 * proven (an accepted invitation or a sign-in), and which `POST /v2/users` action
 * created the user (Zoom's daily cap counts `create`). Invitations may also invite
 * another account's user to join.
 */
export const userProfile = (): Migration => ({ up, down });

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('profile', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('created_via', 'varchar(16)').execute();
  // An invitation to join another account (`POST /v2/users` create for another account's
  // user): the user type they join with; null for a pending user's own invitation.
  await db.schema.alterTable('invitations').addColumn('join_type', 'integer').execute();
  // A user who has signed in has proven their address.
  await sql`update users set email_verified_at = last_login_at where last_login_at is not null`.execute(db);
  // When each user's sign-in address changed: Zoom allows 3 changes in 24 hours.
  await db.schema
    .createTable('email_changes')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('email_changes_user_idx')
    .on('email_changes')
    .columns(['user_id', 'changed_at'])
    .execute();
  await db.schema
    .createIndex('users_created_via_idx')
    .on('users')
    .columns(['account_id', 'created_via', 'created_at'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_changes').execute();
  await db.schema.dropIndex('users_created_via_idx').execute();
  await db.schema.alterTable('invitations').dropColumn('join_type').execute();
  await db.schema.alterTable('users').dropColumn('created_via').execute();
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
  await db.schema.alterTable('users').dropColumn('profile').execute();
}
