import pg from 'pg';
import type { Logger } from 'pino';
import { OUTBOX_CHANNEL } from './database.js';

/**
 * Wakes the relay when any server sharing the PostgreSQL database commits a notice:
 * one connection that LISTENs on `channel` (OUTBOX_CHANNEL for mail, WEBHOOK_CHANNEL for
 * webhooks), reopened after a loss (the poll covers the gap). Returns the function that
 * closes it.
 */
export function listenForNotices(
  databaseUrl: string,
  logger: Logger,
  channel: string = OUTBOX_CHANNEL,
  relayName = 'mail relay',
): (wake: () => void) => Promise<() => Promise<void>> {
  return async (wake) => {
    let client: pg.Client | undefined;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    const open = async () => {
      if (closed) return;
      const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
      c.on('notification', () => wake());
      const lost = () => {
        if (client !== c) return;
        client = undefined;
        c.end().catch(() => {});
        schedule();
      };
      c.on('error', lost);
      c.on('end', lost);
      try {
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        if (closed) {
          await c.end();
          return;
        }
        client = c;
        // Notices committed while no connection listened.
        wake();
      } catch (err) {
        c.end().catch(() => {});
        logger.warn(
          { error: (err as Error).message },
          `${relayName} cannot listen for notices; polling meanwhile`,
        );
        schedule();
      }
    };
    const schedule = () => {
      if (closed || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        void open();
      }, 2000);
      retry.unref();
    };
    await open();
    return async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    };
  };
}
