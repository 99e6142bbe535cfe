import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPassword,
  DEFAULT_REQUIREMENT,
  defaultWeakList,
  effectiveRequirement,
  estimateGuesses,
  findRun,
  isWeak,
  messages,
  type PasswordOwner,
  personalTokens,
  skeleton,
  tooFewGuesses,
  validateRequirementPatch,
  WEAK_GUESSES,
  WEAK_GUESSES_RANDOM,
  WeakList,
} from '../src/index.js';

const codes = (password: string, requirement = {}, user?: PasswordOwner) =>
  checkPassword(password, { requirement, user }).map((v) => v.code);

describe('checkPassword: baseline rules', () => {
  it('accepts a password meeting every baseline rule', () => {
    assert.deepEqual(checkPassword('Correct-Horse-7'), []);
  });

  it('reports every violation, in order, with exact messages', () => {
    assert.deepEqual(checkPassword('aaa'), [
      { code: 1124, message: 'Have at least 8 characters' },
      { code: 1130, message: "Password can't use the same character." },
      { code: 1126, message: 'Have at least 1 number (1, 2, 3...)' },
      { code: 1128, message: 'Include both Upper case and Lower case characters' },
    ]);
    assert.deepEqual(codes('12345678'), [1131, 1125, 1128]);
    assert.deepEqual(codes('Abcdefgh'), [1131, 1126]);
    assert.deepEqual(codes('hgfedcba'), [1131, 1126, 1128]);
  });

  it('measures length in code points after NFKC', () => {
    assert.deepEqual(codes('Ab1😀😀😀😀'), [1124]);
    assert.deepEqual(codes('Ab1😀😀😀😀x'), []);
    // The ligature "ﬁ" is two characters once normalised.
    assert.deepEqual(codes('Aﬁ1234x'), []);
  });

  it('answers 300 with the field error for values that cannot be passwords', () => {
    assert.deepEqual(checkPassword(''), [
      {
        code: 300,
        message: 'Validation Failed.',
        errors: [{ field: 'password', message: 'Password is required.' }],
      },
    ]);
    assert.equal(
      checkPassword('Abc\u0000defg1')[0]?.errors?.[0]?.message,
      'Password must not contain control characters.',
    );
    assert.equal(
      checkPassword(`Aa1${'x'.repeat(29)}`)[0]?.errors?.[0]?.message,
      'Password should be less than 32 characters.',
    );
    assert.deepEqual(checkPassword(`Aa1${'x'.repeat(28)}`), []);
    assert.equal(checkPassword(12 as unknown as string)[0]?.code, 300);
  });
});

