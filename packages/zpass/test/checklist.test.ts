/**
 * The checklist's rules (src/web/checklist-rules.ts, bundled for the browser) agree
 * with @zpass/policy's checkPassword, which the server applies: a password whose
 * live items are all met passes every rule the browser can judge, and one that
 * breaks a rule leaves that rule's item unmet.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPassword, DEFAULT_REQUIREMENT, type PasswordRequirement } from '@zpass/policy';
import fc from 'fast-check';
import { checklistItems, unmetItems, unmetOf } from '../src/web/checklist-rules.js';

const requirement = fc.record<PasswordRequirement>({
  minimum_password_length: fc.constantFrom(0, 8, 10, 14),
  have_special_character: fc.boolean(),
  consecutive_characters_length: fc.constantFrom(0, 4, 6, 8),
  weak_enhance_detection: fc.constant(false),
  password_history_count: fc.constantFrom(0, 4),
  max_changes_per_day: fc.constant(5),
});
const password = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9!@#]{0,20}$/),
  fc.constantFrom('Abcdefg1', 'abcd1234X', 'Password1!', 'AAAAAAAA1a', 'Zz9Zz9Zz9'),
);

describe('the requirement checklist', () => {
  it('agrees with checkPassword on every rule the browser judges', () => {
    fc.assert(
      fc.property(password, requirement, (pw, req) => {
        const unmet = unmetItems(pw, pw, req);
        const violations = checkPassword(pw, { requirement: req });
        if (pw.length === 0 || violations.some((v) => v.code === 300)) {
          assert.ok(unmet.size > 0);
          return;
        }
        assert.deepEqual([...unmet].sort(), [...unmetOf(violations)].sort());
      }),
      { numRuns: 2000 },
    );
  });

  it('shows the account requirement: special characters, runs, weak list and history only when on', () => {
    const plain = checklistItems({ ...DEFAULT_REQUIREMENT }).map((i) => i.rule);
    assert.deepEqual(plain, ['length', 'max', 'letter', 'number', 'case', 'same', 'run', 'match']);
    const all = checklistItems({
      ...DEFAULT_REQUIREMENT,
      minimum_password_length: 12,
      have_special_character: true,
      consecutive_characters_length: 4,
      weak_enhance_detection: true,
      password_history_count: 3,
    });
    assert.deepEqual(
      all.map((i) => [i.rule, i.text, i.live]),
      [
        ['length', 'Have at least 12 characters', true],
        ['max', 'Have at most 31 characters', true],
        ['letter', 'Have at least 1 letter (a, b, c...)', true],
        ['number', 'Have at least 1 number (1, 2, 3...)', true],
        ['special', 'Have at least 1 special character (!, @, #...)', true],
        ['case', 'Include both Upper case and Lower case characters', true],
        ['same', 'No character repeated 4 times in a row', true],
        ['run', 'No run of 4 consecutive characters (such as abcd or 1234)', true],
        [
          'weak',
          'Not too easy to guess, nor made of your name or e-mail (checked when you send the form)',
          false,
        ],
        ['history', 'Not one of your last 3 passwords (checked when you send the form)', false],
        ['match', 'The confirmation is the same password', true],
      ],
    );
  });

  it('judges the confirmation and a password over 31 characters', () => {
    assert.deepEqual([...unmetItems('Abcdefg1', 'Abcdefg2', DEFAULT_REQUIREMENT)], ['match']);
    assert.deepEqual(
      [...unmetItems(`Abcdefg1${'x'.repeat(30)}`, `Abcdefg1${'x'.repeat(30)}`, DEFAULT_REQUIREMENT)],
      ['max'],
    );
    assert.equal(unmetItems('', '', DEFAULT_REQUIREMENT).size, 9);
  });
});
