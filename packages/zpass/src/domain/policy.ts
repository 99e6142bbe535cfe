import {
  checkPassword,
  DEFAULT_REQUIREMENT,
  effectiveRequirement,
  malformedReason,
  normalizePassword,
  type PasswordOwner,
  type PasswordRequirement,
  REQUIREMENT_FIELDS,
  validateRequirementPatch,
} from '@zpass/policy';
import type { Db } from '../store/database.js';
import { accountSettings, accounts, settingsChanges } from '../store/repositories.js';
import type { SettingsVia } from '../store/schema.js';
import type { DomainContext } from './context.js';
import { Errors, type FieldError } from './errors.js';
import type { Principal } from './principal.js';
import { recordOperation } from './reports/operation-log.js';
import { SCOPES } from './scopes.js';
import { requireScopes } from './users.js';
import { webhookEvents } from './webhooks/emit.js';

/** The defaults of this deployment: Zoom's, with the 24-hour cap from the domain settings. */
export function defaultRequirement(ctx: DomainContext): PasswordRequirement {
  return { ...DEFAULT_REQUIREMENT, max_changes_per_day: ctx.settings.maxChangesPer24h };
}

function parseStored(json: string): Partial<PasswordRequirement> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Partial<PasswordRequirement>) : {};
  } catch {
    return {};
  }
}

/** The fields an account has set explicitly (the rest take the defaults). */
async function storedRequirement(db: Db, accountId: string): Promise<Partial<PasswordRequirement>> {
  const row = await accountSettings.get(db, accountId);
  return row ? parseStored(row.password_requirement) : {};
}

/** The account's `password_requirement`, every field filled in. */
export async function accountRequirement(
  ctx: DomainContext,
  accountId: string,
  db: Db = ctx.store.db,
): Promise<PasswordRequirement> {
  return effectiveRequirement(await storedRequirement(db, accountId), defaultRequirement(ctx));
}

/**
 * The password as it will be checked and hashed: a string, NFKC-normalised,
 * without control characters, at most 31 code points. Otherwise 300 "Validation Failed.".
 */
export function acceptPassword(value: unknown): string {
  if (value === undefined || value === null) {
    throw Errors.validation([{ field: 'password', message: 'Password is required.' }]);
  }
  if (typeof value !== 'string')
    throw Errors.validation([{ field: 'password', message: 'Password must be a string.' }]);
  const normalized = normalizePassword(value);
  const reason = malformedReason(normalized);
  if (reason) throw Errors.validation([{ field: 'password', message: reason }]);
  return normalized;
}

export interface PolicyInput {
  accountId: string;
  /** The value a client sent: checked to be a string, normalised (NFKC), at most 31 code points. */
  password: unknown;
  /** The user the password is for: weak detection refuses their e-mail and name. */
  user?: PasswordOwner;
}

export interface PolicyResult {
  /** The password as it is to be hashed (NFKC-normalised). */
  password: string;
  /** The account's requirement it was checked against. */
  requirement: PasswordRequirement;
}

/**
 * The one domain entry point for "may this be the user's new password?": the
 * account's requirement (read now, so a policy change applies to the next
 * password set) and every rule of @zpass/policy. Throws the first violation in
 * Zoom's format (300, 1124..1131, 1136). History and the current password are
 * checked where the credential is written (`changePassword`), where they cost argon2.
 */
export async function enforcePolicy(ctx: DomainContext, input: PolicyInput): Promise<PolicyResult> {
  const password = acceptPassword(input.password);
  const requirement = await accountRequirement(ctx, input.accountId);
  const [first] = checkPassword(password, { requirement, user: input.user });
  if (first) {
    throw first.errors ? Errors.validation(first.errors) : Errors.policy(first.code, first.message);
  }
  return { password, requirement };
}

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

/** The settings form a request uses: `?option=security` (the security object) or none (the whole object). */
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

export interface SecuritySettings {
  password_requirement: PasswordRequirement;
}

