/**
 * The operator's secret key (`ZPASS_SECRET_KEY`), which seals what must be read back and
 * must not be readable from a copy of the database: today the two-factor (TOTP) secrets.
 * Older keys (`ZPASS_SECRET_KEY_PREVIOUS`) still open what they sealed during a rotation;
 * every sealed value names its key by id, so `zpass admin rotate-secret-key` knows what to
 * re-seal. See docs/configuration.md and docs/operations.md ("Rotating the secret key").
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWith, sealWith } from './sealing.js';

/** The key file of an embedded SQLite store without ZPASS_SECRET_KEY, in the data folder. */
export const SECRET_KEY_FILE = 'secret-key';

/** A key's id: the first 8 hex digits of its SHA-256 (names it, says nothing of it). */
export const keyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** A 32-byte key given as 64 hex digits or base64 / base64url; undefined when it is neither. */
export function parseSecretKey(text: string): Buffer | undefined {
  const s = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const b = Buffer.from(s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url');
    if (b.length === 32) return b;
  }
  return undefined;
}

const FORMAT = 'k1';

export class SecretKeyring {
  readonly current: { id: string; key: Buffer };
  private readonly byId = new Map<string, Buffer>();

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.current = { id: keyId(current), key: current };
    for (const k of [current, ...previous]) if (!this.byId.has(keyId(k))) this.byId.set(keyId(k), k);
  }

  /** `k1.<key id>.<sealed>` under the current key; `aad` binds it to its row. */
  seal(plain: string, aad: string): string {
    return `${FORMAT}.${this.current.id}.${sealWith(this.current.key, plain, aad)}`;
  }

  /** The key id a sealed value names (undefined for a value of another shape). */
  static keyOf(sealed: string): string | undefined {
    const [format, id] = sealed.split('.');
    return format === FORMAT && id ? id : undefined;
  }

  /** Whether the value is sealed under the current key. */
  isCurrent(sealed: string): boolean {
    return SecretKeyring.keyOf(sealed) === this.current.id;
  }

  /** The text of a sealed value; throws when its key is not known or it was altered. */
  open(sealed: string, aad: string): string {
    const [format, id, body] = sealed.split('.');
    const key = format === FORMAT && id ? this.byId.get(id) : undefined;
    if (!key || !body) throw new Error(`sealed under an unknown key (${id ?? 'none'})`);
    return openWith(key, body, aad);
  }
}

/** Where the keyring came from: the environment, the store's key file, or nowhere. */
export type KeySource =
  | { kind: 'env'; keyring: SecretKeyring }
  | { kind: 'file'; keyring: SecretKeyring; file: string; created: boolean }
  | { kind: 'none' };

/** The keys as configured: `ZPASS_SECRET_KEY` and the comma-separated `ZPASS_SECRET_KEY_PREVIOUS`. */
export interface SecretKeys {
  current?: Buffer;
  previous: Buffer[];
}

/**
 * The keyring of a store: the configured key; else, for the embedded SQLite store, the key
 * file in its data folder (created once, 0600); else none (PostgreSQL without a key:
 * two-factor sign-in is not available).
 */
export function loadSecretKeyring(
  opts: { dataDir: string; databaseUrl?: string; secretKeys?: SecretKeys },
  { create = true }: { create?: boolean } = {},
): KeySource {
  const keys = opts.secretKeys ?? { previous: [] };
  if (keys.current) return { kind: 'env', keyring: new SecretKeyring(keys.current, keys.previous) };
  if (opts.databaseUrl) return { kind: 'none' };
  const file = join(opts.dataDir, SECRET_KEY_FILE);
  let created = false;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!create) return { kind: 'none' };
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (e) {
      // Another process wrote it first: its key is the store's.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    chmodSync(file, 0o600);
    text = readFileSync(file, 'utf8');
  }
  const key = parseSecretKey(text);
  if (!key) throw new Error(`The key file ${file} does not hold a 32-byte key (base64url or hex).`);
  return { kind: 'file', keyring: new SecretKeyring(key, keys.previous), file, created };
}
