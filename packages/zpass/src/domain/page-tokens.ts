import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from '../store/database.js';
import { serverKeys } from '../store/repositories/server-keys.js';
import type { UserKey } from '../store/repositories/users.js';
import type { Role, UserStatus } from '../store/schema.js';
import { Errors } from './errors.js';

/** How long a `next_page_token` stays usable. */
export const PAGE_TOKEN_TTL_MS = 15 * 60 * 1000;

const KEY_NAME = 'page_token_v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a page token carries: where the walk stands, for whom, until when. */
export interface PageCursor {
  accountId: string;
  status: UserStatus;
  /** The `role_id` filter of the walk, if any. */
  role?: Role;
  after: UserKey;
  expiresAt: number;
}

/**
 * The key that seals page tokens: 32 random bytes kept in the store, created by
 * the first server that needs it, so that every server sharing the store, and a
 * restarted one, reads the tokens the others wrote.
 */
async function pageKey(db: Db, now: number): Promise<Buffer> {
  let row = await serverKeys.get(db, KEY_NAME);
  if (!row) {
    await serverKeys.insertIfAbsent(db, {
      name: KEY_NAME,
      secret: randomBytes(32).toString('base64url'),
      created_at: now,
    });
    row = await serverKeys.get(db, KEY_NAME);
  }
  if (!row) throw new Error('the page-token key could not be stored');
  return Buffer.from(row.secret, 'base64url');
}

/**
 * Seals the cursor with AES-256-GCM: the token is opaque (clients cannot read the
 * position) and tamper-proof (any change fails authentication).
 */
export async function sealCursor(db: Db, cursor: PageCursor, now: number): Promise<string> {
  return seal(
    db,
    [
      cursor.accountId,
      cursor.status,
      cursor.after.created_at,
      cursor.after.id,
      cursor.expiresAt,
      cursor.role ?? null,
    ],
    now,
  );
}

/** Any JSON array, sealed with the page-token key (AES-256-GCM): opaque and tamper-proof. */
export async function seal(db: Db, values: unknown[], now: number): Promise<string> {
  const key = await pageKey(db, now);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The array a `seal`ed token carries, or 300 for a token that is forged or altered. */
export async function unseal(db: Db, token: string, now: number): Promise<unknown[]> {
  if (token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) throw Errors.invalidPageToken();
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES + 2) throw Errors.invalidPageToken();
  const key = await pageKey(db, now);
  let parsed: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]);
    parsed = JSON.parse(plain.toString('utf8'));
  } catch {
    throw Errors.invalidPageToken();
  }
  if (!Array.isArray(parsed)) throw Errors.invalidPageToken();
  return parsed;
}

/** The cursor a token carries, or 300 for a token that is forged, altered, expired or another account's. */
export async function openCursor(db: Db, token: string, accountId: string, now: number): Promise<PageCursor> {
  const parsed = await unseal(db, token, now);
  // Five elements: a token sealed before the role filter existed.
  if (parsed.length !== 5 && parsed.length !== 6) throw Errors.invalidPageToken();
  const [acct, status, createdAt, id, expiresAt, role = null] = parsed as unknown[];
  if (
    acct !== accountId ||
    (role !== null && role !== 'owner' && role !== 'admin' && role !== 'member') ||
    (status !== 'active' && status !== 'inactive' && status !== 'pending') ||
    typeof createdAt !== 'number' ||
    typeof id !== 'string' ||
    typeof expiresAt !== 'number'
  ) {
    throw Errors.invalidPageToken();
  }
  if (expiresAt <= now) throw Errors.expiredPageToken();
  const cursor: PageCursor = { accountId: acct, status, after: { created_at: createdAt, id }, expiresAt };
  if (role !== null) cursor.role = role as Role;
  return cursor;
}
