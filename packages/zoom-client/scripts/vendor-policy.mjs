#!/usr/bin/env node
// Copies @zpass/policy's sources (packages/policy/src/**/*.ts) into src/policy/, so that the SDK
// ships Zoom's password rules without a runtime dependency; with `--package contract`, copies
// @zpass/contract (Zoom's error texts, plan table, e-mail rule) into src/contract/ the same way. Imports of node:fs are replaced by
// functions that throw (the SDK bundles no data files, such as a weak-password list); any other
// import from outside the policy sources is refused, and import.meta.url becomes a constant. `--check` exits 1 when the copy is stale.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf('--package');
const pkg = flag >= 0 ? process.argv[flag + 1] : 'policy';
if (pkg !== 'policy' && pkg !== 'contract') {
  console.error(`--package must be policy or contract, not ${pkg}`);
  process.exit(2);
}
// The environment overrides are for the script's own tests.
const sourceDir = process.env.VENDOR_POLICY_SRC ?? join(here, '..', '..', pkg, 'src');
const targetDir = process.env.VENDOR_POLICY_OUT ?? join(here, '..', 'src', pkg);
const HEADER =
  `// Generated from packages/${pkg}/src by packages/zoom-client/scripts/vendor-policy.mjs: do not edit.\n` +
  `// The SDK bundles this copy of @zpass/${pkg} so that it has no runtime dependencies.\n\n`;

function list(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return list(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function transform(file, text) {
  // The copy is also compiled to CommonJS (scripts/build-cjs.mjs), where import.meta does not
  // exist; it only locates data files, which the copy does not ship and never reads.
  return withoutImports(file, text).replaceAll('import.meta.url', "'file:///zpass-sdk/no-data-files/'");
}

function withoutImports(file, text) {
  return text.replace(/^import\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)';$/gms, (line, isType, what, from) => {
    if (from.startsWith('./') || from.startsWith('../') || isType) return line;
    const named = /^\{([^}]*)\}$/.exec(what.trim());
    if (from === 'node:fs' && named) {
      return named[1]
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .map((n) => {
          const local = n.split(/\s+as\s+/).at(-1);
          return (
            `// The SDK's copy has no file system access (node:fs ${n} is not bundled).\n` +
            `const ${local} = (..._args: unknown[]): never => {\n` +
            `  throw new Error('The SDK bundles no data files of @zpass/policy: use @zpass/policy itself for this check.');\n` +
            '};'
          );
        })
        .join('\n');
    }
    throw new Error(`${relative(sourceDir, file)} imports '${from}': the SDK's copy cannot bundle it.`);
  });
}

/** Every file src/policy/ must hold, by path relative to it. */
export function expected() {
  const out = new Map();
  for (const file of list(sourceDir)) {
    out.set(relative(sourceDir, file), HEADER + transform(file, readFileSync(file, 'utf8')));
  }
  return out;
}

let want;
try {
  want = expected();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
if (process.argv.includes('--check')) {
  const have = new Map();
  try {
    for (const file of list(targetDir)) have.set(relative(targetDir, file), readFileSync(file, 'utf8'));
  } catch {}
  const stale = [...new Set([...want.keys(), ...have.keys()])].filter((k) => want.get(k) !== have.get(k));
  if (stale.length > 0) {
    console.error(
      `packages/zoom-client/src/${pkg} is stale (${stale.join(', ')}): run \`npm run vendor-${pkg} -w @zpass/zoom-client\`.`,
    );
    process.exit(1);
  }
} else {
  rmSync(targetDir, { recursive: true, force: true });
  for (const [path, text] of want) {
    mkdirSync(dirname(join(targetDir, path)), { recursive: true });
    writeFileSync(join(targetDir, path), text);
  }
  console.log(`wrote ${want.size} file(s) to ${relative(process.cwd(), targetDir) || '.'}`);
}
