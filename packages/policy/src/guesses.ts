/**
 * How many guesses a guesser would need: the password is cut into the pieces a
 * guesser tries (list entries with case changes and substitutions anywhere in the
 * password, the user's own names, keyboard rows, alphabet and digit sequences,
 * repeats, years and dates, and random characters for the rest), and the cheapest
 * cut is kept. The model is zxcvbn's (Wheeler, USENIX Security 2016): a cut of l
 * pieces costs l! x (product of the pieces' guesses) + 10000^(l-1), and the piece
 * costs below are zxcvbn's, with the weak-password list (ranked by frequency) as
 * the dictionary. docs/policy.md gives the threshold and how the estimate agrees
 * with @zxcvbn-ts/core.
 *
 * Bounded: at most MAX_ESTIMATED code points are examined (O(n^2) look-ups and an
 * O(n^3) search over cuts); a longer password is judged on its length alone.
 */
import { relations } from './runs.js';
import { skeleton, substitutedLetter, type WeakList } from './weak.js';

/** Below this many guesses a password in which a guessable piece was found is weak (code 1136). */
export const WEAK_GUESSES = 1e9;
/**
 * Below this many guesses a password made of random characters only (no piece
 * found) is weak: zxcvbn's "safely unguessable" line. Eight random characters
 * (10^8 by the model's 10 per character) pass it; a recognised word or pattern
 * must be paid for with the higher WEAK_GUESSES.
 */
export const WEAK_GUESSES_RANDOM = 1e8;
/** Longer passwords than this are not examined piece by piece (the server allows 31). */
export const MAX_ESTIMATED = 64;

const BRUTEFORCE_CARDINALITY = 10;
const MIN_SUBMATCH_GUESSES_SINGLE_CHAR = 10;
const MIN_SUBMATCH_GUESSES_MULTI_CHAR = 50;
const MIN_GUESSES_BEFORE_GROWING_SEQUENCE = 10000;
const MIN_YEAR_SPACE = 20;
/** Keys of a US keyboard, and the average number of neighbours of one (zxcvbn's figures). */
const KEYBOARD_STARTING_POSITIONS = 94;
const KEYBOARD_AVERAGE_DEGREE = 4.6;
/** Shortest list entry looked for inside a password (the list keeps entries of 4 or more). */
const MIN_DICTIONARY_LENGTH = 4;
const encoder = new TextEncoder();

export type Pattern =
  | 'dictionary'
  | 'reversed'
  | 'personal'
  | 'spatial'
  | 'sequence'
  | 'repeat'
  | 'year'
  | 'date'
  | 'bruteforce';

export interface Piece {
  pattern: Pattern;
  /** First and last index (code points, inclusive). */
  i: number;
  j: number;
  token: string;
  guesses: number;
}

export interface Estimate {
  guesses: number;
  /** log10 of guesses. */
  log10: number;
  /** The cheapest cut. */
  pieces: Piece[];
}

function binomial(n: number, k: number): number {
  if (k > n) return 0;
  let r = 1;
  for (let d = 1; d <= k; d++) r = (r * (n - k + d)) / d;
  return r;
}

function factorial(n: number): number {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}

/** Ways the guesser capitalises a word: none, first, last or all (x2), any mix otherwise. */
function upperVariations(chars: readonly string[]): number {
  const word = chars.join('');
  if (!/\p{Lu}/u.test(word) || word.toLowerCase() === word) return 1;
  if (/^\p{Lu}[^\p{Lu}]+$/u.test(word) || /^[^\p{Lu}]+\p{Lu}$/u.test(word) || !/\p{Ll}/u.test(word)) return 2;
  let upper = 0;
  let lower = 0;
  for (const c of chars) {
    if (/\p{Lu}/u.test(c)) upper++;
    else if (/\p{Ll}/u.test(c)) lower++;
  }
  let v = 0;
  for (let i = 1; i <= Math.min(upper, lower); i++) v += binomial(upper + lower, i);
  return Math.max(v, 1);
}

