/**
 * Consecutive characters. Two neighbouring characters (letters compared in
 * lower case) are consecutive in one of five ways:
 *
 * - `same`: the same character ("aa", "77");
 * - `up` / `down`: the next or previous letter of a..z, or digit of 0..9
 *   ("ab", "89", "ba", "98"; "z" is not followed by "a", nor "9" by "0");
 * - `right` / `left`: neighbours on one row of a US QWERTY keyboard, unshifted
 *   or shifted ("qw", "as", "90", "-=", "!@", "wq").
 *
 * A run of length n is n characters in which every neighbouring pair is
 * consecutive in the same way: "abcd", "4321", "qwer", "!@#$", "aaaa".
 * "abba" or "abdc" are not runs of 4.
 */

export type RunKind = 'same' | 'up' | 'down' | 'right' | 'left';

const ROWS = [
  '`1234567890-=',
  'qwertyuiop[]\\',
  "asdfghjkl;'",
  'zxcvbnm,./',
  '~!@#$%^&*()_+',
  'qwertyuiop{}|',
  'asdfghjkl:"',
  'zxcvbnm<>?',
];

/** For each character, the set of characters right of it on a keyboard row. */
const RIGHT = new Map<string, Set<string>>();
for (const row of ROWS) {
  for (let i = 0; i + 1 < row.length; i++) {
    const a = row[i]!;
    const b = row[i + 1]!;
    const set = RIGHT.get(a) ?? new Set<string>();
    set.add(b);
    RIGHT.set(a, set);
  }
}

function sequenceStep(a: string, b: string): number | undefined {
  const isLetter = (c: string) => c >= 'a' && c <= 'z';
  const isDigit = (c: string) => c >= '0' && c <= '9';
  if ((isLetter(a) && isLetter(b)) || (isDigit(a) && isDigit(b))) return b.charCodeAt(0) - a.charCodeAt(0);
  return undefined;
}

export function relations(a: string, b: string): Record<RunKind, boolean> {
  const step = sequenceStep(a, b);
  return {
    same: a === b,
    up: step === 1,
    down: step === -1,
    right: RIGHT.get(a)?.has(b) ?? false,
    left: RIGHT.get(b)?.has(a) ?? false,
  };
}

const KINDS: RunKind[] = ['same', 'up', 'down', 'right', 'left'];

export interface Run {
  kind: RunKind;
  /** Index (in code points) of the run's first character. */
  start: number;
  length: number;
}

/**
 * The first run of at least `length` consecutive characters in `chars`
 * (code points), or undefined. Linear in the input.
 */
export function findRun(chars: readonly string[], length: number): Run | undefined {
  if (length < 2 || chars.length < length) return undefined;
  const lower = chars.map((c) => c.toLowerCase());
  const len: Record<RunKind, number> = { same: 1, up: 1, down: 1, right: 1, left: 1 };
  for (let i = 1; i < lower.length; i++) {
    const rel = relations(lower[i - 1]!, lower[i]!);
    for (const k of KINDS) {
      len[k] = rel[k] ? len[k] + 1 : 1;
      if (len[k] >= length) return { kind: k, start: i - len[k] + 1, length: len[k] };
    }
  }
  return undefined;
}
