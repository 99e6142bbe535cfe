#!/usr/bin/env node
// Writes src/version.ts from package.json, so that the version is written in one place
// and the SDK (which reads no files at run time) still knows it.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const text =
  '// Generated from package.json by scripts/write-version.mjs: do not edit.\n\n' +
  `/** The SDK's version (sent in its User-Agent). */\nexport const VERSION = '${version}';\n`;
const target = join(pkgDir, 'src', 'version.ts');
let old;
try {
  old = readFileSync(target, 'utf8');
} catch {}
if (old !== text) writeFileSync(target, text);
