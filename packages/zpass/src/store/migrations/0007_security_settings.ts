import { type Kysely, type Migration, sql } from 'kysely';

// Immutable once released: later changes go in new, numbered files.

/**
 * The rest of Zoom's account `security` settings (two-factor sign-in, sign-in again after
 * inactivity, SSO, what admins may change...): one JSON object per account beside
 * `password_requirement`, `{}` until the account sets one.
 */
export const securitySettings = (): Migration => ({ up, down });

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('account_settings')
    .addColumn('security', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('account_settings').dropColumn('security').execute();
}
