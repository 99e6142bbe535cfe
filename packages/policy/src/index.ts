/**
 * @zpass/policy: Zoom's password rules as a pure function.
 *
 * `checkPassword` returns every violation in the order the server reports them;
 * the server answers with the first one. Passwords are compared after NFKC
 * normalisation and measured in Unicode code points (see docs/policy.md).
 */
import { estimateGuesses, tooFewGuesses } from './guesses.js';
import { DEFAULT_REQUIREMENT, type PasswordRequirement } from './requirement.js';
import { findRun } from './runs.js';
import { defaultWeakList, skeleton, type WeakList } from './weak.js';

export {
  type Estimate,
  estimateGuesses,
  MAX_ESTIMATED,
  type Pattern,
  type Piece,
  tooFewGuesses,
  WEAK_GUESSES,
  WEAK_GUESSES_RANDOM,
} from './guesses.js';
export {
  DEFAULT_REQUIREMENT,
  effectiveRequirement,
  type FieldProblem,
  HISTORY_MAX,
  type PasswordRequirement,
  REQUIREMENT_FIELDS,
  type RequirementPatch,
  validateRequirementPatch,
} from './requirement.js';
export { findRun, type Run, type RunKind } from './runs.js';
export { defaultWeakList, skeleton, WEAK_LIST_URL, WeakList } from './weak.js';

export const MIN_LENGTH = 8;
export const MAX_LENGTH = 31;

