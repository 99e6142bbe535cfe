import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { type StoreFlags, storeConfig } from '../config.js';
import { Hasher } from '../crypto/hasher.js';
import { AdminError, createAccount, createApp, createUser, setPlan } from '../domain/accounts.js';
import { DEFAULT_DOMAIN_SETTINGS, type DomainContext } from '../domain/context.js';
import { createAccountUser, OPERATOR, removeUser, setStatus, updateProfile } from '../domain/directory.js';
import { ZoomError } from '../domain/errors.js';
import { INVITATION_PATH, issueInvitationLink } from '../domain/invitations.js';
import { accountRequirement, accountSecurity, setPolicyOffline } from '../domain/policy.js';
import { parseScopes } from '../domain/scopes.js';
import { rotateTokenKey, TokenKeyring } from '../domain/tokens/jwt.js';
import { issueUserToken } from '../domain/tokens.js';
import { userView } from '../domain/users.js';
import { type AccountLimitsView, setLimit, showLimits } from '../limits/admin.js';
import { accounts, settingsChanges, type User, users } from '../store/repositories.js';
import type { Role } from '../store/schema.js';
import { openExistingStore, printJson, promptHidden, readStdin, withStoreOptions } from './io.js';

/** Runs `fn` on the store of `--data`, migrated, and closes it. */
async function withContext<T>(flags: StoreFlags, fn: (ctx: DomainContext) => Promise<T>): Promise<T> {
  const store = await openExistingStore(storeConfig(flags));
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

/** `--flag value` of set-policy as JSON would carry it: true/false as booleans, integers as numbers. */
function policyValue(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^-?\d{1,15}$/.test(v)) return Number(v);
  return v;
}

