/**
 * The API commands: `login`, `users ...`, `settings ...`. They go through @zpass/zoom-client
 * only, so they work the same against Zoom and against a zpass server.
 */
import type { PasswordRequirementSettings, User } from '@zpass/zoom-client';
import { type Command, Option } from 'commander';
import { examples, printJson, promptHidden, promptVisible, readStdin } from '../io.js';
import { COLUMNS_HELP, pickColumns, printTable, USER_COLUMNS, USER_DEFAULT_COLUMNS } from '../table.js';
import { registerAuth } from './auth.js';
import { bulk } from './bulk.js';
import { action, CliError, clientFor, connect, type Profile, saveProfile } from './connection.js';
import { DEFAULT_LENGTH, generateFor, validLength } from './generate.js';
import { fetchRequirement } from './policy.js';
import { registerUserLifecycle } from './users.js';

const PROFILE_HELP = 'use this profile (default: the ZOOM_* environment, else the profile "default")';

async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new CliError(`No terminal to ask on: ${question.replace(/: $/, '')} is needed.`, 2);
  return promptVisible(question);
}

/**
 * The API base of a profile: Zoom's is `https://api.zoom.us/v2`, zpass's `http://HOST:PORT/v2`.
 * A bare `http://HOST:PORT` gets its `/v2` (with a note); any other path is refused.
 */
export function checkApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    throw new CliError(`--api-url is not an http(s) URL: ${value}`, 2);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') {
    const fixed = `${url.origin}/v2`;
    process.stderr.write(`note: --api-url has no /v2; using ${fixed}\n`);
    return fixed;
  }
  if (!path.endsWith('/v2')) {
    throw new CliError(
      `--api-url must end in /v2 (the API base, e.g. https://api.zoom.us/v2 or http://HOST:PORT/v2), not ${value}`,
      2,
    );
  }
  return `${url.origin}${path}`;
}

const REFUSED =
  'A password given on the command line is refused: it would stay in your shell history and be visible to other users in `ps`. Type it at the prompt, pipe it with --password-stdin, or use --generate.';

interface SetFlags {
  profile?: string;
  passwordStdin?: boolean;
  generate?: boolean;
  length?: string;
  json?: boolean;
  password?: string;
}

