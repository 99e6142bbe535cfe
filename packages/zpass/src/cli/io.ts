/**
 * What commands share for input and output. The command tree imports this module for `--help`
 * too: the prompts and the store are imported (`import()`) only when a command uses them.
 */
import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, type StoreConfig } from '../config.js';
import type { Store } from '../store/database.js';

/** All of standard input, without one trailing newline: for `--password-stdin`. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The user pressed Ctrl-C (or closed the terminal) at a prompt: exit 130, nothing changed. */
export class PromptCancelled extends Error {
  readonly exitCode = 130;
  constructor() {
    super('Cancelled; nothing was changed.');
  }
}

/** Prompts write to stderr: standard output stays for the command's result. */
const PROMPT_CONTEXT = { input: process.stdin, output: process.stderr, clearPromptOnDone: false };

async function prompting<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // @inquirer's "ExitPromptError" (Ctrl-C) and "AbortPromptError".
    if (err instanceof Error && /^(Exit|Abort)PromptError$/.test(err.name)) {
      process.stderr.write('\n');
      throw new PromptCancelled();
    }
    throw err;
  }
}

/** Asks on the terminal without echoing what is typed. */
export async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new Error('No terminal to ask on: pass the password on standard input with --password-stdin.');
  const { default: password } = await import('@inquirer/password');
  return prompting(() => password({ message: question.replace(/:\s*$/, ''), mask: false }, PROMPT_CONTEXT));
}

/** Asks on the terminal, echoing the answer. */
export async function promptVisible(question: string): Promise<string> {
  const { default: input } = await import('@inquirer/input');
  return prompting(async () =>
    (await input({ message: question.replace(/:\s*$/, '') }, PROMPT_CONTEXT)).trim(),
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `--data` and `--database-url`, the options of every command that opens the store
 * (values read by `storeConfig`). Added once per command group by `withStoreOptions`.
 */
export function withStoreOptions(group: Command): void {
  for (const cmd of group.commands) {
    cmd
      .option('--data <dir>', 'data folder (env ZPASS_DATA, default ./.zpass)')
      .option('--database-url <url>', 'postgres://... to use PostgreSQL (env DATABASE_URL)');
  }
}

/** "Examples:" after a command's help. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/**
 * The store of an admin or mail command: it must exist already (only `serve` and `migrate`
 * create one), so that a mistyped --data never leaves an empty store behind.
 */
export async function openExistingStore(config: StoreConfig): Promise<Store> {
  const [{ DataDirError, requireSqliteStore }, { openStore }] = await Promise.all([
    import('../store/data-dir.js'),
    import('../store/database.js'),
  ]);
  if (!config.databaseUrl) {
    const rel = relative(process.cwd(), config.dataDir);
    const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? config.dataDir : `./${rel}`;
    requireSqliteStore(config.dataDir, shown);
  }
  const store = openStore(config);
  try {
    let pending: string[];
    try {
      pending = await store.pending();
    } catch (err) {
      throw new ConfigError(
        `Cannot reach the database at ${store.location}: ${(err as Error).message}. Check DATABASE_URL (--database-url) and that the database server is running.`,
      );
    }
    if (pending.includes('0001_initial'))
      throw new DataDirError(
        `No zpass store in the database at ${store.location}: run \`zpass migrate\` (or \`zpass serve\`) on it first, or check DATABASE_URL.`,
      );
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}
