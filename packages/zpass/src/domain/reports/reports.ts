/**
 * Zoom's two audit reports over what zpass records: `GET /v2/report/operationlogs`
 * (the operation log: users, roles, passwords, settings) and `GET /v2/report/activities`
 * (sign-ins and sign-outs on the web pages). Both take a range of whole UTC days,
 * `from` to `to` inclusive, at most one month long, and page newest first with a
 * sealed `next_page_token`.
 */
import type { LogKey } from '../../store/repositories/reports.js';
import { operationLogs, signInActivities } from '../../store/repositories/reports.js';
import type { OperationCategory } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors, type FieldError } from '../errors.js';
import { PAGE_TOKEN_TTL_MS, seal, unseal } from '../page-tokens.js';
import type { Principal } from '../principal.js';
import { queryInt } from '../query.js';
import { SCOPES } from '../tokens/scopes.js';
import { requireScopes, zoomTime } from '../users/resolve.js';

export const REPORT_PAGE_SIZE_DEFAULT = 30;
export const REPORT_PAGE_SIZE_MAX = 300;

/** Zoom's `category_type` values (Rivet's `ReportsGetOperationLogsReportQueryParams`). */
export const OPERATION_CATEGORY_TYPES = [
  'all',
  'user',
  'user_settings',
  'account',
  'billing',
  'im',
  'recording',
  'phone_contacts',
  'webinar',
  'sub_account',
  'role',
  'zoom_rooms',
] as const;

/** How each category zpass writes reads in the report. */
const CATEGORY_LABEL: Record<OperationCategory, string> = { user: 'User', account: 'Account', role: 'Role' };

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `yyyy-mm-dd` date as the UTC midnight starting it; undefined when it is not a real date. */
function parseDate(value: string): number | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return t;
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The same day one month later (Jan 31 → Feb 28/29: the month's last day). */
function plusOneMonth(ms: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last));
}

export interface ReportQuery {
  from?: unknown;
  to?: unknown;
  page_size?: unknown;
  next_page_token?: unknown;
  category_type?: unknown;
}

interface Range {
  from: string;
  to: string;
  /** [start, end) in milliseconds. */
  startMs: number;
  endMs: number;
}

interface Checked {
  range: Range;
  pageSize: number;
  token?: string;
}

function checkQuery(q: ReportQuery, now: number, required: boolean): Checked {
  const errors: FieldError[] = [];
  const date = (field: 'from' | 'to'): number | undefined => {
    const v = q[field];
    if (v === undefined || v === '') {
      if (required) errors.push({ field, message: `${field} is required.` });
      return undefined;
    }
    const t = typeof v === 'string' ? parseDate(v) : undefined;
    if (t === undefined) errors.push({ field, message: 'Invalid field.' });
    return t;
  };
  let from = date('from');
  let to = date('to');
  const pageSize =
    queryInt(errors, 'page_size', q.page_size, 1, REPORT_PAGE_SIZE_MAX) ?? REPORT_PAGE_SIZE_DEFAULT;
  if (q.next_page_token !== undefined && typeof q.next_page_token !== 'string')
    errors.push({ field: 'next_page_token', message: 'next_page_token must be a string.' });
  if (errors.length > 0) throw Errors.validation(errors);
  // Without dates (the activities report): the month up to today.
  const today = Date.UTC(
    new Date(now).getUTCFullYear(),
    new Date(now).getUTCMonth(),
    new Date(now).getUTCDate(),
  );
  to ??= from !== undefined ? Math.min(plusOneMonth(from), Math.max(from, today)) : today;
  if (from === undefined) {
    const d = new Date(to);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() - 1;
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    from = Date.UTC(y, m, Math.min(d.getUTCDate(), last));
  }
  if (from > to) throw Errors.reportRange("The date 'from' must not be later than the date 'to'.");
  if (to > plusOneMonth(from)) throw Errors.reportRange('The date range must not be longer than one month.');
  const token =
    typeof q.next_page_token === 'string' && q.next_page_token !== '' ? q.next_page_token : undefined;
  return {
    range: { from: formatDate(from), to: formatDate(to), startMs: from, endMs: to + DAY_MS },
    pageSize,
    token,
  };
}

/** The position a report's token carries, checked against the request it comes with. */
async function openReportToken(
  ctx: DomainContext,
  kind: string,
  accountId: string,
  filter: string,
  range: Range,
  token: string,
  now: number,
): Promise<LogKey> {
  const v = await unseal(ctx.store.db, token, now);
  const [k, account, f, from, to, time, id, expiresAt] = v;
  if (
    v.length !== 8 ||
    k !== kind ||
    account !== accountId ||
    f !== filter ||
    from !== range.from ||
    to !== range.to ||
    typeof time !== 'number' ||
    typeof id !== 'number' ||
    typeof expiresAt !== 'number'
  )
    throw Errors.invalidPageToken();
  if (expiresAt <= now) throw Errors.expiredPageToken();
  return { time, id };
}

