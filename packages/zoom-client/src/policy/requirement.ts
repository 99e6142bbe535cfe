// Generated from packages/policy/src by packages/zoom-client/scripts/vendor-policy.mjs: do not edit.
// The SDK bundles this copy of @zpass/policy so that it has no runtime dependencies.

/**
 * Zoom's `security.password_requirement`, with zpass's two extension fields,
 * their defaults and the validation of a partial update.
 */

export interface PasswordRequirement {
  /** 0 = off (the baseline 8 applies); otherwise 8..14. */
  minimum_password_length: number;
  /** Require at least one character that is neither a letter nor a digit. */
  have_special_character: boolean;
  /** 0 = off; otherwise 4..8: no run of that many consecutive characters. */
  consecutive_characters_length: number;
  /** Refuse passwords found in the weak-password list or built from the user's e-mail or name. */
  weak_enhance_detection: boolean;
  /** zpass extension, 0..24: how many previous passwords may not be reused. */
  password_history_count: number;
  /** zpass extension, 1..100: password changes allowed per user in any 24 hours. */
  max_changes_per_day: number;
}

export const DEFAULT_REQUIREMENT: Readonly<PasswordRequirement> = Object.freeze({
  minimum_password_length: 8,
  have_special_character: false,
  consecutive_characters_length: 0,
  weak_enhance_detection: false,
  password_history_count: 0,
  max_changes_per_day: 5,
});

export const HISTORY_MAX = 24;

interface IntField {
  kind: 'int';
  /** Allowed values: 0 (when `zeroOff`) or min..max. */
  min: number;
  max: number;
  zeroOff: boolean;
}
interface BoolField {
  kind: 'bool';
}

export const REQUIREMENT_FIELDS: Record<keyof PasswordRequirement, IntField | BoolField> = {
  minimum_password_length: { kind: 'int', min: 8, max: 14, zeroOff: true },
  have_special_character: { kind: 'bool' },
  consecutive_characters_length: { kind: 'int', min: 4, max: 8, zeroOff: true },
  weak_enhance_detection: { kind: 'bool' },
  password_history_count: { kind: 'int', min: 0, max: HISTORY_MAX, zeroOff: false },
  max_changes_per_day: { kind: 'int', min: 1, max: 100, zeroOff: false },
};

export interface FieldProblem {
  field: string;
  message: string;
}

export interface RequirementPatch {
  value: Partial<PasswordRequirement>;
  errors: FieldProblem[];
}

function describe(spec: IntField): string {
  return spec.zeroOff
    ? `0 or an integer from ${spec.min} to ${spec.max}`
    : `an integer from ${spec.min} to ${spec.max}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a partial `password_requirement` (as a client sends it in a PATCH):
 * every field's type and range, unknown fields, and at least one field. Field
 * names in errors are prefixed with `path`.
 */
export function validateRequirementPatch(input: unknown, path = 'password_requirement'): RequirementPatch {
  const errors: FieldProblem[] = [];
  const value: Partial<PasswordRequirement> = {};
  if (!isPlainObject(input)) {
    return { value, errors: [{ field: path, message: `${path} must be an object.` }] };
  }
  const keys = Object.keys(input);
  if (keys.length === 0) {
    return { value, errors: [{ field: path, message: `${path} must name at least one field.` }] };
  }
  for (const key of keys) {
    const field = `${path}.${key}`;
    if (!Object.hasOwn(REQUIREMENT_FIELDS, key)) {
      errors.push({ field, message: `${field} is not a known field.` });
      continue;
    }
    const name = key as keyof PasswordRequirement;
    const spec = REQUIREMENT_FIELDS[name];
    const v = input[key];
    if (spec.kind === 'bool') {
      if (typeof v !== 'boolean') errors.push({ field, message: `${field} must be a boolean.` });
      else (value as Record<string, unknown>)[name] = v;
      continue;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      errors.push({ field, message: `${field} must be an integer.` });
    } else if (!((spec.zeroOff && v === 0) || (v >= spec.min && v <= spec.max))) {
      errors.push({ field, message: `${field} must be ${describe(spec)}.` });
    } else {
      (value as Record<string, unknown>)[name] = v;
    }
  }
  return { value, errors };
}

/**
 * A stored or partial requirement completed with the defaults; fields that are
 * missing or out of range take the default, so a damaged row never breaks a check.
 */
export function effectiveRequirement(
  stored: Partial<PasswordRequirement> | undefined,
  defaults: Readonly<PasswordRequirement> = DEFAULT_REQUIREMENT,
): PasswordRequirement {
  const out: PasswordRequirement = { ...defaults };
  if (!stored) return out;
  for (const name of Object.keys(REQUIREMENT_FIELDS) as Array<keyof PasswordRequirement>) {
    const one = validateRequirementPatch({ [name]: stored[name] });
    if (stored[name] !== undefined && one.errors.length === 0) Object.assign(out, one.value);
  }
  return out;
}
