/**
 * The journal of a bulk run: one JSON line per event, appended as it happens, beside the input.
 * It never holds a password. Rerunning the same command reads it back and resumes.
 *
 * Events: `sent` (written before a change is sent), then `ok`, `failed` (a final answer, not
 * sent again), `retry` (no answer that says whether the change was made: sent again, with the
 * same password, on the next run) or `unsent` (refused before processing, e.g. a daily limit).
 * A row whose last event is `sent` was in flight when the process ended: it is treated as `retry`.
 */
import { closeSync, createReadStream, existsSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliError } from './connection.js';

export const RowState = { None: 0, Sent: 1, Ok: 2, Failed: 3, Retry: 4 } as const;
export type RowState = (typeof RowState)[keyof typeof RowState];

export interface JournalHeader {
  /** The command that wrote it, e.g. `zpass users password bulk`. */
  journal: string;
  version: 1;
  input_sha256: string;
  rows: number;
  generate: boolean;
  length: number | null;
  started_at: string;
}

export interface Outcome {
  /** `failed`, or `uncertain` when an earlier attempt may have made the change anyway. */
  status: 'ok' | 'failed' | 'uncertain' | 'retry';
  code?: number | string | undefined;
  message?: string | undefined;
}

type Event =
  | { row: number; event: 'sent' | 'unsent' }
  | ({ row: number; event: 'ok' | 'failed' | 'retry' } & Omit<Outcome, 'status'> & { status?: string })
  | { event: 'complete'; at: string };

export class Journal {
  readonly states: Uint8Array;
  /** Messages of rows that did not simply succeed (and of those resolved by a resend). */
  readonly outcomes = new Map<number, Outcome>();
  complete = false;
  #fd: number | undefined;

  private constructor(
    readonly path: string,
    readonly header: JournalHeader,
    rows: number,
  ) {
    this.states = new Uint8Array(rows + 1);
  }

  /**
   * Opens the journal for `header`'s input and options: a new one, or the existing one when it
   * belongs to the same input and options (refused otherwise, so that no row changes twice).
   */
  static async open(path: string, header: JournalHeader): Promise<{ journal: Journal; resumed: boolean }> {
    if (!existsSync(path)) {
      const j = new Journal(path, header, header.rows);
      j.#fd = openSync(path, 'a', 0o600);
      j.#write(header);
      return { journal: j, resumed: false };
    }
    // Streamed line by line: a million-row run's journal is never held whole in memory.
    const lines = createInterface({
      input: createReadStream(path, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    const it = lines[Symbol.asyncIterator]();
    let old: JournalHeader;
    try {
      old = JSON.parse((await it.next()).value ?? '') as JournalHeader;
    } catch {
      throw new CliError(`${path} is not a journal of ${header.journal}; move it away to start over.`);
    }
    if (old?.journal !== header.journal || old.version !== 1) {
      lines.close();
      throw new CliError(`${path} is not a journal of ${header.journal}; move it away to start over.`);
    }
    if (old.input_sha256 !== header.input_sha256 || old.rows !== header.rows) {
      lines.close();
      throw new CliError(
        `The input changed since ${path} was written, so its rows cannot be matched: restore the original file to resume, or move the journal away to start a new run.`,
      );
    }
    if (old.generate !== header.generate || (old.generate && old.length !== header.length)) {
      lines.close();
      const flags = old.generate ? `--generate --length ${old.length}` : 'without --generate';
      throw new CliError(`${path} was written by a run ${flags}: rerun with the same options to resume.`);
    }
    const j = new Journal(path, old, old.rows);
    for (let next = await it.next(); !next.done; next = await it.next()) {
      const line = next.value;
      if (!line) continue;
      let e: Event;
      try {
        e = JSON.parse(line) as Event;
      } catch {
        continue; // a line cut short when the process died: its row is in flight
      }
      j.#apply(e);
    }
    j.#fd = openSync(path, 'a', 0o600);
    return { journal: j, resumed: true };
  }

  #apply(e: Event): void {
    if (e.event === 'complete') {
      this.complete = true;
      return;
    }
    const row = e.row;
    if (!(row >= 1 && row < this.states.length)) return;
    switch (e.event) {
      case 'sent':
        this.states[row] = RowState.Sent;
        break;
      case 'unsent':
        this.states[row] = RowState.None;
        break;
      case 'ok':
        this.states[row] = RowState.Ok;
        if (e.message) this.outcomes.set(row, { status: 'ok', message: e.message });
        else this.outcomes.delete(row);
        break;
      case 'failed':
        this.states[row] = RowState.Failed;
        this.outcomes.set(row, {
          status: e.status === 'uncertain' ? 'uncertain' : 'failed',
          code: e.code,
          message: e.message,
        });
        break;
      case 'retry':
        this.states[row] = RowState.Retry;
        this.outcomes.set(row, { status: 'retry', code: e.code, message: e.message });
        break;
    }
  }

  #write(value: unknown): void {
    if (this.#fd === undefined) throw new Error('journal is closed');
    // One write per line: a line already written survives the process being killed.
    writeSync(this.#fd, `${JSON.stringify(value)}\n`);
  }

  record(e: Event): void {
    this.#apply(e);
    this.#write(e);
  }

  state(row: number): RowState {
    return this.states[row] as RowState;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
