/**
 * The user lifecycle over the API (so it works against Zoom too): `zpass users create`,
 * `update`, `delete`, `activate`, `deactivate`.
 */
import type { UserCreateParams, UserUpdateParams } from '@zpass/zoom-client';
import type { Command } from 'commander';
import { examples, printJson, readStdin } from '../io.js';
import { type BulkFlags, runBulk } from './bulk.js';
import { action, CliError, connect } from './connection.js';
import type { CsvSchema } from './csv.js';
import { passwordProblem } from './validate.js';

const IMPORT_CSV: CsvSchema = {
  key: 'email',
  columns: ['email', 'first_name', 'last_name', 'display_name', 'type', 'password'],
};
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/**
 * `zpass users import <file.csv>`: creates the users of a CSV over the API, with the password
 * bulk's validation, pacing, journal and resume. A row with a password is created active with it
 * (`autoCreate`); a row without one is invited (`create`).
 */
export function importUsers(file: string, flags: BulkFlags): Promise<void> {
  return runBulk(file, flags, (client, requirement) => ({
    command: 'zpass users import',
    schema: IMPORT_CSV,
    category: 'Light',
    generate: false,
    length: null,
    check: (row) => {
      if (row.user.length > 128 || !EMAIL.test(row.user)) return { message: 'Not an e-mail address.' };
      const type = row.fields.type;
      if (type !== undefined && !['1', '2', '99'].includes(type.trim()))
        return { message: 'The type must be 1 (basic), 2 (licensed) or 99.' };
      for (const f of ['first_name', 'last_name'] as const)
        if ((row.fields[f]?.length ?? 0) > 64) return { message: `The ${f} is longer than 64 characters.` };
      return row.password === undefined ? undefined : passwordProblem(client, row.password, requirement);
    },
    begin: () => ({
      send: async (row, signal) => {
        const f = row.fields;
        const info: UserCreateParams['user_info'] = {
          email: row.user,
          type: Number(f.type?.trim() ?? '1') as UserCreateParams['user_info']['type'],
        };
        if (f.first_name) info.first_name = f.first_name;
        if (f.last_name) info.last_name = f.last_name;
        if (f.display_name) info.display_name = f.display_name;
        if (row.password !== undefined) info.password = row.password;
        await client.users.create(
          { action: row.password === undefined ? 'create' : 'autoCreate', user_info: info },
          { signal },
        );
      },
    }),
    // A resend that finds the user in the account: the earlier attempt created them.
    earlier: (err) =>
      err.status === 409 && err.code === 1005
        ? { status: 'ok', message: 'Created by an earlier attempt of this run.' }
        : undefined,
  }));
}

const PROFILE_HELP = 'use this profile (default: the ZOOM_* environment, else the profile "default")';
const CREATE_ACTIONS = ['create', 'autoCreate', 'custCreate', 'ssoCreate'] as const;

function userType(value: string): UserCreateParams['user_info']['type'] {
  const n = Number(value);
  if (![1, 2, 99].includes(n))
    throw new CliError(`--type must be 1 (basic), 2 (licensed) or 99, not "${value}".`, 2);
  return n as UserCreateParams['user_info']['type'];
}

