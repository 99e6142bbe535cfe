import { systemClock } from '../../clock.js';
import { type StoreConfig, type StoreFlags, storeConfig } from '../../config.js';
import { Hasher } from '../../crypto/hasher.js';
import { loadSecretKeyring } from '../../crypto/secret-keys.js';
import { DEFAULT_DOMAIN_SETTINGS, type DomainContext } from '../../domain/context.js';
import { AdminError, ZoomError } from '../../domain/errors.js';
import { TokenKeyring } from '../../domain/tokens/jwt.js';
import { INVITATION_PATH } from '../../domain/users/invitations.js';
import { type User, users } from '../../store/repositories/users.js';
import { openExistingStore, promptHidden, readStdin } from '../io.js';

/** Runs `fn` on the store of `--data`, migrated, and closes it. */
export async function withContext<T>(flags: StoreFlags, fn: (ctx: DomainContext) => Promise<T>): Promise<T> {
  const config = storeConfig(flags);
  const store = await openExistingStore(config);
  try {
    await store.migrate();
    // An operator's command waits its turn for hashing rather than being refused as a server's request is.
    const hasher = new Hasher({ maxWaitMs: Number.POSITIVE_INFINITY });
    return await fn({
      store,
      hasher,
      clock: systemClock,
      settings: DEFAULT_DOMAIN_SETTINGS,
      tokenKeys: new TokenKeyring(),
      secrets: secretKeysOf(config),
    });
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
  } finally {
    await store.close();
  }
}

/** The store's secret keys as `zpass serve` finds them (the key file only once a server made it). */
function secretKeysOf(config: StoreConfig) {
  const source = loadSecretKeyring(config, { create: false });
  return source.kind === 'none' ? undefined : source.keyring;
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
export function invitationUrl(baseUrl: string): string {
  try {
    const u = new URL(INVITATION_PATH, baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.toString();
  } catch {
    throw new AdminError(`--base-url is not an http(s) URL: ${baseUrl}`);
  }
}

export async function findUser(ctx: DomainContext, idOrEmail: string): Promise<User> {
  const user = (await users.byId(ctx.store.db, idOrEmail)) ?? (await users.byEmail(ctx.store.db, idOrEmail));
  if (!user) throw new AdminError(`No user ${idOrEmail}.`);
  return user;
}
