/**
 * The requirement checklist beside a new-password field: which items an account's
 * requirement shows, and which of them a password leaves unmet. Shared by the
 * server (pages without JavaScript) and the browser bundle (the live checklist),
 * so both judge with @zpass/policy's `checkPassword` and say the same thing.
 * Pure: no Node.js module is imported here.
 */
import { checkPassword, MAX_LENGTH, messages, type PasswordRequirement, type Violation } from '@zpass/policy';

export type RuleId =
  | 'length'
  | 'max'
  | 'letter'
  | 'number'
  | 'special'
  | 'case'
  | 'same'
  | 'run'
  | 'weak'
  | 'history'
  | 'match';

export interface ChecklistItem {
  rule: RuleId;
  text: string;
  /** Judged as the user types; otherwise only when the form is sent (the weak list and the history live on the server). */
  live: boolean;
}

/** The items of the account's requirement, in the order the server reports violations. */
export function checklistItems(req: PasswordRequirement): ChecklistItem[] {
  const minimum = Math.max(8, req.minimum_password_length);
  const items: ChecklistItem[] = [
    { rule: 'length', text: messages.tooShort(minimum), live: true },
    { rule: 'max', text: `Have at most ${MAX_LENGTH} characters`, live: true },
    { rule: 'letter', text: messages.letter, live: true },
    { rule: 'number', text: messages.number, live: true },
  ];
  if (req.have_special_character) items.push({ rule: 'special', text: messages.special, live: true });
  items.push({ rule: 'case', text: messages.mixedCase, live: true });
  const n = req.consecutive_characters_length;
  items.push({
    rule: 'same',
    text: n > 0 ? `No character repeated ${n} times in a row` : 'Not one character repeated throughout',
    live: true,
  });
  items.push({
    rule: 'run',
    text:
      n > 0
        ? `No run of ${n} consecutive characters (such as ${'abcdefgh'.slice(0, n)} or ${'12345678'.slice(0, n)})`
        : 'Not one run of consecutive characters (such as abcdef or 123456)',
    live: true,
  });
  if (req.weak_enhance_detection)
    items.push({
      rule: 'weak',
      text: 'Not too easy to guess, nor made of your name or e-mail (checked when you send the form)',
      live: false,
    });
  if (req.password_history_count > 0)
    items.push({
      rule: 'history',
      text: `Not one of your last ${req.password_history_count} passwords (checked when you send the form)`,
      live: false,
    });
  items.push({ rule: 'match', text: 'The confirmation is the same password', live: true });
  return items;
}

const BY_CODE: Record<number, RuleId> = {
  1124: 'length',
  1125: 'letter',
  1126: 'number',
  1127: 'special',
  1128: 'case',
  1129: 'history',
  1130: 'same',
  1131: 'run',
  1136: 'weak',
};

/** The items these violations leave unmet. */
export function unmetOf(violations: readonly Pick<Violation, 'code'>[]): Set<RuleId> {
  const out = new Set<RuleId>();
  for (const v of violations) {
    const rule = BY_CODE[v.code];
    if (rule) out.add(rule);
  }
  return out;
}

/**
 * The items a password and its confirmation leave unmet, by the rules a browser can
 * judge (`weak` and `history` are the server's). An empty password meets nothing; one
 * longer than the maximum is judged on its first characters and leaves `max` unmet.
 */
export function unmetItems(password: string, confirm: string, req: PasswordRequirement): Set<RuleId> {
  const rules: RuleId[] = ['length', 'max', 'letter', 'number', 'special', 'case', 'same', 'run', 'match'];
  if (password.length === 0) return new Set(rules);
  const chars = [...password.normalize('NFKC')];
  const tooLong = chars.length > MAX_LENGTH;
  const judged = tooLong ? chars.slice(0, MAX_LENGTH).join('') : password;
  const violations = checkPassword(judged, { requirement: { ...req, weak_enhance_detection: false } });
  const unmet = unmetOf(violations);
  // Control characters and the like: the server explains; nothing here can be called met.
  if (violations.some((v) => v.code === 300)) for (const r of rules) unmet.add(r);
  if (tooLong) unmet.add('max');
  if (password !== confirm) unmet.add('match');
  return unmet;
}
