import type { Tx } from '../../store/database.js';
import { tokens } from '../../store/repositories/tokens.js';
import { webSessions } from '../../store/repositories/web-sessions.js';

/**
 * Everything that lets the user act stops now: their access tokens (user-level, and
 * account-level ones of apps they created) and their sign-in sessions on the web pages.
 */
export async function revokeAccess(tx: Tx, userId: string, now: number): Promise<void> {
  await tokens.revokeForUser(tx, userId, now);
  await webSessions.deleteForUser(tx, userId);
}
