/**
 * `zpass webhooks ...` and `zpass admin webhooks ...`. Each action imports what it runs
 * (`import()`): the command tree loads neither the relay, the logger nor the store.
 */
import { WEBHOOK_EVENT_NAMES } from '@zpass/zoom-client/webhooks';
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { ConfigError, type StoreFlags, storeConfig, webhookConfig } from '../config.js';
import type { DomainContext } from '../domain/context.js';
import { AdminError, WebhookError } from '../domain/errors.js';
import type { DeliveryView } from '../domain/webhooks/deliveries.js';
import type { SubscriptionView } from '../domain/webhooks/subscriptions.js';
import { onStore } from './admin/context.js';
import { examples, openExistingStore, printJson, withStoreOptions } from './io.js';

/** Runs `fn` on the store of `--data`, migrated; a refused webhook command becomes the CLI's error. */
async function withContext<T>(flags: StoreFlags, fn: (ctx: DomainContext) => Promise<T>): Promise<T> {
  try {
    return await onStore(flags, fn);
  } catch (err) {
    if (err instanceof WebhookError) throw new AdminError(err.message);
    throw err;
  }
}

function time(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function subscriptionJson(s: SubscriptionView) {
  return { ...s, created_at: time(s.created_at), validated_at: time(s.validated_at) };
}

function deliveryJson(d: DeliveryView) {
  return {
    ...d,
    created_at: time(d.created_at),
    next_attempt_at: time(d.next_attempt_at),
    last_attempt_at: time(d.last_attempt_at),
    delivered_at: time(d.delivered_at),
  };
}

/** `zpass admin webhooks ...`: an app's secret token and endpoints. */
function registerAdminWebhooks(admin: Command): void {
  const hooks = admin
    .command('webhooks')
    .description("an app's webhook secret token and endpoints")
    .addHelpText(
      'after',
      examples([
        'zpass admin webhooks secret --app CLIENT_ID',
        'zpass admin webhooks add --app CLIENT_ID --url https://hooks.example.com/zoom --events user.created,user.updated',
        'zpass admin webhooks list --app CLIENT_ID',
        'zpass admin webhooks remove ENDPOINT_ID',
      ]),
    );

  hooks
    .command('secret')
    .description("print the app's webhook secret token (created on first use)")
    .requiredOption('--app <clientId>', "the app's client id")
    .option('--rotate', 'replace it with a new one (endpoints must be given the new one)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const { appSecret } = await import('../domain/webhooks/secrets.js');
      const s = await withContext(o, (ctx) => appSecret(ctx, o.app, { rotate: o.rotate === true }));
      if (o.json) {
        printJson({
          client_id: s.client_id,
          secret_token: s.secret_token,
          created_at: time(s.created_at),
          rotated_at: time(s.rotated_at),
        });
        return;
      }
      process.stdout.write(`${s.secret_token}\n`);
      if (o.rotate)
        process.stderr.write(
          'Rotated: every delivery from now on, retries included, is signed with this token.\n',
        );
    });

  hooks
    .command('add')
    .description(
      'add an endpoint: validated at once (endpoint.url_validation), active only if it answers right',
    )
    .requiredOption('--app <clientId>', "the app's client id")
    .requiredOption('--url <url>', 'the endpoint, http:// or https://')
    .requiredOption('--events <list>', `comma-separated: ${WEBHOOK_EVENT_NAMES.join(',')}`)
    .option('--json', 'print JSON')
    .action(async (o) => {
      const [{ subscribe }, { posterFor }] = await Promise.all([
        import('../domain/webhooks/subscriptions.js'),
        import('../webhooks/index.js'),
      ]);
      const post = posterFor(webhookConfig(process.env));
      const s = await withContext(o, (ctx) =>
        subscribe(ctx, post, { clientId: o.app, url: o.url, events: [o.events] }),
      );
      if (o.json) printJson(subscriptionJson(s));
      else process.stdout.write(`${s.id}  active  ${s.url}  ${s.events.join(',')}\n`);
    });

  hooks
    .command('list')
    .description('list endpoints, oldest first')
    .option('--app <clientId>', "only this app's")
    .option('--json', 'print JSON')
    .action(async (o) => {
      const { listSubscriptions } = await import('../domain/webhooks/subscriptions.js');
      const rows = await withContext(o, (ctx) => listSubscriptions(ctx, o.app));
      if (o.json) {
        printJson(rows.map(subscriptionJson));
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no webhook endpoints\n');
        return;
      }
      for (const s of rows)
        process.stdout.write(
          `${s.id}  ${s.status.padEnd(11)}  app ${s.client_id}  ${s.url}  ${s.events.join(',')}${
            s.last_error ? `\n    ${s.last_error}` : ''
          }\n`,
        );
    });

  hooks
    .command('remove')
    .description('remove an endpoint and its undelivered events')
    .argument('<id>', 'the subscription id (see `zpass admin webhooks list`)')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      const { removeSubscription } = await import('../domain/webhooks/subscriptions.js');
      await withContext(o, (ctx) => removeSubscription(ctx, id));
      if (o.json) printJson({ removed: id });
      else process.stdout.write(`removed ${id}\n`);
    });

  withStoreOptions(hooks);
}

