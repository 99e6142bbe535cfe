/**
 * The account-settings API (`GET`/`PATCH /v2/accounts/{accountId}/settings`, the admin CLI's
 * `set-policy`): the password requirement and the security object, read and changed together,
 * each change logged.
 */
import {
  effectiveRequirement,
  type PasswordRequirement,
  REQUIREMENT_FIELDS,
  validateRequirementPatch,
} from '@zpass/policy';
import type { Db } from '../../store/database.js';
import { accounts } from '../../store/repositories/accounts.js';
import { accountSettings, settingsChanges } from '../../store/repositories/settings.js';
import { users } from '../../store/repositories/users.js';
import type { SettingsVia } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors, type FieldError } from '../errors.js';
import { accountRequirement, defaultRequirement, storedRequirement } from '../passwords/policy.js';
import type { Principal } from '../principal.js';
import { recordOperation } from '../reports/operation-log.js';
import { SCOPES } from '../tokens/scopes.js';
import { requireScopes } from '../users/resolve.js';
import { webhookEvents } from '../webhooks/emit.js';
import {
  applySecurityPatch,
  effectiveSecurity,
  SECURITY_FIELDS,
  type SecurityFields,
  type SecurityPatch,
  type StoredSso,
  validateSecurityPatch,
} from './security.js';

/** Who changes settings: a token's principal, or the admin CLI. */
export interface SettingsActor {
  principal?: Principal;
  via: SettingsVia;
  ip: string | null;
}

/** `accountId` of a settings path: `me` or the principal's own account; any other is not found. */
function resolveAccount(principal: Principal, accountId: string): string {
  if (accountId === 'me' || accountId === principal.accountId) return principal.accountId;
  throw Errors.accountNotFound(accountId);
}

/**
 * The `option` of a settings request: `security`, or none (the whole settings object). Both
 * read and write the same `{"security": {...}}`, zpass keeping no other section; any other
 * option is refused.
 */
export type SettingsForm = 'security' | 'all';

export function settingsForm(option: unknown): SettingsForm {
  if (option === undefined || option === '') return 'all';
  if (option === 'security') return 'security';
  throw Errors.validation([
    {
      field: 'option',
      message: 'option must be security (the only settings zpass keeps), or absent for all settings.',
    },
  ]);
}

/** Zoom's `signin_with_sso` as GET answers it: the bypass users with their e-mails. */
export interface SsoView extends Omit<StoredSso, 'sso_bypass_user_ids'> {
  sso_bypass_users: Array<{ id: string; email: string }>;
}

/** Zoom's account `security` object, every field filled in. */
export interface SecuritySettings extends Omit<SecurityFields, 'signin_with_sso'> {
  password_requirement: PasswordRequirement;
  signin_with_sso: SsoView;
}

