/** Progress of a bulk run on stderr: a bar redrawn in place on a terminal, plain lines otherwise. */

export interface ProgressCounts {
  done: number;
  failed: number;
  total: number;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class Progress {
  readonly #tty: boolean;
  readonly #started = Date.now();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** (time, finished) samples of the last seconds, for the current rate. */
  readonly #samples: Array<[number, number]> = [];

  constructor(
    readonly counts: ProgressCounts,
    options: { tty: boolean; intervalMs?: number },
  ) {
    this.#tty = options.tty;
    this.#intervalMs = options.intervalMs ?? (this.#tty ? 200 : 5000);
  }

  start(): void {
    this.#timer = setInterval(() => this.render(), this.#intervalMs);
    this.#timer.unref();
  }

  line(): string {
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
    const text = `${finished}/${total} ok ${done} failed ${failed} ${rate.toFixed(1)}/s ETA ${clock(eta)} elapsed ${clock((now - this.#started) / 1000)}`;
    if (!this.#tty) return text;
    const width = 24;
    const filled = total > 0 ? Math.round((finished / total) * width) : width;
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`;
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
