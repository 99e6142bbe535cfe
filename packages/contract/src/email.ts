/** The e-mail rule: one length limit and one shape, used by the API, the CLI and the mail relay. */

/** Longest e-mail address accepted (Zoom: 128). */
export const EMAIL_MAX = 128;

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** An address a mail server would deliver to: local part, @, a domain with at least one dot. */
export function isEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= EMAIL_MAX && EMAIL.test(value);
}
