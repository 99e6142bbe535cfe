import type { Kysely, Migration } from 'kysely';

// Immutable once released: later changes go in new, numbered files.

/**
 * The pages keep an account safe (docs/web.md). `web_sessions.last_seen_at`: when the
 * session was last used (written at most once a minute), for the account's
 * `sign_again_period_for_inactivity_on_web`.
 *
 * Self-service password resets: at most one open reset per user. The link's token is
 * minted when the notice is sent and only its SHA-256 digest is kept. The reset is
 * bound to the credential version it was requested against, so a password change by
 * any other way voids it; `window_started_at` and `mails_in_window` cap the mails.
 */
export const accountSafety = (): Migration => ({ up, down });

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('password_resets')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('token_digest', 'varchar(64)', (c) => c.unique())
    .addColumn('credential_version', 'integer', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('window_started_at', 'bigint', (c) => c.notNull())
    .addColumn('mails_in_window', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('web_sessions').addColumn('last_seen_at', 'bigint').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('web_sessions').dropColumn('last_seen_at').execute();
  await db.schema.dropTable('password_resets').execute();
}
