import type { Principal } from '../principal.js';

/** Tokens kept by default (`ZPASS_TOKEN_CACHE_SIZE`): about 1 KB each. */
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;

interface Entry {
  principal: Principal;
  /** Served from here only in [notBefore, expiresAt): the JWT's `nbf` leeway and the token's own end. */
  notBefore: number;
  expiresAt: number;
  /** The store's `authChanges.version()` read before the verdict's own reads. */
  version: number;
}

/**
 * Access tokens verified on this server, with the principal each resolved to, so that a
 * token seen again needs neither its signature checked nor its rows read. An entry is
 * served only while the store's change version (`store/auth-changes.ts`) is the one read
 * before its rows were: any revocation, deactivation, deletion, role, e-mail, plan or
 * override change, or key change, in any process, makes every entry stale at once (each
 * is then verified again and kept under the new version). Also never past the token's own
 * expiry. Bounded: the least recently used entry goes when `size` are kept. Keyed by the
 * token itself, so that a hit costs no hashing; nothing here is ever logged.
 */
export class PrincipalCache {
  readonly #entries = new Map<string, Entry>();
  /** Requests answered from here since start. */
  hits = 0;

  constructor(readonly size: number) {}

  /**
   * The principal `token` resolved to, if it is still current at `now`; `version` is read
   * only for a token that is kept (a token never seen costs no query).
   */
  get(token: string, now: number, version: () => number | undefined): Principal | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.expiresAt || now < entry.notBefore || version() !== entry.version) {
      this.#entries.delete(token);
      return undefined;
    }
    // Most recently used last: the first in the map is the one to drop.
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    this.hits++;
    return entry.principal;
  }

  set(token: string, entry: Entry): void {
    this.#entries.delete(token);
    if (this.#entries.size >= this.size) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { ...entry, principal: Object.freeze(entry.principal) });
  }

  get count(): number {
    return this.#entries.size;
  }
}
