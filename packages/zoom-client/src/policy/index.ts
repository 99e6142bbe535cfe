// Generated from packages/policy/src by packages/zoom-client/scripts/vendor-policy.mjs: do not edit.
// The SDK bundles this copy of @zpass/policy so that it has no runtime dependencies.

/**
 * @zpass/policy: Zoom's password rules as a pure function.
 *
 * `checkPassword` returns every violation in the order the server reports them;
 * the server answers with the first one. Passwords are compared after NFKC
 * normalisation and measured in Unicode code points (see docs/compatibility.md).
 */

export const MIN_LENGTH = 8;
export const MAX_LENGTH = 31;

export interface Violation {
  /** Zoom's error code (1124..1136, or 300 for a malformed value). */
  code: number;
  message: string;
}

/** The fields of Zoom's `security.password_requirement` that the rules read. */
export interface PasswordRequirement {
  minimum_password_length?: number;
  have_special_character?: boolean;
  consecutive_characters_length?: number;
  weak_enhance_detection?: boolean;
}

export const messages = {
  tooShort: (n: number) => `Have at least ${n} characters`,
  letter: 'Have at least 1 letter (a, b, c...)',
  number: 'Have at least 1 number (1, 2, 3...)',
  special: 'Have at least 1 special character (!, @, #...)',
  mixedCase: 'Include both Upper case and Lower case characters',
  reuse: (n: number) => `Users cannot reuse any of the last ${n} passwords created.`,
  sameCharacter: "Password can't use the same character.",
  continuation: "Password can't use continuation character.Such as 'abcdef','123456'.",
  weak: 'Your password is too easy to guess. Try another one.',
} as const;

/** NFKC-normalise a password: the form every rule and the hash see. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in Unicode code points, not UTF-16 units. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Control characters (C0, DEL, C1) are never accepted in a password. */
export function hasControlCharacter(s: string): boolean {
  return /\p{Cc}/u.test(s);
}

/**
 * Problems that make the value unusable as a password at all, reported by
 * the server as code 300 "Validation Failed." with a field error.
 */
export function malformedReason(password: string): string | undefined {
  if (password.length === 0) return 'Password is required.';
  if (hasControlCharacter(password)) return 'Password must not contain control characters.';
  if (codePointLength(password) > MAX_LENGTH)
    return `Password should be less than ${MAX_LENGTH + 1} characters.`;
  return undefined;
}

function isSameCharacter(chars: string[]): boolean {
  return chars.length > 1 && chars.every((c) => c === chars[0]);
}

/** Characters that form ascending or descending runs: letters (case-folded) and digits. */
function runClass(c: string): 'letter' | 'digit' | undefined {
  if (/^[a-z]$/i.test(c)) return 'letter';
  if (/^[0-9]$/.test(c)) return 'digit';
  return undefined;
}

/** True when the whole password is one ascending or descending run ("abcdefgh", "87654321"). */
function isContinuation(chars: string[]): boolean {
  if (chars.length < 2) return false;
  const lower = chars.map((c) => c.toLowerCase());
  const first = lower[0]!;
  const cls = runClass(first);
  if (!cls) return false;
  const step = lower[1]!.charCodeAt(0) - first.charCodeAt(0);
  if (step !== 1 && step !== -1) return false;
  for (let i = 1; i < lower.length; i++) {
    const c = lower[i]!;
    if (runClass(c) !== cls) return false;
    if (c.charCodeAt(0) - lower[i - 1]!.charCodeAt(0) !== step) return false;
  }
  return true;
}

export interface CheckContext {
  requirement?: PasswordRequirement;
}

/**
 * Every rule the password breaks, in the order the server reports them:
 * length, same character, continuation, letter, number, special character, case.
 * The password must already be normalised and well formed (see `malformedReason`).
 */
export function checkPassword(password: string, context: CheckContext = {}): Violation[] {
  const req = context.requirement ?? {};
  const chars = [...password];
  const violations: Violation[] = [];
  const minimum = Math.max(MIN_LENGTH, req.minimum_password_length ?? 0);
  if (chars.length < minimum) violations.push({ code: 1124, message: messages.tooShort(minimum) });
  if (isSameCharacter(chars)) violations.push({ code: 1130, message: messages.sameCharacter });
  else if (isContinuation(chars)) violations.push({ code: 1131, message: messages.continuation });
  if (!/\p{L}/u.test(password)) violations.push({ code: 1125, message: messages.letter });
  if (!/\p{Nd}/u.test(password)) violations.push({ code: 1126, message: messages.number });
  if (req.have_special_character && !/[^\p{L}\p{Nd}]/u.test(password)) {
    violations.push({ code: 1127, message: messages.special });
  }
  if (!(/\p{Lu}/u.test(password) && /\p{Ll}/u.test(password))) {
    violations.push({ code: 1128, message: messages.mixedCase });
  }
  return violations;
}
