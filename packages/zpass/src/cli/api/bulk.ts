/**
 * `zpass users password bulk <file.csv>`: validate every row, then change passwords at the
 * account's allowed rate, journaling each row so that a rerun resumes without changing a row
 * twice, and write a results CSV (mode 0600).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import {
  type PasswordRequirementSettings,
  RateLimitPacer,
  ZoomApiError,
  type ZoomClient,
  ZoomConnectionError,
  ZoomInternalServerError,
  ZoomRateLimitError,
} from '@zpass/zoom-client';
import { CliError, clientFor, describeError, resolveProfile } from './connection.js';
import { type CsvRow, openCsv } from './csv.js';
import { DEFAULT_LENGTH, generatePassword, seededRandom, validLength } from './generate.js';
import { Journal, type JournalHeader, type Outcome, RowState } from './journal.js';
import { fetchRequirement } from './policy.js';
import { Progress } from './progress.js';

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

/** Consecutive rows without any answer from the API before the run stops (the API is unreachable). */
const MAX_CONSECUTIVE_UNREACHABLE = 20;
/** Problems listed by the validation pass (all of them are in the results CSV). */
const SHOWN_PROBLEMS = 20;

/**
 * Which row first named each user: 64-bit digests of the normalised user in an open-addressing
 * table (12 bytes a slot), so a million rows cost about 25 MB rather than a Map of strings.
 */
export class FirstRowIndex {
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  #row = new Uint32Array(1024);
  #size = 0;