/** `zpass webhooks ...` (deliveries, redelivery, the relay) and `zpass admin webhooks ...`. */
export function registerWebhooks(program: Command): void {
  // `admin` is registered first (registerAdmin); its webhook commands live here with the rest.
  const admin = program.commands.find((c) => c.name() === 'admin');
  if (admin) registerAdminWebhooks(admin);

  const hooks = program.command('webhooks').description('webhook deliveries and their relay');

  hooks
    .command('deliveries')
    .description('list deliveries, newest first')
    .option('--failed', 'only those given up on')
    .option('--pending', 'only those still to be delivered')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new AdminError('--limit must be a whole number from 1 to 10000.');
      if (o.failed && o.pending) throw new AdminError('Pass --failed or --pending, not both.');
      const status = o.failed ? 'failed' : o.pending ? 'pending' : undefined;
      const { listDeliveries } = await import('../domain/webhooks/deliveries.js');
      const rows = await withContext(o, (ctx) => listDeliveries(ctx, { status, limit }));
      if (o.json) {
        printJson(rows.map(deliveryJson));
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(status ? `no ${status} deliveries\n` : 'no deliveries\n');
        return;
      }
      for (const d of rows.map(deliveryJson)) {
        const when = d.delivered_at ?? d.next_attempt_at ?? d.last_attempt_at ?? d.created_at;
        process.stdout.write(
          `${String(d.id).padStart(6)}  ${d.status.padEnd(9)}  ${d.event.padEnd(24)}  attempts ${d.attempts}  ${when}  ${d.url ?? '(removed)'}${
            d.last_error && d.status !== 'delivered' ? `\n        last error: ${d.last_error}` : ''
          }\n`,
        );
      }
    });

  hooks
    .command('redeliver')
    .description('send failed deliveries again (by id, or every failed one)')
    .argument('[id]', 'the delivery id (see `zpass webhooks deliveries --failed`)')
    .option('--all-failed', 'every failed delivery')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o) => {
      if ((id === undefined) === !o.allFailed)
        throw new AdminError('Name one delivery id, or pass --all-failed (not both).');
      let one: number | undefined;
      if (id !== undefined) {
        one = Number(id);
        if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(one))
          throw new AdminError(`Not a delivery id: "${id}".`);
      }
      const { redeliver } = await import('../domain/webhooks/deliveries.js');
      const requeued = await withContext(o, (ctx) => redeliver(ctx, one));
      if (o.json) printJson({ requeued });
      else
        process.stdout.write(
          requeued.length === 0
            ? 'no failed deliveries\n'
            : `queued again: ${requeued.join(', ')} (a running relay sends them shortly)\n`,
        );
    });

  hooks
    .command('relay')
    .description(
      'deliver webhook events until stopped (for a separate worker; `serve --no-webhook-relay` then)',
    )
    .action(async (o) => {
      const config = storeConfig(o);
      const settings = webhookConfig(process.env);
      const [{ createLogger }, { createWebhookRelay }] = await Promise.all([
        import('../log/logger.js'),
        import('../webhooks/index.js'),
      ]);
      const logger = createLogger(process.env.ZPASS_LOG_LEVEL ?? 'info');
      const store = await openExistingStore(config);
      try {
        const pending = await store.pending();
        if (pending.length > 0)
          throw new ConfigError(
            `The database schema is behind (pending: ${pending.join(', ')}). Run "zpass migrate" first.`,
          );
      } catch (err) {
        await store.close();
        throw err;
      }
      const relay = createWebhookRelay({
        store,
        clock: systemClock,
        logger,
        databaseUrl: config.databaseUrl,
        webhooks: settings,
      });
      await relay.start();
      // The relay's timers do not hold the process open (inside `serve` the HTTP server does).
      const hold = setInterval(() => {}, 60_000);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'webhook relay stopping: finishing deliveries in flight');
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      await relay.stop();
      await store.close();
      clearInterval(hold);
    });

  withStoreOptions(hooks);
}