const POLICY_FLAGS = [
  ['minimum_password_length', '<n>', '0 (off: the baseline 8 applies) or 8..14'],
  ['have_special_character', '<bool>', 'true or false'],
  ['consecutive_characters_length', '<n>', '0 (off) or 4..8'],
  ['weak_enhance_detection', '<bool>', 'true or false'],
  ['password_history_count', '<n>', '0..24 previous passwords that may not be reused'],
  ['max_changes_per_day', '<n>', '1..100 password changes per user in any 24 hours'],
] as const;

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The invitation page under zpass's public address. */
function invitationUrl(baseUrl: string): string {
  try {
    const u = new URL(INVITATION_PATH, baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.toString();
  } catch {
    throw new AdminError(`--base-url is not an http(s) URL: ${baseUrl}`);
  }
}

async function findUser(ctx: DomainContext, idOrEmail: string): Promise<User> {
  const user = (await users.byId(ctx.store.db, idOrEmail)) ?? (await users.byEmail(ctx.store.db, idOrEmail));
  if (!user) throw new AdminError(`No user ${idOrEmail}.`);
  return user;
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
    .action(async (o) => {
      const ttl = Number(o.ttl);
      const r = await withContext(o, (ctx) => issueUserToken(ctx, o.user, parseScopes(o.scopes), ttl));
      if (o.json) printJson(r);
      else process.stdout.write(`${r.access_token}\n`);
    });

  admin
    .command('set-status')
    .description("activate or deactivate a user; deactivation stops the user's tokens at once")
    .requiredOption('--user <id|email>', 'the user')
    .requiredOption('--action <action>', 'activate or deactivate')
    .action(async (o) => {
      const user = await withContext(o, async (ctx) => {
        await setStatus(ctx, OPERATOR, o.user, o.action);
        return findUser(ctx, o.user);
      });
      process.stdout.write(`${user.email} is ${user.status}\n`);
    });

  admin
    .command('set-role')
    .description("make a user an admin or a member (not the owner's role)")
    .requiredOption('--user <id|email>', 'the user')
    .requiredOption('--role <role>', 'admin or member')
    .action(async (o) => {
      const roleId = { admin: '1', member: '2' }[o.role as string];
      if (!roleId) throw new AdminError(`Unknown role "${o.role}": use admin or member.`);
      const user = await withContext(o, async (ctx) => {
        await updateProfile(ctx, OPERATOR, o.user, { role_id: roleId });
        return findUser(ctx, o.user);
      });
      process.stdout.write(`${user.email} is ${user.role}\n`);
    });

  admin
    .command('delete-user')
    .description(
      'disassociate a user (they keep an account of their own) or delete them; their tokens stop at once',
    )
    .requiredOption('--user <id|email>', 'the user')
    .option('--action <action>', 'disassociate or delete', 'disassociate')
    .action(async (o) => {
      await withContext(o, (ctx) => removeUser(ctx, OPERATOR, o.user, o.action));
      process.stdout.write(`${o.user}: ${o.action === 'delete' ? 'deleted' : 'disassociated'}\n`);
    });

  admin
    .command('invite-user')
    .description(
      'add a pending user to an account and print their invitation link (the notice is queued too)',
    )
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--email <email>', "the user's e-mail")
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--type <type>', '1 basic, 2 licensed, 99 none', '1')
    .option('--base-url <url>', 'the public address of zpass', 'http://127.0.0.1:8080')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const acceptUrl = invitationUrl(o.baseUrl);
      const type = /^[0-9]{1,3}$/.test(o.type) ? Number(o.type) : o.type;
      const out = await withContext(o, async (ctx) => {
        const user = await createAccountUser(
          ctx,
          OPERATOR,
          {
            action: 'create',
            user_info: { email: o.email, type, first_name: o.firstName, last_name: o.lastName },
          },
          { acceptUrl, accountId: o.account },
        );
        const link = await issueInvitationLink(ctx, user.id, acceptUrl);
        if (!link) throw new AdminError('The invitation could not be issued.');
        return { ...user, link: link.link, expires_at: new Date(link.expires_at).toISOString() };
      });
      if (o.json) printJson(out);
      else
        process.stdout.write(
          `pending user ${out.email} (${out.id})\n${out.link}\n(valid until ${out.expires_at})\n`,
        );
    });

  admin
    .command('invite-link')
    .description('print a new invitation link for a pending user; the previous link stops working')
    .requiredOption('--user <id|email>', 'the pending user')
    .option('--base-url <url>', 'the public address of zpass', 'http://127.0.0.1:8080')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const acceptUrl = invitationUrl(o.baseUrl);
      const link = await withContext(o, async (ctx) => {
        const user = await findUser(ctx, o.user);
        return issueInvitationLink(ctx, user.id, acceptUrl);
      });
      if (!link) throw new AdminError(`${o.user} has no open invitation (not pending, or it expired).`);
      if (o.json) printJson({ link: link.link, expires_at: new Date(link.expires_at).toISOString() });
      else process.stdout.write(`${link.link}\n(valid until ${new Date(link.expires_at).toISOString()})\n`);
    });

  admin
    .command('set-plan')
    .description("change an account's plan (free, pro, business): its rate limits follow at once")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--plan <plan>', 'free, pro or business')
    .option('--json', 'print JSON')
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
    .action(async (o) => {
      const v = await withContext(o, (ctx) => showLimits(ctx, o.account));
      if (o.json) printJson(v);
      else printLimits(v);
    });

  admin
    .command('list-accounts')
    .description('list accounts')
    .option('--json', 'print JSON')
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
    .action(async (o) => {
      const rows = await withContext(o, async (ctx) => {
        if (!(await accounts.get(ctx.store.db, o.account))) throw new AdminError(`No account ${o.account}.`);
        return users.listByAccount(ctx.store.db, o.account);
      });
      const out = rows.map(userView);
      if (o.json) printJson(out);
      else
        for (const u of out)
          process.stdout.write(`${u.id}  ${u.role_name.padEnd(6)}  ${u.status.padEnd(8)}  ${u.email}\n`);
    });

  const setPolicy = admin
    .command('set-policy')
    .description("change an account's password requirement (as PATCH /v2/accounts/{id}/settings does)")
    .requiredOption('--account <id>', 'account id');
  for (const [name, arg, help] of POLICY_FLAGS) {
    setPolicy.option(`--${name.replace(/_/g, '-')} ${arg}`, help);
  }
  setPolicy.option('--json', 'print JSON').action(async (o) => {
    const patch: Record<string, unknown> = {};
    for (const [name] of POLICY_FLAGS) {
      const v = o[camel(name)];
      if (v !== undefined) patch[name] = policyValue(String(v));
    }
    const { changes, requirement } = await withContext(o, async (ctx) => {
      const changes = await setPolicyOffline(ctx, o.account, patch);
      return { changes, requirement: await accountRequirement(ctx, o.account) };
    });
    if (o.json) printJson({ changes, password_requirement: requirement });
    else {
      const names = Object.keys(changes);
      if (names.length === 0) process.stdout.write('nothing changed\n');
      for (const n of names) {
        const c = changes[n]!;
        process.stdout.write(`${n}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}\n`);
      }
    }
  });

  admin
    .command('show-policy')
    .description("show an account's password requirement and its change log")
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const out = await withContext(o, async (ctx) => {
        if (!(await accounts.get(ctx.store.db, o.account))) throw new AdminError(`No account ${o.account}.`);
        const log = await settingsChanges.forAccount(ctx.store.db, o.account);
        const { password_requirement: _r, ...security } = await accountSecurity(ctx, o.account);
        return {
          password_requirement: await accountRequirement(ctx, o.account),
          security,
          changes: log.map((r) => ({
            changed_at: new Date(r.changed_at).toISOString(),
            via: r.via,
            actor_user_id: r.actor_user_id,
            app_id: r.app_id,
            ip: r.ip,
            changes: JSON.parse(r.changes) as unknown,
          })),
        };
      });
      if (o.json) printJson(out);
      else {
        for (const [k, v] of Object.entries(out.password_requirement)) process.stdout.write(`${k} = ${v}\n`);
        for (const [k, v] of Object.entries(out.security))
          process.stdout.write(`security.${k} = ${JSON.stringify(v)}\n`);
        for (const c of out.changes) {
          process.stdout.write(
            `${c.changed_at}  ${c.via}  ${c.actor_user_id ?? '(admin CLI)'}  ${JSON.stringify(c.changes)}\n`,
          );
        }
      }
    });

  admin
    .command('rotate-token-key')
    .description(
      'sign access tokens with a new key from now on (every server sharing the store); ' +
        'tokens signed with the old key keep working until they expire',
    )
    .option('--json', 'print JSON')
    .action(async (o) => {
      const kid = await withContext(o, (ctx) => rotateTokenKey(ctx.store.db, ctx.clock.now()));
      if (o.json) printJson({ kid });
      else process.stdout.write(`new access-token signing key: ${kid}\n`);
    });

  withStoreOptions(admin);
}
