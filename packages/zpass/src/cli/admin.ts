/** `zpass admin ...`: operators' commands on the store directly (no server needed). */
import type { Command } from 'commander';
import { registerAccountCommands } from './admin/accounts.js';
import { registerLimitCommands } from './admin/limits.js';
import { registerPolicyCommands } from './admin/policy.js';
import { registerTwoFactorCommands } from './admin/two-factor.js';
import { registerUserCommands } from './admin/users.js';
import { withStoreOptions } from './io.js';

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('administer the store directly (no server needed)');
  registerAccountCommands(admin);
  registerUserCommands(admin);
  registerTwoFactorCommands(admin);
  registerLimitCommands(admin);
  registerPolicyCommands(admin);
  withStoreOptions(admin);
}
