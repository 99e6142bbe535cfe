/** The page kit's new-password form: the account's requirement as a checklist, judged when sent. */
import { checkPassword } from '@zpass/policy';
import type { DomainContext } from '../../domain/context.js';
import type { ZoomError } from '../../domain/errors.js';
import { accountRequirement } from '../../domain/passwords/policy.js';
import type { User } from '../../domain/users/resolve.js';
import { checklistItems, type RuleId, unmetItems, unmetOf } from '../checklist-rules.js';
import type { NewPasswordForm, PageError } from './markup.js';

/** What a form sent: the new password and its confirmation, and what was wrong. */
export interface SentPassword {
  password: string;
  confirm: string;
  error?: ZoomError;
  errors?: PageError[];
}

/** The new-password form of a user's account, judged against `sent.password` when the form was sent. */
export async function newPasswordForm(
  ctx: DomainContext,
  user: Pick<User, 'account_id' | 'email' | 'first_name' | 'last_name' | 'display_name'>,
  sent?: SentPassword,
): Promise<NewPasswordForm> {
  const requirement = await accountRequirement(ctx, user.account_id);
  const form: NewPasswordForm = { items: checklistItems(requirement), requirement, errors: sent?.errors };
  if (sent) {
    const unmet: Set<RuleId> = unmetItems(sent.password, sent.confirm, requirement);
    for (const r of unmetOf(checkPassword(sent.password, { requirement, user }))) unmet.add(r);
    if (sent.error) for (const r of unmetOf([sent.error])) unmet.add(r);
    form.unmet = unmet;
  }
  return form;
}

/** Where on the page a domain error about a new password belongs (decided by its kind). */
export function newPasswordErrors(err: ZoomError): PageError[] {
  if (err.errors && err.errors.length > 0)
    return err.errors.map((e) => ({ message: e.message, field: 'new_password' }));
  switch (err.kind) {
    case 'passwordsDiffer':
      return [{ message: err.message, field: 'confirm_password' }];
    case 'currentPasswordWrong':
      return [{ message: err.message, field: 'current_password' }];
    case 'tooManyChanges':
      return [{ message: err.message }];
    default:
      return [{ message: err.message, field: 'new_password' }];
  }
}