describe('checkPassword: account requirement', () => {
  it('minimum_password_length raises the minimum and names it', () => {
    assert.deepEqual(checkPassword('Abcdef-12', { requirement: { minimum_password_length: 10 } }), [
      { code: 1124, message: 'Have at least 10 characters' },
    ]);
    assert.deepEqual(codes('Abcdef-123', { minimum_password_length: 10 }), []);
    assert.deepEqual(codes('Abcdef-1', { minimum_password_length: 0 }), []);
  });

  it('have_special_character requires a character that is neither letter nor digit', () => {
    assert.deepEqual(checkPassword('Abcdef12', { requirement: { have_special_character: true } }), [
      { code: 1127, message: 'Have at least 1 special character (!, @, #...)' },
    ]);
    assert.deepEqual(codes('Abcdef12', { have_special_character: false }), []);
    for (const p of ['Abcdef1!', 'Abc def1', 'Abcdef1😀', 'Abcdef1_']) {
      assert.deepEqual(codes(p, { have_special_character: true }), [], p);
    }
  });

  it('consecutive_characters_length 4 allows "abc" and refuses "abcd", and the other kinds of runs', () => {
    const req = { consecutive_characters_length: 4 };
    assert.deepEqual(codes('Xabc-Zyx9', req), []);
    assert.deepEqual(checkPassword('Xabcd-Z9', { requirement: req }), [
      { code: 1131, message: messages.continuation },
    ]);
    assert.deepEqual(codes('Xa-DCBA-9', req), [1131]);
    assert.deepEqual(codes('Xa-6789-k', req), [1131]);
    assert.deepEqual(codes('Xa-9876-k', req), [1131]);
    assert.deepEqual(codes('Pqwer-91', req), [1131]);
    assert.deepEqual(codes('Prewq-91', req), [1131]);
    assert.deepEqual(codes('Pasdf-91', req), [1131]);
    assert.deepEqual(codes('Pzxcv-91', req), [1131]);
    assert.deepEqual(codes('Pk!@#$91', req), [1131]);
    assert.deepEqual(codes('P7890-=k', req), [1131]);
    assert.deepEqual(checkPassword('Pk1aaaa-', { requirement: req }), [
      { code: 1130, message: messages.sameCharacter },
    ]);
    assert.deepEqual(codes('Pk1aaa-b', req), []);
    // Mixed steps are not one run; neither is wrapping past z or 9.
    assert.deepEqual(codes('Pabba-91', req), []);
    assert.deepEqual(codes('Pk-yzab1', req), []);
    assert.deepEqual(codes('Pk-8901x', req), []);
    // Off, and longer settings.
    assert.deepEqual(codes('Xabcd-Z9', { consecutive_characters_length: 0 }), []);
    assert.deepEqual(codes('Xabcd-Z9', { consecutive_characters_length: 5 }), []);
    assert.deepEqual(codes('Xabcde-Z9', { consecutive_characters_length: 5 }), [1131]);
    assert.deepEqual(codes('X1abcdefgh', { consecutive_characters_length: 8 }), [1131]);
  });

  it('findRun names the kind, start and length of the first run', () => {
    assert.deepEqual(findRun([...'xxQWERy'], 4), { kind: 'right', start: 2, length: 4 });
    assert.deepEqual(findRun([...'ab1111'], 4), { kind: 'same', start: 2, length: 4 });
    assert.equal(findRun([...'abc'], 4), undefined);
  });

  it('weak_enhance_detection refuses listed passwords, substitutions undone, any case', () => {
    const req = { weak_enhance_detection: true };
    for (const p of ['Password1', 'P@ssw0rd1', 'PASSword1', 'Passw0rd!', 'Qwerty123', 'Iloveyou1']) {
      assert.deepEqual(checkPassword(p, { requirement: req }), [{ code: 1136, message: messages.weak }], p);
    }
    // The base word without trailing digits and symbols is looked up too.
    assert.deepEqual(codes('Sunshine2024!', req), [1136]);
    assert.deepEqual(codes('Password1', {}), []);
    assert.deepEqual(codes('Vq7#Lm2xTk', req), []);
  });

  it('weak_enhance_detection refuses passwords built from the e-mail or name', () => {
    const req = { weak_enhance_detection: true };
    const user = { email: 'jane.doe+zoom@example.test', first_name: 'Marguerite', last_name: 'Ng' };
    assert.deepEqual(codes('Marguerite!9', req, user), [1136]);
    assert.deepEqual(codes('M4rguer1te-x', req, user), [1136]);
    assert.deepEqual(codes('Xy-Jane.Doe7', req, user), [1136]);
    // A short name is refused as the whole base word, not when merely contained.
    assert.deepEqual(codes('Ng2024!!', req, user), [1136]);
    assert.deepEqual(codes('Zq8#vLpNg2!m', req, user), []);
    assert.deepEqual(codes('Vq7#Lm2xTk', req, user), []);
    // Off: no refusal.
    assert.deepEqual(codes('Marguerite!9', {}, user), []);
    assert.deepEqual(
      personalTokens(user).sort(),
      ['jane', 'jane.doe+zoom', 'doe', 'marguerite', 'ng', 'zoom'].map(skeleton).sort(),
    );
  });

  it('reports the account rules after the baseline ones, weak last', () => {
    const all = {
      minimum_password_length: 12,
      have_special_character: true,
      consecutive_characters_length: 4,
      weak_enhance_detection: true,
    };
    assert.deepEqual(codes('password', all), [1124, 1126, 1127, 1128, 1136]);
  });
});

