#!/usr/bin/env node
// Runs every bench/*.bench.mjs and bench/*.bench.ts one after the other (never as tests).
// Build first: npm run build. Arguments: names to select (e.g. `weak-list`), and flags
// such as --quick that are passed on to each benchmark.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const only = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') || f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = false;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const node = f.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const code = await new Promise((resolve) => {
    spawn(process.execPath, [...node, join(here, f), ...flags], {
      stdio: 'inherit',
      cwd: join(here, '..'),
    }).on('exit', resolve);
  });
  if (code !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
