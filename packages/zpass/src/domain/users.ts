import { normalizeEmail, type User, users } from '../store/repositories.js';
import type { Role } from '../store/schema.js';
import type { DomainContext } from './context.js';
import { Errors } from './errors.js';
import type { Principal } from './principal.js';
import type { EndpointScopes } from './scopes.js';

/** Zoom answers HTTP 400 code 4711 when the token holds none of the endpoint's scopes. */
export function requireScopes(principal: Principal, endpoint: EndpointScopes): void {
  const accepted = principal.kind === 'account' ? endpoint.account : endpoint.user;
  if (!accepted.some((s) => principal.scopes.has(s))) throw Errors.missingScopes(accepted);
}

/** Whether `userId` names the principal itself: `me`, its id or its e-mail. */
function namesSelf(principal: Principal, userId: string): boolean {
  return (
    userId === 'me' ||
    userId === principal.userId ||
    normalizeEmail(userId) === normalizeEmail(principal.email)
  );
}

/**
 * The user a path's `userId` names, for this principal: id, e-mail (any case) or `me`.
 * A user of another account answers exactly like a missing one. A user-level token may
 * name only its own user; for another it lacks the `:admin` scopes that would be needed.
 */
export async function resolveUser(
  ctx: DomainContext,
  principal: Principal,
  userId: string,
  endpoint: EndpointScopes,
): Promise<User> {
  if (principal.kind === 'user' && !namesSelf(principal, userId))
    throw Errors.missingScopes(endpoint.account);
  // No id or e-mail holds a control character (and PostgreSQL refuses NUL in text).
  if (/\p{Cc}/u.test(userId)) throw Errors.userNotFound(userId);
  const key = userId === 'me' ? principal.userId : userId;
  const user = await users.inAccount(ctx.store.db, principal.accountId, key);
  if (!user) throw Errors.userNotFound(userId);
  return user;
}

const ROLE_NAMES: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
const ROLE_IDS: Record<Role, string> = { owner: '0', admin: '1', member: '2' };

/** Zoom's timestamps: ISO 8601 in UTC without fractions ("2026-01-02T03:04:05Z"). */
export function zoomTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface UserView {
  id: string;
  first_name: string;
  last_name: string;
  display_name: string;
  email: string;
  type: number;
  role_name: string;
  role_id: string;
  status: string;
  created_at: string;
  last_login_time?: string;
  account_id: string;
}

/** The user object of Zoom's `GET /v2/users/{userId}`. */
export function userView(user: User): UserView {
  const view: UserView = {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    display_name: user.display_name,
    email: user.email,
    type: user.type,
    role_name: ROLE_NAMES[user.role],
    role_id: ROLE_IDS[user.role],
    status: user.status,
    created_at: zoomTime(user.created_at),
    account_id: user.account_id,
  };
  if (user.last_login_at !== null) view.last_login_time = zoomTime(user.last_login_at);
  return view;
}
