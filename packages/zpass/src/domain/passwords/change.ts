import { type HashCall, HasherBusyError } from '../../crypto/hasher.js';
import type { Tx } from '../../store/database.js';
import { outbox } from '../../store/repositories/outbox.js';
import { passwordResets } from '../../store/repositories/password-resets.js';
import { credentials, passwordChanges, passwordHistory } from '../../store/repositories/passwords.js';
import { tokens } from '../../store/repositories/tokens.js';
import type { User } from '../../store/repositories/users.js';
import { webSessions } from '../../store/repositories/web-sessions.js';
import type { ChangeVia } from '../../store/schema.js';
import type { DomainContext } from '../context.js';
import { Errors, ZoomError } from '../errors.js';
import type { Principal } from '../principal.js';
import { recordOperation } from '../reports/operation-log.js';
import { SCOPES } from '../tokens/scopes.js';
import { requireScopes, resolveUser } from '../users/resolve.js';
import { webhookEvents } from '../webhooks/emit.js';
import { historySalt, judge } from './history.js';
import { acceptPassword, enforcePolicy } from './policy.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How the operation log names a change made by the user themself. */
const VIA_DETAIL: Partial<Record<ChangeVia, string>> = {
  web: ' by the user on the web pages',
  reset: ' by the user through a reset link',
};

export interface ChangeRequest {
  principal: Principal;
  userId: string;
  password: unknown;
  ip: string | null;
  via: ChangeVia;
  /**
   * Runs in the change's transaction, on the locked user, before anything is written:
   * a reset uses up its link here (and throws when the link is no longer good).
   */
  inTx?: (tx: Tx, locked: User) => Promise<void>;
}

/** Zoom's prerequisite: an admin may not change the owner's or another admin's password. */
function assertMayChange(principal: Principal, target: User): void {
  if (principal.kind !== 'account' || target.id === principal.userId) return;
  if (principal.role === 'admin' && (target.role === 'owner' || target.role === 'admin')) {
    throw Errors.cannotUpdateAdmin();
  }
}

/** Only an active user who signs in with a password has one to change. */
function assertHasPassword(target: User): void {
  if (target.sign_in !== 'password') throw Errors.noPasswordSignIn();
  if (target.status === 'inactive') throw Errors.userDeactivated();
  if (target.status === 'pending') throw Errors.userPending();
}

/**
 * Who made a change, as the notice tells the user: themselves, or someone named only
 * by role (never by name or address), or an operator through the admin CLI.
 */
export type ChangedBy = 'self' | 'owner' | 'admin' | 'operator';

function changedBy(principal: Principal, target: User, via: ChangeVia): ChangedBy {
  if (via === 'admin') return 'operator';
  if (principal.userId === target.id) return 'self';
  return principal.role === 'owner' ? 'owner' : 'admin';
}

/**
 * `PUT /v2/users/{userId}/password`. Checks run cheapest first (scopes, body,
 * user, role, the account's rules, 24-hour cap) so that argon2 runs only for a
 * change that can succeed. Then at most two argon2id computations, whatever the
 * history depth (docs/policy.md): the candidate under the user's history salt,
 * compared with the current password's and every remembered entry, and the new
 * credential. One transaction commits the credential, the history entry, the
 * change log row and the notice, or nothing.
 */
export async function changePassword(ctx: DomainContext, req: ChangeRequest): Promise<void> {
  if (!ctx.observer?.passwordChange) return change(ctx, req);
  try {
    await change(ctx, req);
    ctx.observer.passwordChange('accepted');
  } catch (err) {
    if (err instanceof ZoomError) ctx.observer.passwordChange(err.code);
    else if (err instanceof HasherBusyError) ctx.observer.passwordChange(Errors.busy().code);
    throw err;
  }
}

