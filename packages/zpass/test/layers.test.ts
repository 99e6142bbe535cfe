// The layering of packages/zpass/src, as docs/architecture.md ("What may import what") draws it:
// every import of every module is read (type-only and dynamic ones too) and judged against the
// table's rows, and no two folders may import each other, directly or round a longer loop.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/architecture.md', import.meta.url));

/**
 * The table of docs/architecture.md, row by row, as it is written there (the first test checks
 * that the document still says exactly this, so the rules below cannot drift from it).
 */
const TABLE = [
  '| folder | may import |',
  '| --- | --- |',
  '| `cli/`, `twin.ts` | everything below (`cli/api/`: `@zpass/zoom-client` and `cli/` helpers only) |',
  '| `server.ts` | everything below |',
  '| `http/`, `web/` | `edge/`, `domain/`, `limits/`, `log/`, `monitoring/`, `crypto/`, `clock`, `config`, `version` — never each other |',
  '| `mail/`, `webhooks/` | `domain/`, `store/`, `log/`, `crypto/`, `clock`, `config` |',
  '| `edge/` | `domain/` (its errors), `log/` |',
  '| `domain/` | `store/`, `crypto/`, `clock`, `@zpass/policy`, `@zpass/contract`, `@zpass/zoom-client/webhooks` (webhook types and signer) — never `http`, `web`, `edge`, `mail`, `webhooks`, `cli`, `limits` |',
  '| `limits/`, `monitoring/` | `store/`, `log/`, `clock`, `@zpass/contract`; `monitoring/` also `domain/` and `crypto/`, whose work it counts |',
  '| `store/`, `crypto/`, `log/` | nothing of the above (`store/` never imports `domain/`) |',
] as const;

/**
 * A module's unit: its top-level folder under src (`domain`, `http` …), `cli/api` for the API
 * clients (the table gives them their own rule), or the file's name for a module at src's root
 * (`server`, `config`, `clock` …).
 */
function unitOf(path: string): string {
  const parts = path.split('/');
  const [top = ''] = parts;
  if (parts.length === 1) return top.replace(/\.ts$/, '');
  if (top === 'cli' && parts[1] === 'api' && parts.length > 2) return 'cli/api';
  return top;
}

/** A row of the table as rules: who it is about, and what they may import. */
interface Rule {
  row: string;
  units: string[];
  /** Units (besides their own) the row's modules may import; 'not-above' for the last row. */
  may: string[] | 'not-above';
  /** Workspace packages (@zpass/*) the row allows, when the row names any; otherwise packages are not its concern. */
  packages?: string[];
}

/** The units named in each row, top to bottom (what "below" and "above" count). */
const ROWS: string[][] = [
  ['cli', 'cli/api', 'twin'],
  ['server'],
  ['http', 'web'],
  ['mail', 'webhooks'],
  ['edge'],
  ['domain'],
  ['limits', 'monitoring'],
  ['store', 'crypto', 'log'],
];
const LEAVES = ['clock', 'config', 'version']; // named by the rows as things one may import, never as a row
const below = (i: number) => [...ROWS.slice(i + 1).flat(), ...LEAVES];
const above = (i: number) => ROWS.slice(0, i).flat();

const RULES: Rule[] = [
  { row: TABLE[2], units: ['cli'], may: ['cli/api', 'twin', ...below(0)] },
  { row: TABLE[2], units: ['twin'], may: below(0) },
  { row: TABLE[2], units: ['cli/api'], may: ['cli'], packages: ['@zpass/zoom-client'] },
  { row: TABLE[3], units: ['server'], may: below(1) },
  {
    row: TABLE[4],
    units: ['http', 'web'],
    may: ['edge', 'domain', 'limits', 'log', 'monitoring', 'crypto', 'clock', 'config', 'version'],
  },
  {
    row: TABLE[5],
    units: ['mail', 'webhooks'],
    may: ['domain', 'store', 'log', 'crypto', 'clock', 'config'],
  },
  { row: TABLE[6], units: ['edge'], may: ['domain', 'log'] },
  {
    row: TABLE[7],
    units: ['domain'],
    may: ['store', 'crypto', 'clock'],
    packages: ['@zpass/policy', '@zpass/contract', '@zpass/zoom-client/webhooks'],
  },
  { row: TABLE[8], units: ['limits'], may: ['store', 'log', 'clock'], packages: ['@zpass/contract'] },
  {
    row: TABLE[8],
    units: ['monitoring'],
    may: ['store', 'log', 'clock', 'domain', 'crypto'],
    packages: ['@zpass/contract'],
  },
  { row: TABLE[9], units: ['store', 'crypto', 'log'], may: 'not-above' },
];

