#!/usr/bin/env node
// Copies @zpass/policy's source into src/policy.ts, so that the SDK ships Zoom's password rules
// without a runtime dependency. `--check` exits 1 when the copy is stale (the tests run it too).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', '..', 'policy', 'src', 'index.ts');
const target = join(here, '..', 'src', 'policy.ts');
export const HEADER =
  '// Generated from packages/policy/src/index.ts by scripts/vendor-policy.mjs: do not edit.\n' +
  '// The SDK bundles this copy of @zpass/policy so that it has no runtime dependencies.\n\n';

const wanted = HEADER + readFileSync(source, 'utf8');
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== wanted) {
    console.error('src/policy.ts is stale: run `npm run vendor-policy -w @zpass/zoom-client`.');
    process.exit(1);
  }
} else {
  writeFileSync(target, wanted);
  console.log(`wrote ${target}`);
}
