/**
 * What the store's commands share. The command tree imports this module for `--help` and
 * completion too, so the store, the domain and the hasher are imported here only when a
 * command runs (`import()`), never at the top.
 */
import { systemClock } from '../../clock.js';
import { type StoreFlags, storeConfig } from '../../config.js';
import type { HasherOptions } from '../../crypto/hasher.js';
import type { DomainContext } from '../../domain/context.js';
import { AdminError, ZoomError } from '../../domain/errors.js';
import type { User } from '../../store/repositories/users.js';
import { openExistingStore, promptHidden, readStdin } from '../io.js';

/** Runs `fn` on a domain context over the store of `--data`, migrated, and closes the store. */
export async function onStore<T>(
  flags: StoreFlags,
  fn: (ctx: DomainContext) => Promise<T>,
  hashing: HasherOptions = {},
): Promise<T> {
  const config = storeConfig(flags);
  const store = await openExistingStore(config);
  try {
    await store.migrate();
    const [{ Hasher }, { DEFAULT_DOMAIN_SETTINGS }, { TokenKeyring }, { loadSecretKeyring }] =
      await Promise.all([
        import('../../crypto/hasher.js'),
        import('../../domain/context.js'),
        import('../../domain/tokens/jwt.js'),
        import('../../crypto/secret-keys.js'),
      ]);
    // The store's secret keys as `zpass serve` finds them (the key file only once a server made it).
    const keys = loadSecretKeyring(config, { create: false });
    return await fn({
      store,
      hasher: new Hasher(hashing),
      clock: systemClock,
      settings: DEFAULT_DOMAIN_SETTINGS,
      tokenKeys: new TokenKeyring(),
      secrets: keys.kind === 'none' ? undefined : keys.keyring,
    });
  } finally {
    await store.close();
  }
}

/** Runs `fn` on the store of `--data`, migrated, and closes it; a refusal becomes the operator's error. */
export async function withContext<T>(flags: StoreFlags, fn: (ctx: DomainContext) => Promise<T>): Promise<T> {
  try {
    // An operator's command waits its turn for hashing rather than being refused as a server's request is.
    return await onStore(flags, fn, { maxWaitMs: Number.POSITIVE_INFINITY });
  } catch (err) {
    if (err instanceof ZoomError) {
      // Zoom's field messages ("Invalid field.") do not name the field: the operator needs it.
      const detail =
        err.errors
          ?.map((e) => (e.message.startsWith(e.field) ? e.message : `${e.field}: ${e.message}`))
          .join(' ') ?? '';
      throw new AdminError(`${err.message}${detail ? ` ${detail}` : ''} (code ${err.code})`);
    }
    throw err;
  }
}

export async function passwordFrom(opts: {
  passwordStdin?: boolean;
  passwordPrompt?: boolean;
}): Promise<string | undefined> {
  if (opts.passwordStdin) return readStdin();
  if (opts.passwordPrompt) {
    const a = await promptHidden('New password: ');
    const b = await promptHidden('Repeat it: ');
    if (a !== b) throw new AdminError('The two passwords differ.');
    return a;
  }
  return undefined;
}

/** The invitation page under zpass's public address. */
export async function invitationUrl(baseUrl: string): Promise<string> {
  const { INVITATION_PATH } = await import('../../domain/users/invitations.js');
  try {
    const u = new URL(INVITATION_PATH, baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.toString();
  } catch {
    throw new AdminError(`--base-url is not an http(s) URL: ${baseUrl}`);
  }
}

export async function findUser(ctx: DomainContext, idOrEmail: string): Promise<User> {
  const { users } = await import('../../store/repositories/users.js');
  const user = (await users.byId(ctx.store.db, idOrEmail)) ?? (await users.byEmail(ctx.store.db, idOrEmail));
  if (!user) throw new AdminError(`No user ${idOrEmail}.`);
  return user;
}
