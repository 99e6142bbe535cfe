/**
 * Access tokens: a fixed one, or Server-to-Server OAuth tokens that are cached, refreshed
 * before they expire, fetched once however many calls wait, and shared through a store.
 */

/** A cached access token. */
export interface StoredToken {
  accessToken: string;
  /** When it expires, in epoch milliseconds. */
  expiresAt: number;
  /** When it was issued, in epoch milliseconds (bounds the refresh margin for short-lived tokens). */
  issuedAt?: number;
  /** Space-separated scopes, as the token endpoint returned them. */
  scope?: string;
  /** `api_url` of the token response, when the endpoint sent one. */
  apiUrl?: string;
}

/**
 * Where S2S tokens live between calls. The default keeps them in memory; a store backed by
 * Redis, a database or a file lets several processes share one token (Zoom caps how many
 * live tokens an app may hold). Keys name the OAuth endpoint, account and client id, never
 * the secret.
 */
export interface TokenStore {
  get(key: string): StoredToken | undefined | Promise<StoredToken | undefined>;
  set(key: string, token: StoredToken): void | Promise<void>;
}

/** The default store: one process, in memory. */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, StoredToken>();
  get(key: string): StoredToken | undefined {
    return this.tokens.get(key);
  }
  set(key: string, token: StoredToken): void {
    this.tokens.set(key, token);
  }
}

export interface TokenProvider {
  /** A token valid for a while yet. */
  token(signal?: AbortSignal): Promise<string>;
  /** Whether a rejected token can be replaced (S2S: yes; a fixed token: no). */
  readonly canRefresh: boolean;
  /** The server said `rejected` is invalid or expired: get another (once, shared). */
  refreshAfterRejection(rejected: string, signal?: AbortSignal): Promise<string>;
}

/** A token given by the caller (a user-level OAuth token, or one fetched elsewhere). */
export class StaticTokenProvider implements TokenProvider {
  readonly canRefresh = false;
  constructor(private readonly value: string) {}
  async token(): Promise<string> {
    return this.value;
  }
  async refreshAfterRejection(): Promise<string> {
    return this.value;
  }
}

export interface S2STokenProviderOptions {
  store: TokenStore;
  key: string;
  /** Fetches a new token from the OAuth endpoint. */
  fetchToken: () => Promise<StoredToken>;
  /** Refresh this long before expiry (ms). */
  refreshMarginMs: number;
  now: () => number;
  /** Called with every token obtained, so that it can be redacted. */
  onToken?: (token: StoredToken) => void;
}

/** Waits for `p`, but gives up when `signal` aborts (the shared work goes on for the others). */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A token with less than this left is not used while a new one is fetched. */
const STILL_USABLE_MS = 30_000;

export class S2STokenProvider implements TokenProvider {
  readonly canRefresh = true;
  private cached: StoredToken | undefined;
  private inflight: Promise<string> | undefined;
  /** Tokens the server refused: never taken from the store again. */
  private readonly rejected = new Set<string>();

  constructor(private readonly opts: S2STokenProviderOptions) {}

  private fresh(t: StoredToken | undefined): boolean {
    if (t === undefined || this.rejected.has(t.accessToken)) return false;
    // A token that lives less than twice the margin is refreshed at half its life.
    const life = t.issuedAt === undefined ? Number.POSITIVE_INFINITY : t.expiresAt - t.issuedAt;
    const margin = Math.min(this.opts.refreshMarginMs, life / 2);
    return t.expiresAt - margin > this.opts.now();
  }

  token(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.fresh(cached)) return Promise.resolve(cached.accessToken);
    if (
      cached &&
      !this.rejected.has(cached.accessToken) &&
      cached.expiresAt - STILL_USABLE_MS > this.opts.now()
    ) {
      // Inside the refresh margin but still valid: refresh in the background, keep going meanwhile.
      this.load().catch(() => {
        // A failed background refresh is retried by the next call; the token is still valid.
      });
      return Promise.resolve(cached.accessToken);
    }
    return raceSignal(this.load(), signal);
  }

  refreshAfterRejection(rejected: string, signal?: AbortSignal): Promise<string> {
    this.rejected.add(rejected);
    if (this.rejected.size > 100) this.rejected.delete(this.rejected.values().next().value as string);
    if (this.cached?.accessToken === rejected) this.cached = undefined;
    return this.token(signal);
  }

  /** One load in flight: every caller that finds no fresh token waits for the same one. */
  private load(): Promise<string> {
    this.inflight ??= this.loadOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async loadOnce(): Promise<string> {
    const { store, key } = this.opts;
    // Another process may have stored a fresh token already.
    const shared = await store.get(key);
    if (shared && this.fresh(shared)) {
      this.opts.onToken?.(shared);
      this.cached = shared;
      return shared.accessToken;
    }
    const t = await this.opts.fetchToken();
    this.opts.onToken?.(t);
    this.cached = t;
    await store.set(key, t);
    return t.accessToken;
  }
}
