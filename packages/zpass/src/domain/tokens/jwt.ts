import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/database.js';
import { serverKeys } from '../../store/repositories/server-keys.js';

/**
 * Access tokens are JWTs, as Zoom's are (`eyJ...`): HS256 over Zoom's claim names, signed
 * with a key the store keeps (table `server_keys`, names `access_token_key:<kid>`), so that
 * every server sharing the store, and a restarted one, verifies what the others signed.
 * The signature is checked from memory before the store is asked anything: a malformed,
 * forged, tampered or expired token costs no query. A well-signed token is still looked up
 * by its digest, so that revocation holds on the next request. Decisions and sources:
 * docs/compatibility.md ("Access tokens").
 */

/** The claims zpass puts in an access token (names as in Zoom's Server-to-Server tokens). */
export interface AccessClaims {
  /** Audience: the API that accepts the token. */
  aud: string;
  /** Issuer: `zm:cid:<client_id>` for an app's token (Zoom's form); absent for the admin CLI's user tokens. */
  iss?: string;
  /** The user the token acts for. */
  uid: string;
  /** The account. */
  aid: string;
  /** Issued at, not before, expires at: seconds since the epoch. */
  iat: number;
  nbf: number;
  exp: number;
  /** A unique id of the token. */
  jti: string;
}

export const TOKEN_AUDIENCE = 'zpass';

const KEY_PREFIX = 'access_token_key:';
const KID = /^[A-Za-z0-9_-]{1,64}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
/** Longer than any token zpass issues, far shorter than a header could carry. */
const MAX_TOKEN = 2048;
/** How often, at most, an unknown key id makes this server re-read the keys (a rotation by another process). */
const UNKNOWN_KID_REFRESH_MS = 10_000;
/**
 * A rotated-in key signs only this long after it is stored: longer than the refresh
 * interval, so that every server has read it (or will on meeting it) before a token
 * it signed can reach them.
 */
export const KEY_ACTIVATION_MS = 15_000;

/** A token whose `nbf` is at most this far ahead is accepted (clocks of servers differ a little). */
export const NBF_LEEWAY_MS = 60_000;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

/**
 * The signing keys as this process knows them. Issuing a token reads them from the store
 * and signs with the newest active key (`created_at`, its activation time, passed);
 * verifying reads them from memory, and re-reads the store for an unknown key id at most
 * every 10 seconds. A new key becomes active 15 seconds after a rotation stores it, so a
 * server meets a token of a key it does not know only when its last read is older than
 * that: the re-read is then allowed, and finds it. A forged `kid` costs at most one query
 * per 10 seconds, whatever the number of tokens.
 */
export class TokenKeyring {
  #keys = new Map<string, Buffer>();
  #current: { kid: string; key: Buffer } | undefined;
  #lastLoad = Number.NEGATIVE_INFINITY;

  /** Reads every key from the store, creating the first one if there is none. */
  async load(db: Db, now: number): Promise<{ kid: string; key: Buffer }> {
    let rows = await serverKeys.withPrefix(db, KEY_PREFIX);
    if (rows.length === 0) {
      await serverKeys.insertIfAbsent(db, newKeyRow(now));
      rows = await serverKeys.withPrefix(db, KEY_PREFIX);
    }
    const keys = new Map<string, Buffer>();
    let newest: (typeof rows)[number] | undefined;
    let oldest: (typeof rows)[number] | undefined;
    for (const row of rows) {
      keys.set(row.name.slice(KEY_PREFIX.length), Buffer.from(row.secret, 'base64url'));
      if (!oldest || row.created_at < oldest.created_at) oldest = row;
      if (row.created_at > now) continue;
      if (
        !newest ||
        row.created_at > newest.created_at ||
        (row.created_at === newest.created_at && row.name > newest.name)
      )
        newest = row;
    }
    // Only keys not yet active (a clock far behind): the oldest one signs.
    newest ??= oldest;
    if (!newest) throw new Error('the access-token key could not be stored');
    this.#keys = keys;
    this.#lastLoad = now;
    const kid = newest.name.slice(KEY_PREFIX.length);
    this.#current = { kid, key: keys.get(kid)! };
    return this.#current;
  }