async function setPassword(user: string, flags: SetFlags, cmd: Command): Promise<void> {
  // Extra words are accepted by the parser only to refuse them with a reason.
  if (cmd.args.length > 1 || flags.password !== undefined) throw new CliError(REFUSED, 2);
  if (flags.generate && flags.passwordStdin)
    throw new CliError('Pass either --generate or --password-stdin, not both.', 2);
  if (flags.length !== undefined && !flags.generate) throw new CliError('--length goes with --generate.', 2);
  const client = connect(flags);
  const requirement = await fetchRequirement(client);
  let password: string;
  if (flags.generate) {
    let length: number;
    try {
      length = validLength(Number(flags.length ?? DEFAULT_LENGTH), requirement);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    password = generateFor(client, requirement, length);
  } else if (flags.passwordStdin) {
    password = await readStdin();
  } else {
    if (!process.stdin.isTTY) {
      throw new CliError(
        'No terminal to ask on: pipe the password with --password-stdin, or use --generate.',
        2,
      );
    }
    const a = await promptHidden('New password: ');
    const b = await promptHidden('Repeat it: ');
    if (a !== b) throw new CliError('The two passwords differ; nothing was changed.');
    password = a;
  }
  const v = client.users.checkPassword(password, requirement)[0];
  if (v) {
    const detail = v.errors?.map((e) => e.message).join(' ');
    throw new CliError(`${v.message}${detail ? ` ${detail}` : ''} (code ${v.code})`);
  }
  await client.users.updatePassword(user, password);
  if (flags.json) {
    printJson({ user, status: 'changed', ...(flags.generate ? { password } : {}) });
  } else if (flags.generate) {
    process.stderr.write(`password of ${user} changed; the new password (shown once):\n`);
    process.stdout.write(`${password}\n`);
  } else {
    process.stdout.write(`password of ${user} changed\n`);
  }
}

const POLICY_FIELDS: Array<[keyof PasswordRequirementSettings & string, string]> = [
  ['minimum_password_length', 'minimum length (0 = baseline 8)'],
  ['have_special_character', 'special character required'],
  ['consecutive_characters_length', 'longest run refused (0 = off)'],
  ['weak_enhance_detection', 'weak-password detection'],
  ['password_history_count', 'previous passwords refused'],
  ['max_changes_per_day', 'changes allowed per 24 hours'],
];

function printPolicy(req: PasswordRequirementSettings | undefined): void {
  for (const [field, label] of POLICY_FIELDS) {
    if (req?.[field] === undefined) continue;
    process.stdout.write(`${field.padEnd(30)} ${String(req[field]).padEnd(6)} ${label}\n`);
  }
}

function integer(value: string, name: string): number {
  if (!/^\d+$/.test(value.trim())) throw new CliError(`${name} must be a whole number, not "${value}".`, 2);
  return Number.parseInt(value, 10);
}

export function registerApi(program: Command): void {
  program
    .command('login')
    .description('store credentials of a Server-to-Server OAuth app as a profile, after checking them')
    .option('--profile <name>', 'profile name', 'default')
    .option('--account-id <id>', 'account id (asked when missing)')
    .option('--client-id <id>', 'client id (asked when missing)')
    .option('--client-secret-stdin', 'read the client secret from standard input (else asked, hidden)')
    .option('--api-url <url>', 'API base (default https://api.zoom.us/v2; zpass: http://HOST:PORT/v2)')
    .option('--oauth-url <url>', 'OAuth base (default https://zoom.us; zpass: http://HOST:PORT)')
    .addOption(new Option('--client-secret <secret>').hideHelp())
    .addHelpText(
      'after',
      examples([
        'zpass login --profile acme        # asks for account id, client id, secret',
        'printf \'%s\' "$SECRET" | zpass login --profile lab --account-id A --client-id C --client-secret-stdin --api-url http://127.0.0.1:8080/v2 --oauth-url http://127.0.0.1:8080',
      ]),
    )
    .action(
      action(async (o: Record<string, string | boolean | undefined>) => {
        if (o.clientSecret !== undefined) {
          throw new CliError(
            'A client secret given on the command line is refused: it would stay in your shell history and be visible in `ps`. Use --client-secret-stdin or answer the prompt.',
            2,
          );
        }
        const accountId = (o.accountId as string | undefined) ?? (await ask('Account ID: '));
        const clientId = (o.clientId as string | undefined) ?? (await ask('Client ID: '));
        let secret: string;
        if (o.clientSecretStdin) secret = (await readStdin()).trim();
        else {
          if (!process.stdin.isTTY)
            throw new CliError(
              'No terminal to ask on: pass the client secret with --client-secret-stdin.',
              2,
            );
          secret = (await promptHidden('Client secret: ')).trim();
        }
        const apiUrl = o.apiUrl ? checkApiUrl(o.apiUrl as string) : undefined;
        if (!accountId || !clientId || !secret)
          throw new CliError('Account id, client id and client secret are all needed.', 2);
        const profile: Profile = { account_id: accountId, client_id: clientId, client_secret: secret };
        if (apiUrl) profile.api_url = apiUrl;
        if (o.oauthUrl) profile.oauth_url = o.oauthUrl as string;
        // A token alone proves the credentials, not the API address: one real API call does.
        const client = clientFor(profile);
        await client.accessToken();
        await client.users.list({ page_size: 1 });
        const path = saveProfile(o.profile as string, profile);
        if (o.json) printJson({ profile: o.profile, saved_in: path, api_url: client.baseUrl, checked: true });
        else process.stdout.write(`credentials checked; profile "${o.profile}" saved in ${path}\n`);
      }),
    );

  const users = program
    .command('users')
    .description("users of the account, over the API (Zoom's or zpass's)");

  users
    .command('list')
    .description('list the users of the account (every page)')
    .option('--status <status>', 'active, inactive or pending')
    .option('--page-size <n>', 'users per request (at most 300)', '300')
    .option('--columns <list>', COLUMNS_HELP)
    .option('--json', 'print a JSON array')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText(
      'after',
      `\nColumns: ${USER_COLUMNS.join(', ')} (default ${USER_DEFAULT_COLUMNS.join(',')})\n${examples([
        'zpass users list --status active',
        'zpass users list --columns email,first_name,last_name,status',
        'zpass users list --json | jq -r ".[].email"',
      ])}`,
    )
    .action(
      action(
        async (o: {
          status?: string;
          pageSize: string;
          json?: boolean;
          profile?: string;
          columns?: string;
        }) => {
          const columns = pickColumns(o.columns, USER_COLUMNS, USER_DEFAULT_COLUMNS);
          const client = connect(o);
          const params = {
            page_size: integer(o.pageSize, '--page-size'),
            ...(o.status ? { status: o.status as 'active' } : {}),
          };
          const all: User[] = [];
          for await (const u of client.users.list(params)) all.push(u);
          if (o.json) printJson(all);
          else printTable(all as unknown as Array<Record<string, unknown>>, columns);
        },
      ),
    );

  users
    .command('get')
    .description('show one user')
    .argument('<user>', 'user id, e-mail or me')
    .option('--json', 'print JSON')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText('after', examples(['zpass users get jane@example.com', 'zpass users get me --json']))
    .action(
      action(async (user: string, o: { json?: boolean; profile?: string }) => {
        const u = await connect(o).users.get(user);
        if (o.json) printJson(u);
        else
          for (const [k, v] of Object.entries(u)) {
            if (v !== undefined && v !== null && typeof v !== 'object')
              process.stdout.write(`${k.padEnd(16)} ${v}\n`);
          }
      }),
    );

  const password = users.command('password').description('set passwords');

  password
    .command('set')
    .description("set one user's password (asked twice without echo, from standard input, or generated)")
    .argument('<user>', 'user id, e-mail or me')
    .allowExcessArguments()
    .option('--password-stdin', 'read the password from standard input')
    .option('--generate', "generate a password that satisfies the account's policy and print it once")
    .option('--length <n>', `length of a generated password (default ${DEFAULT_LENGTH})`)
    .option('--json', 'print the outcome as JSON')
    .option('--profile <name>', PROFILE_HELP)
    .addOption(new Option('--password <password>').hideHelp())
    .addHelpText(
      'after',
      examples([
        'zpass users password set jane@example.com          # asks twice, without echo',
        'pass show zoom/jane | zpass users password set jane@example.com --password-stdin',
        'zpass users password set jane@example.com --generate --length 24',
      ]),
    )
    .action(action(setPassword));

  password
    .command('bulk')
    .description('change many passwords from a CSV (columns user and optional password), resumably')
    .argument('<file>', 'CSV file; its journal is written beside it as <file>.journal')
    .option('--generate', 'generate a password for every row without one (they go to the results, mode 0600)')
    .option('--length <n>', `length of generated passwords (default ${DEFAULT_LENGTH})`)
    .option('--dry-run', 'validate every row and stop; nothing is changed')
    .option('--results <file>', 'results CSV (default <file>.results.csv beside the input), mode 0600')
    .option('--rate-fraction <f>', "share of the account's per-second limit to use (default 0.97)")
    .option('--concurrency <n>', 'changes in flight at most (default 16)')
    .option(
      '--progress-interval <seconds>',
      'seconds between progress lines when not on a terminal (default 5)',
    )
    .option('--json', 'print the summary (or the dry run) as JSON')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText(
      'after',
      examples([
        'zpass users password bulk reset.csv --dry-run',
        'zpass users password bulk reset.csv --generate --results reset-out.csv',
        'zpass users password bulk reset.csv          # again after a crash or Ctrl-C: resumes',
      ]),
    )
    .action(action(bulk));

  registerUserLifecycle(users);
  registerAuth(program);

  const settings = program.command('settings').description('account settings, over the API');

  settings
    .command('get')
    .description("show the account's password policy (security settings)")
    .option('--json', 'print the security settings as JSON')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText('after', examples(['zpass settings get', 'zpass settings get --json']))
    .action(
      action(async (o: { json?: boolean; profile?: string }) => {
        const { security } = await connect(o).accounts.getSettings('me', { option: 'security' });
        if (o.json) printJson(security ?? {});
        else printPolicy(security?.password_requirement);
      }),
    );

  settings
    .command('set-password-policy')
    .description("change the account's password policy (only the fields given)")
    .option('--minimum-length <n>', '0 (baseline 8) or 8..14')
    .option('--special-character', 'require a special character')
    .option('--no-special-character', 'do not require a special character')
    .option('--consecutive-length <n>', '0 (off) or 4..8: refuse runs of this many consecutive characters')
    .option('--weak-detection', 'refuse weak passwords')
    .option('--no-weak-detection', 'do not check for weak passwords')
    .option('--history <n>', 'zpass: previous passwords that may not be reused (0..24)')
    .option('--max-changes-per-day <n>', 'zpass: changes allowed per user in 24 hours (1..100)')
    .option('--json', 'print the new security settings as JSON')
    .option('--profile <name>', PROFILE_HELP)
    .addHelpText(
      'after',
      examples([
        'zpass settings set-password-policy --minimum-length 12 --special-character',
        'zpass settings set-password-policy --consecutive-length 4 --no-weak-detection',
      ]),
    )
    .action(
      action(async (o: Record<string, string | boolean | undefined>) => {
        const patch: PasswordRequirementSettings = {};
        if (o.minimumLength !== undefined)
          patch.minimum_password_length = integer(o.minimumLength as string, '--minimum-length');
        if (o.specialCharacter !== undefined) patch.have_special_character = o.specialCharacter === true;
        if (o.consecutiveLength !== undefined)
          patch.consecutive_characters_length = integer(
            o.consecutiveLength as string,
            '--consecutive-length',
          );
        if (o.weakDetection !== undefined) patch.weak_enhance_detection = o.weakDetection === true;
        if (o.history !== undefined) patch.password_history_count = integer(o.history as string, '--history');
        if (o.maxChangesPerDay !== undefined)
          patch.max_changes_per_day = integer(o.maxChangesPerDay as string, '--max-changes-per-day');
        if (Object.keys(patch).length === 0)
          throw new CliError('Name at least one policy field to change (see --help).', 2);
        const client = connect(o as { profile?: string });
        await client.accounts.updateSettings(
          'me',
          { security: { password_requirement: patch } },
          { option: 'security' },
        );
        const { security } = await client.accounts.getSettings('me', { option: 'security' });
        if (o.json) printJson(security ?? {});
        else printPolicy(security?.password_requirement);
      }),
    );
}