function parseJson(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** The account's stored security fields (without `password_requirement`), defaults filled in. */
/** The account's stored security fields (without `password_requirement`), defaults filled in. */
export async function storedSecurity(db: Db, accountId: string): Promise<SecurityFields> {
  const row = await accountSettings.get(db, accountId);
  return effectiveSecurity(parseJson(row?.security));
}

/** The account's whole `security` object, as GET answers it. */
export async function accountSecurity(
  ctx: DomainContext,
  accountId: string,
  db: Db = ctx.store.db,
): Promise<SecuritySettings> {
  const fields = await storedSecurity(db, accountId);
  const { sso_bypass_user_ids, ...sso } = fields.signin_with_sso;
  const bypass: Array<{ id: string; email: string }> = [];
  for (const id of sso_bypass_user_ids) {
    const user = await users.byId(db, id);
    // A user who left the account since drops out of the list.
    if (user?.account_id === accountId) bypass.push({ id: user.id, email: user.email });
  }
  return {
    ...fields,
    password_requirement: await accountRequirement(ctx, accountId, db),
    signin_with_sso: { ...sso, sso_bypass_users: bypass },
  };
}

/**
 * `GET /v2/accounts/{accountId}/settings`: `{"security": {...}}` with or without
 * `option=security` (Zoom's whole settings object holds `security` beside sections zpass
 * does not keep; `option=security` narrows it to that one section, still wrapped).
 */
export async function getSettings(
  ctx: DomainContext,
  principal: Principal,
  accountId: string,
): Promise<{ security: SecuritySettings }> {
  requireScopes(principal, SCOPES.readAccountSettings);
  const id = resolveAccount(principal, accountId);
  return { security: await accountSecurity(ctx, id) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The other sections of Zoom's account settings (`AccountsUpdateAccountSettingsRequestBody`
 * in @zoom/rivet): a PATCH naming them is not refused, and they are neither stored nor
 * returned (zpass keeps only `security`; docs/compatibility.md).
 */
export const IGNORED_SECTIONS: ReadonlySet<string> = new Set([
  'audio_conferencing',
  'chat',
  'email_notification',
  'feature',
  'in_meeting',
  'in_session',
  'integration',
  'other_options',
  'profile',
  'recording',
  'schedule_meeting',
  'session_security',
  'telephony',
  'tsp',
  'zoom_rooms',
  'allow_authentication_exception',
  'authentication_option',
  'authentication_options',
  'meeting_authentication',
  'recording_authentication',
  'meeting_security',
]);

/** What a PATCH changes: part of the password requirement and/or other security fields. */
export interface SettingsPatch {
  requirement?: Partial<PasswordRequirement>;
  security?: SecurityPatch;
}

/**
 * The changes a PATCH body asks for, or 300 with every field error. The body is Zoom's
 * `{"security": {...}}` (with or without `option=security`); Zoom's other sections are
 * ignored; a security field sent outside `security`, or a name Zoom does not have, is
 * `Invalid field.`.
 */
export function settingsFromBody(body: unknown): SettingsPatch {
  if (!isObject(body) || Object.keys(body).length === 0) {
    throw Errors.validation([
      {
        field: 'body',
        message: 'The body must be an object with security (e.g. security.password_requirement).',
      },
    ]);
  }
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (key !== 'security' && !IGNORED_SECTIONS.has(key))
      errors.push({ field: key, message: 'Invalid field.' });
  }
  const security = body.security;
  const patch: SettingsPatch = {};
  if (security !== undefined) {
    if (!isObject(security) || Object.keys(security).length === 0) {
      errors.push({ field: 'security', message: 'Invalid field.' });
    } else {
      if (security.password_requirement !== undefined) {
        const checked = validateRequirementPatch(
          security.password_requirement,
          'security.password_requirement',
        );
        errors.push(...checked.errors);
        patch.requirement = checked.value;
      }
      const rest = validateSecurityPatch(security);
      errors.push(...rest.errors);
      if (Object.keys(rest.value).length > 0) patch.security = rest.value;
    }
  }
  if (errors.length > 0) throw Errors.validation(errors);
  return patch;
}

type Changes = Record<string, { from: unknown; to: unknown }>;

/**
 * Applies validated changes to an account in one transaction: the stored fields and a
 * change-log row naming who changed what, from what to what. Returns the fields that changed
 * (`password_requirement.<field>` for the requirement, the field's name for the others).
 */
export async function applySettings(
  ctx: DomainContext,
  accountId: string,
  patch: SettingsPatch,
  actor: SettingsActor,
): Promise<Changes> {
  return ctx.store.transaction(async (tx) => {
    await ctx.store.lockAccount(tx, accountId);
    const stored = await storedRequirement(tx, accountId);
    const before = effectiveRequirement(stored, defaultRequirement(ctx));
    const changes: Changes = {};
    const requirement = patch.requirement ?? {};
    for (const name of Object.keys(requirement) as Array<keyof PasswordRequirement>) {
      if (requirement[name] !== before[name]) {
        changes[`password_requirement.${name}`] = { from: before[name], to: requirement[name] };
      }
    }
    const next: Partial<PasswordRequirement> = {};
    for (const name of Object.keys(REQUIREMENT_FIELDS) as Array<keyof PasswordRequirement>) {
      const v = requirement[name] ?? stored[name];
      if (v !== undefined) (next as Record<string, unknown>)[name] = v;
    }
    const securityBefore = await storedSecurity(tx, accountId);
    let securityAfter = securityBefore;
    if (patch.security) {
      const ids = patch.security.signin_with_sso?.sso_bypass_user_ids ?? [];
      for (const id of ids) {
        const user = await users.byId(tx, id);
        if (user?.account_id !== accountId)
          throw Errors.validation([
            { field: 'security.signin_with_sso.sso_bypass_user_ids', message: 'Invalid field.' },
          ]);
      }
      securityAfter = applySecurityPatch(securityBefore, patch.security);
      for (const name of SECURITY_FIELDS) {
        const from = securityBefore[name];
        const to = securityAfter[name];
        if (JSON.stringify(from) !== JSON.stringify(to)) changes[name] = { from, to };
      }
    }
    if (Object.keys(changes).length === 0) return changes;
    const now = ctx.clock.now();
    await accountSettings.put(tx, {
      account_id: accountId,
      password_requirement: JSON.stringify(next),
      security: JSON.stringify(securityAfter),
      updated_at: now,
    });
    await settingsChanges.insert(tx, {
      account_id: accountId,
      actor_user_id: actor.principal?.userId ?? null,
      app_id: actor.principal?.appId ?? null,
      token_digest: actor.principal?.tokenDigest ?? null,
      via: actor.via,
      ip: actor.ip,
      changes: JSON.stringify(changes),
      changed_at: now,
    });
    await recordOperation(tx, {
      accountId,
      time: now,
      by: actor.principal ?? null,
      category: 'account',
      action: 'Update',
      detail: `Update account settings - ${Object.entries(changes)
        .map(([k, c]) => `security.${k}: ${JSON.stringify(c.from)} to ${JSON.stringify(c.to)}`)
        .join('; ')}`,
    });
    await webhookEvents.settingsUpdated(tx, actor.principal ?? null, accountId, changes, now);
    return changes;
  });
}

/** The password requirement alone (the admin CLI's `set-policy`). */
export function applyRequirement(
  ctx: DomainContext,
  accountId: string,
  patch: Partial<PasswordRequirement>,
  actor: SettingsActor,
): Promise<Changes> {
  return applySettings(ctx, accountId, { requirement: patch }, actor);
}

/** `PATCH /v2/accounts/{accountId}/settings`: validate everything first, then change all or nothing. */
export async function updateSettings(
  ctx: DomainContext,
  principal: Principal,
  accountId: string,
  body: unknown,
  actor: Omit<SettingsActor, 'principal'>,
): Promise<void> {
  requireScopes(principal, SCOPES.updateAccountSettings);
  const id = resolveAccount(principal, accountId);
  const patch = settingsFromBody(body);
  await applySettings(ctx, id, patch, { ...actor, principal });
}

/** The admin CLI's `set-policy`: the same validation and change log, without a token. */
export async function setPolicyOffline(
  ctx: DomainContext,
  accountId: string,
  patch: unknown,
): Promise<Record<string, { from: unknown; to: unknown }>> {
  if (!(await accounts.get(ctx.store.db, accountId))) throw Errors.accountNotFound(accountId);
  const checked = validateRequirementPatch(patch);
  if (checked.errors.length > 0) throw Errors.validation(checked.errors);
  return applyRequirement(ctx, accountId, checked.value, { via: 'admin', ip: null });
}
