import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The PostgreSQL pass: `scripts/test.mjs` sets ZPASS_TEST_STORE=postgres and runs
 * every test file again; each test server then gets a database of its own, created
 * here and dropped when the server is stopped for good.
 */
export const ADMIN_URL = process.env.ZPASS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export function onPostgres(): boolean {
  return process.env.ZPASS_TEST_STORE === 'postgres';
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database; its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `zpass_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^zpass_t_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await admin((c) => c.query(`drop database if exists ${name} with (force)`));
}

/**
 * On the PostgreSQL pass, the database that belongs to a data folder (created on
 * first use and remembered in the folder, so a restarted server finds it again).
 */
export async function databaseFor(dataDir: string): Promise<string | undefined> {
  if (!onPostgres()) return undefined;
  const marker = join(dataDir, 'test-database-url');
  if (existsSync(marker)) return readFileSync(marker, 'utf8');
  const url = await createTestDatabase();
  writeFileSync(marker, url);
  return url;
}

/** Runs SQL on a test database as the admin (e.g. to kill its connections). */
export async function onDatabase<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
