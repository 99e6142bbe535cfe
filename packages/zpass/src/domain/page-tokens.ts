import { openWith, sealWith } from '../crypto/sealing.js';
import type { Db } from '../store/database.js';
import { serverKeys } from '../store/repositories/server-keys.js';
import type { UserKey } from '../store/repositories/users.js';
import type { Role, UserStatus } from '../store/schema.js';
import { Errors } from './errors.js';

/** How long a `next_page_token` stays usable. */
export const PAGE_TOKEN_TTL_MS = 15 * 60 * 1000;

const KEY_NAME = 'page_token_v1';
/** IV and tag of AES-256-GCM: a shorter token cannot be one. */
const MIN_BYTES = 12 + 16 + 2;

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
  return serverKeys.ensure(db, KEY_NAME, now);
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
  return sealWith(await pageKey(db, now), JSON.stringify(values));
}

/** The array a `seal`ed token carries, or 300 for a token that is forged or altered. */
export async function unseal(db: Db, token: string, now: number): Promise<unknown[]> {
  if (token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) throw Errors.invalidPageToken();
  if (Buffer.from(token, 'base64url').length < MIN_BYTES) throw Errors.invalidPageToken();
  const key = await pageKey(db, now);
  let parsed: unknown;
  try {
    parsed = JSON.parse(openWith(key, token));
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
