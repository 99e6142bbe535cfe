#!/usr/bin/env node
// Builds the SDK's CommonJS copy (dist/cjs) next to the ES module build (dist), so that
// `require('@zpass/zoom-client')` works on every supported Node, including 20 where
// require() of an ES module is not available without a flag. dist/cjs/package.json marks
// the folder as CommonJS, so that Node and TypeScript read dist/cjs/*.js and *.d.ts as such.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(pkgDir, 'tsconfig.cjs.json')], { stdio: 'inherit' });
writeFileSync(join(pkgDir, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
