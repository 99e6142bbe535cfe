// Weak detection by guess estimate (packages/policy/src/guesses.ts): added startup and memory
// (the ranked weak list it needs, loaded in a fresh process), and the time of one check
// (isWeak: the list rules, then estimateGuesses) on passwords of 8 to 31 characters.
// Run: npm run build && npm run bench -- weak-guesses
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { defaultWeakList, estimateGuesses, isWeak, WEAK_GUESSES } from '@zpass/policy';

const run = promisify(execFile);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quick = process.argv.includes('--quick');

/** In a fresh process: loading the list, then the first check (code compiled, caches cold). */
async function coldLoad() {
  const script = `
    const { defaultWeakList, isWeak } = await import('@zpass/policy');
    globalThis.gc(); globalThis.gc();
    const m0 = process.memoryUsage();
    let t0 = performance.now();
    const list = defaultWeakList();
    const ms = performance.now() - t0;
    t0 = performance.now();
    isWeak('Summer2026!!x', list);
    const first = performance.now() - t0;
    globalThis.gc(); globalThis.gc();
    const m1 = process.memoryUsage();
    console.log(JSON.stringify({ ms, first, bytes: list.bytes,
      heap: (m1.heapUsed + m1.external) - (m0.heapUsed + m0.external), rss: m1.rss - m0.rss }));`;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', script]);
  return JSON.parse(stdout);
}

const loads = [];
for (let i = 0; i < (quick ? 3 : 7); i++) loads.push(await coldLoad());

const list = defaultWeakList();
const samples = {
  'weak, 13 chars (P@ssw0rd!975x)': 'P@ssw0rd!975x',
  'random, 12 chars': 'Zq8#vLp2!mWt',
  'passphrase, 21 chars': 'Granite-Otter-Lamp-48',
  'random, 31 chars': 'Zq8#vLp2!mWtKx7&Rb4^Ny9@Hd3*Fg6',
  'list words, 31 chars': 'Sunshine-Dragon-Monkey-Summer12',
};
const perCheck = {};
for (const [name, p] of Object.entries(samples)) {
  for (let i = 0; i < 50; i++) isWeak(p, list); // warm-up
  const times = [];
  for (let r = 0; r < (quick ? 5 : 15); r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 40; i++) isWeak(p, list);
    times.push(Number(process.hrtime.bigint() - t0) / 40 / 1e6);
  }
  perCheck[name] = {
    ms_median: median(times),
    ms_max: Math.max(...times),
    log10: estimateGuesses(p, list).log10,
  };
}

const f = (n, d = 1) => n.toFixed(d);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
console.log(
  `list load ${f(median(loads.map((l) => l.ms)))} ms median, ${f(Math.max(...loads.map((l) => l.ms)))} ms max over ${loads.length} fresh processes; first check ${f(median(loads.map((l) => l.first)))} ms median`,
);
console.log(
  `memory: structure ${f(loads[0].bytes / 2 ** 20)} MiB, heap+external ${f(median(loads.map((l) => l.heap)) / 2 ** 20)} MiB, rss ${f(median(loads.map((l) => l.rss)) / 2 ** 20)} MiB`,
);
console.log(`threshold: weak below ${WEAK_GUESSES.toExponential()} guesses`);
for (const [name, r] of Object.entries(perCheck))
  console.log(
    `  check ${name}: ${f(r.ms_median, 2)} ms median, ${f(r.ms_max, 2)} ms max (log10 guesses ${f(r.log10, 2)})`,
  );
console.log(JSON.stringify({ loads, perCheck }));
