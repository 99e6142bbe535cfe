/**
 * `zpass users password bulk <file.csv>`: validate every row (stage 1, `validate.ts`), then
 * change passwords at the account's allowed rate, journaling each row so that a rerun resumes
 * without changing a row twice (stage 2, `run.ts`), and write a results CSV, mode 0600 (stage 3,
 * `results.ts`). This file wires the stages together and reports.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  type PasswordRequirementSettings,
  RateLimitPacer,
  type ZoomApiError,
  type ZoomClient,
} from '@zpass/zoom-client';
import { CliError, clientFor, resolveProfile } from './connection.js';
import { type CsvRow, type CsvSchema, PASSWORD_CSV } from './csv.js';
import { DEFAULT_LENGTH, generatePassword, seededRandom, validLength } from './generate.js';
import { Journal, type JournalHeader, type Outcome, RowState } from './journal.js';
import { fetchRequirement } from './policy.js';
import { Progress, type ProgressCounts } from './progress.js';
import { defaultResultsPath, writeResults } from './results.js';
import { passwordChangedEarlier, runChanges } from './run.js';
import {
  type Problem,
  passwordProblem,
  problemLines,
  RowJudge,
  type Validation,
  validate,
} from './validate.js';

export { defaultResultsPath };

export interface BulkFlags {
  profile?: string;
  generate?: boolean;
  length?: string;
  dryRun?: boolean;
  results?: string;
  json?: boolean;
  rateFraction?: string;
  concurrency?: string;
  progressInterval?: string;
}

function positiveNumber(
  value: string | undefined,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new CliError(`${name} must be a number above 0${max < 1e9 ? ` and at most ${max}` : ''}.`, 2);
  return n;
}

export function journalPath(input: string): string {
  return `${input}.journal`;
}

interface Summary {
  rows: number;
  valid: number;
  invalid: number;
  ok: number;
  failed: number;
  uncertain: number;
  retry: number;
  pending: number;
  changed_this_run: number;
  results?: string;
  journal?: string;
  elapsed_seconds?: number;
  rate_per_second?: number;
  allowed_per_second?: number;
  interrupted?: boolean;
  stopped?: string;
}

/**
 * A `fetch` that tells the progress line when the API stops answering (a network failure or a
 * 5xx: the client retries) and when it answers again.
 */
function watchedFetch(counts: ProgressCounts): typeof fetch {
  return async (input, init) => {
    try {
      const res = await fetch(input, init);
      counts.retrying = res.status >= 500;
      return res;
    } catch (err) {
      if (!init?.signal?.aborted) counts.retrying = true;
      throw err;
    }
  };
}

/** What one bulk command does with the shared machinery (validation, pacing, journal, results). */
export interface BulkJob {
  /** The command, as written in its journal: `zpass users password bulk`. */
  command: string;
  schema: CsvSchema;
  /** The rate-limit category of the requests it sends. */
  category: 'Light' | 'Medium';
  generate: boolean;
  length: number | null;
  /** Refuses a header that cannot work (before any row is judged). */
  checkColumns?: (columns: string[]) => void;
  /** What the command requires of a row, beyond its shape and uniqueness. */
  check: (row: CsvRow) => Problem | undefined;
  /** Once the journal is open: how to send a row (and what to report of generated passwords). */
  begin: (journal: Journal, resumed: boolean) => BulkActions;
  /** The answers to a resend that mean an earlier attempt made the change. */
  earlier?: (err: ZoomApiError) => Outcome | undefined;
}

export interface BulkActions {
  send: (row: CsvRow, signal: AbortSignal) => Promise<void>;
  /** Generated passwords, reported in the results. */
  passwordOf?: ((row: CsvRow) => string) | undefined;
  /** After the run; `complete` when no row is left to send. */
  finish?: (complete: boolean) => void;
}

/**
 * The stages of every bulk command: validate every row, then (unless a dry run) send the
 * changes at the account's allowed rate with a journal for resuming, then write the results.
 */
