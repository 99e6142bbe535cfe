/** `zpass admin set-plan|set-limit|show-limits`; each action imports its use cases (`import()`). */

import type { Command } from 'commander';
import type { AccountLimitsView } from '../../domain/accounts/limits.js';
import { examples, printJson } from '../io.js';
import { withContext } from './context.js';

function printLimits(v: AccountLimitsView): void {
  process.stdout.write(`account ${v.account_id} (plan ${v.plan})\n`);
  for (const [category, l] of Object.entries(v.limits)) {
    const mark = (t: string) => (l.overridden.includes(t as never) ? ' (override)' : '');
    process.stdout.write(
      `  ${category.padEnd(7)} ${String(l.qps).padStart(6)}/s${mark('QPS')}  ${l.daily === null ? 'no daily limit' : `${l.daily}/day`}${mark('Daily-limit')}\n`,
    );
  }
}

export function registerLimitCommands(admin: Command): void {
  admin
    .command('set-plan')
    .description("change an account's plan (free, pro, business): its rate limits follow at once")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--plan <plan>', 'free, pro or business')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['zpass admin set-plan --account ACCOUNT --plan free']))
    .action(async (o) => {
      const [{ showLimits }, { setPlan }] = await Promise.all([
        import('../../domain/accounts/limits.js'),
        import('../../domain/accounts/provisioning.js'),
      ]);
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
    .addHelpText(
      'after',
      examples([
        'zpass admin set-limit --account ACCOUNT --category Medium --type QPS --limit 40',
        'zpass admin set-limit --account ACCOUNT --category Medium --type QPS --limit default',
      ]),
    )
    .action(async (o) => {
      const { setLimit } = await import('../../domain/accounts/limits.js');
      const v = await withContext(o, (ctx) => setLimit(ctx, o.account, o.category, o.type, o.limit));
      if (o.json) printJson(v);
      else printLimits(v);
    });

  admin
    .command('show-limits')
    .description("an account's rate limits in force, by category")
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['zpass admin show-limits --account ACCOUNT --json']))
    .action(async (o) => {
      const { showLimits } = await import('../../domain/accounts/limits.js');
      const v = await withContext(o, (ctx) => showLimits(ctx, o.account));
      if (o.json) printJson(v);
      else printLimits(v);
    });
}
