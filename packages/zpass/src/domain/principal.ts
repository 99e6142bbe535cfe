import type { AccountLimitRows } from '../store/repositories/accounts.js';
import type { Role } from '../store/schema.js';

/** Who a request acts for, resolved from its access token. */
export interface Principal {
  kind: 'account' | 'user';
  accountId: string;
  /** The app's creator for account tokens; the token's user for user tokens. */
  userId: string;
  email: string;
  role: Role;
  scopes: ReadonlySet<string>;
  appId: string | null;
  /** SHA-256 digest of the access token; null for a web session. */
  tokenDigest: string | null;
  /** For a web session (the user themself on the web pages): the session's digest. */
  sessionDigest?: string;
  /**
   * The account's plan and rate-limit overrides, read with the token (so that the
   * rate limiter needs no query of its own); undefined when the account is gone.
   */
  limits?: AccountLimitRows;
}

/** The admin CLI: acts outside any account role, but the owner's protections still hold. */
export const OPERATOR = 'operator' as const;
export type Actor = Principal | typeof OPERATOR;
