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
  tokenDigest: string;
}
