import { digest, newId, randomAlnum } from '../../crypto/random.js';
import type { Tx } from '../../store/database.js';
import { accounts } from '../../store/repositories/accounts.js';
import { apps } from '../../store/repositories/apps.js';
import { users } from '../../store/repositories/users.js';
import type { Plan } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { AdminError } from '../errors.js';
import { DEFAULT_APP_SCOPES, scopesForRole } from '../tokens/scopes.js';
import { adminEmailTaken, checkEmail, credentialFor, insertAdminUser } from '../users/create.js';

// Where these lived before users/create.ts held the one create-user path (callers keep their imports).
export {
  type CreatedUser,
  checkEmail,
  createUser,
  createUsers,
  type ImportOutcome,
  type NewUser,
} from '../users/create.js';

const PLANS: readonly Plan[] = ['free', 'pro', 'business'];

export function checkPlan(plan: string): Plan {
  if (!(PLANS as readonly string[]).includes(plan))
    throw new AdminError(`Unknown plan "${plan}": use ${PLANS.join(', ')}.`);
  return plan as Plan;
}

export interface CreatedApp {
  id: string;
  client_id: string;
  client_secret: string;
  scopes: string[];
  creator: string;
}

/** A Server-to-Server app; its secret is returned once and stored only as a digest. */
export async function createApp(
  ctx: DomainContext,
  accountId: string,
  scopes: string[],
  creatorEmail?: string,
  known?: KnownCredentials,
): Promise<CreatedApp> {
  return ctx.store.transaction((tx) =>
    insertApp(tx, ctx.clock.now(), accountId, scopes, creatorEmail, known),
  );
}

/** Client credentials chosen in advance (seed fixtures) instead of drawn at random. */
export interface KnownCredentials {
  client_id: string;
  client_secret: string;
}

async function insertApp(
  db: Tx,
  now: number,
  accountId: string,
  scopes: string[],
  creatorEmail?: string,
  known?: KnownCredentials,
): Promise<CreatedApp> {
  if (!(await accounts.get(db, accountId))) throw new AdminError(`No account ${accountId}.`);
  const creator = creatorEmail ? await users.byEmail(db, creatorEmail) : await users.owner(db, accountId);
  if (!creator || creator.account_id !== accountId) {
    throw new AdminError(`No user ${creatorEmail ?? '(owner)'} in account ${accountId}.`);
  }
  if (scopes.length === 0) throw new AdminError('Name at least one scope.');
  const app = {
    id: newId(),
    client_id: known?.client_id ?? randomAlnum(22),
    client_secret: known?.client_secret ?? randomAlnum(32),
  };
  if (known && (await apps.byClientId(db, app.client_id)))
    throw new AdminError(`The client id ${app.client_id} is already used.`);
  await apps.insert(db, {
    id: app.id,
    account_id: accountId,
    name: 'Server-to-Server app',
    kind: 's2s',
    client_id: app.client_id,
    client_secret_digest: digest(app.client_secret),
    scopes: scopes.join(' '),
    creator_user_id: creator.id,
    created_at: now,
  });
  return { ...app, scopes: scopesForRole(scopes, creator.role), creator: creator.email };
}

export interface CreatedAccount {
  account_id: string;
  plan: Plan;
  owner: { id: string; email: string };
  app: { client_id: string; client_secret: string; scopes: string[] };
}

/** An account with its owner and a Server-to-Server app holding the admin scopes. */
export async function createAccount(
  ctx: DomainContext,
  opts: {
    ownerEmail: string;
    plan?: string;
    name?: string;
    ownerPassword?: string;
    /** A known account id (seed fixtures); by default a new one. */
    accountId?: string;
    /** Known credentials for the account's app (seed fixtures); by default random ones. */
    app?: KnownCredentials;
  },
): Promise<CreatedAccount> {
  const plan = checkPlan(opts.plan ?? 'pro');
  const email = checkEmail(opts.ownerEmail);
  const accountId = opts.accountId ?? newId();
  if (opts.accountId && (await accounts.get(ctx.store.db, accountId)))
    throw new AdminError(`The account id ${accountId} is already used.`);
  const cred = await credentialFor(ctx, accountId, opts.ownerPassword, { email });
  const now = ctx.clock.now();
  const { owner, app } = await adminEmailTaken(
    email,
    ctx.store.transaction(async (tx) => {
      await accounts.insert(tx, { id: accountId, name: opts.name ?? email, plan, created_at: now });
      const owner = await insertAdminUser(ctx, tx, { accountId, email, role: 'owner' }, cred, now);
      const app = await insertApp(tx, now, accountId, [...DEFAULT_APP_SCOPES], email, opts.app);
      return { owner, app };
    }),
  );
  return {
    account_id: accountId,
    plan,
    owner: { id: owner.id, email: owner.email },
    app: { client_id: app.client_id, client_secret: app.client_secret, scopes: app.scopes },
  };
}

/** Moves an account to another plan; its rate limits follow from the next request on. */
export async function setPlan(ctx: DomainContext, accountId: string, plan: string): Promise<Plan> {
  const p = checkPlan(plan);
  if (!(await accounts.setPlan(ctx.store.db, accountId, p))) throw new AdminError(`No account ${accountId}.`);
  return p;
}
