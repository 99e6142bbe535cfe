#!/usr/bin/env node
// Builds the web pages' assets into dist/assets: the live requirement checklist
// (web/checklist.ts with @zpass/policy, bundled for the browser) and the style sheet.
// Part of `npm run build`, so `npm ci` and the quick start do it.
//
// @zpass/policy reads its weak-password list (3 MB) with node:fs. The browser does
// not get the list: the checklist judges every other rule as the user types, and the
// server judges the weak list when the form is sent. node:fs is replaced by a stub
// that says so if anything ever calls it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'assets');
mkdirSync(out, { recursive: true });

const noFs = {
  name: 'no-node-fs',
  setup(b) {
    b.onResolve({ filter: /^(node:)?fs$/ }, () => ({ path: 'fs', namespace: 'no-node-fs' }));
    b.onLoad({ filter: /.*/, namespace: 'no-node-fs' }, () => ({
      contents:
        "export function readFileSync() { throw new Error('The weak-password list is checked by the server, not in the browser.'); }",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [join(root, 'web', 'checklist.ts')],
  outfile: join(out, 'checklist.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  plugins: [noFs],
  logLevel: 'warning',
});
copyFileSync(join(root, 'web', 'web.css'), join(out, 'web.css'));
