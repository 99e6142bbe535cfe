import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkPassword, type PasswordRequirement, validateRequirementPatch } from '../src/index.js';

const KNOWN_CODES = new Set([300, 1124, 1125, 1126, 1127, 1128, 1130, 1131, 1136]);

/** Strings over every kind of code unit: lone surrogates, NUL, emoji, every Unicode category. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '😀', 'ﬁ', 'ᾇ', 'A', 'a', '1', '!', ' '),
    maxLength: 40,
  }),
  fc.string({ maxLength: 31 }),
);

const anyRequirement: fc.Arbitrary<Partial<PasswordRequirement>> = fc.record(
  {
    minimum_password_length: fc.constantFrom(0, 8, 10, 14),
    have_special_character: fc.boolean(),
    consecutive_characters_length: fc.constantFrom(0, 4, 6, 8),
    weak_enhance_detection: fc.boolean(),
  },
  { requiredKeys: [] },
);

const anyUser = fc.record(
  {
    email: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    first_name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    last_name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  },
  { requiredKeys: [] },
);

describe('checkPassword properties', () => {
  it('never throws, and returns known codes with messages, for arbitrary strings', () => {
    fc.assert(
      fc.property(anyString, anyRequirement, anyUser, (password, requirement, user) => {
        const result = checkPassword(password, { requirement, user });
        assert.ok(Array.isArray(result));
        for (const v of result) {
          assert.ok(KNOWN_CODES.has(v.code), `unknown code ${v.code}`);
          assert.equal(typeof v.message, 'string');
          assert.ok(v.message.length > 0);
        }
        // Code 300 (malformed) comes alone.
        if (result.some((v) => v.code === 300)) assert.equal(result.length, 1);
        // No code is reported twice.
        assert.equal(new Set(result.map((v) => v.code)).size, result.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('is deterministic and depends on the password only through its NFKC form', () => {
    fc.assert(
      fc.property(anyString, anyRequirement, (password, requirement) => {
        const a = checkPassword(password, { requirement });
        assert.deepEqual(checkPassword(password, { requirement }), a);
        assert.deepEqual(checkPassword(password.normalize('NFKC'), { requirement }), a);
      }),
      { numRuns: 1000 },
    );
  });

  it('a stricter requirement never accepts what a laxer one refuses', () => {
    fc.assert(
      fc.property(anyString, anyRequirement, (password, requirement) => {
        const lax = checkPassword(password, { requirement: {} });
        const strict = checkPassword(password, { requirement });
        if (lax.length > 0) assert.ok(strict.length > 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers inputs of 100,000 characters quickly, with the length error', () => {
    fc.assert(
      fc.property(fc.constantFrom('a', '😀', '\u0000', '\ud800', 'ᾇ', 'A1b'), (unit) => {
        const big = unit.repeat(Math.ceil(100_000 / unit.length));
        const result = checkPassword(big, {
          requirement: { weak_enhance_detection: true, consecutive_characters_length: 4 },
        });
        assert.equal(result.length, 1);
        assert.equal(result[0]?.code, 300);
      }),
      { numRuns: 20 },
    );
  });

  it('accepts generated passwords that meet every rule by construction', () => {
    const lower = fc.constantFrom(...'bdfhkmprtvx');
    const upper = fc.constantFrom(...'BDFHKMPRTVX');
    const digit = fc.constantFrom(...'2468');
    const special = fc.constantFrom('#', '%', '&', '*');
    fc.assert(
      fc.property(
        fc.tuple(upper, lower, digit, special, lower, upper, digit, lower, lower, upper),
        (parts) => {
          // Letters two apart and digits two apart never form runs.
          const p = parts.join('');
          assert.deepEqual(
            checkPassword(p, {
              requirement: {
                minimum_password_length: 10,
                have_special_character: true,
                consecutive_characters_length: 4,
              },
            }).filter((v) => v.code !== 1130 && v.code !== 1131),
            [],
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('validateRequirementPatch properties', () => {
  it('never throws and accepts exactly the values in range', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const r = validateRequirementPatch({ minimum_password_length: value });
        const ok =
          value === 0 || (Number.isInteger(value) && (value as number) >= 8 && (value as number) <= 14);
        assert.equal(r.errors.length === 0, ok);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const r = validateRequirementPatch(value);
        assert.ok(Array.isArray(r.errors));
      }),
      { numRuns: 1000 },
    );
  });
});
