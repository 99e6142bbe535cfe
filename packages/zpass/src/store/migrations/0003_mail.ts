import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

// Immutable once released: later changes go in new, numbered files.
// The mail relay's bookkeeping on the outbox: the Message-ID a notice keeps
// across every attempt (so that a retry after an unclear outcome can be
// recognised as the same message), and when it was last tried.

export const mail = (_dialect: Dialect): Migration => ({ up, down });

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('message_id', 'varchar(255)').execute();
  await db.schema.alterTable('outbox').addColumn('last_attempt_at', 'bigint').execute();
  await db.schema.createIndex('outbox_status_id_idx').on('outbox').columns(['status', 'id']).execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_status_id_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('last_attempt_at').execute();
  await db.schema.alterTable('outbox').dropColumn('message_id').execute();
}