async function nextToken(
  ctx: DomainContext,
  kind: string,
  accountId: string,
  filter: string,
  range: Range,
  last: LogKey | undefined,
  more: boolean,
  now: number,
): Promise<string> {
  if (!more || !last) return '';
  return seal(
    ctx.store.db,
    [kind, accountId, filter, range.from, range.to, last.time, last.id, now + PAGE_TOKEN_TTL_MS],
    now,
  );
}

// ---------------------------------------------------------------- operation logs

export interface OperationLogEntry {
  time: string;
  operator: string;
  category_type: string;
  action: string;
  operation_detail: string;
}

export interface OperationLogReport {
  from: string;
  to: string;
  page_size: number;
  next_page_token: string;
  operation_logs: OperationLogEntry[];
}

function categoriesFor(categoryType: unknown): readonly OperationCategory[] | null {
  if (categoryType === undefined || categoryType === '' || categoryType === 'all') return null;
  if (!(OPERATION_CATEGORY_TYPES as readonly unknown[]).includes(categoryType))
    throw Errors.validation([
      {
        field: 'category_type',
        message: `category_type must be one of ${OPERATION_CATEGORY_TYPES.join(', ')}.`,
      },
    ]);
  // Zoom's other categories (billing, recording, ...) are valid filters with nothing in them here.
  return (['user', 'account', 'role'] as const).filter((c) => c === categoryType);
}

export async function operationLogReport(
  ctx: DomainContext,
  principal: Principal,
  q: ReportQuery,
): Promise<OperationLogReport> {
  requireScopes(principal, SCOPES.operationLogs);
  const now = ctx.clock.now();
  const categories = categoriesFor(q.category_type);
  const { range, pageSize, token } = checkQuery(q, now, true);
  const filter = typeof q.category_type === 'string' && q.category_type !== '' ? q.category_type : 'all';
  const before = token
    ? await openReportToken(ctx, 'operation_logs', principal.accountId, filter, range, token, now)
    : null;
  const rows = await operationLogs.page(
    ctx.store.db,
    principal.accountId,
    { from: range.startMs, to: range.endMs },
    categories,
    before,
    pageSize + 1,
  );
  const page = rows.slice(0, pageSize);
  return {
    from: range.from,
    to: range.to,
    page_size: pageSize,
    next_page_token: await nextToken(
      ctx,
      'operation_logs',
      principal.accountId,
      filter,
      range,
      page.at(-1),
      rows.length > pageSize,
      now,
    ),
    operation_logs: page.map((r) => ({
      time: zoomTime(r.time),
      operator: r.operator,
      category_type: CATEGORY_LABEL[r.category] ?? r.category,
      action: r.action,
      operation_detail: r.detail,
    })),
  };
}

// ---------------------------------------------------------------- sign-in and sign-out activities

export interface ActivityEntry {
  email: string;
  time: string;
  type: 'Sign in' | 'Sign out';
  ip_address: string;
  client_type: string;
  version: string;
}

export interface ActivityReport {
  from: string;
  to: string;
  page_size: number;
  next_page_token: string;
  activity_logs: ActivityEntry[];
}

export async function activityReport(
  ctx: DomainContext,
  principal: Principal,
  q: ReportQuery,
): Promise<ActivityReport> {
  requireScopes(principal, SCOPES.activityReport);
  const now = ctx.clock.now();
  const { range, pageSize, token } = checkQuery(q, now, false);
  const before = token
    ? await openReportToken(ctx, 'activities', principal.accountId, '', range, token, now)
    : null;
  const rows = await signInActivities.page(
    ctx.store.db,
    principal.accountId,
    { from: range.startMs, to: range.endMs },
    before,
    pageSize + 1,
  );
  const page = rows.slice(0, pageSize);
  return {
    from: range.from,
    to: range.to,
    page_size: pageSize,
    next_page_token: await nextToken(
      ctx,
      'activities',
      principal.accountId,
      '',
      range,
      page.at(-1),
      rows.length > pageSize,
      now,
    ),
    activity_logs: page.map((r) => ({
      email: r.email,
      time: zoomTime(r.time),
      type: r.type === 'sign_in' ? 'Sign in' : 'Sign out',
      ip_address: r.ip ?? '',
      client_type: r.client_type,
      version: r.version,
    })),
  };
}
