import type { FieldError } from '../errors.js';

/**
 * The fields of Zoom's account `security` settings besides `password_requirement`
 * (which @zpass/policy owns): Zoom's names and types, as `@zoom/rivet` types them
 * (`AccountsGetAccountSettingsResponse` / `AccountsUpdateAccountSettingsRequestBody`).
 * zpass stores and returns every one; the sign-in pages act on
 * `sign_again_period_for_inactivity_on_web` and `sign_in_with_two_factor_auth` in a later
 * step. Defaults and accepted values: docs/compatibility.md ("Account settings").
 */
export interface SecurityFields {
  admin_change_name_pic: boolean;
  admin_change_user_info: boolean;
  user_modifiable_info_by_admin: ModifiableInfo[];
  signin_with_sso: StoredSso;
  hide_billing_info: boolean;
  import_photos_from_devices: boolean;
  sign_again_period_for_inactivity_on_client: number;
  sign_again_period_for_inactivity_on_web: number;
  sign_in_with_two_factor_auth: TwoFactorScope;
  sign_in_with_two_factor_auth_groups: string[];
  sign_in_with_two_factor_auth_roles: string[];
}

export const MODIFIABLE_INFO = ['name', 'profile_picture', 'sign_in_email', 'host_key'] as const;
export type ModifiableInfo = (typeof MODIFIABLE_INFO)[number];

export const TWO_FACTOR_SCOPES = ['all', 'group', 'role', 'none'] as const;
export type TwoFactorScope = (typeof TWO_FACTOR_SCOPES)[number];

/** SSO as stored: the bypass list by user id (GET answers `sso_bypass_users` with their e-mails). */
export interface StoredSso {
  enable: boolean;
  require_sso_for_domains: boolean;
  domains: string[];
  sso_bypass_user_ids: string[];
}

/** Minutes of inactivity before signing in again: 0 is off; otherwise the periods Zoom's settings page offers. */
export const INACTIVITY_PERIODS = [5, 10, 15, 30, 45, 60, 90, 120] as const;

/** The role ids zpass has (Zoom's built-in roles): "0" owner, "1" admin, "2" member. */
export const ROLE_IDS = ['0', '1', '2'] as const;

const MAX_LIST = 100;
const MAX_ITEM = 255;
const DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Zoom's defaults for an account that never changed them: everything off, the lists empty. */
export function defaultSecurity(): SecurityFields {
  return {
    admin_change_name_pic: false,
    admin_change_user_info: false,
    user_modifiable_info_by_admin: [],
    signin_with_sso: { enable: false, require_sso_for_domains: false, domains: [], sso_bypass_user_ids: [] },
    hide_billing_info: false,
    import_photos_from_devices: false,
    sign_again_period_for_inactivity_on_client: 0,
    sign_again_period_for_inactivity_on_web: 0,
    sign_in_with_two_factor_auth: 'none',
    sign_in_with_two_factor_auth_groups: [],
    sign_in_with_two_factor_auth_roles: [],
  };
}

/** The names a `security` object may hold besides `password_requirement`. */
export const SECURITY_FIELDS: readonly (keyof SecurityFields)[] = Object.keys(defaultSecurity()) as Array<
  keyof SecurityFields
>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const invalid = (field: string): FieldError => ({ field, message: 'Invalid field.' });

