import type { Clock } from '../clock.js';
import type { Hasher } from '../crypto/hasher.js';
import type { SecretKeyring } from '../crypto/secret-keys.js';
import type { Store } from '../store/database.js';
import type { TokenKeyring } from './tokens/jwt.js';
import type { PrincipalCache } from './tokens/principal-cache.js';

/** Tunables of the domain, with Zoom's values as defaults. */
export interface DomainSettings {
  /** Access-token lifetime, seconds (Zoom: 3600). */
  tokenTtlSeconds: number;
  /** Live tokens per app before the oldest is revoked. */
  maxLiveTokensPerApp: number;
  /** Password changes allowed per user in any 24 hours. */
  maxChangesPer24h: number;
  /** How long an invitation of a user created with `action=create` stays usable, seconds. */
  invitationTtlSeconds: number;
}

export const DEFAULT_DOMAIN_SETTINGS: DomainSettings = {
  tokenTtlSeconds: 3600,
  maxLiveTokensPerApp: 10,
  maxChangesPer24h: 5,
  invitationTtlSeconds: 30 * 24 * 60 * 60,
};

/** What every use case needs: passed in, never module-level state. */
export interface DomainContext {
  store: Store;
  hasher: Hasher;
  clock: Clock;
  settings: DomainSettings;
  /** The access-token signing keys as this process knows them (one per process, shared by its requests). */
  tokenKeys: TokenKeyring;
  /**
   * The operator's secret key(s), which seal two-factor secrets; undefined when none is
   * configured on a shared (PostgreSQL) store: two-factor sign-in is then not available.
   */
  secrets?: SecretKeyring;
  /** Access tokens this server verified (`ZPASS_TOKEN_CACHE_SIZE`); none: every request is verified anew. */
  principals?: PrincipalCache;
  /** Told what use cases decided, for metrics (never a user, e-mail or secret). */
  observer?: DomainObserver;
}

export interface DomainObserver {
  /** A password change: `accepted`, or the Zoom error code it was refused with. */
  passwordChange?(outcome: 'accepted' | number): void;
}
