import type { LimitType } from './categories.js';
import type { Counter, Take, TakeResult } from './counter.js';
import { dayWindow, secondWindow } from './windows.js';

interface Slot {
  window: number;
  count: number;
}

/**
 * Counts in this process's memory: the embedded default, and what the Redis
 * counter falls back to while Redis cannot be reached. One slot per account and
 * category and window kind, replaced when its window passes, so memory stays
 * bounded by the number of active accounts.
 */
export class MemoryCounter implements Counter {
  readonly kind = 'memory' as const;
  private readonly seconds = new Map<string, Slot>();
  private readonly days = new Map<string, Slot>();
  private readonly forced = new Map<string, number>();
  private lastSweep = 0;

  async take(t: Take): Promise<TakeResult> {
    return this.takeSync(t);
  }

  takeSync(t: Take): TakeResult {
    const key = `${t.accountId}\u0000${t.category}`;
    const forced = this.consumeForced(t.accountId);
    const sw = secondWindow(t.now);
    const dw = dayWindow(t.now);
    const sec = this.current(this.seconds, key, sw);
    const day = t.limits.daily === null ? undefined : this.current(this.days, key, dw);
    if (forced)
      return { allowed: false, refusedBy: forced, forced: true, second: sec.count, day: day?.count ?? 0 };
    if (day && t.limits.daily !== null && day.count >= t.limits.daily)
      return { allowed: false, refusedBy: 'Daily-limit', second: sec.count, day: day.count };
    if (sec.count >= t.limits.qps)
      return { allowed: false, refusedBy: 'QPS', second: sec.count, day: day?.count ?? 0 };
    sec.count++;
    if (day) day.count++;
    this.sweep(sw);
    return { allowed: true, second: sec.count, day: day?.count ?? 0 };
  }

  async force(accountId: string, type: LimitType, count: number): Promise<void> {
    this.forced.set(`${accountId}\u0000${type}`, count);
  }

  async close(): Promise<void> {
    this.seconds.clear();
    this.days.clear();
  }

  private current(map: Map<string, Slot>, key: string, window: number): Slot {
    let slot = map.get(key);
    if (!slot) {
      slot = { window, count: 0 };
      map.set(key, slot);
    } else if (slot.window !== window) {
      slot.window = window;
      slot.count = 0;
    }
    return slot;
  }

  /** Daily refusals first: a forced daily 429 outranks a forced per-second one, as a real one does. */
  private consumeForced(accountId: string): LimitType | undefined {
    for (const type of ['Daily-limit', 'QPS'] as const) {
      const key = `${accountId}\u0000${type}`;
      const n = this.forced.get(key);
      if (n !== undefined && n > 0) {
        if (n === 1) this.forced.delete(key);
        else this.forced.set(key, n - 1);
        return type;
      }
    }
    return undefined;
  }

  /** Drops per-second slots of accounts idle for a minute (at most once a minute). */
  private sweep(sw: number): void {
    if (sw - this.lastSweep < 60) return;
    this.lastSweep = sw;
    for (const [k, s] of this.seconds) if (sw - s.window > 60) this.seconds.delete(k);
    const dw = Math.floor(sw / 86_400);
    for (const [k, s] of this.days) if (s.window < dw) this.days.delete(k);
  }
}
