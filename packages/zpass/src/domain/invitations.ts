import { digest, newToken } from '../crypto/random.js';
import type { Tx } from '../store/database.js';
import { invitations, outbox, type User, users } from '../store/repositories.js';
import type { DomainContext } from './context.js';

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
  opts: { now: number; ttlMs: number; acceptUrl: string; invitedBy: string | null },
): Promise<void> {
  const expiresAt = opts.now + opts.ttlMs;
  await invitations.insert(tx, {
    user_id: user.id,
    account_id: user.account_id,
    token_digest: null,
    created_at: opts.now,
    expires_at: expiresAt,
    link_issued_at: null,
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
  await outbox.insert(tx, {
    kind: INVITATION_KIND,
    account_id: user.account_id,
    recipient: user.email,
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    next_attempt_at: opts.now,
    last_error: null,
    created_at: opts.now,
    sent_at: null,
  });
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
  ctx: DomainContext,
  userId: string,
  acceptUrl: string,
): Promise<InvitationLink | undefined> {
  return ctx.store.transaction(async (tx) => {
    await ctx.store.lockUser(tx, userId);
    const now = ctx.clock.now();
    const user = await users.byId(tx, userId);
    const inv = await invitations.forUser(tx, userId);
    if (user?.status !== 'pending' || !inv || inv.expires_at <= now) return undefined;
    const token = newToken();
    await invitations.setToken(tx, userId, digest(token), now);
    const sep = acceptUrl.includes('?') ? '&' : '?';
    return { link: `${acceptUrl}${sep}token=${encodeURIComponent(token)}`, expires_at: inv.expires_at };
  });
}
