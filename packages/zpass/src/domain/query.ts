import type { FieldError } from './errors.js';

/**
 * A query-string integer: digits only, within bounds; otherwise a field error is pushed
 * (`{field} must be an integer between {min} and {max}.`) and undefined returned.
 */
export function queryInt(
  errors: FieldError[],
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.push({ field, message: `${field} must be an integer between ${min} and ${max}.` });
    return undefined;
  }
  return n;
}