async function change(ctx: DomainContext, req: ChangeRequest): Promise<void> {
  const { principal } = req;
  requireScopes(principal, SCOPES.updatePassword);
  acceptPassword(req.password);
  const target = await resolveUser(ctx, principal, req.userId, SCOPES.updatePassword);
  assertMayChange(principal, target);
  assertHasPassword(target);
  const { password, requirement } = await enforcePolicy(ctx, {
    accountId: target.account_id,
    password: req.password,
    user: target,
  });

  const cap = requirement.max_changes_per_day;
  const depth = requirement.password_history_count;
  let candidate: string | undefined;
  let newPhc: string | undefined;
  // The hasher admits (or refuses, 503) the change at its first computation; the
  // later one follows up on admitted work and waits ahead of new requests.
  let admitted = false;
  const next = (): HashCall => {
    const call = { followUp: admitted };
    admitted = true;
    return call;
  };
  // Each retry follows a change another request committed first, which counts
  // towards the cap, so the loop ends within cap + 1 rounds.
  for (let round = 0; round <= cap + 1; round++) {
    const db = ctx.store.db;
    // Independent reads: on PostgreSQL they run at once, on pooled connections.
    const [recent, current, entries] = await Promise.all([
      passwordChanges.countSince(db, target.id, ctx.clock.now() - DAY_MS),
      credentials.get(db, target.id),
      passwordHistory.forUser(db, target.id),
    ]);
    if (recent >= cap) throw Errors.tooManyChanges();
    const currentRemembered = current && entries.some((e) => e.credential_version === current.version);
    if (current && !currentRemembered) {
      // A credential written without a history entry (before the history existed):
      // verify it directly, and let the new credential be its own history entry.
      if (await ctx.hasher.verify(current.phc, password, next())) throw Errors.samePassword();
      candidate ??= await ctx.hasher.hashWithSalt(password, historySalt(entries), next());
      newPhc ??= candidate;
    }
    candidate ??= await ctx.hasher.hashWithSalt(password, historySalt(entries), next());
    const verdict = judge(candidate, entries, current, depth);
    if (verdict === 'current') throw Errors.samePassword();
    if (verdict === 'reused') throw Errors.passwordReused(depth);
    newPhc ??= await ctx.hasher.hash(password, next());
    const phc = newPhc;
    const historyPhc = candidate;
    const committed = await ctx.store.transaction(async (tx) => {
      // The user may have been deactivated or deleted since it was read: decide on the locked row.
      const locked = await ctx.store.lockedUser(tx, target.id);
      if (locked?.account_id !== target.account_id) throw Errors.userNotFound(req.userId);
      assertHasPassword(locked);
      if (req.inTx) await req.inTx(tx, locked);
      const now = ctx.clock.now();
      if ((await passwordChanges.countSince(tx, target.id, now - DAY_MS)) >= cap)
        throw Errors.tooManyChanges();
      if (!(await credentials.replace(tx, target.id, current?.version ?? null, phc, now))) return false;
      // The new password and the `depth` before it are remembered; older ones are forgotten
      // (the new entry is added below).
      await passwordHistory.prune(tx, target.id, depth);
      await webhookEvents.passwordChanged(tx, req.via === 'admin' ? null : principal, target, now);
      // The rest only writes: on PostgreSQL it goes in one round trip.
      await ctx.store.writeTogether(tx, async (w) => {
        await passwordHistory.insert(w, {
          user_id: target.id,
          phc: historyPhc,
          credential_version: (current?.version ?? 0) + 1,
          created_at: now,
        });
        // A reset requested before this change is for the old password: its link stops working.
        await passwordResets.delete(w, target.id);
        await passwordChanges.insert(w, {
          account_id: target.account_id,
          user_id: target.id,
          actor_user_id: principal.userId,
          app_id: principal.appId,
          token_digest: principal.tokenDigest,
          via: req.via,
          ip: req.ip,
          changed_at: now,
        });
        await recordOperation(w, {
          accountId: target.account_id,
          time: now,
          by: req.via === 'admin' ? null : principal,
          category: 'user',
          action: 'Update',
          detail: `Update user ${target.email} - password changed${VIA_DETAIL[req.via] ?? ''}`,
        });
        await outbox.queue(w, {
          kind: 'password_changed',
          account_id: target.account_id,
          recipient: target.email,
          payload: {
            user_id: target.id,
            email: target.email,
            first_name: target.first_name,
            changed_at: now,
            via: req.via,
            changed_by: changedBy(principal, target, req.via),
          },
          now,
        });
        if (req.via === 'web') {
          // The user changed it themself on the web pages: every other way in stops, this session goes on.
          await webSessions.deleteForUser(w, target.id, principal.sessionDigest);
          await tokens.revokeUserLevelForUser(w, target.id, now);
        } else if (req.via === 'reset') {
          // Reset through an e-mailed link: whoever knew the old password is out, everywhere.
          await webSessions.deleteForUser(w, target.id);
          await tokens.revokeUserLevelForUser(w, target.id, now);
        } else {
          // Set for them (API or admin): the old password's sessions on the web pages end.
          await webSessions.deleteForUser(w, target.id);
        }
      });
      return true;
    });
    if (committed) return;
  }
  throw Errors.busy();
}
