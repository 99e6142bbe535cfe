import type { Redis } from 'ioredis';
import type { Store } from '../store/database.js';

/** What `GET /readyz` answers: each check by name, `ok` or what is wrong. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
}

export interface ReadinessSources {
  store: Store;
  /** The Redis client of the rate-limit counters, when Redis is configured. */
  redis?: Redis;
  /** True from the moment a graceful shutdown begins. */
  shuttingDown?: () => boolean;
  /** A check slower than this fails (default 2000 ms): a stalled database is not a ready one. */
  timeoutMs?: number;
}

const FAILED: unique symbol = Symbol('failed');

async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof FAILED> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof FAILED>((resolve) => {
    timer = setTimeout(() => resolve(FAILED), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.catch((): typeof FAILED => FAILED), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether this server should receive traffic: not shutting down, the store answers, its
 * schema is current, and Redis answers when it is configured. The checks run in parallel,
 * each bounded by `timeoutMs`; error texts are not returned (they may name hosts).
 */
export async function checkReadiness(sources: ReadinessSources): Promise<ReadinessReport> {
  const ms = sources.timeoutMs ?? 2000;
  const checks: Record<string, string> = {};
  if (sources.shuttingDown?.()) checks.shutdown = 'shutting down';
  const { redis } = sources;
  const [ping, pending, pong] = await Promise.all([
    within(sources.store.ping(), ms),
    within(sources.store.pending(), ms),
    redis === undefined ? undefined : redis.status === 'ready' ? within(redis.ping(), ms) : FAILED,
  ]);
  checks.store = ping === FAILED ? 'unreachable' : 'ok';
  checks.migrations =
    pending === FAILED ? 'unknown' : pending.length > 0 ? `pending: ${pending.join(', ')}` : 'ok';
  if (redis !== undefined) checks.redis = pong === FAILED ? 'unreachable' : 'ok';
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
