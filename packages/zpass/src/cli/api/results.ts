/**
 * Stage 3 of a bulk run: the results CSV (mode 0600), one line per input row in the input's
 * order, from the journal (or, for a dry run, from the validation alone).
 */
import { chmodSync, closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { type CsvRow, openCsv } from './csv.js';
import { type Journal, RowState } from './journal.js';
import { problemText, type RowJudge } from './validate.js';

/** `users.csv` → `users.results.csv`, beside the input. */
export function defaultResultsPath(input: string): string {
  const ext = extname(input);
  return join(dirname(input), `${basename(input, ext)}.results.csv`);
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The fields `user,status,code,message` of a row that passed validation. */
function outcomeFields(row: CsvRow, journal: Journal | undefined): { fields: string[]; changed: boolean } {
  if (!journal) return { fields: [row.user, 'valid', '', 'Dry run: would be sent.'], changed: false };
  const st = journal.state(row.row);
  const out = journal.outcomes.get(row.row);
  if (st === RowState.Ok) return { fields: [row.user, 'ok', '', out?.message ?? ''], changed: true };
  if (st === RowState.Failed && out?.status === 'uncertain')
    return { fields: [row.user, 'uncertain', String(out.code ?? ''), out.message ?? ''], changed: true };
  if (st === RowState.Failed)
    return { fields: [row.user, 'failed', String(out?.code ?? ''), out?.message ?? ''], changed: false };
  if (st === RowState.Retry || st === RowState.Sent)
    return {
      fields: [
        row.user,
        'retry',
        String(out?.code ?? ''),
        `${out?.message ?? 'In flight when the run stopped.'} Rerun the same command to finish.`,
      ],
      changed: false,
    };
  return {
    fields: [row.user, 'pending', '', 'Not sent yet: rerun the same command to finish.'],
    changed: false,
  };
}

export async function writeResults(
  input: string,
  path: string,
  journal: Journal | undefined,
  o: {
    judge: RowJudge;
    /** Generated passwords are reported (the password column) when given. */
    passwordOf?: ((row: CsvRow) => string) | undefined;
  },
): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    chmodSync(tmp, 0o600);
    const withPassword = o.passwordOf !== undefined;
    let buf = withPassword ? 'user,status,code,message,password\n' : 'user,status,code,message\n';
    const csv = await openCsv(input, o.judge.schema);
    for await (const row of csv.rows) {
      const problem = o.judge.judge(row);
      let fields: string[];
      if (problem) fields = [row.user, 'invalid', String(problem.code ?? ''), problemText(problem)];
      else {
        const { fields: f, changed } = outcomeFields(row, journal);
        fields = f;
        // A generated password is shown for every row it may now be the password of.
        if (withPassword && changed && row.password === undefined) fields.push(o.passwordOf!(row));
      }
      if (withPassword) while (fields.length < 5) fields.push('');
      buf += `${fields.map(csvField).join(',')}\n`;
      if (buf.length > 1 << 16) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
