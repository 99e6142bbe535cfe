#!/usr/bin/env node
// Runs every bench/*.bench.mjs one after the other (never as tests). Build first: npm run build.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = false;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const code = await new Promise((resolve) => {
    spawn(process.execPath, [join(here, f)], { stdio: 'inherit' }).on('exit', resolve);
  });
  if (code !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
