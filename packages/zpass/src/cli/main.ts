import { Command } from 'commander';
import { ConfigError, type ServeFlags, serveConfig, storeConfig } from '../config.js';
import { AdminError } from '../domain/accounts.js';
import { startServer } from '../server.js';
import { DataDirError } from '../store/data-dir.js';
import { DatabaseUrlError, openStore } from '../store/database.js';
import { SchemaTooNewError } from '../store/migrator.js';
import { registerAdmin } from './admin.js';
import { registerApi } from './api/commands.js';
import { registerMail } from './mail.js';
import { registerWebhooks } from './webhooks.js';

async function serve(flags: ServeFlags): Promise<void> {
  const config = serveConfig(flags);
  const server = await startServer(config);
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
  const program = new Command('zpass')
    .description('zpass: a Zoom-compatible user password service')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('serve the API (creates a demo account on an empty store)')
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
      'serve POST /zpass/test/rate-limits, which forces 429s for rehearsing retry code (env ZPASS_TEST_CONTROLS=1)',
    )
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
      const store = openStore(storeConfig(o));
      try {
        const { applied } = await store.migrate();
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

  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      process.exitCode = e.exitCode ?? 1;
      return;
    }
    if (
      err instanceof AdminError ||
      err instanceof ConfigError ||
      err instanceof SchemaTooNewError ||
      err instanceof DatabaseUrlError ||
      err instanceof DataDirError
    ) {
      process.stderr.write(`zpass: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
