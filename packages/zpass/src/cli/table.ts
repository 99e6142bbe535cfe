/**
 * The one table style of the CLI (`users list`, `admin list-users`, `mail list`, `auth list`):
 * a header line, aligned columns, no borders; `--columns a,b,c` picks and orders the columns.
 */
import Table from 'cli-table3';
import { CliError } from './api/connection.js';

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** The columns `--columns` names (checked against `available`), else `defaults`. */
export function pickColumns(
  flag: string | undefined,
  available: readonly string[],
  defaults: readonly string[],
): string[] {
  if (flag === undefined) return [...defaults];
  const wanted = flag
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = wanted.filter((c) => !available.includes(c));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new CliError(
      `${unknown.length ? `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. ` : ''}--columns takes a comma-separated list of: ${available.join(', ')}.`,
      2,
    );
  }
  return wanted;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function renderTable(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: readonly string[],
): string {
  const table = new Table({
    head: columns.map((c) => c.toUpperCase()),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const r of rows) table.push(columns.map((c) => cell(r[c])));
  // Trailing spaces of the last column are noise in a terminal and in `grep`.
  return `${table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')}\n`;
}

export function printTable(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): void {
  process.stdout.write(renderTable(rows, columns));
}

export const COLUMNS_HELP = 'columns to show, comma-separated (see the list below)';

/** The columns of a user (a Zoom user object), for `users list` and `admin list-users`. */
export const USER_COLUMNS = [
  'id',
  'email',
  'first_name',
  'last_name',
  'display_name',
  'type',
  'role_name',
  'status',
  'created_at',
  'last_login_time',
] as const;
export const USER_DEFAULT_COLUMNS = ['id', 'email', 'role_name', 'status'] as const;
