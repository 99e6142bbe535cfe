/**
 * `zpass admin create-user|set-status|set-role|delete-user|invite-user|invite-link|list-users|import-users`.
 * Each action imports the use cases it runs (`import()`): the command tree loads no store code.
 */

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AdminError } from '../../domain/errors.js';
import type { Role } from '../../store/schema.js';
import { CliError } from '../api/connection.js';
import { examples, printJson } from '../io.js';
import { COLUMNS_HELP, pickColumns, printTable, USER_COLUMNS, USER_DEFAULT_COLUMNS } from '../table.js';
import { findUser, invitationUrl, passwordFrom, withContext } from './context.js';

export function registerUserCommands(admin: Command): void {
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
    .addHelpText(
      'after',
      examples([
        'zpass admin create-user --account ACCOUNT --email jane@example.com --first-name Jane',
        'zpass admin create-user --account ACCOUNT --email jane@example.com --password-prompt',
        'pass show zoom/jane | zpass admin create-user --account ACCOUNT --email jane@example.com --password-stdin',
      ]),
    )
    .action(async (o) => {
      const password = await passwordFrom(o);
      const { createUser } = await import('../../domain/users/create.js');
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
    .command('set-status')
    .description("activate or deactivate a user; deactivation stops the user's tokens at once")
    .requiredOption('--user <id|email>', 'the user')
    .requiredOption('--action <action>', 'activate or deactivate')
    .addHelpText('after', examples(['zpass admin set-status --user jane@example.com --action deactivate']))
    .action(async (o) => {
      const { OPERATOR, setStatus } = await import('../../domain/users/directory.js');
      const user = await withContext(o, async (ctx) => {
        await setStatus(ctx, OPERATOR, o.user, o.action);
        return findUser(ctx, o.user);
      });
      if (o.json) printJson({ user: user.email, id: user.id, status: user.status });
      else process.stdout.write(`${user.email} is ${user.status}\n`);
    });

  admin
    .command('set-role')
    .description("make a user an admin or a member (not the owner's role)")
    .requiredOption('--user <id|email>', 'the user')
    .requiredOption('--role <role>', 'admin or member')
    .addHelpText('after', examples(['zpass admin set-role --user jane@example.com --role admin']))
    .action(async (o) => {
      const roleId = { admin: '1', member: '2' }[o.role as string];
      if (!roleId) throw new AdminError(`Unknown role "${o.role}": use admin or member.`);
      const { OPERATOR, updateProfile } = await import('../../domain/users/directory.js');
      const user = await withContext(o, async (ctx) => {
        await updateProfile(ctx, OPERATOR, o.user, { role_id: roleId });
        return findUser(ctx, o.user);
      });
      if (o.json) printJson({ user: user.email, id: user.id, role: user.role });
      else process.stdout.write(`${user.email} is ${user.role}\n`);
    });

  admin
    .command('delete-user')
    .description(
      'disassociate a user (they keep an account of their own) or delete them; their tokens stop at once',
    )
    .requiredOption('--user <id|email>', 'the user')
    .option('--action <action>', 'disassociate or delete', 'disassociate')
    .addHelpText(
      'after',
      examples([
        'zpass admin delete-user --user jane@example.com',
        'zpass admin delete-user --user jane@example.com --action delete',
      ]),
    )
    .action(async (o) => {
      const { OPERATOR, removeUser } = await import('../../domain/users/directory.js');
      await withContext(o, (ctx) => removeUser(ctx, OPERATOR, o.user, o.action));
      const done = o.action === 'delete' ? 'deleted' : 'disassociated';
      if (o.json) printJson({ user: o.user, status: done });
      else process.stdout.write(`${o.user}: ${done}\n`);
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
    .addHelpText(
      'after',
      examples([
        'zpass admin invite-user --account ACCOUNT --email new@example.com --base-url https://zpass.example.com',
      ]),
    )
    .action(async (o) => {
      const acceptUrl = await invitationUrl(o.baseUrl);
      const [{ createAccountUser, OPERATOR }, { issueInvitationLink }] = await Promise.all([
        import('../../domain/users/directory.js'),
        import('../../domain/users/invitations.js'),
      ]);
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
    .addHelpText(
      'after',
      examples(['zpass admin invite-link --user new@example.com --base-url https://zpass.example.com']),
    )
    .action(async (o) => {
      const acceptUrl = await invitationUrl(o.baseUrl);
      const { issueInvitationLink } = await import('../../domain/users/invitations.js');
      const link = await withContext(o, async (ctx) => {
        const user = await findUser(ctx, o.user);
        return issueInvitationLink(ctx, user.id, acceptUrl);
      });
      if (!link) throw new AdminError(`${o.user} has no open invitation (not pending, or it expired).`);
      if (o.json) printJson({ link: link.link, expires_at: new Date(link.expires_at).toISOString() });
      else process.stdout.write(`${link.link}\n(valid until ${new Date(link.expires_at).toISOString()})\n`);
    });

  admin
    .command('list-users')
    .description("list an account's users")
    .requiredOption('--account <id>', 'account id')
    .option('--columns <list>', COLUMNS_HELP)
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples([
        'zpass admin list-users --account ACCOUNT',
        'zpass admin list-users --account ACCOUNT --columns email,status',
      ]),
    )
    .action(async (o) => {
      const columns = pickColumns(o.columns, USER_COLUMNS, USER_DEFAULT_COLUMNS);
      const [{ userView }, { accounts }, { users }] = await Promise.all([
        import('../../domain/users/resolve.js'),
        import('../../store/repositories/accounts.js'),
        import('../../store/repositories/users.js'),
      ]);
      const rows = await withContext(o, async (ctx) => {
        if (!(await accounts.get(ctx.store.db, o.account))) throw new AdminError(`No account ${o.account}.`);
        return users.listByAccount(ctx.store.db, o.account);
      });
      const out = rows.map(userView);
      if (o.json) printJson(out);
      else printTable(out as unknown as Array<Record<string, unknown>>, columns);
    });

  admin
    .command('import-users')
    .description(
      'create many users of an account from a CSV (email, and optionally first_name, last_name, role, password) on the store directly',
    )
    .argument('<file>', 'CSV file with a header line')
    .requiredOption('--account <id>', 'account id')
    .option('--batch-size <n>', 'users created per transaction', '500')
    .option('--json', "print every row's outcome as JSON")
    .addHelpText(
      'after',
      `\nInvalid rows (bad e-mail, used e-mail, a password the policy refuses) are reported and skipped; the others are created, a batch per transaction. Passwords are hashed only for rows that have one.\n${examples(
        [
          'zpass admin import-users staff.csv --account ACCOUNT',
          'zpass admin import-users staff.csv --account ACCOUNT --json | jq ".failed"',
        ],
      )}`,
    )
    .action(async (file: string, o) => {
      const batchSize = Number(o.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
        throw new CliError('--batch-size must be a whole number from 1 to 10000.', 2);
      const rows = await readImportCsv(file);
      const { createUsers } = await import('../../domain/users/create.js');
      const outcomes = await withContext(o, (ctx) =>
        createUsers(
          ctx,
          o.account,
          rows.map((r) => ({
            email: r.email ?? '',
            role: (r.role?.trim() || 'member') as Role,
            firstName: r.first_name,
            lastName: r.last_name,
            password: r.password,
          })),
          batchSize,
        ),
      );
      const failed = outcomes.flatMap((x, i) =>
        x.ok ? [] : [{ row: i + 1, email: rows[i]!.email ?? '', message: x.message }],
      );
      const created = outcomes.length - failed.length;
      if (o.json) printJson({ rows: outcomes.length, created, failed });
      else {
        process.stdout.write(`${outcomes.length} rows: ${created} created, ${failed.length} refused\n`);
        for (const f of failed)
          process.stdout.write(`  row ${f.row} ${f.email || '(no e-mail)'}: ${f.message}\n`);
      }
      if (failed.length > 0) process.exitCode = 1;
    });
}

const IMPORT_COLUMNS = ['email', 'first_name', 'last_name', 'role', 'password'];

/** The rows of an import CSV by column name (a header line first; empty fields are absent). */
async function readImportCsv(path: string): Promise<Array<Record<string, string | undefined>>> {
  const { parse } = await import('csv-parse/sync');
  let records: string[][];
  try {
    records = parse(readFileSync(path), { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (err) {
    throw new AdminError(`${path}: ${(err as Error).message}`);
  }
  const header = (records.shift() ?? []).map((c) => c.trim().toLowerCase());
  if (!header.includes('email'))
    throw new AdminError(`${path}: the first line must be a header naming the column "email".`);
  const unknown = header.filter((c) => !IMPORT_COLUMNS.includes(c));
  if (unknown.length > 0)
    throw new AdminError(
      `${path}: unknown column(s) ${unknown.join(', ')}: only ${IMPORT_COLUMNS.join(', ')} are read.`,
    );
  return records.map((r) => Object.fromEntries(header.map((c, i) => [c, r[i] === '' ? undefined : r[i]])));
}
