/**
 * Reading the Users API's directory: `GET /v2/users` (keyset paging) and
 * `GET /v2/users/email` (whether an address signs in here).
 */
import type { User } from '../../store/repositories/users.js';
import { users } from '../../store/repositories/users.js';
import type { Role, UserStatus } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors, type FieldError } from '../errors.js';
import { openCursor, PAGE_TOKEN_TTL_MS, sealCursor } from '../page-tokens.js';
import type { Principal } from '../principal.js';
import { SCOPES } from '../tokens/scopes.js';
import { INVALID_FIELD, isEmail } from './fields.js';
import { requireScopes, type UserListItem, userListItem } from './resolve.js';

/** `GET /v2/users?role_id=`: Zoom's built-in roles. */
export const ROLE_FILTERS: Record<string, Role> = { '0': 'owner', '1': 'admin', '2': 'member' };
export const INCLUDE_FIELDS = ['custom_attributes', 'host_key'] as const;
export const LICENSES = ['zoom_workforce_management', 'zoom_compliance_management'] as const;
export const LIST_STATUSES = ['active', 'inactive', 'pending'] as const;
export const PAGE_SIZE_DEFAULT = 30;
export const PAGE_SIZE_MAX = 300;

/**
 * `GET /v2/users/email?email=`: whether a user of the caller's account signs in with this
 * address. Zoom answers false for another account's user and for SSO users.
 */
export async function emailExists(
  ctx: DomainContext,
  principal: Principal,
  email: unknown,
): Promise<boolean> {
  requireScopes(principal, SCOPES.checkEmail);
  if (email === undefined || email === '') throw Errors.emailRequired();
  if (!isEmail(email)) throw Errors.validation([{ field: 'email', message: INVALID_FIELD }]);
  const user = await users.byEmail(ctx.store.db, email);
  return user !== undefined && user.account_id === principal.accountId && user.sign_in !== 'sso';
}

export interface ListQuery {
  status?: unknown;
  role_id?: unknown;
  include_fields?: unknown;
  license?: unknown;
  page_size?: unknown;
  next_page_token?: unknown;
  page_number?: unknown;
}

export interface UserPage {
  page_count: number;
  page_number?: number;
  page_size: number;
  total_records: number;
  next_page_token: string;
  users: UserListItem[];
}

/** A query-string integer: digits only, within bounds; otherwise a field error. */
function queryInt(
  errors: FieldError[],
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.push({ field, message: INVALID_FIELD });
    return undefined;
  }
  return n;
}

/**
 * `GET /v2/users`: keyset paging on (created_at, id). A `next_page_token` seals the
 * last row of the page, so the next page starts right after it whatever was created
 * or deleted meanwhile: every user present for the whole walk is seen exactly once.
 * `page_number` (older clients) pages by offset instead.
 */
export async function listUsers(ctx: DomainContext, principal: Principal, q: ListQuery): Promise<UserPage> {
  requireScopes(principal, SCOPES.listUsers);
  const errors: FieldError[] = [];
  let status: UserStatus = 'active';
  if (q.status !== undefined) {
    if ((LIST_STATUSES as readonly unknown[]).includes(q.status)) status = q.status as UserStatus;
    else errors.push({ field: 'status', message: INVALID_FIELD });
  }
  const pageSize = queryInt(errors, 'page_size', q.page_size, 1, PAGE_SIZE_MAX) ?? PAGE_SIZE_DEFAULT;
  const pageNumber = queryInt(errors, 'page_number', q.page_number, 1, 1_000_000_000);
  if (q.next_page_token !== undefined && typeof q.next_page_token !== 'string')
    errors.push({ field: 'next_page_token', message: INVALID_FIELD });
  let role: Role | undefined;
  if (q.role_id !== undefined && q.role_id !== '') {
    role = typeof q.role_id === 'string' ? ROLE_FILTERS[q.role_id] : undefined;
    if (!role) errors.push({ field: 'role_id', message: INVALID_FIELD });
  }
  // Accepted as Zoom's: custom_attributes comes back empty (zpass keeps none), host_key is not kept.
  const include = typeof q.include_fields === 'string' ? q.include_fields.split(',') : [];
  if (
    q.include_fields !== undefined &&
    (typeof q.include_fields !== 'string' ||
      !include.every((f) => (INCLUDE_FIELDS as readonly string[]).includes(f)))
  )
    errors.push({ field: 'include_fields', message: INVALID_FIELD });
  // zpass has no add-on licences: a licence filter matches nobody.
  if (q.license !== undefined && !(LICENSES as readonly unknown[]).includes(q.license))
    errors.push({ field: 'license', message: INVALID_FIELD });
  if (errors.length > 0) throw Errors.validation(errors);

  const db = ctx.store.db;
  const now = ctx.clock.now();
  const token = q.next_page_token as string | undefined;
  let rows: User[];
  if (token) {
    const cursor = await openCursor(db, token, principal.accountId, now);
    if (q.status !== undefined && cursor.status !== status) throw Errors.invalidPageToken();
    status = cursor.status;
    if (q.role_id !== undefined && cursor.role !== role) throw Errors.invalidPageToken();
    role = cursor.role;
    rows = await users.page(db, principal.accountId, status, cursor.after, pageSize + 1, 0, role);
  } else {
    const offset = pageNumber !== undefined ? (pageNumber - 1) * pageSize : 0;
    rows = await users.page(db, principal.accountId, status, null, pageSize + 1, offset, role);
  }
  if (q.license !== undefined) rows = [];
  const total = q.license !== undefined ? 0 : await users.count(db, principal.accountId, status, role);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  const next =
    rows.length > pageSize && last
      ? await sealCursor(
          db,
          {
            accountId: principal.accountId,
            status,
            role,
            after: { created_at: last.created_at, id: last.id },
            expiresAt: now + PAGE_TOKEN_TTL_MS,
          },
          now,
        )
      : '';
  const out: UserPage = {
    page_count: Math.ceil(total / pageSize),
    page_size: pageSize,
    total_records: total,
    next_page_token: next,
    users: page.map((u) => userListItem(u, { customAttributes: include.includes('custom_attributes') })),
  };
  if (pageNumber !== undefined && !token) out.page_number = pageNumber;
  return out;
}