/** `GET /v2/accounts/{accountId}/settings`: the security object, alone or inside the whole settings. */
export async function getSettings(
  ctx: DomainContext,
  principal: Principal,
  accountId: string,
  form: SettingsForm,
): Promise<SecuritySettings | { security: SecuritySettings }> {
  requireScopes(principal, SCOPES.readAccountSettings);
  const id = resolveAccount(principal, accountId);
  const security = { password_requirement: await accountRequirement(ctx, id) };
  return form === 'security' ? security : { security };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `password_requirement` patch inside a PATCH body, or 300 with every field error. */
export function requirementFromBody(body: unknown, form: SettingsForm): Partial<PasswordRequirement> {
  const errors: FieldError[] = [];
  let security: unknown = body;
  let prefix = '';
  if (!isObject(body) || Object.keys(body).length === 0) {
    throw Errors.validation([
      {
        field: 'body',
        message:
          form === 'security'
            ? 'The body must be an object with password_requirement.'
            : 'The body must be an object with security.password_requirement.',
      },
    ]);
  }
  if (form === 'all') {
    for (const key of Object.keys(body)) {
      if (key !== 'security') errors.push({ field: key, message: `${key} is not a setting zpass keeps.` });
    }
    security = body.security;
    prefix = 'security.';
    if (security === undefined) errors.push({ field: 'security', message: 'security is required.' });
    else if (!isObject(security)) errors.push({ field: 'security', message: 'security must be an object.' });
  }
  if (isObject(security)) {
    for (const key of Object.keys(security)) {
      if (key !== 'password_requirement')
        errors.push({ field: `${prefix}${key}`, message: `${prefix}${key} is not a setting zpass keeps.` });
    }
    if (security.password_requirement === undefined) {
      errors.push({
        field: `${prefix}password_requirement`,
        message: `${prefix}password_requirement is required.`,
      });
    } else {
      const patch = validateRequirementPatch(security.password_requirement, `${prefix}password_requirement`);
      errors.push(...patch.errors);
      if (errors.length === 0) return patch.value;
    }
  }
  throw Errors.validation(errors);
}

/**
 * Applies a validated partial requirement to an account in one transaction:
 * the stored fields and a change-log row naming who changed what, from what to what.
 * Returns the fields that changed.
 */
export async function applyRequirement(
  ctx: DomainContext,
  accountId: string,
  patch: Partial<PasswordRequirement>,
  actor: SettingsActor,
): Promise<Record<string, { from: unknown; to: unknown }>> {
  return ctx.store.transaction(async (tx) => {
    await ctx.store.lockAccount(tx, accountId);
    const stored = await storedRequirement(tx, accountId);
    const before = effectiveRequirement(stored, defaultRequirement(ctx));
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const name of Object.keys(patch) as Array<keyof PasswordRequirement>) {
      if (patch[name] !== before[name]) {
        changes[`password_requirement.${name}`] = { from: before[name], to: patch[name] };
      }
    }
    const next: Partial<PasswordRequirement> = {};
    for (const name of Object.keys(REQUIREMENT_FIELDS) as Array<keyof PasswordRequirement>) {
      const v = patch[name] ?? stored[name];
      if (v !== undefined) (next as Record<string, unknown>)[name] = v;
    }
    if (Object.keys(changes).length === 0) return changes;
    const now = ctx.clock.now();
    await accountSettings.put(tx, {
      account_id: accountId,
      password_requirement: JSON.stringify(next),
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

/** `PATCH /v2/accounts/{accountId}/settings`: validate everything first, then change all or nothing. */
export async function updateSettings(
  ctx: DomainContext,
  principal: Principal,
  accountId: string,
  form: SettingsForm,
  body: unknown,
  actor: Omit<SettingsActor, 'principal'>,
): Promise<void> {
  requireScopes(principal, SCOPES.updateAccountSettings);
  const id = resolveAccount(principal, accountId);
  const patch = requirementFromBody(body, form);
  await applyRequirement(ctx, id, patch, { ...actor, principal });
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
