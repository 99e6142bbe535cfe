/** `zpass auth status|list` and `zpass logout`: which credentials the API commands use. */
import { ZoomAuthenticationError } from '@zpass/zoom-client';
import type { Command } from 'commander';
import { examples, printJson } from '../io.js';
import { printTable } from '../table.js';
import {
  CliError,
  clientFor,
  listProfiles,
  profilesPath,
  removeProfile,
  resolveProfile,
} from './connection.js';

const DEFAULT_API = 'https://api.zoom.us/v2';

export function registerAuth(program: Command): void {
  program
    .command('logout')
    .description('forget a stored profile (its credentials leave profiles.json)')
    .option('--profile <name>', 'the profile to forget', 'default')
    .addHelpText('after', examples(['zpass logout', 'zpass logout --profile lab']))
    .action(async (o: { profile: string; json?: boolean }) => {
      if (!removeProfile(o.profile)) throw new CliError(`No profile "${o.profile}" in ${profilesPath()}.`);
      if (o.json) printJson({ profile: o.profile, removed: true });
      else process.stdout.write(`profile "${o.profile}" removed from ${profilesPath()}\n`);
    });

  const auth = program.command('auth').description('the credentials the API commands use');

  auth
    .command('status')
    .description('which credentials a command would use, and whether they work (fetches a token)')
    .option('--profile <name>', 'check this profile (default: as the API commands choose)')
    .addHelpText('after', examples(['zpass auth status', 'zpass auth status --profile lab --json']))
    .action(async (o: { profile?: string; json?: boolean }) => {
      const { profile, source } = resolveProfile(o);
      const client = clientFor(profile);
      let working = true;
      let problem: string | undefined;
      try {
        await client.accessToken();
      } catch (err) {
        if (!(err instanceof ZoomAuthenticationError)) throw err;
        working = false;
        problem = err.message;
      }
      const out = {
        source,
        account_id: profile.account_id,
        client_id: profile.client_id,
        api_url: client.baseUrl,
        logged_in: working,
        ...(problem ? { problem } : {}),
      };
      if (o.json) printJson(out);
      else {
        process.stdout.write(
          `${working ? 'logged in' : 'NOT logged in'} (${source})\naccount  ${out.account_id}\nclient   ${out.client_id}\napi      ${out.api_url}\n${problem ? `problem  ${problem}\n` : ''}`,
        );
      }
      if (!working) process.exitCode = 1;
    });

  auth
    .command('list')
    .description('the stored profiles (secrets are never shown)')
    .addHelpText('after', examples(['zpass auth list', 'zpass auth list --json']))
    .action(async (o: { json?: boolean }) => {
      const rows = Object.entries(listProfiles()).map(([name, p]) => ({
        profile: name,
        account_id: p.account_id,
        client_id: p.client_id,
        api_url: p.api_url ?? DEFAULT_API,
      }));
      if (o.json) printJson(rows);
      else if (rows.length === 0) process.stdout.write('no profiles: run zpass login\n');
      else printTable(rows, ['profile', 'account_id', 'client_id', 'api_url']);
    });
}
