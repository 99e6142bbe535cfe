// `node --import ./module-trace.mjs ...` appends the URL of every module the process resolves
// (each `import` and `import()`, and so the entry of every package imported from an ES module)
// to the file named by ZPASS_MODULE_TRACE, one a line. cli-modules.test.ts runs the real CLI
// with it. The same file is the hooks module (loaded again on the hooks thread) and registers it.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url, { data: { file: process.env.ZPASS_MODULE_TRACE } });

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
