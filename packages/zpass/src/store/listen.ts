import type pg from 'pg';
import type { Logger } from 'pino';
import { OUTBOX_CHANNEL } from './database.js';
import { postgresDriver } from './drivers.js';

export interface ListenOptions {
  /** OUTBOX_CHANNEL (the default) for mail, WEBHOOK_CHANNEL for webhooks, AUTH_CHANNEL for the token cache. */
  channel?: string;
  /** Who listens, for the log (default "mail relay"). */
  relayName?: string;
  /** What happens while the connection is down, for the log (default "polling meanwhile"). */
  meanwhile?: string;
  /**
   * Notices sent by these PostgreSQL backends are not passed on (`Store.announcedHere`):
   * their commits have already called this process's listeners, and a second wake-up
   * would cost a relay an empty claim, three round trips, per notice.
   */
  sentHere?: (backendPid: number) => boolean;
}

/**
 * Wakes the relay when any server sharing the PostgreSQL database commits a notice:
 * one connection that LISTENs on the channel, reopened after a loss (the poll covers the
 * gap). `wake` runs on every notice and once the connection listens (again): notices sent
 * while it did not are lost. `lost`, when given, runs when the connection is lost or
 * cannot be opened, and at close. Returns the function that closes it.
 */
export function listenForNotices(
  databaseUrl: string,
  logger: Logger,
  options: ListenOptions = {},
): (wake: () => void, lost?: () => void) => Promise<() => Promise<void>> {
  const {
    channel = OUTBOX_CHANNEL,
    relayName = 'mail relay',
    meanwhile = 'polling meanwhile',
    sentHere = () => false,
  } = options;
  return async (wake, lostHook) => {
    let client: pg.Client | undefined;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    const open = async () => {
      if (closed) return;
      // TCP keep-alive, so that a database that vanished without closing the connection is
      // noticed in the end (then `lost`).
      const c = new (postgresDriver().Client)({
        connectionString: databaseUrl,
        connectionTimeoutMillis: 5000,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      c.on('notification', (n) => {
        if (!sentHere(n.processId)) wake();
      });
      const lost = () => {
        if (client !== c) return;
        client = undefined;
        lostHook?.();
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
        lostHook?.();
        logger.warn(
          { error: (err as Error).message },
          `${relayName} cannot listen for notices; ${meanwhile}`,
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
      lostHook?.();
      await c?.end().catch(() => {});
    };
  };
}