export async function runBulk(
  file: string,
  flags: BulkFlags,
  makeJob: (client: ZoomClient, requirement: PasswordRequirementSettings | undefined) => BulkJob,
): Promise<void> {
  const { profile } = resolveProfile(flags);
  const fraction = positiveNumber(flags.rateFraction, '--rate-fraction', 0.97, 1);
  const concurrency = Math.floor(positiveNumber(flags.concurrency, '--concurrency', 16, 256));
  const counts: ProgressCounts = { done: 0, failed: 0, total: 0 };
  // A run that meets a server restart or a network drop keeps retrying for about half a minute.
  const client = clientFor(profile, { maxRetries: 6, fetch: watchedFetch(counts) });
  if (!existsSync(file)) throw new CliError(`${file}: no such file.`);

  // The settings request is Medium, as password changes are: it teaches the pacer the
  // account's limit before the first change.
  const settingsPacer = new RateLimitPacer(client, { category: 'Medium', fraction, concurrency });
  const requirement = await settingsPacer.schedule(() => fetchRequirement(client));
  const job = makeJob(client, requirement);
  let pacer = settingsPacer;
  if (job.category !== 'Medium') {
    settingsPacer.close();
    pacer = new RateLimitPacer(client, { category: job.category, fraction, concurrency });
  }
  const judge = () => new RowJudge(job.check, job.schema);
  const resultsPath = flags.results ?? defaultResultsPath(file);

  // Stage 1: every row, locally, before anything changes.
  const v = await validate(file, judge());
  job.checkColumns?.(v.columns);
  if (flags.dryRun) {
    await writeResults(file, resultsPath, undefined, { judge: judge() });
    reportDryRun(v, resultsPath, flags);
    pacer.close();
    return;
  }
  if (!flags.json) {
    process.stderr.write(`validated ${v.rows} rows: ${v.rows - v.invalid} valid, ${v.invalid} invalid\n`);
    for (const line of problemLines(v.groups)) process.stderr.write(`${line}\n`);
    if (v.invalid > 0) process.stderr.write(`  (every row is in the results: ${resultsPath})\n`);
  }
  const summary: Summary = {
    rows: v.rows,
    valid: v.rows - v.invalid,
    invalid: v.invalid,
    ok: 0,
    failed: 0,
    uncertain: 0,
    retry: 0,
    pending: 0,
    changed_this_run: 0,
    journal: journalPath(file),
    results: resultsPath,
  };

  const jpath = journalPath(file);
  const header: JournalHeader = {
    journal: job.command,
    version: 1,
    input_sha256: v.digest,
    rows: v.rows,
    generate: job.generate,
    length: job.length,
    started_at: new Date().toISOString(),
  };
  const { journal, resumed } = await Journal.open(jpath, header);
  if (journal.complete) {
    journal.close();
    pacer.close();
    tally(journal, summary);
    report(summary, flags, `already complete (journal ${jpath}); results were written to ${resultsPath}`);
    return;
  }
  const actions = job.begin(journal, resumed);

  // Stage 2: the changes.
  counts.total = countToDo(journal, v.rows, v.invalid);
  const progress = new Progress(counts, {
    tty: process.stderr.isTTY === true && !flags.json,
    intervalMs: flags.progressInterval
      ? positiveNumber(flags.progressInterval, '--progress-interval', 5000) * 1000
      : undefined,
  });
  if (resumed && !flags.json) process.stderr.write(`resuming from ${jpath}: ${counts.total} rows left\n`);
  const started = Date.now();
  if (!flags.json) progress.start();
  const outcome = await runChanges({
    file,
    journal,
    judge: judge(),
    pacer,
    concurrency,
    counts,
    send: actions.send,
    earlier: job.earlier,
    onInterrupt: () => {
      progress.stop();
      process.stderr.write(
        'interrupted: sending stopped; waiting briefly for the changes on the wire (Ctrl-C again to quit at once)\n',
      );
    },
  });
  pacer.close();
  progress.stop();
  if (!outcome.stop && outcome.digest !== v.digest) {
    // The file changed under the run: the journal's row numbers may no longer match it.
    journal.close();
    throw new CliError(
      `${file} changed during the run; the journal ${jpath} is kept. Restore the file and rerun.`,
    );
  }
  summary.changed_this_run = outcome.changedThisRun;
  tally(journal, summary);
  const done = summary.retry === 0 && summary.pending === 0;
  if (done) journal.record({ event: 'complete', at: new Date().toISOString() });
  journal.close();

  // Stage 3: the results, in the input's order.
  await writeResults(file, resultsPath, journal, { judge: judge(), passwordOf: actions.passwordOf });
  actions.finish?.(done);

  if (outcome.firstStart !== undefined && outcome.lastEnd > outcome.firstStart) {
    summary.elapsed_seconds = Math.round((Date.now() - started) / 100) / 10;
    summary.rate_per_second =
      Math.round(((counts.done + counts.failed) * 1000 * 10) / (outcome.lastEnd - outcome.firstStart)) / 10;
    summary.allowed_per_second = pacer.limit;
  }
  if (outcome.interrupted) summary.interrupted = true;
  if (outcome.stop && !outcome.interrupted) summary.stopped = outcome.stop;
  report(
    summary,
    flags,
    outcome.interrupted
      ? 'interrupted: rerun the same command to resume'
      : outcome.stop
        ? `stopped: ${outcome.stop}; rerun the same command to resume`
        : undefined,
  );
  if (outcome.stop) {
    // Rows still queued in the pacer would only wake to find the run stopped: leave now.
    process.exit(outcome.interrupted ? 130 : (process.exitCode ?? 1));
  }
}