/** Ways the guesser applies the substitutions found in the word (`@` for `a`, ...). */
function substitutionVariations(chars: readonly string[]): number {
  const subbed = new Map<string, number>();
  const plain = new Map<string, number>();
  for (const c of chars) {
    const lower = c.toLowerCase();
    const letter = substitutedLetter(lower);
    if (letter !== undefined && !/\p{L}/u.test(lower)) subbed.set(letter, (subbed.get(letter) ?? 0) + 1);
    else plain.set(lower, (plain.get(lower) ?? 0) + 1);
  }
  let v = 1;
  for (const [letter, s] of subbed) {
    const u = plain.get(letter) ?? 0;
    if (u === 0) v *= 2;
    else {
      let ways = 0;
      for (let i = 1; i <= Math.min(s, u); i++) ways += binomial(s + u, i);
      v *= ways;
    }
  }
  return v;
}

function yearSpace(year: number): number {
  return Math.max(Math.abs(year - new Date().getUTCFullYear()), MIN_YEAR_SPACE);
}

/** Where a run of digits can be cut into day, month and year (zxcvbn's splits). */
const DATE_SPLITS: Record<number, Array<[number, number]>> = {
  4: [
    [1, 2],
    [2, 3],
  ],
  5: [
    [1, 3],
    [2, 3],
  ],
  6: [
    [1, 2],
    [2, 4],
    [4, 5],
  ],
  7: [
    [1, 3],
    [2, 3],
    [4, 5],
    [4, 6],
  ],
  8: [
    [2, 4],
    [4, 6],
  ],
};

/** The year of a date written as these three numbers (year first or last), or undefined. */
function dateYear(parts: string[]): number | undefined {
  for (const [y, a, b] of [
    [2, 0, 1],
    [0, 1, 2],
  ] as const) {
    const ys = parts[y]!;
    if (ys.length !== 2 && ys.length !== 4) continue;
    const first = Number(parts[a]);
    const second = Number(parts[b]);
    const dayMonth =
      (first >= 1 && first <= 31 && second >= 1 && second <= 12) ||
      (second >= 1 && second <= 31 && first >= 1 && first <= 12);
    if (!dayMonth) continue;
    let year = Number(ys);
    if (ys.length === 2) year += year > 50 ? 1900 : 2000;
    if (year >= 1000 && year <= 2050) return year;
  }
  return undefined;
}

function dateGuesses(token: string): number | undefined {
  const sep = /^(\d{1,4})([\s/\\_.-])(\d{1,2})\2(\d{1,4})$/.exec(token);
  if (sep) {
    const year = dateYear([sep[1]!, sep[3]!, sep[4]!]);
    return year === undefined ? undefined : 365 * yearSpace(year) * 4;
  }
  if (!/^\d{4,8}$/.test(token)) return undefined;
  let best: number | undefined;
  for (const [k, l] of DATE_SPLITS[token.length] ?? []) {
    const year = dateYear([token.slice(0, k), token.slice(k, l), token.slice(l)]);
    if (year !== undefined) best = Math.min(best ?? Number.POSITIVE_INFINITY, 365 * yearSpace(year));
  }
  return best;
}

