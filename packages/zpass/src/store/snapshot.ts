import type { Store } from './database.js';

/**
 * The tables in an order where each comes after the tables it refers to: rows are inserted
 * in this order and deleted in the reverse one. Tables not listed here (added by a later
 * migration) are found by introspection and come last.
 */
const ORDER = [
  'accounts',
  'users',
  'credentials',
  'password_changes',
  'apps',
  'access_tokens',
  'outbox',
  'account_settings',
  'account_settings_changes',
  'password_history',
  'invitations',
  'server_keys',
  'rate_limit_overrides',
  'web_sessions',
  'email_changes',
  'operation_logs',
  'sign_in_activities',
  'password_resets',
  'webhook_secrets',
  'webhook_subscriptions',
  'webhook_deliveries',
];

/**
 * Not data: `auth_changes` (SQLite) counts changes and must only ever grow, so that a
 * token kept in memory is never taken for current after a reset (store/auth-changes.ts).
 */
const NOT_DATA = ['auth_changes'];

/** Every row of every table, kept in memory: the state `restoreSnapshot` goes back to. */
export interface Snapshot {
  tables: Array<{ name: string; rows: Record<string, unknown>[] }>;
}

async function tableNames(store: Store): Promise<string[]> {
  const found = (await store.db.introspection.getTables({ withInternalKyselyTables: false }))
    .map((t) => t.name)
    .filter((name) => !NOT_DATA.includes(name));
  return [...ORDER.filter((t) => found.includes(t)), ...found.filter((t) => !ORDER.includes(t)).sort()];
}

/** Reads every row of every table (a seeded test store: small). */
export async function takeSnapshot(store: Store): Promise<Snapshot> {
  const tables: Snapshot['tables'] = [];
  const names = await tableNames(store);
  await store.transaction(async (tx) => {
    for (const name of names) {
      // biome-ignore lint/suspicious/noExplicitAny: every table, whatever its columns
      const rows = (await (tx as any).selectFrom(name).selectAll().execute()) as Record<string, unknown>[];
      tables.push({ name, rows });
    }
  });
  return { tables };
}

/** Rows a single INSERT carries (SQLite allows at most 32 766 bound values). */
const BATCH = 200;

/** Replaces every row of every table with the snapshot's, in one transaction. */
export async function restoreSnapshot(store: Store, snap: Snapshot): Promise<void> {
  await store.transaction(async (tx) => {
    // biome-ignore lint/suspicious/noExplicitAny: every table, whatever its columns
    const q = tx as any;
    await store.rules.emptyTables(
      q,
      snap.tables.map((t) => t.name),
    );
    for (const t of snap.tables) {
      for (let i = 0; i < t.rows.length; i += BATCH) {
        const rows = t.rows.slice(i, i + BATCH).map(forInsert);
        await q.insertInto(t.name).values(rows).execute();
      }
    }
  });
}

/** A value read back from PostgreSQL as an object or array (json columns) is written as JSON. */
function forInsert(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    out[k] =
      v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)
        ? JSON.stringify(v)
        : v;
  return out;
}
