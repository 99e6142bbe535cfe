/**
 * Stage 2 of a bulk run: the changes, paced to the account's limit, each journaled before it
 * leaves and when its answer comes. Ctrl-C stops sending at once: rows still waiting for their
 * turn are not sent, requests already on the wire get a bounded time to answer (then they are
 * aborted and stay "in flight" in the journal, resolved by the next run).
 */
import { setMaxListeners } from 'node:events';
import {
  type RateLimitPacer,
  ZoomApiError,
  ZoomConnectionError,
  ZoomInternalServerError,
  ZoomRateLimitError,
  ZoomUserAbortError,
} from '@zpass/zoom-client';
import { describeError } from './connection.js';
import { type CsvRow, openCsv } from './csv.js';
import { type Journal, type Outcome, RowState } from './journal.js';
import type { ProgressCounts } from './progress.js';
import type { RowJudge } from './validate.js';

/** Consecutive rows without any answer from the API before the run stops (the API is unreachable). */
const MAX_CONSECUTIVE_UNREACHABLE = 20;
/** How long requests already on the wire may take to answer after Ctrl-C. */
export const INTERRUPT_GRACE_MS = 1500;

/**
 * The answers that show an earlier attempt of a password change went through: the password
 * is already the new one (ok), or the 24-hour cap was reached (uncertain).
 */
export function passwordChangedEarlier(err: ZoomApiError): Outcome | undefined {
  if (err.is('samePassword')) {
    return { status: 'ok', message: 'Set by an earlier attempt of this run.' };
  }
  if (err.is('tooManyChanges')) {
    return {
      status: 'uncertain',
      code: err.code,
      message: `${err.message} An earlier attempt may have set the password: check before changing it again.`,
    };
  }
  return undefined;
}

/**
 * What a failed change means for the row, knowing whether it was sent before (`resend`);
 * `earlier` reads the answers that mean an earlier attempt made the change.
 */
export function classify(
  err: unknown,
  resend: boolean,
  earlier: (err: ZoomApiError) => Outcome | undefined = passwordChangedEarlier,
): Outcome | 'unsent' {
  if (err instanceof ZoomUserAbortError)
    return { status: 'retry', message: 'In flight when the run was interrupted.' };
  if (!(err instanceof ZoomApiError)) return { status: 'retry', message: describeError(err) };
  const sentBefore = resend || err.earlierAttemptMayHaveSucceeded;
  if (err instanceof ZoomRateLimitError) {
    // A 429 was not processed; only an earlier attempt could have made the change.
    return sentBefore ? { status: 'retry', code: err.code, message: describeError(err) } : 'unsent';
  }
  if (err instanceof ZoomConnectionError || err instanceof ZoomInternalServerError || err.status === 408) {
    return { status: 'retry', code: err.code, message: describeError(err) };
  }
  const resolved = sentBefore ? earlier(err) : undefined;
  if (resolved) return resolved;
  return { status: 'failed', code: err.code, message: describeError(err).replace(/ \(code [^)]*\)$/, '') };
}

export interface RunOptions {
  file: string;
  journal: Journal;
  judge: RowJudge;
  pacer: RateLimitPacer;
  concurrency: number;
  counts: ProgressCounts;
  /** Sends one row's change. */
  send: (row: CsvRow, signal: AbortSignal) => Promise<void>;
  /** The answers to a resend that mean an earlier attempt made the change (see `classify`). */
  earlier?: (err: ZoomApiError) => Outcome | undefined;
  /** Called on the first Ctrl-C (to tell the user). */
  onInterrupt?: () => void;
}

export interface RunOutcome {
  changedThisRun: number;
  stop?: string;
  interrupted: boolean;
  digest: string;
  firstStart?: number;
  lastEnd: number;
}