/** `zpass users password bulk <file.csv>`. */
export function bulk(file: string, flags: BulkFlags): Promise<void> {
  const generate = flags.generate === true;
  return runBulk(file, flags, (client, requirement) => {
    const length = generate ? validLength(Number(flags.length ?? DEFAULT_LENGTH), requirement) : null;
    return {
      command: 'zpass users password bulk',
      schema: PASSWORD_CSV,
      category: 'Medium',
      generate,
      length,
      checkColumns: (columns) => {
        if (!columns.includes('password') && !generate)
          throw new CliError(
            `${file} has no "password" column: add one, or pass --generate to make passwords.`,
          );
      },
      check: (row) => {
        if (row.password !== undefined) return passwordProblem(client, row.password, requirement);
        return generate ? undefined : { message: 'No password (pass --generate to make one for such rows).' };
      },
      begin: (journal, resumed) => {
        const key = generate ? generationKey(journal, resumed) : undefined;
        const passwordOf = (row: CsvRow): string =>
          row.password ??
          generatePassword(length!, seededRandom(key!, row.row), (pw) =>
            client.users.checkPassword(pw, requirement),
          );
        return {
          send: (row, signal) => client.users.updatePassword(row.user, passwordOf(row), { signal }),
          passwordOf: generate ? passwordOf : undefined,
          // The key goes once every generated password is in force and reported.
          finish: (complete) => {
            if (complete && key) rmSync(`${journal.path}.key`, { force: true });
          },
        };
      },
      earlier: passwordChangedEarlier,
    };
  });
}

/** The key the generated passwords derive from, beside the journal (mode 0600). */
function generationKey(journal: Journal, resumed: boolean): Buffer {
  const keyPath = `${journal.path}.key`;
  if (existsSync(keyPath)) return Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'hex');
  if (resumed && journal.states.some((s) => s !== RowState.None)) {
    journal.close();
    throw new CliError(
      `${keyPath} is missing: the generated passwords of rows already sent cannot be recovered. Move ${journal.path} away to start a new run.`,
    );
  }
  const key = randomBytes(32);
  writeFileSync(keyPath, `${key.toString('hex')}\n`, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  return key;
}

function reportDryRun(v: Validation, resultsPath: string, flags: BulkFlags): void {
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          dry_run: true,
          rows: v.rows,
          valid: v.rows - v.invalid,
          invalid: v.invalid,
          problems: v.groups,
          results: resultsPath,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    process.stdout.write(
      `dry run: ${v.rows} rows, ${v.rows - v.invalid} valid, ${v.invalid} invalid; nothing was changed\n`,
    );
    for (const line of problemLines(v.groups)) process.stdout.write(`${line}\n`);
    process.stdout.write(`results: ${resultsPath}\n`);
  }
  process.exitCode = v.invalid > 0 ? 1 : 0;
}

function countToDo(journal: Journal, rows: number, invalid: number): number {
  let finished = 0;
  for (let r = 1; r <= rows; r++) {
    const s = journal.state(r);
    if (s === RowState.Ok || s === RowState.Failed) finished++;
  }
  return rows - invalid - finished;
}

function tally(journal: Journal, s: Summary): void {
  s.ok = 0;
  s.failed = 0;
  s.uncertain = 0;
  s.retry = 0;
  for (let r = 1; r <= s.rows; r++) {
    const st = journal.state(r);
    if (st === RowState.Ok) s.ok++;
    else if (st === RowState.Failed) {
      if (journal.outcomes.get(r)?.status === 'uncertain') s.uncertain++;
      else s.failed++;
    } else if (st === RowState.Retry || st === RowState.Sent) s.retry++;
  }
  s.pending = s.rows - s.invalid - s.ok - s.failed - s.uncertain - s.retry;
}

function report(s: Summary, flags: BulkFlags, note: string | undefined): void {
  if (flags.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  else {
    const rate =
      s.rate_per_second !== undefined ? `; ${s.rate_per_second}/s of ${s.allowed_per_second}/s allowed` : '';
    process.stdout.write(
      `${s.rows} rows: ${s.ok} ok, ${s.failed} failed, ${s.invalid} invalid` +
        (s.uncertain ? `, ${s.uncertain} uncertain` : '') +
        (s.retry ? `, ${s.retry} to retry` : '') +
        (s.pending ? `, ${s.pending} pending` : '') +
        ` (${s.changed_this_run} changed by this run${rate})\n`,
    );
    if (s.results) process.stdout.write(`results: ${s.results}\n`);
    if (note) process.stdout.write(`${note}\n`);
  }
  const allOk = s.ok === s.rows;
  if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = allOk ? 0 : 1;
}
