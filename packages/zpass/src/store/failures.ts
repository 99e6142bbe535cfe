/** How the store's drivers report failures, sorted into what callers can act on. */

interface DriverError {
  code?: string;
  message?: string;
}

/** The database cannot be reached right now: the request may be retried later. */
export class StoreUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super('the database is unavailable');
  }
}

/** A transaction committed, but one of its after-commit hooks threw (reported, never thrown to the caller). */
export class AfterCommitError extends Error {
  constructor(override readonly cause: unknown) {
    super(`an after-commit hook failed: ${(cause as Error | undefined)?.message ?? String(cause)}`);
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

/** A lost or refused connection, a database shutting down or starting up. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const e = err as DriverError | undefined;
  if (!e) return false;
  const code = e.code ?? '';
  if (NETWORK_CODES.has(code)) return true;
  // 08xxx connection exceptions, 57P01..57P03 admin shutdown / crash shutdown / cannot connect now.
  if (/^08/.test(code) || /^57P0[123]$/.test(code)) return true;
  const msg = e.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i.test(
    msg,
  );
}

/** Serialization failure or deadlock: the transaction can simply run again. */
export function isRetryableConflict(err: unknown): boolean {
  const code = (err as DriverError | undefined)?.code;
  return code === '40001' || code === '40P01';
}

/** A unique constraint refused the write (both engines). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as DriverError | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
