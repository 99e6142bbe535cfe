import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { type StoreFlags, storeConfig } from '../config.js';
import { Hasher } from '../crypto/hasher.js';
import { AdminError, createAccount, createApp, createUser, setPlan } from '../domain/accounts.js';
import { DEFAULT_DOMAIN_SETTINGS, type DomainContext } from '../domain/context.js';
import { ZoomError } from '../domain/errors.js';
import { parseScopes } from '../domain/scopes.js';
import { issueUserToken } from '../domain/tokens.js';
import { userView } from '../domain/users.js';
import { type AccountLimitsView, setLimit, showLimits } from '../limits/admin.js';
import { openStore } from '../store/database.js';
import { accounts, users } from '../store/repositories.js';
import type { Role } from '../store/schema.js';
import { printJson, promptHidden, readStdin } from './io.js';

/** Runs `fn` on the store of `--data`, migrated, and closes it. */
async function withContext<T>(flags: StoreFlags, fn: (ctx: DomainContext) => Promise<T>): Promise<T> {
  const store = openStore(storeConfig(flags));
  try {
    await store.migrate();
    return await fn({ store, hasher: new Hasher(), clock: systemClock, settings: DEFAULT_DOMAIN_SETTINGS });
  } catch (err) {
    if (err instanceof ZoomError) {
      const detail = err.errors?.map((e) => e.message).join(' ') ?? '';
      throw new AdminError(`${err.message}${detail ? ` ${detail}` : ''} (code ${err.code})`);
    }
    throw err;
  } finally {
    await store.close();
  }
}

function printLimits(v: AccountLimitsView): void {
  process.stdout.write(`account ${v.account_id} (plan ${v.plan})\n`);
  for (const [category, l] of Object.entries(v.limits)) {
    const mark = (t: string) => (l.overridden.includes(t as never) ? ' (override)' : '');
    process.stdout.write(
      `  ${category.padEnd(7)} ${String(l.qps).padStart(6)}/s${mark('QPS')}  ${l.daily === null ? 'no daily limit' : `${l.daily}/day`}${mark('Daily-limit')}\n`,
    );
  }
}

async function passwordFrom(opts: {
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

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('administer the store directly (no server needed)');

  admin
    .command('create-account')
    .description('create an account with its owner and a Server-to-Server app')
    .requiredOption('--owner-email <email>', "the owner's e-mail")
    .option('--plan <plan>', 'free, pro or business', 'pro')
    .option('--name <name>', 'account name')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder (env ZPASS_DATA, default ./.zpass)')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const r = await withContext(o, (ctx) =>
        createAccount(ctx, { ownerEmail: o.ownerEmail, plan: o.plan, name: o.name }),
      );
      const out = {
        account_id: r.account_id,
        owner: r.owner,
        app: { client_id: r.app.client_id, client_secret: r.app.client_secret },
      };
      if (o.json) printJson(out);
      else {
        process.stdout.write(
          `account ${r.account_id} (plan ${r.plan})\nowner   ${r.owner.email} (${r.owner.id})\nclient id     ${r.app.client_id}\nclient secret ${r.app.client_secret}  (shown once)\n`,
        );
      }
    });

  admin
    .command('create-user')
    .description('add a user to an account')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--email <email>', "the user's e-mail")
    .option('--role <role>', 'member or admin', 'member')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--password-stdin', 'read the password from standard input')
    .option('--password-prompt', 'ask for the password on the terminal, without echo')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const password = await passwordFrom(o);
      const r = await withContext(o, (ctx) =>
        createUser(ctx, {
          accountId: o.account,
          email: o.email,
          role: o.role as Role,
          firstName: o.firstName,
          lastName: o.lastName,
          password,
        }),
      );
      if (o.json) printJson(r);
      else
        process.stdout.write(
          `user ${r.email} (${r.id}), ${r.role}${password === undefined ? ', no password set' : ''}\n`,
        );
    });

  admin
    .command('create-app')
    .description('create a Server-to-Server app; its secret is printed once')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--scopes <scopes>', 'space-separated scopes')
    .option('--creator <email>', "the app's creator (default: the owner); tokens act for this user")
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const r = await withContext(o, (ctx) => createApp(ctx, o.account, parseScopes(o.scopes), o.creator));
      const out = {
        client_id: r.client_id,
        client_secret: r.client_secret,
        scopes: r.scopes,
        creator: r.creator,
      };
      if (o.json) printJson(out);
      else
        process.stdout.write(
          `client id     ${r.client_id}\nclient secret ${r.client_secret}  (shown once)\nscopes        ${r.scopes.join(' ')}\n`,
        );
    });

  admin
    .command('issue-token')
    .description("issue a user-level access token (a user-level app's token), printed once")
    .requiredOption('--user <email>', "the token's user")
    .requiredOption('--scopes <scopes>', 'space-separated user-level scopes, e.g. "user:write user:read"')
    .option('--ttl <seconds>', 'lifetime in seconds', '3600')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const ttl = Number(o.ttl);
      const r = await withContext(o, (ctx) => issueUserToken(ctx, o.user, parseScopes(o.scopes), ttl));
      if (o.json) printJson(r);
      else process.stdout.write(`${r.access_token}\n`);
    });

  admin
    .command('set-plan')
    .description("change an account's plan (free, pro, business): its rate limits follow at once")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--plan <plan>', 'free, pro or business')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const v = await withContext(o, async (ctx) => {
        await setPlan(ctx, o.account, o.plan);
        return showLimits(ctx, o.account);
      });
      if (o.json) printJson(v);
      else printLimits(v);
    });

  admin
    .command('set-limit')
    .description("override one rate limit of one account (or put back the plan's)")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--category <category>', 'Light, Medium or Heavy')
    .requiredOption('--type <type>', 'QPS (per second) or Daily-limit (per UTC day)')
    .requiredOption(
      '--limit <n>',
      'requests per second or per day; "none" (daily: no limit); "default" (the plan\'s)',
    )
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const v = await withContext(o, (ctx) => setLimit(ctx, o.account, o.category, o.type, o.limit));
      if (o.json) printJson(v);
      else printLimits(v);
    });

  admin
    .command('show-limits')
    .description("an account's rate limits in force, by category")
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const v = await withContext(o, (ctx) => showLimits(ctx, o.account));
      if (o.json) printJson(v);
      else printLimits(v);
    });

  admin
    .command('list-accounts')
    .description('list accounts')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const rows = await withContext(o, (ctx) => accounts.list(ctx.store.db));
      const out = rows.map((a) => ({
        id: a.id,
        name: a.name,
        plan: a.plan,
        created_at: new Date(a.created_at).toISOString(),
      }));
      if (o.json) printJson(out);
      else for (const a of out) process.stdout.write(`${a.id}  ${a.plan.padEnd(8)}  ${a.name}\n`);
    });

  admin
    .command('list-users')
    .description("list an account's users")
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data folder')
    .option('--database-url <url>', 'postgres://... (env DATABASE_URL)')
    .action(async (o) => {
      const rows = await withContext(o, (ctx) => users.listByAccount(ctx.store.db, o.account));
      const out = rows.map(userView);
      if (o.json) printJson(out);
      else
        for (const u of out)
          process.stdout.write(`${u.id}  ${u.role_name.padEnd(6)}  ${u.status.padEnd(8)}  ${u.email}\n`);
    });
}
