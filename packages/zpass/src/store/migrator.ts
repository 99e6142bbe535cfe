import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Dialect } from './dialect.js';
import { initial } from './migrations/0001_initial.js';
import { policy } from './migrations/0002_policy.js';
import { mail } from './migrations/0003_mail.js';
import { usersApi } from './migrations/0004_users.js';
import { rateLimits } from './migrations/0005_rate_limits.js';
import { webSessions } from './migrations/0006_web_sessions.js';
import { securitySettings } from './migrations/0007_security_settings.js';
import { userProfile } from './migrations/0008_user_profile.js';
import { operationLogs } from './migrations/0009_operation_logs.js';
import { webhooks } from './migrations/0011_webhooks.js';
import { accountSafety } from './migrations/0012_account_safety.js';
import { twoFactor } from './migrations/0013_two_factor.js';
import { authChanges } from './migrations/0014_auth_changes.js';

/** Every migration, in order. Names sort in application order; files never change once released. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_policy': policy(dialect),
    '0003_mail': mail(dialect),
    '0004_users': usersApi(dialect),
    '0005_rate_limits': rateLimits(),
    '0006_web_sessions': webSessions(),
    '0007_security_settings': securitySettings(),
    '0008_user_profile': userProfile(),
    '0009_operation_logs': operationLogs(dialect),
    '0011_webhooks': webhooks(dialect),
    '0012_account_safety': accountSafety(),
    '0013_two_factor': twoFactor(),
    '0014_auth_changes': authChanges(dialect),
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

function makeMigrator(db: Kysely<unknown>, dialect: Dialect): Migrator {
  return new Migrator({
    db,
    provider: new StaticProvider(dialect),
    migrationTableName: 'zpass_migrations',
    migrationLockTableName: 'zpass_migrations_lock',
  });
}

export class SchemaTooNewError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `The database has migrations this version of zpass does not know (${unknown.join(', ')}). ` +
        'It was used by a newer zpass: upgrade zpass, or point it at another database.',
    );
  }
}

export interface MigrateResult {
  applied: string[];
}

/** Refuses a database that holds migrations this code does not know (written by a newer zpass). */
export async function assertNotNewer(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const known = new Set(Object.keys(migrations(dialect)));
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'zpass_migrations')) return;
  const rows = await (db as Kysely<{ zpass_migrations: { name: string } }>)
    .selectFrom('zpass_migrations')
    .select('name')
    .execute();
  const unknown = rows.map((r) => r.name).filter((n) => !known.has(n));
  if (unknown.length > 0) throw new SchemaTooNewError(unknown);
}

/** Applies pending migrations; refuses a schema newer than this code knows. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<MigrateResult> {
  await assertNotNewer(db, dialect);
  const { error, results } = await makeMigrator(db, dialect).migrateToLatest();
  if (error) throw error;
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names of migrations not yet applied; refuses a schema newer than this code knows. */
export async function pendingMigrations(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  await assertNotNewer(db, dialect);
  return (await makeMigrator(db, dialect).getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}
