/**
 * The counting windows. Per-second limits count in fixed one-second windows
 * aligned to whole seconds of UTC (the window of time t is [floor(t), floor(t)+1 s));
 * daily limits count in UTC calendar days ([00:00:00Z, next 00:00:00Z)).
 * A request is counted in the windows of the instant the server received it.
 */

export const SECOND_MS = 1000;
export const DAY_MS = 86_400_000;

/** Index of the one-second window holding `now` (whole seconds since the epoch). */
export function secondWindow(now: number): number {
  return Math.floor(now / SECOND_MS);
}

/** Index of the UTC day holding `now` (days since the epoch). */
export function dayWindow(now: number): number {
  return Math.floor(now / DAY_MS);
}

/** Start of the next one-second window, ms. */
export function nextSecond(now: number): number {
  return (secondWindow(now) + 1) * SECOND_MS;
}

/** Next 00:00:00 UTC, ms. */
export function nextUtcMidnight(now: number): number {
  return (dayWindow(now) + 1) * DAY_MS;
}

/** ISO 8601 in UTC without fractions ("2026-01-02T00:00:00Z"), as Zoom writes times. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