export function registerUserLifecycle(users: Command): void {
  users
    .command('import')
    .description(
      'create many users from a CSV (email, and optionally first_name, last_name, display_name, type, password), resumably',
    )
    .argument('<file>', 'CSV file; its journal is written beside it as <file>.journal')
    .option('--dry-run', 'validate every row, write the results and stop; nothing is changed')
    .option('--results <file>', 'results CSV (default <file>.results.csv beside the input), mode 0600')
    .option('--rate-fraction <f>', "share of the account's per-second limit to use (default 0.97)")
    .option('--concurrency <n>', 'requests in flight at most (default 16)')
    .option(
      '--progress-interval <seconds>',
      'seconds between progress lines when not on a terminal (default 5)',
    )
    .option('--json', 'print the summary (or the dry run) as JSON')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText(
      'after',
      `\nA row with a password creates an active user with it (autoCreate); a row without one invites the user (create).\n${examples(
        [
          'zpass users import staff.csv --dry-run',
          'zpass users import staff.csv              # again after a crash or Ctrl-C: resumes',
        ],
      )}`,
    )
    .action(action(importUsers));

  users
    .command('create')
    .description('add a user to the account (POST /users); "create" sends an invitation')
    .requiredOption('--email <email>', "the user's e-mail")
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--display-name <name>', 'display name')
    .option('--type <n>', '1 basic, 2 licensed', '1')
    .option('--action <action>', `${CREATE_ACTIONS.join(', ')}`, 'create')
    .option('--password-stdin', 'with --action autoCreate: read the password from standard input')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText(
      'after',
      examples([
        'zpass users create --email jane@example.com --first-name Jane --last-name Doe',
        'printf \'%s\' "$PW" | zpass users create --email bot@example.com --action autoCreate --password-stdin --json',
      ]),
    )
    .action(
      action(async (o: Record<string, string | boolean | undefined>) => {
        const act = o.action as (typeof CREATE_ACTIONS)[number];
        if (!CREATE_ACTIONS.includes(act))
          throw new CliError(`--action must be one of ${CREATE_ACTIONS.join(', ')}, not "${act}".`, 2);
        if (o.passwordStdin && act !== 'autoCreate')
          throw new CliError('--password-stdin goes with --action autoCreate.', 2);
        const info: UserCreateParams['user_info'] = {
          email: o.email as string,
          type: userType(o.type as string),
        };
        if (o.firstName) info.first_name = o.firstName as string;
        if (o.lastName) info.last_name = o.lastName as string;
        if (o.displayName) info.display_name = o.displayName as string;
        if (o.passwordStdin) info.password = await readStdin();
        const created = await connect(o).users.create({ action: act, user_info: info });
        if (o.json) printJson(created);
        else process.stdout.write(`created ${created.email} (${created.id})\n`);
      }),
    );

  users
    .command('update')
    .description("change a user's profile (PATCH /users/{user}); only the fields given")
    .argument('<user>', 'user id, e-mail or me')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--display-name <name>', 'display name')
    .option('--type <n>', '1 basic, 2 licensed')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText('after', examples(['zpass users update jane@example.com --last-name Smith']))
    .action(
      action(async (user: string, o: Record<string, string | boolean | undefined>) => {
        const patch: UserUpdateParams = {};
        if (o.firstName !== undefined) patch.first_name = o.firstName as string;
        if (o.lastName !== undefined) patch.last_name = o.lastName as string;
        if (o.displayName !== undefined) patch.display_name = o.displayName as string;
        if (o.type !== undefined) patch.type = userType(o.type as string);
        if (Object.keys(patch).length === 0)
          throw new CliError('Name at least one field to change (see --help).', 2);
        await connect(o).users.update(user, patch);
        if (o.json) printJson({ user, updated: patch });
        else process.stdout.write(`${user} updated\n`);
      }),
    );

  users
    .command('delete')
    .description('remove a user from the account: disassociate (default) or delete')
    .argument('<user>', 'user id or e-mail')
    .option('--action <action>', 'disassociate or delete', 'disassociate')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText(
      'after',
      examples([
        'zpass users delete jane@example.com',
        'zpass users delete jane@example.com --action delete',
      ]),
    )
    .action(
      action(async (user: string, o: { action: string; profile?: string; json?: boolean }) => {
        if (o.action !== 'disassociate' && o.action !== 'delete')
          throw new CliError(`--action must be disassociate or delete, not "${o.action}".`, 2);
        await connect(o).users.delete(user, { action: o.action });
        const done = o.action === 'delete' ? 'deleted' : 'disassociated';
        if (o.json) printJson({ user, status: done });
        else process.stdout.write(`${user} ${done}\n`);
      }),
    );

  for (const [name, help] of [
    ['activate', 'let a deactivated user sign in again'],
    ['deactivate', 'stop a user: they cannot sign in and their tokens stop at once'],
  ] as const) {
    users
      .command(name)
      .description(help)
      .argument('<user>', 'user id or e-mail')
      .option('--profile <name>', PROFILE_HELP)
      .addHelpText('after', examples([`zpass users ${name} jane@example.com`]))
      .action(
        action(async (user: string, o: { profile?: string; json?: boolean }) => {
          await connect(o).users.updateStatus(user, name);
          const status = name === 'activate' ? 'active' : 'inactive';
          if (o.json) printJson({ user, status });
          else process.stdout.write(`${user} is ${status}\n`);
        }),
      );
  }
}
