/**
 * Progress of a bulk run on stderr: a line redrawn in place on a terminal (never wider than the
 * terminal), plain periodic lines otherwise. While the API does not answer, it says "retrying".
 */

export interface ProgressCounts {
  done: number;
  failed: number;
  total: number;
  /** Set while the last attempt met no answer (or a 5xx) and the client is retrying. */
  retrying?: boolean;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The terminal line for `parts` (most important first) in at most `width` columns: a bar of
 * 10 to 24 cells when there is room, then as many parts as fit; never wider than `width`.
 */
export function fitLine(fraction: number, parts: string[], width: number): string {
  const room = Math.max(1, width);
  let text = '';
  for (const p of parts) {
    const next = text ? `${text} ${p}` : p;
    if (next.length > room) break;
    text = next;
  }
  if (!text) text = (parts[0] ?? '').slice(0, room);
  const left = room - text.length - 3; // "[" "]" and a space
  if (left >= 10) {
    const cells = Math.min(24, left);
    const filled = Math.min(cells, Math.round(Math.max(0, Math.min(1, fraction)) * cells));
    return `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}] ${text}`;
  }
  return text;
}

export class Progress {
  readonly #tty: boolean;
  readonly #started = Date.now();
  readonly #intervalMs: number;
  readonly #columns: () => number;
  #timer: NodeJS.Timeout | undefined;
  /** (time, finished) samples of the last seconds, for the current rate. */
  readonly #samples: Array<[number, number]> = [];

  constructor(
    readonly counts: ProgressCounts,
    options: { tty: boolean; intervalMs?: number; columns?: () => number },
  ) {
    this.#tty = options.tty;
    this.#intervalMs = options.intervalMs ?? (this.#tty ? 200 : 5000);
    this.#columns = options.columns ?? (() => process.stderr.columns || 80);
  }

  start(): void {
    this.#timer = setInterval(() => this.render(), this.#intervalMs);
    this.#timer.unref();
  }

  /** The parts of the line, most important first. */
  parts(): { fraction: number; parts: string[] } {
    const { done, failed, total } = this.counts;
    const finished = done + failed;
    const now = Date.now();
    this.#samples.push([now, finished]);
    while (this.#samples.length > 2 && now - this.#samples[0]![0] > 5000) this.#samples.shift();
    const [t0, f0] = this.#samples[0]!;
    // The rate of the last seconds; the whole run's once the samples hold nothing newer.
    const rate =
      now > t0 && finished > f0
        ? ((finished - f0) * 1000) / (now - t0)
        : now > this.#started
          ? (finished * 1000) / (now - this.#started)
          : 0;
    const eta = rate > 0 ? (total - finished) / rate : Number.POSITIVE_INFINITY;
    const parts = [
      `${finished}/${total}`,
      ...(this.counts.retrying ? ['retrying (no answer from the API)'] : []),
      `ok ${done}`,
      `failed ${failed}`,
      `${rate.toFixed(1)}/s`,
      `ETA ${this.counts.retrying ? '--:--' : clock(eta)}`,
      `elapsed ${clock((now - this.#started) / 1000)}`,
    ];
    return { fraction: total > 0 ? finished / total : 1, parts };
  }

  line(): string {
    const { fraction, parts } = this.parts();
    if (!this.#tty) return parts.join(' ');
    // One column spare: a line that fills the last column makes some terminals wrap.
    return fitLine(fraction, parts, this.#columns() - 1);
  }

  render(): void {
    if (this.#tty) process.stderr.write(`\r\x1b[2K${this.line()}`);
    else process.stderr.write(`progress: ${this.line()}\n`);
  }

  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.render();
    if (this.#tty) process.stderr.write('\n');
  }
}