describe('requirement validation', () => {
  it('accepts every field in range', () => {
    const r = validateRequirementPatch({
      minimum_password_length: 14,
      have_special_character: true,
      consecutive_characters_length: 0,
      weak_enhance_detection: false,
      password_history_count: 24,
      max_changes_per_day: 1,
    });
    assert.deepEqual(r.errors, []);
    assert.equal(r.value.password_history_count, 24);
  });

  it('names every bad field with its rule', () => {
    const r = validateRequirementPatch({
      minimum_password_length: 7,
      have_special_character: 'yes',
      consecutive_characters_length: 9,
      weak_enhance_detection: 1,
      password_history_count: 25,
      max_changes_per_day: 0,
      colour: 'red',
    });
    assert.deepEqual(r.errors, [
      {
        field: 'password_requirement.minimum_password_length',
        message: 'password_requirement.minimum_password_length must be 0 or an integer from 8 to 14.',
      },
      {
        field: 'password_requirement.have_special_character',
        message: 'password_requirement.have_special_character must be a boolean.',
      },
      {
        field: 'password_requirement.consecutive_characters_length',
        message: 'password_requirement.consecutive_characters_length must be 0 or an integer from 4 to 8.',
      },
      {
        field: 'password_requirement.weak_enhance_detection',
        message: 'password_requirement.weak_enhance_detection must be a boolean.',
      },
      {
        field: 'password_requirement.password_history_count',
        message: 'password_requirement.password_history_count must be an integer from 0 to 24.',
      },
      {
        field: 'password_requirement.max_changes_per_day',
        message: 'password_requirement.max_changes_per_day must be an integer from 1 to 100.',
      },
      { field: 'password_requirement.colour', message: 'password_requirement.colour is not a known field.' },
    ]);
    assert.deepEqual(
      validateRequirementPatch({ minimum_password_length: 8.5 }).errors[0]?.message,
      'password_requirement.minimum_password_length must be an integer.',
    );
    assert.deepEqual(validateRequirementPatch({}).errors, [
      { field: 'password_requirement', message: 'password_requirement must name at least one field.' },
    ]);
    assert.deepEqual(validateRequirementPatch([]).errors, [
      { field: 'password_requirement', message: 'password_requirement must be an object.' },
    ]);
  });

  it('effectiveRequirement fills defaults and ignores damaged values', () => {
    assert.deepEqual(effectiveRequirement(undefined), DEFAULT_REQUIREMENT);
    assert.deepEqual(
      effectiveRequirement({ minimum_password_length: 12, password_history_count: 99 } as never),
      { ...DEFAULT_REQUIREMENT, minimum_password_length: 12 },
    );
  });
});

describe('weak list', () => {
  it('ships at least 100,000 entries and finds them in skeleton form', () => {
    const list = defaultWeakList();
    assert.ok(list.size >= 100_000, `only ${list.size} entries`);
    assert.ok(list.has('password') && list.has('PASSWORD') && list.has('p@$$w0rd'));
    assert.ok(!list.has('Vq7#Lm2xTk'));
    assert.ok(list.bytes <= 16 * 1024 * 1024);
  });

  it('builds from entries, de-duplicates, and never matches a prefix or an empty string', () => {
    const list = WeakList.fromEntries(['hello', 'HELLO', 'h3llo', 'world']);
    assert.equal(list.size, 2);
    assert.ok(list.has('Hello') && list.has('w0rld'));
    assert.ok(!list.has('hell') && !list.has('helloo') && !list.has('') && !list.has('a\nb'));
    assert.ok(isWeak('Hello123', list) && !isWeak('Hello-Vq7#Lm2x', list));
    // Entries are ranked in the order given: the first is the guesser's first try.
    assert.equal(list.rankOfSkeleton(skeleton('hello')), 1);
    assert.equal(list.rankOfSkeleton(skeleton('world')), 2);
    assert.equal(list.rankOfSkeleton(skeleton('hell')), 0);
  });

  it('ships the list in order of frequency: rank 2 is password', () => {
    const list = defaultWeakList();
    assert.equal(list.rankOfSkeleton(skeleton('password')), 2);
    assert.ok(list.rankOfSkeleton(skeleton('monkey')) < 100);
  });
});

