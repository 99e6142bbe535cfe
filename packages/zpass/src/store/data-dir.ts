import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The data folder cannot be used (a file, not writable, missing where it must exist): the message says how to fix it. */
export class DataDirError extends Error {}

function exists(path: string): 'dir' | 'other' | undefined {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `dir` is a writable folder, creating it (and missing parents) with mode 0700.
 * One level at a time rather than `mkdirSync(..., { recursive: true })`, which never returns
 * under /proc on some Node versions; every failure is one sentence naming the path.
 */
export function prepareDataDir(dir: string): void {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const kind = exists(at);
    if (kind === 'other') {
      throw new DataDirError(
        at === dir
          ? `The data path ${dir} is a file, not a folder: use --data (or ZPASS_DATA) to name a folder.`
          : `Cannot create the data folder ${dir}: ${at} is a file, not a folder. Use --data (or ZPASS_DATA) to name another.`,
      );
    }
    if (kind === 'dir') break;
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const path of missing) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && exists(path) === 'dir') continue;
      throw new DataDirError(
        `Cannot create the data folder ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message} at ${path}): use --data (or ZPASS_DATA) to name a writable folder.`,
      );
    }
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new DataDirError(
      `The data folder ${dir} is not writable by this user: fix its permissions, or use --data (or ZPASS_DATA) to name another.`,
    );
  }
}

/** For commands that work on an existing store only (admin, mail): refuses to create one. */
export function requireSqliteStore(dir: string, shownAs = dir): void {
  if (exists(join(dir, 'zpass.db')) !== 'other') {
    throw new DataDirError(
      `No store at ${shownAs}: use --data or ZPASS_DATA to name the data folder of a server (\`zpass serve\` and \`zpass migrate\` create one; set DATABASE_URL for PostgreSQL).`,
    );
  }
}
