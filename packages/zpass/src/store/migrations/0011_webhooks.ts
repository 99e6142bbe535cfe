import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

// Immutable once released: later changes go in new, numbered files.

/**
 * Webhooks: an app's secret token (encrypted, see domain/webhooks/secrets.ts), the
 * endpoints it subscribes to events, and the outbox of deliveries, one row per event and
 * endpoint, written in the transaction of the change the event reports.
 */
export const webhooks = (dialect: Dialect): Migration => ({ up: (db) => up(db, dialect), down });

function autoId(dialect: Dialect) {
  return (c: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();
}

async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('webhook_secrets')
    .addColumn('app_id', 'varchar(64)', (c) => c.primaryKey().references('apps.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    /** AES-256-GCM of the secret token: base64url(iv | ciphertext | tag), the app id as associated data. */
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('rotated_at', 'bigint')
    .execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('app_id', 'varchar(64)', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    /** Space-separated event names. */
    .addColumn('events', 'text', (c) => c.notNull())
    /** active: receives events; unvalidated: its URL validation failed (last_error says why). */
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('validated_at', 'bigint')
    .addUniqueConstraint('webhook_subscriptions_app_url', ['app_id', 'url'])
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_account_idx')
    .on('webhook_subscriptions')
    .columns(['account_id', 'status'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'integer', autoId(dialect))
    /** The event's id: the same for every attempt and every endpoint (header x-zpass-event-id). */
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subscription_id', 'varchar(64)', (c) =>
      c.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('event', 'varchar(64)', (c) => c.notNull())
    /** The body as sent, compact JSON; never a password, hash or token. */
    .addColumn('body', 'text', (c) => c.notNull())
    /** Deliveries with the same key go out in id order: the endpoint and the user (or account). */
    .addColumn('ordering_key', 'varchar(160)', (c) => c.notNull())
    /** pending, delivered or failed. */
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_order_idx')
    .on('webhook_deliveries')
    .columns(['ordering_key', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_subscription_idx')
    .on('webhook_deliveries')
    .column('subscription_id')
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
  await db.schema.dropTable('webhook_secrets').execute();
}
