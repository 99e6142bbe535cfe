// The physical limit: raw argon2id hashes per second on every core, with zpass's
// parameters and binding, and the CPU one computation costs (every thread of this process,
// so the yardstick for the server's CPU per change). Prints one JSON line.
import { availableParallelism } from 'node:os';
import { hash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../packages/zpass/src/crypto/hasher.js';

const seconds = Number(process.argv[2] ?? 10);
const lanes = availableParallelism();
let done = 0;
await hash('warm-up-Password-1', ARGON2_OPTIONS);
const end = Date.now() + seconds * 1000;
const start = Date.now();
const cpu0 = process.cpuUsage();
await Promise.all(
  Array.from({ length: lanes }, async (_, lane) => {
    for (let i = 0; Date.now() < end; i++) {
      await hash(`Bench-Password-${lane}-${i}`, ARGON2_OPTIONS);
      done++;
    }
  }),
);
const cpu = process.cpuUsage(cpu0);
const elapsed = (Date.now() - start) / 1000;
console.log(
  JSON.stringify({
    lanes,
    hashes: done,
    seconds: elapsed,
    hashesPerSecond: done / elapsed,
    // User + system CPU of every thread (the hashing threads included), per computation.
    cpuMsPerHash: (cpu.user + cpu.system) / 1000 / done,
  }),
);