  /** The key of `kid`, from memory; an unknown one re-reads the store, at most every 10 seconds. */
  async keyFor(db: Db, kid: string, now: number): Promise<Buffer | undefined> {
    const known = this.#keys.get(kid);
    if (known || now - this.#lastLoad < UNKNOWN_KID_REFRESH_MS) return known;
    await this.load(db, now);
    return this.#keys.get(kid);
  }
}

function newKeyRow(now: number) {
  const kid = randomBytes(9).toString('base64url');
  return { name: `${KEY_PREFIX}${kid}`, secret: randomBytes(32).toString('base64url'), created_at: now };
}

/**
 * `zpass admin rotate-token-key`: a new signing key, which signs every token issued from
 * 15 seconds on (KEY_ACTIVATION_MS). The old keys stay, so tokens they signed verify until
 * they expire. Returns the new key id.
 */
export async function rotateTokenKey(db: Db, now: number): Promise<string> {
  const rows = await serverKeys.withPrefix(db, KEY_PREFIX);
  const activation = Math.max(now + KEY_ACTIVATION_MS, ...rows.map((r) => r.created_at + 1));
  const row = newKeyRow(activation);
  await serverKeys.insertIfAbsent(db, row);
  return row.name.slice(KEY_PREFIX.length);
}

function sign(key: Buffer, input: string): Buffer {
  return createHmac('sha256', key).update(input).digest();
}

/** A signed JWT carrying `claims`, under the store's newest key. */
export async function signAccessToken(
  keyring: TokenKeyring,
  db: Db,
  claims: Omit<AccessClaims, 'aud' | 'jti' | 'nbf'>,
  now: number,
): Promise<string> {
  const { kid, key } = await keyring.load(db, now);
  const header = b64({ alg: 'HS256', typ: 'JWT', kid });
  const payload = b64({
    aud: TOKEN_AUDIENCE,
    ...(claims.iss === undefined ? {} : { iss: claims.iss }),
    uid: claims.uid,
    nbf: claims.iat,
    exp: claims.exp,
    iat: claims.iat,
    aid: claims.aid,
    jti: randomBytes(16).toString('base64url'),
  });
  const input = `${header}.${payload}`;
  return `${input}.${sign(key, input).toString('base64url')}`;
}

export type TokenCheck = { ok: true; claims: AccessClaims } | { ok: false; expired: boolean };

const refused: TokenCheck = { ok: false, expired: false };

function parsePart(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks a bearer token without the store (except to learn of a key rotated in by another
 * process): its form, `alg` HS256 (`none` and every other is refused), the signature under
 * the key named by `kid`, the claims' types, `nbf` and `exp`. Expired is told apart only for
 * a token whose signature holds.
 */
export async function verifyAccessToken(
  keyring: TokenKeyring,
  db: Db,
  token: string,
  now: number,
): Promise<TokenCheck> {
  if (token.length > MAX_TOKEN) return refused;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return refused;
  const [h, p, s] = parts as [string, string, string];
  const header = parsePart(h);
  if (header?.alg !== 'HS256' || header.typ !== 'JWT' || typeof header.kid !== 'string') return refused;
  if (!KID.test(header.kid)) return refused;
  const key = await keyring.keyFor(db, header.kid, now);
  if (!key) return refused;
  const given = Buffer.from(s, 'base64url');
  const expected = sign(key, `${h}.${p}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refused;
  const c = parsePart(p);
  if (
    !c ||
    c.aud !== TOKEN_AUDIENCE ||
    typeof c.uid !== 'string' ||
    typeof c.aid !== 'string' ||
    typeof c.jti !== 'string' ||
    (c.iss !== undefined && typeof c.iss !== 'string') ||
    !isSeconds(c.iat) ||
    !isSeconds(c.nbf) ||
    !isSeconds(c.exp)
  )
    return refused;
  if (c.nbf * 1000 > now + NBF_LEEWAY_MS) return refused;
  if (c.exp * 1000 <= now) return { ok: false, expired: true };
  return { ok: true, claims: c as unknown as AccessClaims };
}
