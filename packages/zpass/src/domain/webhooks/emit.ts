/**
 * One call per change point: each builds its event from the rows the use case already holds
 * and records it in the use case's transaction (`recordEvent`). `by` is who acted, as for the
 * operation log: a principal, or null for `zpass admin`, reported as the account's owner (Zoom's
 * events always name a user of the account; see docs/webhooks.md).
 */
import type { WebhookAccountSettings, WebhookUserProfile } from '@zpass/zoom-client/webhooks';
import type { Tx } from '../../store/database.js';
import { type User, users } from '../../store/repositories/users.js';
import type { Principal } from '../principal.js';
import { readProfile } from '../users/profile.js';
import {
  accountSettingsUpdated,
  type EventUser,
  invitationAccepted,
  profileChange,
  recordEvent,
  signInEvent,
  userCreated,
  userDeleted,
  userStatusEvent,
  userUpdated,
  type WebhookOperator,
} from './events.js';

export type Actor = Pick<Principal, 'email' | 'userId'> | null;

/** Who acted, as events name them: the principal, or the account's owner for the admin CLI. */
async function operator(tx: Tx, accountId: string, by: Actor): Promise<WebhookOperator> {
  if (by) return { email: by.email, id: by.userId };
  const owner = await users.owner(tx, accountId);
  return { email: owner?.email ?? '', id: owner?.id ?? '' };
}

/** Zoom's names of the built-in roles, as `role` in `user.updated`. */
const ROLE_NAMES: Record<string, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** The fields of a user row that a profile change's `user.updated` carries (Rivet's `WebhookUserProfile`; the role has its own event). */
function profileOf(u: User): Omit<WebhookUserProfile, 'id'> {
  const p = readProfile((u as { profile?: string }).profile ?? '{}');
  return {
    first_name: u.first_name,
    last_name: u.last_name,
    display_name: u.display_name,
    email: u.email,
    type: u.type === 2 ? 2 : 1,
    timezone: p.timezone,
    language: p.language,
    dept: p.dept,
    company: p.company,
    phone_country: p.phone_country,
    phone_number: p.phone_number,
    use_pmi: p.use_pmi,
  };
}

export const webhookEvents = {
  userCreated: async (
    tx: Tx,
    by: Actor,
    creationType: 'create' | 'autoCreate' | 'custCreate' | 'ssoCreate',
    u: EventUser & { account_id: string },
    now: number,
  ) => recordEvent(tx, userCreated(u.account_id, await operator(tx, u.account_id, by), creationType, u, now)),

  /** A profile change: `before` the row read in the transaction, the row as it now is read again. */
  profileUpdated: async (tx: Tx, by: Actor, before: User, now: number) => {
    const after = await users.byId(tx, before.id);
    const change = after && profileChange(before.id, profileOf(before), profileOf(after));
    if (!change) return 0;
    return recordEvent(
      tx,
      userUpdated(before.account_id, await operator(tx, before.account_id, by), change, now),
    );
  },

  /** A role change (`applyRole`, the one path): `role` as Zoom names it, old and new. */
  roleChanged: async (tx: Tx, by: Actor, u: User, role: string, now: number) =>
    recordEvent(
      tx,
      userUpdated(
        u.account_id,
        await operator(tx, u.account_id, by),
        { object: { id: u.id, role: ROLE_NAMES[role] }, old_object: { id: u.id, role: ROLE_NAMES[u.role] } },
        now,
      ),
    ),

  passwordChanged: async (tx: Tx, by: Actor, u: Pick<User, 'id' | 'email' | 'account_id'>, now: number) =>
    recordEvent(
      tx,
      userUpdated(
        u.account_id,
        await operator(tx, u.account_id, by),
        { operation: 'change_password', user: u },
        now,
      ),
    ),

  signedOutEverywhere: async (tx: Tx, by: Actor, u: Pick<User, 'id' | 'email' | 'account_id'>, now: number) =>
    recordEvent(
      tx,
      userUpdated(
        u.account_id,
        await operator(tx, u.account_id, by),
        { operation: 'sign_out_from_all_devices', user: u },
        now,
      ),
    ),

  statusChanged: async (
    tx: Tx,
    by: Actor,
    event: 'user.activated' | 'user.deactivated',
    u: User,
    now: number,
  ) => recordEvent(tx, userStatusEvent(event, u.account_id, await operator(tx, u.account_id, by), u, now)),

  /** Before the row goes (deleted) or moves to an account of its own (disassociated). */
  removed: async (tx: Tx, by: Actor, erased: boolean, u: User, now: number) => {
    const op = await operator(tx, u.account_id, by);
    return recordEvent(
      tx,
      erased
        ? userDeleted(u.account_id, op, u, now)
        : userStatusEvent('user.disassociated', u.account_id, op, u, now),
    );
  },

  invitationAccepted: (tx: Tx, accountId: string, u: EventUser, now: number) =>
    recordEvent(tx, invitationAccepted(accountId, u, now)),

  signedIn: (tx: Tx, u: Pick<User, 'id' | 'email' | 'account_id'>, now: number) =>
    recordEvent(tx, signInEvent('user.signed_in', u.account_id, u, now)),

  signedOut: (tx: Tx, u: Pick<User, 'id' | 'email' | 'account_id'>, now: number) =>
    recordEvent(tx, signInEvent('user.signed_out', u.account_id, u, now)),

  /**
   * `changes`: each changed setting by its dotted path under `section` (`password_requirement.
   * minimum_password_length` under `security`), with its old and new values.
   */
  settingsUpdated: async (
    tx: Tx,
    by: Actor,
    accountId: string,
    changes: Record<string, { from: unknown; to: unknown }>,
    now: number,
    section = 'security',
  ) => {
    const settings: Record<string, unknown> = {};
    const old: Record<string, unknown> = {};
    let any = false;
    for (const [path, { from, to }] of Object.entries(changes)) {
      if (section === 'security' && !typedBySecurity(path)) continue;
      setPath(settings, `${section}.${path}`, rivetValue(path, to));
      setPath(old, `${section}.${path}`, rivetValue(path, from));
      any = true;
    }
    if (!any) return 0;
    return recordEvent(
      tx,
      accountSettingsUpdated(
        accountId,
        await operator(tx, accountId, by),
        settings as WebhookAccountSettings,
        old as WebhookAccountSettings,
        now,
      ),
    );
  },
};

/**
 * The security settings Rivet's `account.settings_updated` types: zpass's own extensions
 * (`password_history_count`, `max_changes_per_day`) and fields Rivet leaves out are not sent.
 */
const RIVET_SECURITY = new Set([
  'password_requirement.minimum_password_length',
  'password_requirement.have_special_character',
  'password_requirement.consecutive_characters_length',
  'password_requirement.weak_enhance_detection',
  'admin_change_name_pic',
  'import_photos_from_devices',
  'hide_billing_info',
]);

function typedBySecurity(path: string): boolean {
  return RIVET_SECURITY.has(path) || path === 'signin_with_sso';
}

/** SSO as Rivet's event types it: the bypass list as users (`{id}`), not the stored ids. */
function rivetValue(path: string, value: unknown): unknown {
  if (path !== 'signin_with_sso' || typeof value !== 'object' || value === null) return value;
  const { sso_bypass_user_ids: ids, ...rest } = value as { sso_bypass_user_ids?: string[] };
  return { ...rest, sso_bypass_users: (ids ?? []).map((id) => ({ id })) };
}

/** Sets the value at a dotted path, creating the objects on the way. */
function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  let node = root;
  for (const part of parts) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[last] = value;
}
