/**
 * The command tree. `zpass --help`, completion and the API commands need only commander and
 * the SDK: this module and the modules registering commands import the server, the store,
 * the domain, the relays and their drivers only inside the actions that run them
 * (`import()`), so that those commands start small (docs/benchmarks.md, "CLI memory";
 * test/cli-modules.test.ts checks what they load).
 */
import { readFileSync } from 'node:fs';
import { Command, type CommanderError } from 'commander';
import { type ServeFlags, serveConfig, storeConfig } from '../config.js';
import { registerAdmin } from './admin.js';
import { registerApi } from './api/commands.js';
import { registerCompletion } from './completion.js';
import { failureOf, isUsageCode, reportFailure } from './errors.js';
import { printJson } from './io.js';
import { registerMail } from './mail.js';
import { registerWebhooks } from './webhooks.js';

/** The version of the package this CLI ships in (its package.json, two folders up from here). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Every command that runs something (no subcommands of its own). */
export function leafCommands(cmd: Command): Command[] {
  return cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap(leafCommands);
}

/**
 * A reader that stops reading (`zpass users list | head -1`) is not an error: exit quietly.
 * Without this, the write fails with EPIPE and Node reports an unhandled 'error' event.
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

async function serve(flags: ServeFlags): Promise<void> {
  const config = serveConfig(flags);
  const [{ startServer }, { loadFixtures }] = await Promise.all([
    import('../server.js'),
    import('../twin.js'),
  ]);
  const seed = flags.seed ? loadFixtures(flags.seed) : undefined;
  const server = await startServer({ ...config, seed });
  server.app.log.info({ url: server.url, data: config.dataDir }, 'zpass is listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  const end = argv.indexOf('--');
  const json = (end < 0 ? argv : argv.slice(0, end)).includes('--json');
  const program = new Command('zpass')
    .description('zpass: a Zoom-compatible user password service')
    .version(cliVersion(), '-V, --version', 'print the version of zpass')
    .showHelpAfterError(!json)
    .exitOverride()
    .configureOutput({
      // With --json, a usage error is reported as JSON below, not as commander's text.
      outputError: (text, write) => {
        if (!json) write(text);
      },
    });

  program
    .command('serve')
    .description('serve the API (creates a demo account on an empty SQLite store, unless --no-demo)')
    .option('--port <port>', 'port (env ZPASS_PORT, default 8080)')
    .option('--host <host>', 'address to bind (env ZPASS_HOST, default 127.0.0.1)')
    .option('--data <dir>', 'data folder (env ZPASS_DATA, default ./.zpass)')
    .option(
      '--database-url <url>',
      'postgres://... to use PostgreSQL (env DATABASE_URL; default: SQLite in the data folder)',
    )
    .option('--no-migrate', 'do not apply pending migrations at start; refuse to start if any are pending')
    .option(
      '--redis-url <url>',
      'redis://... to share rate-limit counters between servers (env REDIS_URL; default: in memory)',
    )
    .option(
      '--test-controls',
      'serve POST /zpass/test/rate-limits (forced 429s) and POST /zpass/test/reset (back to the state at start) for test suites (env ZPASS_TEST_CONTROLS=1)',
    )
    .option(
      '--seed <fixtures.json>',
      'apply these accounts, users, apps and settings to an empty store (a store with data is left as it is)',
    )
    .option('--demo', 'create a demo account on an empty store even with DATABASE_URL or NODE_ENV=production')
    .option('--no-demo', 'never create a demo account (env ZPASS_DEMO=0)')
    .option(
      '--metrics-addr <[host:]port>',
      'serve GET /metrics (Prometheus) on this address, apart from the API (env ZPASS_METRICS_ADDR; default: off)',
    )
    .option(
      '--no-mail-relay',
      'do not deliver e-mail notices in this process (run `zpass mail relay` instead)',
    )
    .option(
      '--no-webhook-relay',
      'do not deliver webhook events in this process (run `zpass webhooks relay` instead)',
    )
    .action(serve);

  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const config = storeConfig(o);
      const { openStore } = await import('../store/database.js');
      const store = openStore(config);
      try {
        const { applied } = await store.migrate();
        if (o.json) printJson({ applied });
        else
          process.stdout.write(
            applied.length ? `applied: ${applied.join(', ')}\n` : 'the schema is up to date\n',
          );
      } finally {
        await store.close();
      }
    });

  registerAdmin(program);
  registerMail(program);
  registerWebhooks(program);
  registerApi(program);
  registerCompletion(program);
  for (const cmd of leafCommands(program)) {
    // Commander stops at the first subcommand's own exitOverride: every command inherits ours.
    cmd.exitOverride();
    if (!cmd.options.some((o) => o.long === '--json') && cmd.name() !== 'serve')
      cmd.option('--json', 'print the outcome as JSON (a failure: one JSON object on stderr)');
  }

  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as Partial<CommanderError>;
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      if (!isUsageCode(e.code)) {
        process.exitCode = e.exitCode ?? 0;
        return;
      }
      // Usage errors exit 2, as getopt-style tools do.
      if (json)
        reportFailure(
          {
            code: 'usage',
            message: String(e.message)
              .replace(/^error: /, '')
              .replace(/\s*\n\s*/g, ' '),
            exitCode: 2,
          },
          true,
        );
      process.exitCode = 2;
      return;
    }
    reportFailure(failureOf(err), json);
  }
}