  /** The row that first named `user`; records `row` as that row when none did. */
  firstRow(user: string, row: number): number {
    const key = user.includes('@') ? user.toLowerCase() : user;
    const d = createHash('sha1').update(key).digest();
    const hi = d.readUInt32BE(0);
    const lo = d.readUInt32BE(4);
    const found = this.#find(hi, lo);
    if (this.#row[found] !== 0) return this.#row[found]!;
    this.#hi[found] = hi;
    this.#lo[found] = lo;
    this.#row[found] = row;
    if (++this.#size * 2 > this.#row.length) this.#grow();
    return row;
  }

  #find(hi: number, lo: number): number {
    const mask = this.#row.length - 1;
    let i = (lo ^ (hi >>> 7)) & mask;
    while (this.#row[i] !== 0 && !(this.#hi[i] === hi && this.#lo[i] === lo)) i = (i + 1) & mask;
    return i;
  }

  #grow(): void {
    const [hi, lo, row] = [this.#hi, this.#lo, this.#row];
    this.#hi = new Uint32Array(row.length * 2);
    this.#lo = new Uint32Array(row.length * 2);
    this.#row = new Uint32Array(row.length * 2);
    for (let i = 0; i < row.length; i++) {
      if (row[i] === 0) continue;
      const at = this.#find(hi[i]!, lo[i]!);
      this.#hi[at] = hi[i]!;
      this.#lo[at] = lo[i]!;
      this.#row[at] = row[i]!;
    }
  }
}

interface Problem {
  code?: number | string | undefined;
  message: string;
}

/** Why a row cannot be sent, or undefined. The same answer in every pass over the file. */
function judgeRow(
  client: ZoomClient,
  row: CsvRow,
  index: FirstRowIndex,
  requirement: PasswordRequirementSettings | undefined,
  generate: boolean,
): Problem | undefined {
  if (row.problem) return { message: row.problem };
  const first = index.firstRow(row.user, row.row);
  if (first !== row.row) return { message: `Duplicate: the same user as row ${first}.` };
  if (row.password === undefined) {
    return generate ? undefined : { message: 'No password (pass --generate to make one for such rows).' };
  }
  const v = client.users.checkPassword(row.password, requirement)[0];
  if (!v) return undefined;
  const detail = v.errors?.map((e) => e.message).join(' ');
  return { code: v.code, message: `${v.message}${detail ? ` ${detail}` : ''}` };
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
    throw new CliError(`${name} must be a number above 0${max < 1e9 ? ` and at most ${max}` : ''}.`);
  return n;
}

/** `users.csv` → `users.results.csv`, beside the input. */
export function defaultResultsPath(input: string): string {
  const ext = extname(input);
  return join(dirname(input), `${basename(input, ext)}.results.csv`);
}

export function journalPath(input: string): string {
  return `${input}.journal`;
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
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

export async function bulk(file: string, flags: BulkFlags): Promise<void> {
  const { profile } = resolveProfile(flags);
  const generate = flags.generate === true;
  const fraction = positiveNumber(flags.rateFraction, '--rate-fraction', 0.97, 1);
  const concurrency = Math.floor(positiveNumber(flags.concurrency, '--concurrency', 16, 256));
  // A run that meets a server restart or a network drop keeps retrying for about half a minute.
  const client = clientFor(profile, { maxRetries: 6 });
  if (!existsSync(file)) throw new CliError(`${file}: no such file.`);

  // The settings request counts against the same Medium limit as the changes: pace it too
  // (its answer also teaches the pacer the account's limit before the first change).
  const pacer = new RateLimitPacer(client, { category: 'Medium', fraction, concurrency });
  const requirement = await pacer.schedule(() => fetchRequirement(client));
  const length = generate ? validLength(Number(flags.length ?? DEFAULT_LENGTH), requirement) : null;
  const say = (line: string) => {
    if (!flags.json) process.stdout.write(`${line}\n`);
  };

  // Pass 1: every row, locally, before anything changes.
  const index = new FirstRowIndex();
  const csv = await openCsv(file);
  if (!csv.columns.includes('password') && !generate) {
    throw new CliError(`${file} has no "password" column: add one, or pass --generate to make passwords.`);
  }
  let rows = 0;
  let invalid = 0;
  const problems: Array<{ row: number; line: number; user: string } & Problem> = [];
  for await (const row of csv.rows) {
    rows = row.row;
    const p = judgeRow(client, row, index, requirement, generate);
    if (!p) continue;
    invalid++;
    if (problems.length < (flags.json ? 1000 : SHOWN_PROBLEMS))
      problems.push({ row: row.row, line: row.line, user: row.user, ...p });
  }
  const digest = csv.digest();
  const summary: Summary = {
    rows,
    valid: rows - invalid,
    invalid,
    ok: 0,
    failed: 0,
    uncertain: 0,
    retry: 0,
    pending: 0,
    changed_this_run: 0,
  };
  const problemLine = (p: (typeof problems)[number]) =>
    `  row ${p.row} (line ${p.line}) ${p.user || '(no user)'}: ${p.message}${p.code === undefined ? '' : ` (code ${p.code})`}`;
  if (flags.dryRun) {
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ dry_run: true, rows, valid: rows - invalid, invalid, problems, problems_truncated: invalid > problems.length }, null, 2)}\n`,
      );
    } else {
      say(`dry run: ${rows} rows, ${rows - invalid} valid, ${invalid} invalid; nothing was changed`);
      for (const p of problems) say(problemLine(p));
      if (invalid > problems.length) say(`  ... and ${invalid - problems.length} more`);
    }
    process.exitCode = invalid > 0 ? 1 : 0;
    return;
  }
  if (!flags.json) {
    process.stderr.write(`validated ${rows} rows: ${rows - invalid} valid, ${invalid} invalid\n`);
    for (const p of problems) process.stderr.write(`${problemLine(p)}\n`);
    if (invalid > problems.length)
      process.stderr.write(`  ... and ${invalid - problems.length} more (see the results)\n`);
  }

  // The journal, and the key the generated passwords derive from (beside it, mode 0600).
  const jpath = journalPath(file);
  const header: JournalHeader = {
    journal: 'zpass users password bulk',
    version: 1,
    input_sha256: digest,
    rows,
    generate,
    length,
    started_at: new Date().toISOString(),
  };
  const { journal, resumed } = await Journal.open(jpath, header);
  const keyPath = `${jpath}.key`;
  const resultsPath = flags.results ?? defaultResultsPath(file);
  summary.journal = jpath;
  summary.results = resultsPath;
  if (journal.complete) {
    journal.close();
    tally(journal, summary);
    report(summary, flags, `already complete (journal ${jpath}); results were written to ${resultsPath}`);
    return;
  }
  let key: Buffer | undefined;
  if (generate) {
    if (existsSync(keyPath)) key = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'hex');
    else if (resumed && hasSent(journal)) {
      journal.close();
      throw new CliError(
        `${keyPath} is missing: the generated passwords of rows already sent cannot be recovered. Move ${jpath} away to start a new run.`,
      );
    } else {
      key = randomBytes(32);
      writeFileSync(keyPath, `${key.toString('hex')}\n`, { mode: 0o600 });
      chmodSync(keyPath, 0o600);
    }
  }
  const passwordOf = (row: CsvRow): string =>
    row.password ??
    generatePassword(length!, seededRandom(key!, row.row), (pw) =>
      client.users.checkPassword(pw, requirement),
    );

  // Pass 2: the changes.
  const toDo = countToDo(journal, rows, invalid);
  const counts = { done: 0, failed: 0, total: toDo };
  const progress = new Progress(counts, {
    tty: process.stderr.isTTY === true && !flags.json,
    intervalMs: flags.progressInterval
      ? positiveNumber(flags.progressInterval, '--progress-interval', 5000) * 1000
      : undefined,
  });
  if (resumed && !flags.json) process.stderr.write(`resuming from ${jpath}: ${toDo} rows left\n`);
  let stop: string | undefined;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    stop = 'interrupted';
    process.stderr.write('\ninterrupted: finishing the changes in flight (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  let unreachable = 0;
  let firstStart: number | undefined;
  let lastEnd = 0;
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  if (!flags.json) progress.start();

  const run = async (row: CsvRow, resend: boolean): Promise<void> => {
    const password = passwordOf(row);
    let sent = false;
    let outcome: Outcome | 'unsent';
    try {
      await pacer.schedule(() => {
        // After Ctrl-C or a stop, rows still waiting for their turn are not sent.
        if (stop) return Promise.resolve();
        // Journaled just before it leaves: from here on the change may happen.
        journal.record({ row: row.row, event: 'sent' });
        sent = true;
        firstStart ??= Date.now();
        return client.users.updatePassword(row.user, password);
      });
      outcome = { status: 'ok' };
      unreachable = 0;
    } catch (err) {
      outcome = sent ? classify(err, resend) : 'unsent';
      if (err instanceof ZoomConnectionError) {
        if (++unreachable >= MAX_CONSECUTIVE_UNREACHABLE) stop ??= 'the API is unreachable';
      } else unreachable = 0;
      if (err instanceof ZoomRateLimitError && err.isDailyLimit) stop ??= describeError(err);
    }
    if (!sent) return;
    lastEnd = Date.now();
    if (outcome === 'unsent') {
      journal.record({ row: row.row, event: 'unsent' });
      return;
    }
    if (outcome.status === 'ok') {
      journal.record({ row: row.row, event: 'ok', ...(outcome.message ? { message: outcome.message } : {}) });
      counts.done++;
      // A row an earlier run had already changed (the server said so) is not counted again.
      if (!outcome.message) summary.changed_this_run++;
    } else if (outcome.status === 'retry') {
      journal.record({ row: row.row, event: 'retry', code: outcome.code, message: outcome.message });
      counts.failed++;
    } else {
      journal.record({
        row: row.row,
        event: 'failed',
        status: outcome.status,
        code: outcome.code,
        message: outcome.message,
      });
      counts.failed++;
    }
  };

  const pass2 = await openCsv(file);
  const index2 = new FirstRowIndex();
  for await (const row of pass2.rows) {
    if (stop) break;
    if (judgeRow(client, row, index2, requirement, generate)) continue;
    const state = journal.state(row.row);
    if (state === RowState.Ok || state === RowState.Failed) continue;
    const resend = state === RowState.Sent || state === RowState.Retry;
    const p = run(row, resend).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency * 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  pacer.close();
  process.off('SIGINT', onSigint);
  progress.stop();
  if (pass2.digest() !== digest && !stop) {
    // The file changed under the run: the journal's row numbers may no longer match it.
    journal.close();
    throw new CliError(
      `${file} changed during the run; the journal ${jpath} is kept. Restore the file and rerun.`,
    );
  }

  tally(journal, summary);
  const done = summary.retry === 0 && summary.pending === 0;
  if (done) journal.record({ event: 'complete', at: new Date().toISOString() });
  journal.close();

  // Pass 3: the results, in the input's order.
  await writeResults(file, resultsPath, journal, {
    generate,
    passwordOf,
    index: new FirstRowIndex(),
    client,
    requirement,
  });
  if (done && key) rmSync(keyPath, { force: true });

  if (firstStart !== undefined && lastEnd > firstStart) {
    summary.elapsed_seconds = Math.round((Date.now() - started) / 100) / 10;
    summary.rate_per_second =
      Math.round(((counts.done + counts.failed) * 1000 * 10) / (lastEnd - firstStart)) / 10;
    summary.allowed_per_second = pacer.limit;
  }
  if (interrupted) summary.interrupted = true;
  if (stop && !interrupted) summary.stopped = stop;
  report(
    summary,
    flags,
    interrupted
      ? 'interrupted: rerun the same command to resume'
      : stop
        ? `stopped: ${stop}; rerun the same command to resume`
        : undefined,
  );
  if (interrupted) process.exitCode = 130;
}

function hasSent(journal: Journal): boolean {
  return journal.states.some((s) => s !== RowState.None);
}

function countToDo(journal: Journal, rows: number, invalid: number): number {
  let finished = 0;
  for (let r = 1; r <= rows; r++) {
    const s = journal.state(r);
    if (s === RowState.Ok || s === RowState.Failed) finished++;
  }
  return rows - invalid - finished;
}

/** What a failed change means for the row, knowing whether it was sent before (`resend`). */
function classify(err: unknown, resend: boolean): Outcome | 'unsent' {
  if (!(err instanceof ZoomApiError)) return { status: 'retry', message: describeError(err) };
  const earlier = resend || err.earlierAttemptMayHaveSucceeded;
  if (err instanceof ZoomRateLimitError) {
    // A 429 was not processed; only an earlier attempt could have made the change.
    return earlier ? { status: 'retry', code: err.code, message: describeError(err) } : 'unsent';
  }
  if (err instanceof ZoomConnectionError || err instanceof ZoomInternalServerError || err.status === 408) {
    return { status: 'retry', code: err.code, message: describeError(err) };
  }
  if (earlier && err.is('samePassword')) {
    return { status: 'ok', message: 'Set by an earlier attempt of this run.' };
  }
  if (earlier && err.is('tooManyChanges')) {
    return {
      status: 'uncertain',
      code: err.code,
      message: `${err.message} An earlier attempt may have set the password: check before changing it again.`,
    };
  }
  return { status: 'failed', code: err.code, message: describeError(err).replace(/ \(code [^)]*\)$/, '') };
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

async function writeResults(
  input: string,
  path: string,
  journal: Journal,
  o: {
    generate: boolean;
    passwordOf: (row: CsvRow) => string;
    index: FirstRowIndex;
    client: ZoomClient;
    requirement: PasswordRequirementSettings | undefined;
  },
): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    chmodSync(tmp, 0o600);
    let buf = o.generate ? 'user,status,code,message,password\n' : 'user,status,code,message\n';
    const csv = await openCsv(input);
    for await (const row of csv.rows) {
      const problem = judgeRow(o.client, row, o.index, o.requirement, o.generate);
      let fields: string[];
      if (problem) fields = [row.user, 'invalid', String(problem.code ?? ''), problem.message];
      else {
        const st = journal.state(row.row);
        const out = journal.outcomes.get(row.row);
        const generated = o.generate && row.password === undefined;
        if (st === RowState.Ok)
          fields = [row.user, 'ok', '', out?.message ?? '', generated ? o.passwordOf(row) : ''];
        else if (st === RowState.Failed && out?.status === 'uncertain')
          fields = [
            row.user,
            'uncertain',
            String(out.code ?? ''),
            out.message ?? '',
            generated ? o.passwordOf(row) : '',
          ];
        else if (st === RowState.Failed)
          fields = [row.user, 'failed', String(out?.code ?? ''), out?.message ?? ''];
        else if (st === RowState.Retry || st === RowState.Sent)
          fields = [
            row.user,
            'retry',
            String(out?.code ?? ''),
            `${out?.message ?? 'In flight when the run stopped.'} Rerun the same command to finish.`,
          ];
        else fields = [row.user, 'pending', '', 'Not sent yet: rerun the same command to finish.'];
        if (!o.generate) fields = fields.slice(0, 4);
        else while (fields.length < 5) fields.push('');
      }
      if (o.generate && fields.length < 5) fields.push('');
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
