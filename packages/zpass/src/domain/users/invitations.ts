import { digest, newToken } from '../../crypto/random.js';
import type { Tx } from '../../store/database.js';
import { type Invitation, invitations } from '../../store/repositories/invitations.js';
import { outbox } from '../../store/repositories/outbox.js';
import {
  credentials,
  forgetPasswords,
  passwordChanges,
  passwordHistory,
} from '../../store/repositories/passwords.js';
import { type User, users } from '../../store/repositories/users.js';
import type { DomainContext } from '../context.js';
import { Errors } from '../errors.js';
import { initialCredential } from '../passwords/history.js';
import { checkNewPassword } from '../passwords/policy.js';
import { recordOperation } from '../reports/operation-log.js';
import { webhookEvents } from '../webhooks/emit.js';
import { revokeAccess } from './access.js';

/** The page that takes an invitation's token, under zpass's public address (served by the web pages). */
export const INVITATION_PATH = '/invitations/accept';

/** The outbox kind of the notice a user created with `action=create` receives. */
export const INVITATION_KIND = 'user_invitation';

/** What the invitation notice's payload holds: never the link's token. */
export interface InvitationPayload {
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  account_id: string;
  /** Who created the user (their e-mail), or null for the admin CLI. */
  invited_by: string | null;
  /** The page that takes the token: the link is `${accept_url}?token=<token>`. */
  accept_url: string;
  expires_at: number;
}

/**
 * Writes the invitation and its notice, inside the transaction that creates the
 * pending user. No token exists yet: the link's token is made when the notice is
 * rendered (`issueInvitationLink`), so the raw token is never stored anywhere.
 */
export async function inviteInTx(
  tx: Tx,
  user: Pick<User, 'id' | 'email' | 'first_name' | 'last_name' | 'account_id'>,
  opts: {
    now: number;
    ttlMs: number;
    acceptUrl: string;
    invitedBy: string | null;
    /** An invitation to join `user.account_id` for another account's user, with this type. */
    joinType?: number;
  },
): Promise<void> {
  const expiresAt = opts.now + opts.ttlMs;
  // A user has one invitation: a newer invitation to join replaces an older one.
  if (opts.joinType !== undefined) await invitations.delete(tx, user.id);
  await invitations.insert(tx, {
    user_id: user.id,
    account_id: user.account_id,
    token_digest: null,
    created_at: opts.now,
    expires_at: expiresAt,
    link_issued_at: null,
    join_type: opts.joinType ?? null,
  });
  const payload: InvitationPayload = {
    user_id: user.id,
    email: user.email,
    first_name: user.first_name,
    last_name: user.last_name,
    account_id: user.account_id,
    invited_by: opts.invitedBy,
    accept_url: opts.acceptUrl,
    expires_at: expiresAt,
  };
  await outbox.queue(tx, {
    kind: INVITATION_KIND,
    account_id: user.account_id,
    recipient: user.email,
    payload,
    now: opts.now,
  });
}

/**
 * Whether the invitation can still be accepted by this user: a pending user's own
 * invitation, or an invitation to join another account sent to an active user of
 * another account who is not its owner (an owner cannot leave their account).
 */
function stillOpen(user: User | undefined, inv: Invitation): user is User {
  if (!user) return false;
  if (inv.join_type === null) return user.status === 'pending';
  return user.status === 'active' && user.role !== 'owner' && user.account_id !== inv.account_id;
}

export interface InvitationLink {
  link: string;
  expires_at: number;
}

/**
 * A new link for a pending user's invitation: what the mail relay calls when it
 * renders a `user_invitation` notice, and what `zpass admin invite-link` prints.
 * Each call makes a new token and stores only its SHA-256 digest, so the previous
 * link stops working. Undefined when there is nothing to invite to any more (the
 * user was deleted, is no longer pending, or the invitation expired): the relay
 * then drops the notice.
 */
export async function issueInvitationLink(
  ctx: Pick<DomainContext, 'store' | 'clock'>,
  userId: string,
  acceptUrl: string,
): Promise<InvitationLink | undefined> {
  return ctx.store.transaction(async (tx) => {
    const user = await ctx.store.lockedUser(tx, userId);
    const now = ctx.clock.now();
    const inv = await invitations.forUser(tx, userId);
    if (!inv || !stillOpen(user, inv) || inv.expires_at <= now) return undefined;
    const token = newToken();
    await invitations.setToken(tx, userId, digest(token), now);
    const sep = acceptUrl.includes('?') ? '&' : '?';
    return { link: `${acceptUrl}${sep}token=${encodeURIComponent(token)}`, expires_at: inv.expires_at };
  });
}

