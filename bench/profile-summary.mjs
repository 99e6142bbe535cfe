#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/file,
// so that a profile can be quoted in docs/benchmarks.md. Usage: node bench/profile-summary.mjs FILE [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** Where a script lives, shortened: node_modules/<package>, our src/<file>, or node:<internal>. */
function place(url) {
  if (!url) return '(native / vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf('/dist/');
  if (src >= 0) return `zpass ${url.slice(src + 6)}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

const fn = new Map();
const pkg = new Map();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const where = place(cf.url);
  const name = `${cf.functionName || '(anonymous)'}  [${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}]`;
  fn.set(name, (fn.get(name) ?? 0) + us);
  pkg.set(where, (pkg.get(where) ?? 0) + us);
}
// What each sample was doing, from its whole stack (a native frame such as writev
// counts for the code that called it): the first rule, in this order, that matches any frame.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const RULES = [
  ['(idle)', (f) => f.functionName === '(idle)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['mail relay (compose, write .eml, outbox rows)', (f) => /\/dist\/mail\/|nodemailer/.test(f.url)],
  ['argon2 hand-off on the event loop', (f) => /crypto\/hasher\.js|@node-rs\/argon2/.test(f.url)],
  ['logging (pino)', (f) => /pino|sonic-boom/.test(f.url)],
  [
    'password rules (weak list, policy)',
    (f) => /weak\.js|\/policy\/|domain\/policy\.js|domain\/history\.js/.test(f.url),
  ],
  [
    'database (Kysely, driver, queries)',
    (f) => /kysely|better-sqlite3|\/pg\/|pg-protocol|pg-pool|\/dist\/store\//.test(f.url),
  ],
  [
    'HTTP (Fastify, Node http, sockets)',
    (f) => /fastify|find-my-way|ajv|fast-json-stringify|node:_http|node:net|stream/.test(f.url),
  ],
  ['module loading (start-up)', (f) => /modules\/|node:internal\/bootstrap/.test(f.url)],
];
const activity = new Map();
for (const [id, us] of selfUs) {
  const frames = [];
  for (let at = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at).callFrame);
  let label = RULES.find(([, test]) => frames.some(test))?.[0] ?? 'other';
  if (label === 'other' && frames[0]?.functionName === '(program)')
    label = '(program: V8 and native, no JS stack)';
  activity.set(label, (activity.get(label) ?? 0) + us);
}

const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${pct(us).padStart(6)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('time by activity (whole stack)', activity, 20);
show('self time by package / file', pkg, top);
show('self time by function', fn, top);