/** One import: the importing module (path under src) and what it names (a path under src, or a package). */
interface Import {
  from: string;
  to: { module: string } | { package: string };
}

/** Why an import breaks the table, or undefined when the table allows it. */
function judge(imp: Import): string | undefined {
  const unit = unitOf(imp.from);
  const rule = RULES.find((r) => r.units.includes(unit));
  if (!rule) return undefined; // a module the table has no row for (e.g. version.ts) is not restricted itself
  if ('package' in imp.to) {
    const pkg = imp.to.package
      .split('/')
      .slice(0, imp.to.package.startsWith('@') ? 2 : 1)
      .join('/');
    const name = imp.to.package;
    // A row may name a whole package or one of its entry points (`@zpass/zoom-client/webhooks`).
    if (!pkg.startsWith('@zpass/') || !rule.packages) return undefined;
    if (rule.packages.some((p) => p === pkg || name === p || name.startsWith(`${p}/`))) return undefined;
    return `${imp.from} imports ${pkg}: ${rule.row}`;
  }
  const target = unitOf(imp.to.module);
  if (target === unit) return undefined;
  const allowed =
    rule.may === 'not-above'
      ? !above(ROWS.findIndex((r) => r.includes(unit))).includes(target)
      : rule.may.includes(target);
  return allowed ? undefined : `${imp.from} imports ${imp.to.module}: ${rule.row}`;
}

function modules(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) modules(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const posix = (p: string) => p.split(sep).join('/');

/** Every import under src: static, type-only, re-exports and dynamic `import()`. */
function readImports(): { imports: Import[]; unresolved: string[] } {
  const imports: Import[] = [];
  const unresolved: string[] = [];
  for (const file of modules(SRC)) {
    const from = posix(relative(SRC, file));
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) {
        if (!fileName.startsWith('node:')) imports.push({ from, to: { package: fileName } });
        continue;
      }
      const base = resolve(dirname(file), fileName);
      const candidates = [base.replace(/\.js$/, '.ts'), join(base, 'index.ts')];
      const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
      const to = found ? posix(relative(SRC, found)) : undefined;
      if (!to || to.startsWith('..')) unresolved.push(`${from} imports ${fileName}`);
      else imports.push({ from, to: { module: to } });
    }
  }
  return { imports, unresolved };
}

/**
 * Loops between the folders of src (and its root modules): nodes are src's subfolders and files,
 * joined when a module under one imports a module under the other; a strongly connected group of
 * two or more nodes with a folder among them is a cycle between folders. (The rooms of domain/
 * are not judged here: the document's layout has rooms that use each other, e.g. users/create
 * uses passwords/ and passwords/change uses users/resolve.)
 */