export interface Violation {
  /** Zoom's error code (1124..1136, or 300 for a malformed value). */
  code: number;
  message: string;
  /** For code 300: the field errors the server answers with. */
  errors?: Array<{ field: string; message: string }>;
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

/** Lone UTF-16 surrogates (from JSON escapes like "\ud800") are not text: encoded, they all look alike. */
export function hasLoneSurrogate(s: string): boolean {
  return /\p{Cs}/u.test(s);
}

/**
 * Problems that make the value unusable as a password at all, reported by
 * the server as code 300 "Validation Failed." with a field error.
 */
export function malformedReason(password: string): string | undefined {
  if (password.length === 0) return 'Password is required.';
  if (hasControlCharacter(password)) return 'Password must not contain control characters.';
  if (hasLoneSurrogate(password)) return 'Password must be valid Unicode text.';
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

/** Who the password is for: weak detection refuses passwords built from these. */
export interface PasswordOwner {
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  display_name?: string | null;
}

/** Shortest e-mail or name part that is refused when merely contained in a password. */
export const PERSONAL_MIN_CONTAINED = 4;

/**
 * The parts of the user's e-mail and name a password may not be built from, in
 * skeleton form: the whole local part of the e-mail, its pieces split at
 * punctuation and digits, and every word of the first, last and display names.
 */
export function personalTokens(owner: PasswordOwner | undefined): string[] {
  if (!owner) return [];
  const parts: string[] = [];
  const email = typeof owner.email === 'string' ? owner.email : '';
  const local = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : email;
  if (local) parts.push(local, ...local.split(/[^\p{L}]+/u));
  for (const name of [owner.first_name, owner.last_name, owner.display_name]) {
    if (typeof name === 'string') parts.push(...name.split(/[^\p{L}\p{N}]+/u));
  }
  const tokens = new Set<string>();
  for (const p of parts) {
    const s = skeleton(p.normalize('NFKC'));
    if ([...s].length >= 2) tokens.add(s);
  }
  return [...tokens];
}

/** The password without leading and trailing characters that are not letters, lower case. */
function baseWord(password: string): string {
  return password.toLowerCase().replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
}

/**
 * Whether the password is too easy to guess (code 1136): it, or its base word
 * (the password without its leading and trailing digits and symbols, when that
 * is at least 4 characters), is in the weak list after undoing case and common
 * substitutions; or it contains a part of the user's e-mail or name of at least
 * 4 characters, or its base word is such a part of any length; or a guesser
 * would find it in fewer than WEAK_GUESSES guesses (`estimateGuesses`: list
 * entries, names, keyboard rows, sequences, repeats, years and dates anywhere in it),
 * or WEAK_GUESSES_RANDOM when no such piece is found (`tooFewGuesses`).
 */
export function isWeak(password: string, list: WeakList, owner?: PasswordOwner): boolean {
  const whole = skeleton(password);
  if (list.hasSkeleton(whole)) return true;
  const base = baseWord(password);
  const baseSkeleton = skeleton(base);
  if ([...base].length >= 4 && base !== password.toLowerCase() && list.hasSkeleton(baseSkeleton)) return true;
  const personal = personalTokens(owner);
  for (const token of personal) {
    if ([...token].length >= PERSONAL_MIN_CONTAINED && whole.includes(token)) return true;
    if (baseSkeleton === token) return true;
  }
  return tooFewGuesses(estimateGuesses(password, list, personal));
}

export interface CheckContext {
  /** The account's `password_requirement` (missing fields take their defaults). */
  requirement?: Partial<PasswordRequirement>;
  /** The user the password is for (weak detection refuses their e-mail and name). */
  user?: PasswordOwner;
  /** The weak-password list (default: the one shipped with this package). */
  weakList?: WeakList;
}

/**
 * Every rule the password breaks, in the order the server reports them:
 * length (1124), the same character throughout (1130), one ascending or
 * descending run throughout (1131), a run of `consecutive_characters_length`
 * (1130 for the same character, 1131 otherwise), letter (1125), number (1126),
 * special character (1127), case (1128), weak (1136).
 *
 * The password is NFKC-normalised first. A value that cannot be a password at
 * all (empty, control characters, more than 31 code points) gives one violation,
 * code 300, with the field error the server answers with. Never throws.
 */
export function checkPassword(password: string, context: CheckContext = {}): Violation[] {
  if (typeof password !== 'string') {
    return [
      {
        code: 300,
        message: 'Validation Failed.',
        errors: [{ field: 'password', message: 'Password must be a string.' }],
      },
    ];
  }
  // Past 1,024 UTF-16 units no normalisation can bring a string down to 31 code points:
  // such a value is refused without normalising it.
  const normalized = password.length > 1024 ? password : normalizePassword(password);
  const malformed = malformedReason(normalized);
  if (malformed) {
    return [
      { code: 300, message: 'Validation Failed.', errors: [{ field: 'password', message: malformed }] },
    ];
  }
  password = normalized;
  const req = { ...DEFAULT_REQUIREMENT, ...context.requirement };
  const chars = [...password];
  const violations: Violation[] = [];
  const minimum = Math.max(MIN_LENGTH, req.minimum_password_length ?? 0);
  if (chars.length < minimum) violations.push({ code: 1124, message: messages.tooShort(minimum) });
  let runFound = true;
  if (isSameCharacter(chars)) violations.push({ code: 1130, message: messages.sameCharacter });
  else if (isContinuation(chars)) violations.push({ code: 1131, message: messages.continuation });
  else runFound = false;
  const runLength = req.consecutive_characters_length ?? 0;
  if (!runFound && runLength > 0) {
    const run = findRun(chars, runLength);
    if (run?.kind === 'same') violations.push({ code: 1130, message: messages.sameCharacter });
    else if (run) violations.push({ code: 1131, message: messages.continuation });
  }
  if (!/\p{L}/u.test(password)) violations.push({ code: 1125, message: messages.letter });
  if (!/\p{Nd}/u.test(password)) violations.push({ code: 1126, message: messages.number });
  if (req.have_special_character && !/[^\p{L}\p{Nd}]/u.test(password)) {
    violations.push({ code: 1127, message: messages.special });
  }
  if (!(/\p{Lu}/u.test(password) && /\p{Ll}/u.test(password))) {
    violations.push({ code: 1128, message: messages.mixedCase });
  }
  if (req.weak_enhance_detection && isWeak(password, context.weakList ?? defaultWeakList(), context.user)) {
    violations.push({ code: 1136, message: messages.weak });
  }
  return violations;
}
