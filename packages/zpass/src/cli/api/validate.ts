/**
 * Stage 1 of a bulk run: every row judged locally, before anything changes. The same judgement
 * is made again, row by row, by the later stages (`judgeRow` is deterministic for a file).
 */
import type { PasswordRequirementSettings, ZoomClient } from '@zpass/zoom-client';
import { type CsvRow, type CsvSchema, openCsv, PASSWORD_CSV } from './csv.js';
import { FirstRowIndex } from './first-row.js';

export interface Problem {
  code?: number | string | undefined;
  /** The same text for every row with the same problem (problems are grouped by it). */
  message: string;
  /** What differs from row to row (e.g. the row a duplicate repeats). */
  detail?: string;
}

/** Judges rows in file order: why a row cannot be sent, or undefined. */
export class RowJudge {
  readonly #index = new FirstRowIndex();
  constructor(
    /** What the command itself requires of a row (its structure and duplicates are checked here). */
    private readonly check: (row: CsvRow) => Problem | undefined,
    readonly schema: CsvSchema = PASSWORD_CSV,
  ) {}

  judge(row: CsvRow): Problem | undefined {
    if (row.problem) return { message: row.problem };
    const first = this.#index.firstRow(row.user, row.row);
    if (first !== row.row)
      return { message: 'Duplicate: the same user as an earlier row.', detail: `row ${first}` };
    return this.check(row);
  }
}

/** Zoom's answer to a password, checked locally: the first rule it breaks. */
export function passwordProblem(
  client: ZoomClient,
  password: string,
  requirement: PasswordRequirementSettings | undefined,
): Problem | undefined {
  const v = client.users.checkPassword(password, requirement)[0];
  if (!v) return undefined;
  const detail = v.errors?.map((e) => e.message).join(' ');
  return { code: v.code, message: `${v.message}${detail ? ` ${detail}` : ''}` };
}

export function problemText(p: Problem): string {
  return p.detail ? `${p.message} (${p.detail})` : p.message;
}

/** Rows that share one problem. */
export interface ProblemGroup {
  code?: number | string | undefined;
  message: string;
  count: number;
  /** The first rows with it (at most `ROWS_SHOWN`). */
  rows: Array<{ row: number; line: number; user: string; detail?: string }>;
}

const ROWS_SHOWN = 5;

export interface Validation {
  rows: number;
  invalid: number;
  groups: ProblemGroup[];
  digest: string;
  columns: string[];
}

export async function validate(file: string, judge: RowJudge): Promise<Validation> {
  const csv = await openCsv(file, judge.schema);
  const groups = new Map<string, ProblemGroup>();
  let rows = 0;
  let invalid = 0;
  for await (const row of csv.rows) {
    rows = row.row;
    const p = judge.judge(row);
    if (!p) continue;
    invalid++;
    const key = `${p.code ?? ''} ${p.message}`;
    let g = groups.get(key);
    if (!g) {
      g = { code: p.code, message: p.message, count: 0, rows: [] };
      groups.set(key, g);
    }
    g.count++;
    if (g.rows.length < ROWS_SHOWN)
      g.rows.push({
        row: row.row,
        line: row.line,
        user: row.user,
        ...(p.detail ? { detail: p.detail } : {}),
      });
  }
  return { rows, invalid, groups: [...groups.values()], digest: csv.digest(), columns: csv.columns };
}

/** The problems as lines: one per kind of problem, with its count and first rows. */
export function problemLines(groups: ProblemGroup[]): string[] {
  const out: string[] = [];
  for (const g of groups) {
    const code = g.code === undefined ? '' : ` (code ${g.code})`;
    out.push(`  ${g.count} row${g.count === 1 ? '' : 's'}: ${g.message}${code}`);
    const shown = g.rows
      .map((r) => `row ${r.row} ${r.user || '(no user)'}${r.detail ? ` [${r.detail}]` : ''}`)
      .join(', ');
    out.push(`    ${shown}${g.count > g.rows.length ? `, and ${g.count - g.rows.length} more` : ''}`);
  }
  return out;
}
