/**
 * `zpass admin create-account|create-app|issue-token|list-accounts|rotate-token-key`. Each
 * action imports the use cases it runs (`import()`): the command tree loads no store code.
 */

import type { Command } from 'commander';
import { examples, printJson } from '../io.js';
import { withContext } from './context.js';

export function registerAccountCommands(admin: Command): void {
  admin
    .command('create-account')
    .description('create an account with its owner and a Server-to-Server app')
    .requiredOption('--owner-email <email>', "the owner's e-mail")
    .option('--plan <plan>', 'free, pro or business', 'pro')
    .option('--name <name>', 'account name')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples([
        'zpass admin create-account --owner-email owner@example.com --plan pro',
        'zpass admin create-account --owner-email owner@example.com --json | jq -r .app.client_secret',
      ]),
    )
    .action(async (o) => {
      const { createAccount } = await import('../../domain/accounts/provisioning.js');
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
    .command('create-app')
    .description('create a Server-to-Server app; its secret is printed once')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--scopes <scopes>', 'space-separated scopes')
    .option('--creator <email>', "the app's creator (default: the owner); tokens act for this user")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples(['zpass admin create-app --account ACCOUNT --scopes "user:read:admin user:write:admin"']),
    )
    .action(async (o) => {
      const [{ createApp }, { parseScopes }] = await Promise.all([
        import('../../domain/accounts/provisioning.js'),
        import('../../domain/tokens/scopes.js'),
      ]);
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
    .addHelpText(
      'after',
      examples(['zpass admin issue-token --user jane@example.com --scopes "user:read user:write" --ttl 600']),
    )
    .action(async (o) => {
      const [{ issueUserToken }, { parseScopes }] = await Promise.all([
        import('../../domain/tokens/access-tokens.js'),
        import('../../domain/tokens/scopes.js'),
      ]);
      const ttl = Number(o.ttl);
      const r = await withContext(o, (ctx) => issueUserToken(ctx, o.user, parseScopes(o.scopes), ttl));
      if (o.json) printJson(r);
      else process.stdout.write(`${r.access_token}\n`);
    });

  admin
    .command('list-accounts')
    .description('list accounts')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples(['zpass admin list-accounts', "zpass admin list-accounts --json | jq -r '.[].id'"]),
    )
    .action(async (o) => {
      const { accounts } = await import('../../store/repositories/accounts.js');
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
    .command('rotate-token-key')
    .description(
      'sign access tokens with a new key from now on (every server sharing the store); ' +
        'tokens signed with the old key keep working until they expire',
    )
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['zpass admin rotate-token-key', 'zpass admin rotate-token-key --json']))
    .action(async (o) => {
      const { rotateTokenKey } = await import('../../domain/tokens/jwt.js');
      const kid = await withContext(o, (ctx) => rotateTokenKey(ctx.store.db, ctx.clock.now()));
      if (o.json) printJson({ kid });
      else process.stdout.write(`new access-token signing key: ${kid}\n`);
    });
}
