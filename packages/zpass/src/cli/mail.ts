/**
 * `zpass mail relay|list|retry`. Each action imports what it runs (`import()`): the command
 * tree loads neither the relay, the logger nor the store.
 */
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { ConfigError, mailConfig, type StoreFlags, storeConfig } from '../config.js';
import { AdminError } from '../domain/errors.js';
import type { Store } from '../store/database.js';
import type { OutboxRow } from '../store/repositories/outbox.js';
import type { OutboxStatus } from '../store/schema.js';
import { openExistingStore, printJson, withStoreOptions } from './io.js';
import { COLUMNS_HELP, pickColumns, printTable } from './table.js';

/** The columns of `mail list` (`when`: sent, next attempt, last attempt or queued, the first known). */
const MAIL_COLUMNS = ['id', 'status', 'kind', 'attempts', 'when', 'recipient', 'last_error'] as const;
const MAIL_DEFAULT_COLUMNS = MAIL_COLUMNS;

const STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed'];

async function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openExistingStore(storeConfig(flags));
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

function time(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function view(r: OutboxRow) {
  return {
    id: r.id,
    kind: r.kind,
    recipient: r.recipient,
    status: r.status,
    attempts: r.attempts,
    created_at: time(r.created_at),
    next_attempt_at: r.status === 'pending' ? time(r.next_attempt_at) : null,
    last_attempt_at: time(r.last_attempt_at),
    sent_at: time(r.sent_at),
    last_error: r.last_error,
    message_id: r.message_id,
  };
}

export function registerMail(program: Command): void {
  const mail = program.command('mail').description('e-mail notices: the outbox and its relay');

  mail
    .command('relay')
    .description('deliver queued notices until stopped (for a separate worker; `serve --no-mail-relay` then)')
    .action(async (o) => {
      const config = storeConfig(o);
      const mailSettings = mailConfig(process.env);
      const logLevel = process.env.ZPASS_LOG_LEVEL ?? 'info';
      const [{ createLogger }, { createRelay }] = await Promise.all([
        import('../log/logger.js'),
        import('../mail/index.js'),
      ]);
      const logger = createLogger(logLevel);
      const store = await openExistingStore(config);
      try {
        const pending = await store.pending();
        if (pending.length > 0) {
          throw new ConfigError(
            `The database schema is behind (pending: ${pending.join(', ')}). Run "zpass migrate" first.`,
          );
        }
      } catch (err) {
        await store.close();
        throw err;
      }
      const port = process.env.ZPASS_PORT ?? '8080';
      const relay = createRelay({
        store,
        clock: systemClock,
        logger,
        dataDir: config.dataDir,
        databaseUrl: config.databaseUrl,
        mail: mailSettings,
        serverUrl: `http://127.0.0.1:${port}`,
      });
      await relay.start();
      // The relay's own timers do not hold the process open (inside `serve` the HTTP
      // server does); here this does, until a signal.
      const hold = setInterval(() => {}, 60_000);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'mail relay stopping: finishing deliveries in flight');
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      await relay.stop();
      await store.close();
      clearInterval(hold);
    });

  mail
    .command('list')
    .description('list notices, newest first')
    .option('--status <status>', `only notices in this state: ${STATUSES.join(', ')}`)
    .option('--limit <n>', 'at most this many', '50')
    .option('--columns <list>', `${COLUMNS_HELP}: ${MAIL_COLUMNS.join(', ')}`)
    .option('--json', 'print JSON')
    .action(async (o) => {
      const columns = pickColumns(o.columns, MAIL_COLUMNS, MAIL_DEFAULT_COLUMNS);
      if (o.status !== undefined && !(STATUSES as readonly string[]).includes(o.status)) {
        throw new AdminError(`Unknown status "${o.status}": use ${STATUSES.join(', ')}.`);
      }
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new AdminError('--limit must be a whole number from 1 to 10000.');
      }
      const { outbox } = await import('../store/repositories/outbox.js');
      const rows = await withStore(o, (store) => outbox.list(store.db, { status: o.status, limit }));
      const out = rows.map(view);
      if (o.json) {
        printJson(out);
        return;
      }
      if (out.length === 0) {
        process.stdout.write(o.status ? `no ${o.status} notices\n` : 'no notices\n');
        return;
      }
      printTable(
        out.map((r) => ({
          ...r,
          when: r.sent_at ?? r.next_attempt_at ?? r.last_attempt_at ?? r.created_at,
          last_error: r.status === 'sent' ? '' : (r.last_error ?? ''),
        })),
        columns,
      );
    });

  mail
    .command('retry')
    .description('send failed notices again (by id, or every failed one)')
    .argument('[id]', 'the notice id (see `zpass mail list --status failed`)')
    .option('--all-failed', 'every failed notice')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o) => {
      if ((id === undefined) === !o.allFailed) {
        throw new AdminError('Name one notice id, or pass --all-failed (not both).');
      }
      let ids: number[] | undefined;
      if (id !== undefined) {
        const n = Number(id);
        if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(n))
          throw new AdminError(`Not a notice id: "${id}".`);
        ids = [n];
      }
      const { outbox } = await import('../store/repositories/outbox.js');
      const requeued = await withStore(o, async (store) => {
        const done = await store.transaction((tx) => outbox.requeueFailed(tx, systemClock.now(), ids));
        if (ids && done.length === 0) {
          const row = await outbox.byId(store.db, ids[0] as number);
          if (!row) throw new AdminError(`There is no notice ${ids[0]}.`);
          throw new AdminError(`Notice ${row.id} is ${row.status}, not failed: nothing to retry.`);
        }
        return done;
      });
      if (o.json) printJson({ requeued });
      else
        process.stdout.write(
          requeued.length === 0
            ? 'no failed notices\n'
            : `queued again: ${requeued.join(', ')} (a running relay sends them shortly)\n`,
        );
    });

  withStoreOptions(mail);
}
