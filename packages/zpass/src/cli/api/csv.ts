/** The input of a bulk command (`users password bulk`, `users import`), streamed: a header, then one row per user. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { CliError } from './connection.js';

/** The columns a bulk command reads: `key` names the user of each row (required). */
export interface CsvSchema {
  key: string;
  columns: readonly string[];
}

export const PASSWORD_CSV: CsvSchema = { key: 'user', columns: ['user', 'password'] };

export interface CsvRow {
  /** 1-based number of the data row (the header is not counted); stable while the file is. */
  row: number;
  /** Line of the file where the row ends (for messages). */
  line: number;
  user: string;
  /** Undefined when the file has no password column or the field is empty. */
  password: string | undefined;
  /** Every column of the schema present in the file, by name (empty fields are undefined). */
  fields: Record<string, string | undefined>;
  /** Why the row cannot be used whatever the policy (wrong number of fields, no user). */
  problem?: string;
}

export interface CsvFile {
  columns: string[];
  rows: AsyncGenerator<CsvRow>;
  /** SHA-256 of every byte read so far (the whole file once `rows` is exhausted). */
  digest(): string;
}

/**
 * Opens the CSV: a UTF-8 BOM, CRLF or LF line ends, quoted fields (with commas, quotes and line
 * breaks inside) and blank lines are accepted. The first line must be the header: `user` and,
 * optionally, `password` (any case, any order); anything else is refused before a row is read.
 */
export async function openCsv(path: string, schema: CsvSchema = PASSWORD_CSV): Promise<CsvFile> {
  const hash = createHash('sha256');
  const input = createReadStream(path);
  input.on('data', (chunk) => hash.update(chunk));
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  input.on('error', (err) => parser.destroy(err));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await records.next();
  } catch (err) {
    throw csvError(path, err);
  }
  const others = schema.columns.filter((c) => c !== schema.key);
  const quoted = (names: readonly string[]) => names.map((c) => `"${c}"`).join(', ');
  if (first.done)
    throw new CliError(`${path} is empty: it needs a header line "${schema.columns.join(',')}".`);
  const columns = first.value.record.map((c) => c.trim().toLowerCase());
  const userAt = columns.indexOf(schema.key);
  const passwordAt = columns.indexOf('password');
  if (userAt < 0) {
    throw new CliError(
      `${path}: the first line must be a header naming the column "${schema.key}" (and optionally ${others.map((c) => `"${c}"`).join(', ')}); found ${JSON.stringify(first.value.record.join(','))}.`,
    );
  }
  const unknown = columns.filter((c) => !schema.columns.includes(c));
  if (unknown.length > 0) {
    throw new CliError(
      `${path}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => JSON.stringify(c)).join(', ')}: only ${quoted(schema.columns).replace(/, ([^,]*)$/, ' and $1')} are read.`,
    );
  }
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup) throw new CliError(`${path}: the column "${dup}" appears twice in the header.`);

  async function* rows(): AsyncGenerator<CsvRow> {
    let row = 0;
    try {
      yield* read();
    } finally {
      // Also when the caller stops early (a run interrupted): close the file.
      input.destroy();
    }
    async function* read(): AsyncGenerator<CsvRow> {
      for (;;) {
        let next: IteratorResult<{ record: string[]; info: { lines: number } }>;
        try {
          next = await records.next();
        } catch (err) {
          throw csvError(path, err);
        }
        if (next.done) return;
        row++;
        const { record, info } = next.value;
        const user = (record[userAt] ?? '').trim();
        const pw = passwordAt >= 0 ? record[passwordAt] : undefined;
        const fields: Record<string, string | undefined> = {};
        columns.forEach((c, i) => {
          const v = record[i];
          fields[c] = v === undefined || v === '' ? undefined : v;
        });
        const out: CsvRow = { row, line: info.lines, user, password: pw === '' ? undefined : pw, fields };
        // A missing trailing field is an empty one (`jane@example.com` under `user,password`).
        if (record.length > columns.length) {
          out.problem = `Has ${record.length} field${record.length === 1 ? '' : 's'}; the header names ${columns.length}.`;
        } else if (user === '') {
          out.problem = schema.key === 'user' ? 'No user.' : `No ${schema.key}.`;
        }
        yield out;
      }
    }
  }
  return { columns, rows: rows(), digest: () => hash.copy().digest('hex') };
}

function csvError(path: string, err: unknown): CliError {
  const e = err as { message?: string; code?: string; lines?: number };
  if (e.code === 'ENOENT') return new CliError(`${path}: no such file.`);
  return new CliError(`${path}: not a readable CSV file: ${e.message ?? String(err)}`);
}
