import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { checkWebhookConfig, DEFAULT_WEBHOOK_CONFIG, type WebhookConfig } from '../config.js';
import type { PostWebhook } from '../domain/webhooks/subscriptions.js';
import type { Store } from '../store/database.js';
import { listenForNotices } from '../store/listen.js';
import { WEBHOOK_CHANNEL } from '../store/repositories/webhooks.js';
import { createPoster, HostPolicy } from './post.js';
import { WebhookRelay } from './relay.js';

export { EVENT_ID_HEADER, WebhookRelay } from './relay.js';

/** The full webhook settings from partial ones. */
export function completeWebhookConfig(partial: Partial<WebhookConfig> = {}): WebhookConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  return checkWebhookConfig({ ...DEFAULT_WEBHOOK_CONFIG, ...defined });
}

/** The poster the settings describe (bounds and allow-list), for the relay and for URL validation. */
export function posterFor(config: WebhookConfig): PostWebhook {
  return createPoster({
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    hosts: new HostPolicy(config.allowedHosts),
  });
}

export interface WebhookRelaySetup {
  store: Store;
  clock: Clock;
  logger: Logger;
  databaseUrl?: string;
  webhooks?: Partial<WebhookConfig>;
}

/** A relay over the store, ready to start. */
export function createWebhookRelay(setup: WebhookRelaySetup): WebhookRelay {
  const config = completeWebhookConfig(setup.webhooks);
  return new WebhookRelay({
    store: setup.store,
    clock: setup.clock,
    logger: setup.logger,
    settings: config,
    post: posterFor(config),
    subscribe:
      setup.store.dialect === 'postgres' && setup.databaseUrl
        ? listenForNotices(setup.databaseUrl, setup.logger, {
            channel: WEBHOOK_CHANNEL,
            relayName: 'webhook relay',
            sentHere: (pid) => setup.store.announcedHere(pid),
          })
        : undefined,
  });
}