/** Every piece a guesser would recognise in `chars`. */
function findPieces(
  chars: readonly string[],
  list: WeakList,
  personal: readonly string[],
  repeats: boolean,
): Piece[] {
  const n = chars.length;
  const lower = chars.map((c) => c.toLowerCase());
  const sk = chars.map((c) => skeleton(c));
  const personalRank = new Map<string, number>();
  personal.forEach((t, k) => {
    if (!personalRank.has(t)) personalRank.set(t, k + 1);
  });
  const pieces: Piece[] = [];
  const add = (pattern: Pattern, i: number, j: number, guesses: number) =>
    pieces.push({ pattern, i, j, token: chars.slice(i, j + 1).join(''), guesses });

  const variations = (i: number, j: number) => {
    const word = chars.slice(i, j + 1);
    return upperVariations(word) * substitutionVariations(word);
  };
  // The user's parts: any substring of 2 or more characters.
  if (personalRank.size > 0) {
    for (let i = 0; i < n; i++) {
      let s = '';
      for (let j = i; j < n; j++) {
        s += sk[j];
        const p = personalRank.get(s);
        if (p !== undefined && j > i) add('personal', i, j, p * variations(i, j));
      }
    }
  }
  // List entries, forwards and backwards: one incremental hash per starting point.
  for (const reversed of [false, true]) {
    const order = reversed ? [...sk].reverse() : sk;
    const offsets = [0];
    const bytes = encoder.encode(order.join(''));
    for (const c of order) offsets.push(offsets[offsets.length - 1]! + encoder.encode(c).length);
    for (let a = 0; a < n; a++) {
      list.eachEntryFrom(bytes, offsets, a, MIN_DICTIONARY_LENGTH, (b, rank) => {
        if (!reversed) return add('dictionary', a, b, rank * variations(a, b));
        const i = n - 1 - b;
        const j = n - 1 - a;
        // A palindrome read backwards is the same word, already found forwards.
        if (order.slice(a, b + 1).join('') !== sk.slice(i, j + 1).join(''))
          add('reversed', i, j, rank * variations(i, j) * 2);
      });
    }
  }

  // Keyboard rows, alphabet and digit sequences: every stretch of 3 or more inside a run.
  for (const kind of ['right', 'left', 'up', 'down'] as const) {
    let start = 0;
    for (let k = 1; k <= n; k++) {
      if (k < n && relations(lower[k - 1]!, lower[k]!)[kind]) continue;
      for (let i = start; i < k; i++) {
        for (let j = i + 2; j < k; j++) {
          const len = j - i + 1;
          const word = chars.slice(i, j + 1);
          if (kind === 'right' || kind === 'left') {
            const shifted = word.some((c) => /[\p{Lu}~!@#$%^&*()_+{}|:"<>?]/u.test(c));
            add(
              'spatial',
              i,
              j,
              KEYBOARD_STARTING_POSITIONS * KEYBOARD_AVERAGE_DEGREE * (len - 1) * (shifted ? 2 : 1),
            );
          } else {
            const first = lower[i]!;
            let base = /^[az019]$/.test(first) ? 4 : /^\d$/.test(first) ? 10 : 26;
            if (kind === 'down') base *= 2;
            add('sequence', i, j, base * len);
          }
        }
      }
      start = k;
    }
  }

  // Years and dates.
  for (let i = 0; i < n; i++) {
    for (let j = i + 3; j < Math.min(n, i + 10); j++) {
      const token = chars.slice(i, j + 1).join('');
      if (/^(19|20)\d\d$/.test(token)) add('year', i, j, yearSpace(Number(token)));
      const d = dateGuesses(token);
      if (d !== undefined) add('date', i, j, d);
    }
  }

  // Repeats: one block written two or more times ("abcabc"; one character three or more times).
  if (repeats) {
    for (let i = 0; i < n; i++) {
      for (let b = 1; i + 2 * b <= n; b++) {
        let count = 1;
        while (
          i + (count + 1) * b <= n &&
          lower.slice(i + count * b, i + (count + 1) * b).join('') === lower.slice(i, i + b).join('')
        )
          count++;
        if (count < 2 || (b === 1 && count < 3)) continue;
        const block = chars.slice(i, i + b);
        const base = cheapestCut(block, findPieces(block, list, personal, false)).guesses;
        add('repeat', i, i + b * count - 1, base * count);
      }
    }
  }
  return pieces;
}

function bruteforce(chars: readonly string[], i: number, j: number): Piece {
  const len = j - i + 1;
  let guesses = BRUTEFORCE_CARDINALITY ** len;
  if (len !== chars.length)
    guesses = Math.max(
      guesses,
      len === 1 ? MIN_SUBMATCH_GUESSES_SINGLE_CHAR + 1 : MIN_SUBMATCH_GUESSES_MULTI_CHAR + 1,
    );
  // The token is filled in only for the pieces of the cut kept (see cheapestCut).
  return { pattern: 'bruteforce', i, j, token: '', guesses };
}

/** zxcvbn's search for the cut of fewest guesses (its "most guessable match sequence"). */
function cheapestCut(chars: readonly string[], found: Piece[]): Estimate {
  const n = chars.length;
  if (n === 0) return { guesses: 1, log10: 0, pieces: [] };
  const byEnd: Piece[][] = Array.from({ length: n }, () => []);
  for (const p of found) {
    const floor =
      p.j - p.i + 1 === n
        ? 1
        : p.i === p.j
          ? MIN_SUBMATCH_GUESSES_SINGLE_CHAR
          : MIN_SUBMATCH_GUESSES_MULTI_CHAR;
    byEnd[p.j]!.push({ ...p, guesses: Math.max(p.guesses, floor) });
  }
  // For each end k and count of pieces l: the last piece, the product of guesses, the total.
  const last: Array<Map<number, Piece>> = Array.from({ length: n }, () => new Map());
  const product: Array<Map<number, number>> = Array.from({ length: n }, () => new Map());
  const total: Array<Map<number, number>> = Array.from({ length: n }, () => new Map());
  const update = (p: Piece, l: number) => {
    const k = p.j;
    let pi = p.guesses;
    if (l > 1) pi *= product[p.i - 1]!.get(l - 1)!;
    const g = factorial(l) * pi + MIN_GUESSES_BEFORE_GROWING_SEQUENCE ** (l - 1);
    for (const [other, og] of total[k]!) if (other <= l && og <= g) return;
    last[k]!.set(l, p);
    product[k]!.set(l, pi);
    total[k]!.set(l, g);
  };
  for (let k = 0; k < n; k++) {
    for (const p of byEnd[k]!) {
      if (p.i > 0) for (const l of [...last[p.i - 1]!.keys()]) update(p, l + 1);
      else update(p, 1);
    }
    update(bruteforce(chars, 0, k), 1);
    for (let i = 1; i <= k; i++) {
      const p = bruteforce(chars, i, k);
      for (const [l, prev] of [...last[i - 1]!]) if (prev.pattern !== 'bruteforce') update(p, l + 1);
    }
  }
  let bestL = 0;
  let best = Number.POSITIVE_INFINITY;
  for (const [l, g] of total[n - 1]!) {
    if (g < best) {
      best = g;
      bestL = l;
    }
  }
  const pieces: Piece[] = [];
  let k = n - 1;
  let l = bestL;
  while (k >= 0 && l > 0) {
    const p = last[k]!.get(l)!;
    pieces.unshift({ ...p, token: chars.slice(p.i, p.j + 1).join('') });
    k = p.i - 1;
    l--;
  }
  return { guesses: best, log10: Math.log10(best), pieces };
}

/**
 * The number of guesses a guesser needs for `password` (already NFKC-normalised),
 * knowing the weak-password list and the user's `personal` parts (in skeleton
 * form, most guessable first: see personalTokens).
 */
/** Whether an estimate falls below the line that applies to it (WEAK_GUESSES or WEAK_GUESSES_RANDOM). */
export function tooFewGuesses(e: Estimate): boolean {
  const random = e.pieces.every((p) => p.pattern === 'bruteforce');
  return e.guesses < (random ? WEAK_GUESSES_RANDOM : WEAK_GUESSES);
}

export function estimateGuesses(
  password: string,
  list: WeakList,
  personal: readonly string[] = [],
): Estimate {
  const chars = [...password];
  if (chars.length > MAX_ESTIMATED) {
    const guesses = BRUTEFORCE_CARDINALITY ** chars.length;
    return {
      guesses,
      log10: chars.length,
      pieces: [{ ...bruteforce(chars, 0, chars.length - 1), token: password }],
    };
  }
  return cheapestCut(chars, findPieces(chars, list, personal, true));
}
