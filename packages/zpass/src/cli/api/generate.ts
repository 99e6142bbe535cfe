/** Generated passwords that satisfy an account's password requirement. */
import { createHmac, randomInt } from 'node:crypto';
import type { PasswordRequirementSettings, ZoomClient } from '@zpass/zoom-client';

/** A uniform integer in [0, max). */
export type RandomInt = (max: number) => number;

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
// No comma, quote or backslash: a password stays one plain field in a CSV and in a shell.
const SPECIAL = '!@#$%^&*-_=+?';
const ALL = UPPER + LOWER + DIGITS + SPECIAL;
const FORMULA_START = '=+-@';

export const DEFAULT_LENGTH = 20;
export const MAX_GENERATED_LENGTH = 31;

/** The shortest length the requirement allows (its minimum, or Zoom's baseline 8). */
export function minimumLength(req: PasswordRequirementSettings | undefined): number {
  const min = req?.minimum_password_length ?? 0;
  return Math.max(8, min);
}

/**
 * A password of `length` characters with upper and lower case letters, digits and a special
 * character (whether or not the account requires one), drawn until `check` finds nothing wrong
 * (no run of consecutive characters, and so on). Unambiguous characters only (no 0/O, 1/l/I),
 * and never `=`, `+`, `-` or `@` first.
 */
export function generatePassword(length: number, rand: RandomInt, check: (pw: string) => unknown[]): string {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const chars = [UPPER, LOWER, DIGITS, SPECIAL].map((set) => set[rand(set.length)]!);
    while (chars.length < length) chars.push(ALL[rand(ALL.length)]!);
    // Fisher-Yates, so the four guaranteed classes are not always at the start.
    for (let i = chars.length - 1; i > 0; i--) {
      const j = rand(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    const pw = chars.join('');
    // Never a leading = + - @: a spreadsheet opening the results CSV would take it for a formula.
    if (FORMULA_START.includes(pw[0]!)) continue;
    if (check(pw).length === 0) return pw;
  }
  throw new Error('Could not generate a password that satisfies the account policy.');
}

/** Checks `length` against the requirement and Zoom's maximum; returns it. */
export function validLength(length: number, req: PasswordRequirementSettings | undefined): number {
  const min = minimumLength(req);
  if (!Number.isInteger(length) || length < min || length > MAX_GENERATED_LENGTH) {
    throw new RangeError(
      `--length must be an integer from ${min} (the account's minimum) to ${MAX_GENERATED_LENGTH}.`,
    );
  }
  return length;
}

export function generateFor(
  client: ZoomClient,
  req: PasswordRequirementSettings | undefined,
  length: number,
  rand: RandomInt = randomInt,
): string {
  return generatePassword(length, rand, (pw) => client.users.checkPassword(pw, req));
}

/**
 * Deterministic randomness for one row of a bulk run: HMAC-SHA256(key, "row:counter") as a
 * stream of bytes. With the run's secret key, the same row always gets the same password, so a
 * row whose change was in flight when the process died can be sent again with the same password
 * (and the server's "can not match the old password" then proves the first send went through).
 */
export function seededRandom(key: Buffer, row: number): RandomInt {
  let counter = 0;
  let buf = Buffer.alloc(0);
  let pos = 0;
  const next32 = (): number => {
    if (pos + 4 > buf.length) {
      buf = createHmac('sha256', key).update(`${row}:${counter++}`).digest();
      pos = 0;
    }
    const v = buf.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  return (max: number) => {
    // Rejection sampling keeps the draw uniform.
    const limit = Math.floor(0x1_0000_0000 / max) * max;
    for (;;) {
      const v = next32();
      if (v < limit) return v % max;
    }
  };
}
