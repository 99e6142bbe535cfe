import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CATEGORIES,
  EMAIL_MAX,
  ERRORS,
  effectiveLimits,
  errorMessage,
  isEmail,
  isError,
  PLAN_LIMITS,
  PLANS,
} from '../src/index.js';

describe('the error catalogue', () => {
  it('fills placeholders and leaves the rest of the text alone', () => {
    assert.equal(
      errorMessage('passwordReused', { count: 4 }),
      'Users cannot reuse any of the last 4 passwords created.',
    );
    assert.equal(errorMessage('userNotFound', { userId: '{x}' }), 'User does not exist: {x}.');
    assert.equal(errorMessage('samePassword'), 'Your new password can not match the old password.');
  });

  it('recognises an answer received over the wire by status, code and text', () => {
    const same = { status: 400, code: 300, message: 'Your new password can not match the old password.' };
    assert.equal(isError('samePassword', same), true);
    assert.equal(isError('samePassword', { ...same, code: 1129 }), false);
    assert.equal(isError('samePassword', { ...same, status: 404 }), false);
    assert.equal(isError('tooManyChanges', same), false);
    assert.equal(
      isError('passwordReused', {
        status: 400,
        code: 1129,
        message: 'Users cannot reuse any of the last 7 passwords created.',
      }),
      true,
    );
    // A placeholder does not swallow text the entry does not have.
    assert.equal(
      isError('passwordReused', { status: 400, code: 1129, message: 'Users cannot reuse' }),
      false,
    );
    // Entries whose code the situation gives (a password rule's own) match any code.
    assert.equal(isError('policy', { status: 400, code: 1124, message: 'Have at least 8 characters' }), true);
  });

  it('gives every entry Zoom’s fields: a status in 4xx/5xx (or null), an integer code, a text', () => {
    for (const [kind, e] of Object.entries(ERRORS)) {
      const entry: { status: number | null; code: number | null; message: string } = e;
      assert.ok(entry.status === null || (entry.status >= 400 && entry.status < 600), kind);
      assert.ok(entry.code === null || Number.isInteger(entry.code), kind);
      assert.ok(entry.message.length > 0, kind);
    }
  });
});

describe('the plan table', () => {
  it('has every category for every plan, and the free plan’s daily limits', () => {
    for (const plan of PLANS) for (const c of CATEGORIES) assert.ok(PLAN_LIMITS[plan][c].qps > 0);
    assert.deepEqual(PLAN_LIMITS.free.Medium, { qps: 2, daily: 2000 });
    assert.deepEqual(
      effectiveLimits('free', 'Medium', [{ category: 'Medium', type: 'Daily-limit', value: null }]),
      {
        qps: 2,
        daily: null,
      },
    );
    // The table itself is not changed by an override.
    assert.equal(PLAN_LIMITS.free.Medium.daily, 2000);
  });
});

describe('the e-mail rule', () => {
  it('takes plain addresses with a dotted domain, up to 128 characters', () => {
    assert.equal(isEmail('jane@example.com'), true);
    assert.equal(isEmail('first.last+tag@sub.example.co'), true);
    for (const a of [
      'jane',
      'jane@localhost',
      'Jane <jane@example.com>',
      'a b@example.com',
      '@example.com',
      42,
    ])
      assert.equal(isEmail(a), false, String(a));
    const long = `${'a'.repeat(64)}@${'b'.repeat(EMAIL_MAX - 64 - 1 - 5)}.test`;
    assert.equal(long.length, EMAIL_MAX);
    assert.equal(isEmail(long), true);
    assert.equal(isEmail(`a${long}`), false);
  });
});
