// The physical limit: raw argon2id hashes per second on every core, with zpass's
// parameters and binding. Prints one JSON line.
import { availableParallelism } from 'node:os';
import { hash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../packages/zpass/src/crypto/hasher.js';

const seconds = Number(process.argv[2] ?? 10);
const lanes = availableParallelism();
let done = 0;
const end = Date.now() + seconds * 1000;
await hash('warm-up-Password-1', ARGON2_OPTIONS);
const start = Date.now();
await Promise.all(
  Array.from({ length: lanes }, async (_, lane) => {
    for (let i = 0; Date.now() < end; i++) {
      await hash(`Bench-Password-${lane}-${i}`, ARGON2_OPTIONS);
      done++;
    }
  }),
);
const elapsed = (Date.now() - start) / 1000;
console.log(JSON.stringify({ lanes, hashes: done, seconds: elapsed, hashesPerSecond: done / elapsed }));
