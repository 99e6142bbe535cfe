/**
 * An app's webhook secret token. It signs every delivery, so it is stored in a form that can
 * be read back: sealed with AES-256-GCM under a 32-byte key kept in `server_keys`
 * (`webhook_secret_v1`), created by the first server or command that needs it and shared by
 * every server of the store, as the page-token key is. The app's id is the associated data,
 * so a sealed secret copied onto another app's row does not open. See docs/webhooks.md,
 * "The secret token at rest", for what this protects against and what it does not.
 */
import { randomAlnum } from '../../crypto/random.js';
import { openWith, sealWith } from '../../crypto/sealing.js';
import type { Db } from '../../store/database.js';
import { apps } from '../../store/repositories/apps.js';
import { serverKeys } from '../../store/repositories/server-keys.js';
import { webhookSecrets } from '../../store/repositories/webhooks.js';
import type { DomainContext } from '../context.js';
import { WebhookError } from '../errors.js';

const KEY_NAME = 'webhook_secret_v1';
/** Zoom's secret tokens are 22 alphanumeric characters (about 131 random bits). */
const SECRET_LENGTH = 22;

/** The sealing key, from the store; created on first use. */
export async function sealingKey(db: Db, now: number): Promise<Buffer> {
  return serverKeys.ensure(db, KEY_NAME, now);
}

export function sealSecret(key: Buffer, appId: string, secret: string): string {
  return sealWith(key, secret, appId);
}

/** The secret in a sealed value; throws when it was altered or sealed for another app or key. */
export function openSecret(key: Buffer, appId: string, sealed: string): string {
  return openWith(key, sealed, appId);
}

/** The app a client id names, or a refusal. */
export async function appByClientId(ctx: DomainContext, clientId: string) {
  const app = await apps.byClientId(ctx.store.db, clientId);
  if (!app) throw new WebhookError('app_not_found', `There is no app with client id ${clientId}.`);
  return app;
}

export interface AppSecret {
  app_id: string;
  client_id: string;
  account_id: string;
  secret_token: string;
  created_at: number;
  rotated_at: number | null;
  /** Whether this call created or replaced it. */
  changed: boolean;
}

/**
 * The app's secret token: created on first use, replaced with `rotate`. A rotation takes
 * effect at once: every later delivery attempt, including retries of older events, is
 * signed with the new token, so the endpoint must know it first.
 */
export async function appSecret(
  ctx: DomainContext,
  clientId: string,
  opts: { rotate?: boolean } = {},
): Promise<AppSecret> {
  const app = await appByClientId(ctx, clientId);
  const now = ctx.clock.now();
  const key = await sealingKey(ctx.store.db, now);
  return ctx.store.transaction(async (tx) => {
    await ctx.store.lockApp(tx, app.id);
    let row = await webhookSecrets.get(tx, app.id);
    let changed = false;
    if (!row) {
      await webhookSecrets.insertIfAbsent(tx, {
        app_id: app.id,
        account_id: app.account_id,
        secret_sealed: sealSecret(key, app.id, randomAlnum(SECRET_LENGTH)),
        created_at: now,
        rotated_at: null,
      });
      changed = true;
    } else if (opts.rotate) {
      await webhookSecrets.replace(tx, app.id, sealSecret(key, app.id, randomAlnum(SECRET_LENGTH)), now);
      changed = true;
    }
    row = await webhookSecrets.get(tx, app.id);
    if (!row) throw new Error('the webhook secret could not be stored');
    return {
      app_id: app.id,
      client_id: app.client_id,
      account_id: app.account_id,
      secret_token: openSecret(key, app.id, row.secret_sealed),
      created_at: row.created_at,
      rotated_at: row.rotated_at,
      changed,
    };
  });
}
