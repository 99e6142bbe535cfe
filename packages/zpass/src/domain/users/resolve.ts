import { hash } from 'node:crypto';
import { normalizeEmail, type User, users } from '../../store/repositories/users.js';
import type { Role, SignIn } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors } from '../errors.js';
import type { Principal } from '../principal.js';
import type { EndpointScopes } from '../tokens/scopes.js';
import { type PhoneNumber, readProfile } from './profile.js';

/** Zoom answers HTTP 400 code 4711 when the token holds none of the endpoint's scopes. */
// The user as the domain hands it to the edges, and the one way an address is compared.
export { normalizeEmail, type User } from '../../store/repositories/users.js';

export function requireScopes(principal: Principal, endpoint: EndpointScopes): void {
  const accepted = principal.kind === 'account' ? endpoint.account : endpoint.user;
  // An endpoint without user-level scopes names the admin scopes a caller would need.
  if (!accepted.some((s) => principal.scopes.has(s)))
    throw Errors.missingScopes(accepted.length > 0 ? accepted : endpoint.account);
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
  // No id or address holds a control character (and PostgreSQL refuses NUL in text): nobody has such a name.
  if (/\p{Cc}/u.test(userId)) throw Errors.userNotFound(userId);
  const key = userId === 'me' ? principal.userId : userId;
  const user = await users.inAccount(ctx.store.db, principal.accountId, key);
  if (!user) throw Errors.userNotFound(userId);
  return user;
}

export const ROLE_NAMES: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
export const ROLE_IDS: Record<Role, string> = { owner: '0', admin: '1', member: '2' };

/** Zoom's timestamps: ISO 8601 in UTC without fractions ("2026-01-02T03:04:05Z"). */
export function zoomTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A stable 10-digit number for an id (2000000000 to 9999999999: Zoom's personal
 * meeting ids never start with 0 or 1): the same id gives the same number on every
 * server and after every restart, with nothing stored.
 */
export function stableNumber(id: string): number {
  let n = stableNumbers.get(id);
  if (n === undefined) {
    const h = hash('sha256', id, 'buffer');
    n = 2_000_000_000 + ((h.readUInt32BE(0) * 0x100 + h[4]!) % 8_000_000_000);
    // Remembered (two per user view, on every read of a user); forgotten all at once when full.
    if (stableNumbers.size >= STABLE_NUMBERS_KEPT) stableNumbers.clear();
    stableNumbers.set(id, n);
  }
  return n;
}

const STABLE_NUMBERS_KEPT = 10_000;
const stableNumbers = new Map<string, number>();

type LoginType = 99 | 100 | 101;

/** The user object of Zoom's "Get a user" (Rivet's `UsersGetUserResponse`), as far as zpass has the data. */
export interface UserView {
  id: string;
  first_name: string;
  last_name: string;
  display_name: string;
  email: string;
  type: 1 | 2 | 4 | 99;
  role_name: string;
  role_id: string;
  status: 'active' | 'inactive' | 'pending';
  /** When the user joined this account (zpass: when the row was created in it). */
  created_at: string;
  /** When the user was created. */
  user_created_at: string;
  last_login_time?: string;
  account_id: string;
  account_number: number;
  login_types: LoginType[];
  pmi: number;
  use_pmi: boolean;
  verified: 0 | 1;
  timezone: string;
  language: string;
  dept: string;
  job_title: string;
  location: string;
  company: string;
  cost_center?: string;
  manager?: string;
  pronouns?: string;
  pronouns_option?: 1 | 2 | 3;
  phone_country: string;
  phone_number: string;
  phone_numbers: PhoneNumber[];
  group_ids: string[];
  im_group_ids: string[];
}

/** One item of `GET /v2/users` (Rivet's `UsersListUsersResponse`). */
export interface UserListItem {
  id: string;
  first_name: string;
  last_name: string;
  display_name: string;
  email: string;
  type: 1 | 2 | 4 | 99;
  role_id: string;
  status: 'active' | 'inactive' | 'pending';
  created_at: string;
  user_created_at: string;
  last_login_time?: string;
  pmi: number;
  timezone: string;
  dept: string;
  verified: 0 | 1;
  group_ids: string[];
  im_group_ids: string[];
  custom_attributes?: { key?: string; name?: string; value?: string }[];
}

/** Zoom's login types: 100 work e-mail and password, 101 SSO, 99 API (custCreate: no sign-in). */
const LOGIN_TYPES: Record<SignIn, LoginType[]> = { password: [100], sso: [101], none: [99] };

/** The user object of Zoom's `GET /v2/users/{userId}`. */
export function userView(user: User): UserView {
  const p = readProfile(user.profile);
  const view: UserView = {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    display_name: user.display_name,
    email: user.email,
    type: user.type as UserView['type'],
    role_name: ROLE_NAMES[user.role],
    role_id: ROLE_IDS[user.role],
    status: user.status,
    created_at: zoomTime(user.created_at),
    user_created_at: zoomTime(user.created_at),
    account_id: user.account_id,
    account_number: stableNumber(user.account_id),
    login_types: LOGIN_TYPES[user.sign_in] ?? [100],
    pmi: stableNumber(user.id),
    use_pmi: p.use_pmi ?? false,
    verified: user.email_verified_at === null ? 0 : 1,
    timezone: p.timezone ?? '',
    language: p.language ?? '',
    dept: p.dept ?? '',
    job_title: p.job_title ?? '',
    location: p.location ?? '',
    company: p.company ?? '',
    phone_country: p.phone_country ?? '',
    phone_number: p.phone_number ?? '',
    phone_numbers: p.phone_numbers ?? [],
    group_ids: [],
    im_group_ids: [],
  };
  if (p.cost_center !== undefined) view.cost_center = p.cost_center;
  if (p.manager !== undefined) view.manager = p.manager;
  if (p.pronouns !== undefined) view.pronouns = p.pronouns;
  if (p.pronouns_option !== undefined) view.pronouns_option = p.pronouns_option;
  if (user.last_login_at !== null) view.last_login_time = zoomTime(user.last_login_at);
  return view;
}

/** A `GET /v2/users` item; `customAttributes` when the caller asked for them (zpass keeps none). */
export function userListItem(user: User, opts: { customAttributes?: boolean } = {}): UserListItem {
  const p = readProfile(user.profile);
  const item: UserListItem = {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    display_name: user.display_name,
    email: user.email,
    type: user.type as UserListItem['type'],
    role_id: ROLE_IDS[user.role],
    status: user.status,
    created_at: zoomTime(user.created_at),
    user_created_at: zoomTime(user.created_at),
    pmi: stableNumber(user.id),
    timezone: p.timezone ?? '',
    dept: p.dept ?? '',
    verified: user.email_verified_at === null ? 0 : 1,
    group_ids: [],
    im_group_ids: [],
  };
  if (user.last_login_at !== null) item.last_login_time = zoomTime(user.last_login_at);
  if (opts.customAttributes) item.custom_attributes = [];
  return item;
}
