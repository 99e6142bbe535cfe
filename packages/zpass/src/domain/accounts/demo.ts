import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkPassword } from '@zpass/policy';
import { randomAlnum } from '../../crypto/random.js';
import { accounts } from '../../store/repositories/accounts.js';
import type { DomainContext } from '../context.js';
import { AdminError } from '../errors.js';
import { createUser } from '../users/create.js';
import { createAccount } from './provisioning.js';

export interface DemoCredentials {
  account_id: string;
  client_id: string;
  client_secret: string;
  owner: { id: string; email: string; password: string };
  member: { id: string; email: string; password: string };
}

/** A random password that passes Zoom's baseline rules. */
export function generatePassword(length = 16): string {
  for (;;) {
    const p = randomAlnum(length);
    if (checkPassword(p).length === 0) return p;
  }
}

/**
 * On an empty store: a demo account (plan pro) with an owner, a member and a
 * Server-to-Server app holding the admin scopes. Returns undefined when the store
 * already has accounts.
 */
export async function ensureDemo(ctx: DomainContext, dataDir: string): Promise<DemoCredentials | undefined> {
  if ((await accounts.count(ctx.store.db)) > 0) return undefined;
  try {
    return await createDemo(ctx, dataDir);
  } catch (err) {
    // Another server sharing the database created it first.
    if (err instanceof AdminError && (await accounts.count(ctx.store.db)) > 0) return undefined;
    throw err;
  }
}

async function createDemo(ctx: DomainContext, dataDir: string): Promise<DemoCredentials> {
  const ownerPassword = generatePassword();
  const memberPassword = generatePassword();
  const acct = await createAccount(ctx, {
    ownerEmail: 'owner@demo.zpass.test',
    plan: 'pro',
    name: 'zpass demo',
    ownerPassword,
  });
  const member = await createUser(ctx, {
    accountId: acct.account_id,
    email: 'member@demo.zpass.test',
    role: 'member',
    firstName: 'Demo',
    lastName: 'Member',
    password: memberPassword,
  });
  const demo: DemoCredentials = {
    account_id: acct.account_id,
    client_id: acct.app.client_id,
    client_secret: acct.app.client_secret,
    owner: { id: acct.owner.id, email: acct.owner.email, password: ownerPassword },
    member: { id: member.id, email: member.email, password: memberPassword },
  };
  // On PostgreSQL nothing else creates the data folder.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'demo-credentials.json');
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return demo;
}

/** The text `zpass serve` prints once for a new demo account: credentials and a curl to paste. */
export function demoBanner(demo: DemoCredentials, baseUrl: string, file: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '',
    'zpass created a demo account (plan pro). Keep these; they are also in',
    `  ${file} (mode 0600)`,
    '',
    `  account id     ${demo.account_id}`,
    `  client id      ${demo.client_id}`,
    `  client secret  ${demo.client_secret}`,
    `  owner          ${demo.owner.email}  password ${demo.owner.password}`,
    `  member         ${demo.member.email}  (id ${demo.member.id})`,
    '',
    "Change the member's password (the seed request), from another terminal:",
    '',
    `  TOKEN=$(curl -s -X POST -u ${q(`${demo.client_id}:${demo.client_secret}`)} \\`,
    `    ${q(`${baseUrl}/oauth/token?grant_type=account_credentials&account_id=${demo.account_id}`)} \\`,
    `    | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl -i -X PUT -H "Authorization: Bearer $TOKEN" \\`,
    `    --form 'password=Zpass-Demo-2026' \\`,
    `    ${q(`${baseUrl}/v2/users/${demo.member.email}/password`)}`,
    '',
    'It answers 204 No Content, and the e-mail notice to the member appears in',
    `  ${join(dirname(file), 'mail')} (or goes out through SMTP_URL when set).`,
    '',
  ].join('\n');
}
