import { digest, digestsEqual } from '../../crypto/random.js';
import { apps } from '../../store/repositories/apps.js';
import { tokens } from '../../store/repositories/tokens.js';
import { users } from '../../store/repositories/users.js';
import type { DomainContext } from '../context.js';
import { Errors, OAuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import { NBF_LEEWAY_MS, signAccessToken, verifyAccessToken } from './jwt.js';
import { isAdminScope, parseScopes, scopesForRole } from './scopes.js';

export interface TokenRequest {
  grantType: string | undefined;
  accountId: string | undefined;
  /** From the Basic authorization header; undefined when absent or unreadable. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Called once the client is known and allowed, before a token is made: may refuse (the issuance rate limit). */
  admit?: (appId: string) => Promise<void>;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
}

/**
 * A JWT's `iat` and `exp` in whole seconds: `exp` rounded up, so that the claim never ends a
 * token before its stored expiry, which is kept to the millisecond and decides.
 */
function jwtTimes(now: number, expiresAt: number): { iat: number; exp: number } {
  return { iat: Math.floor(now / 1000), exp: Math.ceil(expiresAt / 1000) };
}

const invalidClient = () => new OAuthError(400, 'invalid_client', 'Invalid client_id or client_secret');

/** Server-to-Server OAuth: `grant_type=account_credentials`. */
export async function issueAccountToken(ctx: DomainContext, req: TokenRequest): Promise<IssuedToken> {
  if (!req.grantType) throw new OAuthError(400, 'invalid_request', 'Missing grant type');
  if (req.grantType !== 'account_credentials')
    throw new OAuthError(400, 'unsupported_grant_type', 'unsupported grant type');
  // No client id holds a control character (and PostgreSQL refuses NUL in text).
  if (!req.clientId || !req.clientSecret || /\p{Cc}/u.test(req.clientId)) throw invalidClient();
  const db = ctx.store.db;
  const app = await apps.byClientId(db, req.clientId);
  if (app?.kind !== 's2s' || !digestsEqual(app.client_secret_digest, digest(req.clientSecret))) {
    throw invalidClient();
  }
  if (!req.accountId) throw new OAuthError(400, 'invalid_request', 'Missing account_id');
  if (req.accountId !== app.account_id) {
    throw new OAuthError(400, 'invalid_request', 'Invalid account_id for this client');
  }
  const creator = await users.byId(db, app.creator_user_id);
  if (!creator || creator.account_id !== app.account_id || creator.status !== 'active') {
    throw new OAuthError(400, 'invalid_request', "The app's creator is not an active user of the account");
  }
  await req.admit?.(app.id);
  const scopes = scopesForRole(parseScopes(app.scopes), creator.role);
  const now = ctx.clock.now();
  const ttl = ctx.settings.tokenTtlSeconds;
  const expiresAt = now + ttl * 1000;
  const token = await signAccessToken(
    ctx.tokenKeys,
    ctx.store.db,
    { iss: `zm:cid:${app.client_id}`, uid: creator.id, aid: app.account_id, ...jwtTimes(now, expiresAt) },
    now,
  );
  await ctx.store.transaction(async (tx) => {
    // Serialises token issuance per app, so that the cap below holds across servers.
    await ctx.store.lockApp(tx, app.id);
    // A deactivation that committed since the creator was read revoked every token it could see:
    // decide on the locked row, so that no token issued now outlives it.
    const locked = await ctx.store.lockedUser(tx, creator.id);
    if (locked?.account_id !== app.account_id || locked.status !== 'active') {
      throw new OAuthError(400, 'invalid_request', "The app's creator is not an active user of the account");
    }
    // issued_at orders the app's tokens for the cap: keep it strictly increasing, so that
    // tokens issued within one millisecond still revoke oldest first (not by digest).
    const newest = (await tokens.liveForApp(tx, app.id, now)).at(-1)?.issued_at;
    await tokens.insert(tx, {
      digest: digest(token),
      kind: 'account',
      account_id: app.account_id,
      user_id: creator.id,
      app_id: app.id,
      scopes: scopes.join(' '),
      issued_at: newest !== undefined && newest >= now ? newest + 1 : now,
      expires_at: expiresAt,
      revoked_at: null,
    });
    // Cap live tokens per app: the oldest beyond the cap stop working.
    const live = await tokens.liveForApp(tx, app.id, now);
    const excess = live.length - ctx.settings.maxLiveTokensPerApp;
    if (excess > 0)
      await tokens.revoke(
        tx,
        live.slice(0, excess).map((t) => t.digest),
        now,
      );
  });
  return { access_token: token, token_type: 'bearer', expires_in: ttl, scope: scopes.join(' ') };
}

/** A user-level token for one user (what a user-level OAuth app would hold); issued by the admin CLI. */
export async function issueUserToken(
  ctx: DomainContext,
  email: string,
  requested: string[],
  ttlSeconds: number,
): Promise<IssuedToken & { user_id: string; account_id: string }> {
  const admin = requested.filter(isAdminScope);
  if (admin.length > 0) {
    throw new Error(`User-level tokens cannot hold :admin scopes (${admin.join(', ')}).`);
  }
  if (requested.length === 0) throw new Error('Name at least one scope.');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
    throw new Error('--ttl must be a positive whole number of seconds.');
  const user = await users.byEmail(ctx.store.db, email);
  if (!user) throw new Error(`No user with e-mail ${email}.`);
  const now = ctx.clock.now();
  const expiresAt = now + ttlSeconds * 1000;
  const token = await signAccessToken(
    ctx.tokenKeys,
    ctx.store.db,
    { uid: user.id, aid: user.account_id, ...jwtTimes(now, expiresAt) },
    now,
  );
  await tokens.insert(ctx.store.db, {
    digest: digest(token),
    kind: 'user',
    account_id: user.account_id,
    user_id: user.id,
    app_id: null,
    scopes: requested.join(' '),
    issued_at: now,
    expires_at: expiresAt,
    revoked_at: null,
  });
  return {
    access_token: token,
    token_type: 'bearer',
    expires_in: ttlSeconds,
    scope: requested.join(' '),
    user_id: user.id,
    account_id: user.account_id,
  };
}

/**
 * Bearer token to principal, or Zoom's 401. A token this server verified is served from
 * its cache (`ctx.principals`) while nothing that decides its verdict has changed since,
 * in any process (`PrincipalCache`). Otherwise the JWT is checked first, from memory: a
 * malformed, forged or expired one is refused without a query. Then one query (token,
 * user and account's limits) by the token's digest, which revocation acts on.
 */
export async function authenticate(ctx: DomainContext, token: string): Promise<Principal> {
  const now = ctx.clock.now();
  const cache = ctx.principals;
  const changes = ctx.store.authChanges;
  if (cache) {
    const known = cache.get(token, now, () => changes.version());
    if (known) return known;
  }
  const check = await verifyAccessToken(ctx.tokenKeys, ctx.store.db, token, now);
  if (!check.ok) throw check.expired ? Errors.expiredToken() : Errors.invalidToken();
  // Before the rows are read: a change committed from here on makes the entry stale.
  const version = cache ? changes.version() : undefined;
  const d = digest(token);
  const row = await tokens.withHolder(ctx.store.db, d);
  if (!row || row.revoked_at !== null || row.account_id !== check.claims.aid) throw Errors.invalidToken();
  if (row.expires_at <= now) throw Errors.expiredToken();
  if (
    row.user_account_id !== row.account_id ||
    row.user_status === null ||
    row.user_status === 'inactive' ||
    row.user_role === null ||
    row.user_email === null
  )
    throw Errors.invalidToken();
  const scopes =
    row.kind === 'account' ? scopesForRole(parseScopes(row.scopes), row.user_role) : parseScopes(row.scopes);
  const principal: Principal = {
    kind: row.kind,
    accountId: row.account_id,
    userId: row.user_id,
    email: row.user_email,
    role: row.user_role,
    scopes: new Set(scopes),
    appId: row.app_id,
    tokenDigest: d,
    limits: row.limits,
  };
  if (cache && version !== undefined)
    cache.set(token, {
      principal,
      // verifyAccessToken's own bounds: `nbf` with its leeway, `exp`; and the stored expiry.
      notBefore: check.claims.nbf * 1000 - NBF_LEEWAY_MS,
      expiresAt: Math.min(row.expires_at, check.claims.exp * 1000),
      version,
    });
  return principal;
}