function folderCycles(imports: Import[]): string[] {
  const node = (path: string) => (path.includes('/') ? `${path.split('/')[0]}/` : path);
  const graph = new Map<string, Set<string>>();
  for (const imp of imports) {
    if (!('module' in imp.to)) continue;
    const a = node(imp.from);
    const b = node(imp.to.module);
    if (a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return stronglyConnected(graph)
    .filter((group) => group.length > 1 && group.some((n) => n.endsWith('/')))
    .map((group) => group.sort().join(' ⇄ '))
    .sort();
}

/** Tarjan's algorithm. */
function stronglyConnected(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      groups.push(group);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return groups;
}

describe('layers of packages/zpass/src (docs/architecture.md, "What may import what")', () => {
  it('the rules here are the table of the document, row for row', () => {
    const doc = readFileSync(DOC, 'utf8').split('\n');
    const start = doc.indexOf(TABLE[0]);
    assert.notEqual(start, -1, 'docs/architecture.md has no "| folder | may import |" table');
    const rows: string[] = [];
    for (const line of doc.slice(start)) {
      if (!line.startsWith('|')) break;
      rows.push(line);
    }
    assert.deepEqual(
      rows,
      TABLE,
      'the table in docs/architecture.md changed: change the rules in this test with it',
    );
  });

  it('every folder of src has a row in the table', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    const ruled = new Set(RULES.flatMap((r) => r.units));
    assert.deepEqual(
      folders.filter((f) => !ruled.has(f)),
      [],
      'a folder the table does not mention: give it a row in docs/architecture.md and here',
    );
  });

  it('the rules judge known cases (so the checks below can fail)', () => {
    const mod = (from: string, to: string) => judge({ from, to: { module: to } });
    const pkg = (from: string, to: string) => judge({ from, to: { package: to } });
    assert.match(mod('domain/users/create.ts', 'http/app.ts') ?? '', /`domain\/`/);
    assert.match(mod('domain/x.ts', 'limits/categories.ts') ?? '', /never/);
    assert.match(mod('domain/x.ts', 'config.ts') ?? '', /`domain\/`/);
    assert.match(mod('store/repositories.ts', 'domain/errors.ts') ?? '', /never imports `domain\/`/);
    assert.match(mod('web/pages/home.ts', 'http/plugins/errors.ts') ?? '', /never each other/);
    assert.match(mod('http/app.ts', 'web/routes.ts') ?? '', /never each other/);
    assert.match(mod('http/app.ts', 'store/database.ts') ?? '', /`http\/`/);
    assert.match(mod('edge/errors.ts', 'store/failures.ts') ?? '', /`edge\/`/);
    assert.match(mod('monitoring/metrics.ts', 'http/app.ts') ?? '', /`monitoring\/`/);
    assert.match(mod('cli/api/bulk.ts', 'domain/errors.ts') ?? '', /`cli\/api\/`/);
    assert.match(mod('server.ts', 'cli/main.ts') ?? '', /`server.ts`/);
    assert.match(pkg('domain/x.ts', '@zpass/zoom-client') ?? '', /`domain\/`/);
    assert.match(pkg('cli/api/bulk.ts', '@zpass/policy') ?? '', /`cli\/api\/`/);
    assert.equal(mod('domain/users/create.ts', 'store/repositories.ts'), undefined);
    assert.equal(mod('domain/users/create.ts', 'domain/errors.ts'), undefined);
    assert.equal(mod('http/routes/users.ts', 'edge/address.ts'), undefined);
    assert.equal(mod('store/database.ts', 'log/redact.ts'), undefined);
    assert.equal(mod('cli/api/commands.ts', 'cli/io.ts'), undefined);
    assert.equal(mod('cli/admin.ts', 'server.ts'), undefined);
    assert.equal(mod('server.ts', 'mail/index.ts'), undefined);
    assert.equal(pkg('domain/x.ts', '@zpass/contract'), undefined);
    assert.equal(pkg('domain/x.ts', 'kysely'), undefined);
    assert.equal(pkg('store/schema.ts', '@zpass/contract'), undefined);
    assert.equal(pkg('cli/api/bulk.ts', '@zpass/zoom-client/errors'), undefined);

    const imp = (from: string, to: string): Import => ({ from, to: { module: to } });
    assert.deepEqual(folderCycles([imp('domain/a/x.ts', 'store/y.ts'), imp('store/z.ts', 'domain/w.ts')]), [
      'domain/ ⇄ store/',
    ]);
    assert.deepEqual(
      folderCycles([
        imp('http/a.ts', 'web/b.ts'),
        imp('web/c.ts', 'edge/d.ts'),
        imp('edge/e.ts', 'http/f.ts'),
      ]),
      ['edge/ ⇄ http/ ⇄ web/'],
    );
    assert.deepEqual(
      folderCycles([imp('domain/a.ts', 'domain/b.ts'), imp('domain/b.ts', 'domain/a.ts')]),
      [],
    );
    assert.deepEqual(folderCycles([imp('config.ts', 'limits/a.ts'), imp('limits/b.ts', 'config.ts')]), [
      'config.ts ⇄ limits/',
    ]);
    assert.deepEqual(folderCycles([imp('http/a.ts', 'domain/b.ts'), imp('domain/c.ts', 'store/d.ts')]), []);
  });

  const { imports, unresolved } = readImports();

  it('every relative import names a module under src', () => {
    assert.ok(imports.length > 100, `only ${imports.length} imports read`);
    assert.deepEqual(unresolved, []);
  });

  it('no import the table forbids', () => {
    const broken = imports.map(judge).filter((why) => why !== undefined);
    assert.deepEqual(broken, []);
  });

  it('no cycle between folders', () => {
    assert.deepEqual(folderCycles(imports), []);
  });
});