describe('guess estimate (weak_enhance_detection)', () => {
  const req = { weak_enhance_detection: true };
  const list = defaultWeakList();
  const patterns = (p: string, personal: string[] = []) =>
    estimateGuesses(p, list, personal).pieces.map((x) => `${x.pattern}:${x.token}`);

  it('refuses a list word hidden by what follows it (issue 16, finding 11)', () => {
    for (const p of ['P@ssw0rd!975x', 'Summer2026!!x', 'M0nk3y!975xZ']) {
      assert.deepEqual(codes(p, req), [1136], p);
      assert.ok(estimateGuesses(p, list).guesses < WEAK_GUESSES, p);
    }
    assert.deepEqual(patterns('Summer2026!!x'), ['dictionary:Summer', 'year:2026', 'bruteforce:!!x']);
  });

  it('finds words with substitutions anywhere, keyboard rows, sequences, repeats, dates, reversed words', () => {
    assert.ok(patterns('xK9!dr@gon!Tz').includes('dictionary:dr@gon'));
    assert.deepEqual(codes('Wx14.07.1989', req), [1136]);
    assert.ok(patterns('Wx14.07.1989').includes('date:14.07.1989'));
    assert.ok(patterns('Tk9#qazxcvbn').some((p) => p.startsWith('spatial:') || p.startsWith('dictionary:')));
    assert.ok(patterns('Zq-ghjkl;9Vx').includes('spatial:ghjkl;'));
    assert.ok(patterns('Vq7-mnopqrs!').includes('sequence:mnopqrs'));
    assert.ok(patterns('Vq7-xyzxyzxyz').includes('repeat:xyzxyzxyz'));
    assert.ok(patterns('drowssaP9!').includes('reversed:drowssaP'));
    for (const p of ['Tk9#qwertyuiop', 'Vq7-xyzxyzxyz', 'drowssaP9!x'])
      assert.deepEqual(codes(p, req), [1136], p);
  });

  it("counts the user's own names as the first words a guesser tries", () => {
    const user = { email: 'pell.quorvane@example.test', first_name: 'Pell', last_name: 'Quorvane' };
    assert.ok(patterns('Xq-Pell-Quorvane9', personalTokens(user)).includes('personal:Quorvane'));
    assert.deepEqual(codes('Vx9Pell#2021', req, user), [1136]);
    assert.deepEqual(codes('Vx9Pell#2021', req), []);
  });

  it('accepts passwords a guesser would not soon find', () => {
    for (const p of [
      'Zq8#vLp2!mWt',
      'Vq7#Lm2xTk',
      'Tr0ub4dor&3',
      'Granite-Otter-Lamp-48',
      'Correct-Horse-7',
    ]) {
      assert.deepEqual(codes(p, req), [], p);
      assert.ok(estimateGuesses(p, list).guesses >= WEAK_GUESSES, p);
    }
  });

  it('accepts eight random characters (no piece found: the 10^8 line), refuses eight with a word in them', () => {
    for (const p of ['kR7#pQ2!', 'x7#Qm9!z', 'Vb4%tJ8w']) {
      const e = estimateGuesses(p, list);
      assert.ok(
        e.pieces.every((x) => x.pattern === 'bruteforce'),
        p,
      );
      assert.ok(e.guesses >= WEAK_GUESSES_RANDOM && e.guesses < WEAK_GUESSES, p);
      assert.equal(tooFewGuesses(e), false, p);
      assert.deepEqual(codes(p, req), [], p);
    }
    assert.deepEqual(codes('Dr@gon7!', req), [1136]);
    assert.equal(tooFewGuesses(estimateGuesses('Xq!dr@gon', list)), true);
  });

  it('judges a longer string by its length alone, without looking at its pieces', () => {
    const long = 'password'.repeat(100);
    const e = estimateGuesses(long, list);
    assert.equal(e.pieces.length, 1);
    assert.equal(e.log10, long.length);
  });
});
