import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

// Immutable once released: later changes go in new, numbered files.

/**
 * What decides whether an access token authenticates a request lives in these tables
 * (a token's revocation and expiry, its user's status, role, e-mail and account, the
 * account's plan and rate-limit overrides, the signing keys). The database itself tells
 * when any of it changes, whoever writes (a server, the admin CLI in another process, an
 * operator's SQL), so that servers may keep verified tokens in memory (`store/auth-changes.ts`):
 *
 * - SQLite: every such change adds one to `auth_changes.counter` (one row), in the writer's
 *   transaction; a server reads the counter before serving a token from memory.
 * - PostgreSQL: every such row change (and a TRUNCATE) sends `NOTIFY zpass_auth`, delivered
 *   with its commit to every server listening.
 */
export const authChanges = (dialect: Dialect): Migration => ({
  up: (db) => (dialect === 'sqlite' ? upSqlite(db) : upPostgres(db)),
  down: (db) => (dialect === 'sqlite' ? downSqlite(db) : downPostgres(db)),
});

/** Table → the events that change a verdict (`update of` lists the columns that matter). */
const WATCHED: Array<[table: string, events: string[]]> = [
  ['access_tokens', ['update', 'delete']],
  ['users', ['update of account_id, email, role, status', 'delete']],
  ['accounts', ['update of plan', 'delete']],
  ['rate_limit_overrides', ['insert', 'update', 'delete']],
  ['server_keys', ['insert', 'update', 'delete']],
];

const triggerName = (table: string, event: string) => `auth_changes_${table}_${event.split(' ')[0]}`;

async function upSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`create table auth_changes (id integer primary key check (id = 1), counter integer not null)`.execute(
    db,
  );
  await sql`insert into auth_changes (id, counter) values (1, 0)`.execute(db);
  for (const [table, events] of WATCHED)
    for (const event of events)
      await sql
        .raw(
          `create trigger ${triggerName(table, event)} after ${event} on ${table} ` +
            'begin update auth_changes set counter = counter + 1 where id = 1; end',
        )
        .execute(db);
}

async function downSqlite(db: Kysely<unknown>): Promise<void> {
  for (const [table, events] of WATCHED)
    for (const event of events) await sql.raw(`drop trigger ${triggerName(table, event)}`).execute(db);
  await sql`drop table auth_changes`.execute(db);
}

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      'create function zpass_auth_changed() returns trigger language plpgsql as ' +
        "$$ begin perform pg_notify('zpass_auth', ''); return null; end $$",
    )
    .execute(db);
  for (const [table, events] of WATCHED) {
    // For each row: a statement that changes nothing (a revocation of no token) tells nobody;
    // the notices of one transaction are folded into one by PostgreSQL.
    for (const event of events)
      await sql
        .raw(
          `create trigger ${triggerName(table, event)} after ${event} on ${table} ` +
            'for each row execute function zpass_auth_changed()',
        )
        .execute(db);
    // TRUNCATE (the test controls' reset) has no rows: a statement-level trigger sees it.
    await sql
      .raw(
        `create trigger ${triggerName(table, 'truncate')} after truncate on ${table} ` +
          'for each statement execute function zpass_auth_changed()',
      )
      .execute(db);
  }
}

async function downPostgres(db: Kysely<unknown>): Promise<void> {
  for (const [table, events] of WATCHED)
    for (const event of [...events, 'truncate'])
      await sql.raw(`drop trigger ${triggerName(table, event)} on ${table}`).execute(db);
  await sql`drop function zpass_auth_changed()`.execute(db);
}
