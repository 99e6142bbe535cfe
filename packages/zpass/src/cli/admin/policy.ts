/** `zpass admin set-policy|show-policy`; each action imports its use cases (`import()`). */

import type { Command } from 'commander';
import { AdminError } from '../../domain/errors.js';
import { examples, printJson } from '../io.js';
import { withContext } from './context.js';

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

export function registerPolicyCommands(admin: Command): void {
  const setPolicy = admin
    .command('set-policy')
    .description("change an account's password requirement (as PATCH /v2/accounts/{id}/settings does)")
    .requiredOption('--account <id>', 'account id');
  for (const [name, arg, help] of POLICY_FLAGS) {
    setPolicy.option(`--${name.replace(/_/g, '-')} ${arg}`, help);
  }
  setPolicy.addHelpText(
    'after',
    examples([
      'zpass admin set-policy --account ACCOUNT --minimum-password-length 12 --have-special-character true',
    ]),
  );
  setPolicy.option('--json', 'print JSON').action(async (o) => {
    const [{ accountRequirement }, { setPolicyOffline }] = await Promise.all([
      import('../../domain/passwords/policy.js'),
      import('../../domain/settings/account.js'),
    ]);
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
    .addHelpText('after', examples(['zpass admin show-policy --account ACCOUNT']))
    .action(async (o) => {
      const [{ accountRequirement }, { accountSecurity }, { accounts }, { settingsChanges }] =
        await Promise.all([
          import('../../domain/passwords/policy.js'),
          import('../../domain/settings/account.js'),
          import('../../store/repositories/accounts.js'),
          import('../../store/repositories/settings.js'),
        ]);
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
}