export async function runChanges(o: RunOptions): Promise<RunOutcome> {
  const { journal, counts } = o;
  const result: RunOutcome = { changedThisRun: 0, interrupted: false, digest: '', lastEnd: 0 };
  const abort = new AbortController();
  // One signal for every request of the run: as many listeners as requests in flight.
  setMaxListeners(0, abort.signal);
  /** Resolves when the run stops early (Ctrl-C, the API unreachable, a daily limit). */
  let stoppedNow: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stoppedNow = resolve;
  });
  const halt = (reason: string) => {
    result.stop ??= reason;
    stoppedNow();
  };
  const onSigint = () => {
    if (result.interrupted) process.exit(130);
    result.interrupted = true;
    result.stop = 'interrupted';
    o.onInterrupt?.();
    stoppedNow();
  };
  process.on('SIGINT', onSigint);
  let unreachable = 0;
  /** Every row handed to the pacer, and whether its request has left. */
  const queued = new Map<Promise<void>, { sent: boolean }>();

  const run = async (row: CsvRow, resend: boolean, entry: { sent: boolean }): Promise<void> => {
    let sent = false;
    let outcome: Outcome | 'unsent';
    try {
      await o.pacer.schedule(() => {
        // After Ctrl-C or a stop, rows still waiting for their turn are not sent.
        if (result.stop) return Promise.resolve();
        // Journaled just before it leaves: from here on the change may happen.
        journal.record({ row: row.row, event: 'sent' });
        sent = true;
        entry.sent = true;
        result.firstStart ??= Date.now();
        return o.send(row, abort.signal);
      });
      outcome = { status: 'ok' };
      unreachable = 0;
    } catch (err) {
      outcome = sent ? classify(err, resend, o.earlier) : 'unsent';
      if (err instanceof ZoomConnectionError) {
        if (++unreachable >= MAX_CONSECUTIVE_UNREACHABLE) halt('the API is unreachable');
      } else unreachable = 0;
      if (err instanceof ZoomRateLimitError && err.isDailyLimit) halt(describeError(err));
    }
    if (!sent) return;
    result.lastEnd = Date.now();
    if (outcome === 'unsent') {
      journal.record({ row: row.row, event: 'unsent' });
      return;
    }
    if (outcome.status === 'ok') {
      journal.record({ row: row.row, event: 'ok', ...(outcome.message ? { message: outcome.message } : {}) });
      counts.done++;
      // A row an earlier run had already changed (the server said so) is not counted again.
      if (!outcome.message) result.changedThisRun++;
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

  const csv = await openCsv(o.file, o.judge.schema);
  for await (const row of csv.rows) {
    if (result.stop) break;
    if (o.judge.judge(row)) continue;
    const state = journal.state(row.row);
    if (state === RowState.Ok || state === RowState.Failed) continue;
    const resend = state === RowState.Sent || state === RowState.Retry;
    const entry = { sent: false };
    const p = run(row, resend, entry).finally(() => queued.delete(p));
    queued.set(p, entry);
    if (queued.size >= o.concurrency * 4) await Promise.race([...queued.keys(), stopped]);
  }
  // Every row is queued: wait for them, unless the run stops first.
  if (!result.stop) await Promise.race([Promise.all(queued.keys()), stopped]);
  if (result.interrupted) {
    // Only the requests on the wire are waited for, and not for long; rows still queued in
    // the pacer will find `stop` set when their turn comes and send nothing.
    const onWire = [...queued].filter(([, e]) => e.sent).map(([p]) => p);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(onWire),
      new Promise((resolve) => {
        timer = setTimeout(resolve, INTERRUPT_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    abort.abort();
    // An aborted request settles at once: its row is journaled "retry".
    await Promise.all(onWire);
  } else if (result.stop) {
    // Stopped for another reason (the API unreachable, a daily limit): the requests on the
    // wire finish (the SDK's retries bound them); rows still queued find the stop when their
    // turn comes and send nothing, so they are not waited for.
    await Promise.all([...queued].filter(([, e]) => e.sent).map(([p]) => p));
  } else {
    await Promise.all(queued.keys());
    result.digest = csv.digest();
  }
  process.off('SIGINT', onSigint);
  // A second Ctrl-C while the results are written still quits at once.
  if (result.interrupted) process.once('SIGINT', () => process.exit(130));
  return result;
}