/** A list of distinct strings, each passing `ok`, at most MAX_LIST long; undefined when it is not one. */
function stringList(v: unknown, ok: (s: string) => boolean): string[] | undefined {
  if (!Array.isArray(v) || v.length > MAX_LIST) return undefined;
  const out: string[] = [];
  for (const item of v) {
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_ITEM || !ok(item))
      return undefined;
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

function isPeriod(v: unknown): v is number {
  return v === 0 || (INACTIVITY_PERIODS as readonly unknown[]).includes(v);
}

/** What a PATCH asks of `signin_with_sso` (Zoom's request shape: ids to add, remove or set). */
export interface SsoPatch {
  enable?: boolean;
  require_sso_for_domains?: boolean;
  domains?: string[];
  sso_bypass_user_ids?: string[];
  operation?: 'add' | 'remove';
}

export type SecurityPatch = Partial<Omit<SecurityFields, 'signin_with_sso'>> & { signin_with_sso?: SsoPatch };

/**
 * Checks the security fields of a PATCH (everything but `password_requirement`, which the
 * caller hands to @zpass/policy): each named field must have Zoom's type and an accepted
 * value, else 300 with `Invalid field.` for it. An unknown name inside `security` is refused
 * the same way: it is a typo, not a setting zpass could keep.
 */
export function validateSecurityPatch(
  security: Record<string, unknown>,
  prefix = 'security.',
): { value: SecurityPatch; errors: FieldError[] } {
  const value: SecurityPatch = {};
  const errors: FieldError[] = [];
  const set = (name: string, v: unknown) => {
    (value as Record<string, unknown>)[name] = v;
  };
  for (const [name, v] of Object.entries(security)) {
    if (name === 'password_requirement') continue;
    const field = `${prefix}${name}`;
    switch (name) {
      case 'admin_change_name_pic':
      case 'admin_change_user_info':
      case 'hide_billing_info':
      case 'import_photos_from_devices':
        if (typeof v === 'boolean') set(name, v);
        else errors.push(invalid(field));
        break;
      case 'user_modifiable_info_by_admin': {
        const list = stringList(v, (s) => (MODIFIABLE_INFO as readonly string[]).includes(s));
        if (list) set(name, list);
        else errors.push(invalid(field));
        break;
      }
      case 'sign_again_period_for_inactivity_on_client':
      case 'sign_again_period_for_inactivity_on_web':
        if (isPeriod(v)) set(name, v);
        else errors.push(invalid(field));
        break;
      case 'sign_in_with_two_factor_auth':
        if ((TWO_FACTOR_SCOPES as readonly unknown[]).includes(v)) set(name, v);
        else errors.push(invalid(field));
        break;
      case 'sign_in_with_two_factor_auth_groups': {
        const list = stringList(v, (s) => /^[A-Za-z0-9_-]+$/.test(s));
        if (list) set(name, list);
        else errors.push(invalid(field));
        break;
      }
      case 'sign_in_with_two_factor_auth_roles': {
        const list = stringList(v, (s) => (ROLE_IDS as readonly string[]).includes(s));
        if (list) set(name, list);
        else errors.push(invalid(field));
        break;
      }
      case 'signin_with_sso': {
        const sso = validateSso(v, field, errors);
        if (sso) set(name, sso);
        break;
      }
      default:
        errors.push(invalid(field));
    }
  }
  return { value, errors };
}

function validateSso(v: unknown, field: string, errors: FieldError[]): SsoPatch | undefined {
  if (!isObject(v)) {
    errors.push(invalid(field));
    return undefined;
  }
  const out: SsoPatch = {};
  const before = errors.length;
  for (const [name, x] of Object.entries(v)) {
    const f = `${field}.${name}`;
    switch (name) {
      case 'enable':
      case 'require_sso_for_domains':
        if (typeof x === 'boolean') out[name] = x;
        else errors.push(invalid(f));
        break;
      case 'domains': {
        const list = stringList(x, (s) => DOMAIN.test(s));
        if (list) out.domains = list.map((d) => d.toLowerCase());
        else errors.push(invalid(f));
        break;
      }
      case 'sso_bypass_user_ids': {
        const list = stringList(x, (s) => /^[A-Za-z0-9_-]{1,64}$/.test(s));
        if (list) out.sso_bypass_user_ids = list;
        else errors.push(invalid(f));
        break;
      }
      case 'operation':
        if (x === 'add' || x === 'remove') out.operation = x;
        else errors.push(invalid(f));
        break;
      default:
        errors.push(invalid(f));
    }
  }
  if (out.operation && out.sso_bypass_user_ids === undefined)
    errors.push(invalid(`${field}.sso_bypass_user_ids`));
  return errors.length === before ? out : undefined;
}

/** A stored object completed with the defaults; a damaged or out-of-range field takes its default. */
export function effectiveSecurity(stored: unknown): SecurityFields {
  const out = defaultSecurity();
  if (!isObject(stored)) return out;
  const { value } = validateSecurityPatch(
    Object.fromEntries(Object.entries(stored).filter(([k]) => k !== 'signin_with_sso')),
    '',
  );
  Object.assign(out, value);
  const sso = stored.signin_with_sso;
  if (isObject(sso)) {
    const checked = validateSso(sso, '', []);
    if (checked) out.signin_with_sso = applySso(out.signin_with_sso, { ...checked, operation: undefined });
  }
  return out;
}

/** `signin_with_sso` after a PATCH: `operation` adds or removes bypass ids; without it the list is replaced. */
export function applySso(current: StoredSso, patch: SsoPatch): StoredSso {
  const next: StoredSso = {
    ...current,
    domains: [...current.domains],
    sso_bypass_user_ids: [...current.sso_bypass_user_ids],
  };
  if (patch.enable !== undefined) next.enable = patch.enable;
  if (patch.require_sso_for_domains !== undefined)
    next.require_sso_for_domains = patch.require_sso_for_domains;
  if (patch.domains !== undefined) next.domains = patch.domains;
  const ids = patch.sso_bypass_user_ids;
  if (ids !== undefined) {
    if (patch.operation === 'add')
      next.sso_bypass_user_ids = [
        ...next.sso_bypass_user_ids,
        ...ids.filter((id) => !next.sso_bypass_user_ids.includes(id)),
      ];
    else if (patch.operation === 'remove')
      next.sso_bypass_user_ids = next.sso_bypass_user_ids.filter((id) => !ids.includes(id));
    else next.sso_bypass_user_ids = ids;
  }
  return next;
}

/** The stored security fields after a patch (every field, so that later default changes do not move them). */
export function applySecurityPatch(current: SecurityFields, patch: SecurityPatch): SecurityFields {
  const { signin_with_sso, ...rest } = patch;
  const next: SecurityFields = { ...current, ...rest };
  if (signin_with_sso) next.signin_with_sso = applySso(current.signin_with_sso, signin_with_sso);
  return next;
}