/** The token's shape: what `issueInvitationLink` makes (base64url of 32 bytes), with room. */
const INVITATION_TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * What the invitation page shows before the user chooses a password: whose
 * invitation the link's token is, while it can still be accepted. Changes nothing.
 * Errors as `acceptInvitation`'s: the link is not valid, or has expired.
 */
export async function invitationFor(
  ctx: DomainContext,
  token: unknown,
): Promise<{ user: User; expires_at: number }> {
  if (typeof token !== 'string' || !INVITATION_TOKEN.test(token)) throw Errors.invitationInvalid();
  const found = await invitations.byDigest(ctx.store.db, digest(token));
  if (!found) throw Errors.invitationInvalid();
  if (found.expires_at <= ctx.clock.now()) throw Errors.invitationExpired();
  const user = await users.byId(ctx.store.db, found.user_id);
  if (!stillOpen(user, found)) throw Errors.invitationInvalid();
  // The page shows the requirement of the account the user joins.
  return { user: { ...user, account_id: found.account_id }, expires_at: found.expires_at };
}

/**
 * Accepts an invitation: the link's token and the first password the user chose.
 * The user becomes active with that password (checked like any new password), the
 * invitation is used up, and the change is logged as made on the web. For the
 * invitation page; errors are Zoom-format 400s (code 300) or the password rules'.
 */
export async function acceptInvitation(
  ctx: DomainContext,
  token: unknown,
  password: unknown,
  opts: { ip?: string | null } = {},
): Promise<User> {
  if (typeof token !== 'string' || !INVITATION_TOKEN.test(token)) throw Errors.invitationInvalid();
  const d = digest(token);
  const found = await invitations.byDigest(ctx.store.db, d);
  if (!found) throw Errors.invitationInvalid();
  if (found.expires_at <= ctx.clock.now()) throw Errors.invitationExpired();
  const invited = await users.byId(ctx.store.db, found.user_id);
  const accepted = await checkNewPassword(ctx, found.account_id, password, invited);
  const cred = await initialCredential(ctx, accepted);
  return ctx.store.transaction(async (tx) => {
    const user = await ctx.store.lockedUser(tx, found.user_id);
    const now = ctx.clock.now();
    const inv = await invitations.byDigest(tx, d);
    if (!inv || !stillOpen(user, inv)) throw Errors.invitationInvalid();
    if (inv.expires_at <= now) throw Errors.invitationExpired();
    const joining = inv.join_type !== null;
    if (joining) {
      // Leaving the old account: whatever acted there for the user stops, and the
      // password set through this link (which proves the address) replaces the old one.
      await revokeAccess(tx, user.id, now);
      await forgetPasswords(tx, user.id);
    }
    if (!(await credentials.replace(tx, user.id, null, cred.phc, now))) throw Errors.invitationInvalid();
    await passwordHistory.insert(tx, {
      user_id: user.id,
      phc: cred.historyPhc,
      credential_version: 1,
      created_at: now,
    });
    // The link reached the address: it is proven (Zoom's `verified`).
    const moved = joining
      ? {
          account_id: inv.account_id,
          role: 'member' as const,
          type: inv.join_type as number,
          sign_in: 'password' as const,
        }
      : {};
    await users.update(tx, user.id, { status: 'active', email_verified_at: now, ...moved });
    await invitations.delete(tx, user.id);
    await passwordChanges.insert(tx, {
      account_id: inv.account_id,
      user_id: user.id,
      actor_user_id: user.id,
      app_id: null,
      token_digest: null,
      via: 'web',
      ip: opts.ip ?? null,
      changed_at: now,
    });
    await recordOperation(tx, {
      accountId: inv.account_id,
      time: now,
      by: { email: user.email, userId: user.id },
      category: 'user',
      action: joining ? 'Add' : 'Activate',
      detail: joining
        ? `Add user ${user.email} - invitation to join accepted, password set`
        : `Activate user ${user.email} - invitation accepted, password set`,
    });
    await webhookEvents.invitationAccepted(tx, inv.account_id, { ...user, ...moved }, now);
    return { ...user, status: 'active' as const, email_verified_at: now, ...moved };
  });
}
