import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { checkMailConfig, DEFAULT_MAIL_CONFIG, type MailConfig } from '../config.js';
import { issueResetLink, RESET_KIND, RESET_LINK_PATH } from '../domain/reset/reset.js';
import { INVITATION_PATH, issueInvitationLink } from '../domain/users/invitations.js';
import type { Store } from '../store/database.js';
import { listenForNotices } from '../store/listen.js';
import { MailRelay, type NoticePreparer } from './relay.js';
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

/**
 * What the relay does to a payload before rendering it: an invitation gets a fresh link
 * (only its digest is stored, and only the latest link works); other kinds are as queued.
 * The link is always under the configured public URL at the time of sending, whatever
 * the queued payload says (older rows carried an address taken from the request).
 */
export function noticePreparer(deps: { store: Store; clock: Clock; publicUrl: string }): NoticePreparer {
  return async (kind, payload) => {
    if (kind === RESET_KIND) {
      // A reset link is only ever under the configured public URL (never an address a request named).
      if (typeof payload.user_id !== 'string') return payload;
      const pageUrl = `${deps.publicUrl.replace(/\/+$/, '')}${RESET_LINK_PATH}`;
      const link = await issueResetLink(deps, payload.user_id, pageUrl);
      return link ? { ...payload, link: link.link, expires_at: link.expires_at } : undefined;
    }
    if (kind !== 'user_invitation') return payload;
    const userId = payload.user_id;
    if (typeof userId !== 'string') return payload;
    const acceptUrl = `${deps.publicUrl.replace(/\/+$/, '')}${INVITATION_PATH}`;
    const link = await issueInvitationLink(deps, userId, acceptUrl);
    return link ? { ...payload, link: link.link, expires_at: link.expires_at } : undefined;
  };
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
  const publicUrl = config.publicUrl ?? setup.serverUrl;
  return new MailRelay({
    store: setup.store,
    transport,
    clock: setup.clock,
    logger: setup.logger,
    settings: { ...config, publicUrl },
    prepare: noticePreparer({ store: setup.store, clock: setup.clock, publicUrl }),
    secrets: transport instanceof SmtpTransport ? transport.secrets : [],
    subscribe:
      setup.store.rules.notifies && setup.databaseUrl
        ? listenForNotices(setup.databaseUrl, setup.logger, {
            sentHere: (pid) => setup.store.announcedHere(pid),
          })
        : undefined,
  });
}
