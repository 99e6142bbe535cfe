/**
 * The fields of the Users API's bodies as Zoom checks them: names, user types (e-mail
 * addresses: the one rule of @zpass/contract). Shared by create, update and the user's own changes (manage.ts).
 */

/** The user types Zoom's current spec allows on create and update (Rivet: `1 | 2 | 4 | 99`). */
import { USER_TYPES } from '@zpass/contract';
import type { FieldError } from '../errors.js';

export { EMAIL_MAX, isEmail, USER_TYPES } from '@zpass/contract';
/** Longest names accepted (Zoom: 64 for first and last names). */
export const NAME_MAX = 64;
export const DISPLAY_NAME_MAX = 128;

export type Body = Record<string, unknown>;

/** Zoom's field errors all read "Invalid field."; the field's name says which. */
export const INVALID_FIELD = 'Invalid field.';

export function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name field: a string of at most `max` characters, without control characters. */
export function nameField(
  errors: FieldError[],
  field: string,
  value: unknown,
  max: number,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || [...value].length > max || /\p{Cc}/u.test(value)) {
    errors.push({ field, message: INVALID_FIELD });
    return undefined;
  }
  return value.trim();
}

/** A user type of Zoom's spec (`USER_TYPES`), or a field error. */
export function typeField(errors: FieldError[], field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!(USER_TYPES as readonly unknown[]).includes(value)) {
    errors.push({ field, message: INVALID_FIELD });
    return undefined;
  }
  return value as number;
}
