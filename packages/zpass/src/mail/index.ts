import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { checkMailConfig, DEFAULT_MAIL_CONFIG, type MailConfig } from '../config.js';
import type { Store } from '../store/database.js';
import { listenForNotices } from './listen.js';
import { MailRelay } from './relay.js';
import { FileTransport, type MailTransport, SmtpTransport } from './transport.js';

export { MailRelay } from './relay.js';
export { RENDERERS } from './templates/index.js';

export interface RelaySetup {
  store: Store;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  databaseUrl?: string;
  /** Mail settings; missing fields take the defaults. */
  mail?: Partial<MailConfig>;
  /** The server's own URL: the default base of links in notices. */
  serverUrl: string;
}

/** The full mail settings from partial ones. */
export function completeMailConfig(partial: Partial<MailConfig> = {}): MailConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  return checkMailConfig({ ...DEFAULT_MAIL_CONFIG, ...defined });
}

/** The transport the settings name: SMTP when SMTP_URL is set, else `.eml` files in `<data>/mail/`. */
export function transportFor(config: MailConfig, dataDir: string): MailTransport {
  if (config.smtpUrl) {
    return new SmtpTransport({
      url: config.smtpUrl,
      caFile: config.smtpCaFile,
      maxConnections: config.concurrency,
      timeoutMs: config.sendTimeoutMs,
    });
  }
  return new FileTransport(join(dataDir, 'mail'));
}

/** A relay over the store, ready to start. */
export function createRelay(setup: RelaySetup): MailRelay {
  const config = completeMailConfig(setup.mail);
  const transport = transportFor(config, setup.dataDir);
  return new MailRelay({
    store: setup.store,
    transport,
    clock: setup.clock,
    logger: setup.logger,
    settings: { ...config, publicUrl: config.publicUrl ?? setup.serverUrl },
    secrets: transport instanceof SmtpTransport ? transport.secrets : [],
    subscribe:
      setup.store.dialect === 'postgres' && setup.databaseUrl
        ? listenForNotices(setup.databaseUrl, setup.logger)
        : undefined,
  });
}
