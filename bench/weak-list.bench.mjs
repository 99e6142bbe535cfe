// Weak-password list: added startup, memory, look-up time (constant in the list's size),
// and the argon2id cost of a password change whatever the history depth.
// Run: npm run build && npm run bench   (or: node bench/weak-list.bench.mjs)
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { Algorithm, hash } from '@node-rs/argon2';
import { defaultWeakList, WeakList } from '@zpass/policy';

const run = promisify(execFile);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** In a fresh process: time and memory of loading the shipped list. */
async function coldLoad() {
  const script = `
    const { defaultWeakList } = await import('@zpass/policy');
    globalThis.gc(); globalThis.gc();
    const m0 = process.memoryUsage();
    const t0 = performance.now();
    const list = defaultWeakList();
    const ms = performance.now() - t0;
    globalThis.gc(); globalThis.gc();
    const m1 = process.memoryUsage();
    console.log(JSON.stringify({ ms, size: list.size, bytes: list.bytes, maxProbe: list.maxProbe,
      heap: (m1.heapUsed + m1.external) - (m0.heapUsed + m0.external), rss: m1.rss - m0.rss }));`;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', script]);
  return JSON.parse(stdout);
}

function lookups(list, candidates, rounds) {
  let hits = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const c of candidates) if (list.has(c)) hits++;
  const ns = Number(process.hrtime.bigint() - t0) / (rounds * candidates.length);
  return { ns, hits };
}

const results = {};
const loads = [];
for (let i = 0; i < 7; i++) loads.push(await coldLoad());
results.load = {
  runs: loads.length,
  median_ms: median(loads.map((l) => l.ms)),
  max_ms: Math.max(...loads.map((l) => l.ms)),
  entries: loads[0].size,
  structure_bytes: loads[0].bytes,
  max_probe: loads[0].maxProbe,
  heap_plus_external_bytes: median(loads.map((l) => l.heap)),
  rss_bytes: median(loads.map((l) => l.rss)),
};

const full = defaultWeakList();
const small = WeakList.fromEntries(['password', 'sunshine', 'iloveyou', 'dragon', 'monkey', 'qwerty123']);
const candidates = [];
for (let i = 0; i < 500; i++) candidates.push(`Zx${i}-Unlisted-${i * 7919}`);
for (const p of ['Password1', 'P@ssw0rd', 'sunshine', 'Dragon2024', 'qwerty123', 'iloveyou'])
  candidates.push(p);
lookups(full, candidates, 200); // warm-up
results.lookup = {
  candidates: candidates.length,
  full_list_ns: lookups(full, candidates, 2000).ns,
  six_entry_list_ns: lookups(small, candidates, 2000).ns,
};

const OWASP = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const times = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  await hash(`Bench-Pass-${i}`, OWASP);
  times.push(performance.now() - t0);
}
const one = median(times);
results.argon2id = {
  one_computation_ms: one,
  change_ms_zpass_any_depth: 2 * one,
  change_ms_verify_each_entry: Object.fromEntries([0, 5, 24].map((d) => [`depth_${d}`, (d + 2) * one])),
};

const f = (n, d = 1) => n.toFixed(d);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
console.log(
  `weak list: ${results.load.entries} entries; load ${f(results.load.median_ms)} ms median, ${f(results.load.max_ms)} ms max over ${results.load.runs} fresh processes`,
);
console.log(
  `  memory: structure ${f(results.load.structure_bytes / 2 ** 20)} MiB, heap+external ${f(results.load.heap_plus_external_bytes / 2 ** 20)} MiB, rss ${f(results.load.rss_bytes / 2 ** 20)} MiB; longest probe ${results.load.max_probe}`,
);
console.log(
  `  look-up: ${f(results.lookup.full_list_ns, 0)} ns with the full list, ${f(results.lookup.six_entry_list_ns, 0)} ns with a 6-entry list (${results.lookup.candidates} candidates)`,
);
console.log(
  `argon2id (m=19 MiB, t=2, p=1): ${f(one)} ms per computation; a change costs 2 (${f(2 * one)} ms) at any history depth; verifying each entry would cost ${[0, 5, 24].map((d) => `${f((d + 2) * one)} ms at depth ${d}`).join(', ')}`,
);
console.log(JSON.stringify(results));
