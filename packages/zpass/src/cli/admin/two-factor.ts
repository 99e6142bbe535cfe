/** `zpass admin reset-2fa|rotate-secret-key`: two-factor sign-in, for operators. */
import type { Command } from 'commander';
import { AdminError } from '../../domain/errors.js';
import { resealSecrets, resetTwoFactorAsOperator, sealedKeyIds } from '../../domain/two-factor/two-factor.js';
import { examples, printJson } from '../io.js';
import { withContext } from './context.js';

export function registerTwoFactorCommands(admin: Command): void {
  admin
    .command('reset-2fa')
    .description(
      "reset a user's two-factor sign-in: their authenticator secret and recovery codes go, their web sessions end, and they get a notice",
    )
    .requiredOption('--user <id|email>', 'the user')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples([
        'zpass admin reset-2fa --user jane@example.com',
        'DATABASE_URL=postgres://... zpass admin reset-2fa --user jane@example.com --json',
      ]),
    )
    .action(async (o) => {
      const user = await withContext(o, (ctx) => resetTwoFactorAsOperator(ctx, o.user));
      if (o.json) printJson({ user: user.email, id: user.id, two_factor: 'reset' });
      else
        process.stdout.write(
          `two-factor sign-in of ${user.email} is reset; they were signed out and a notice is queued\n`,
        );
    });

  admin
    .command('rotate-secret-key')
    .description(
      'seal every two-factor secret again under ZPASS_SECRET_KEY (after moving the old key to ZPASS_SECRET_KEY_PREVIOUS)',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples([
        'zpass admin rotate-secret-key        # ZPASS_SECRET_KEY=NEW, ZPASS_SECRET_KEY_PREVIOUS=OLD set',
        'zpass admin rotate-secret-key --database-url postgres://... --json',
      ]),
    )
    .action(async (o) => {
      const r = await withContext(o, async (ctx) => {
        if (!ctx.secrets)
          throw new AdminError(
            'No secret key: set ZPASS_SECRET_KEY (the new key) and ZPASS_SECRET_KEY_PREVIOUS (the old ones).',
          );
        const done = await resealSecrets(ctx);
        return { key_id: ctx.secrets.current.id, ...done, by_key: await sealedKeyIds(ctx) };
      });
      if (o.json)
        printJson({
          key_id: r.key_id,
          resealed: r.resealed,
          unreadable: r.unreadable.length,
          by_key: r.by_key,
        });
      else
        process.stdout.write(
          `re-sealed ${r.resealed} two-factor secret(s) under key ${r.key_id}` +
            (r.unreadable.length > 0
              ? `; ${r.unreadable.length} sealed under a key not given (add it to ZPASS_SECRET_KEY_PREVIOUS and run again)\n`
              : '\n'),
        );
      if (r.unreadable.length > 0) process.exitCode = 1;
    });
}
