/**
 * The account's operation log: every change to users, roles, passwords and settings
 * writes one row, in the transaction of the change, in the words of Zoom's
 * "Operation logs" report (category, action, detail). Nothing secret goes in a detail.
 */
import type { Tx } from '../../store/database.js';
import { operationLogs } from '../../store/repositories/reports.js';
import type { OperationCategory } from '../../store/schema.js';
import type { Principal } from '../principal.js';

/** The operator of a change made with `zpass admin` on the store (no token, no user). */
export const ADMIN_CLI_OPERATOR = 'zpass admin (command line)';

export interface Operation {
  accountId: string;
  time: number;
  /** Who acted; null for the admin CLI. */
  by: Pick<Principal, 'email' | 'userId'> | null;
  category: OperationCategory;
  action: string;
  detail: string;
}

/** Longest detail kept (a settings change naming many fields stays readable). */
const DETAIL_MAX = 2000;

export async function recordOperation(tx: Tx, op: Operation): Promise<void> {
  await operationLogs.insert(tx, {
    account_id: op.accountId,
    time: op.time,
    operator: op.by?.email ?? ADMIN_CLI_OPERATOR,
    operator_id: op.by?.userId ?? null,
    category: op.category,
    action: op.action,
    detail: op.detail.length > DETAIL_MAX ? `${op.detail.slice(0, DETAIL_MAX)}...` : op.detail,
  });
}

/** `Update user {email} - {what}` (category User), the form of every change to one user. */
export function recordUserUpdate(
  tx: Tx,
  user: { account_id: string; email: string },
  by: Operation['by'],
  what: string,
  time: number,
): Promise<void> {
  return recordOperation(tx, {
    accountId: user.account_id,
    time,
    by,
    category: 'user',
    action: 'Update',
    detail: `Update user ${user.email} - ${what}`,
  });
}
