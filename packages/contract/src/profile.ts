/**
 * The profile fields of Zoom's user object that `PATCH /v2/users/{userId}` sets and
 * `GET /v2/users/{userId}` returns (Rivet's `UsersUpdateUserRequestBody` and
 * `UsersGetUserResponse`): one shape for the SDK's types and the server's validation.
 */

/** The labels of a user's phone numbers. */
export const PHONE_LABELS = ['Mobile', 'Office', 'Home', 'Fax'] as const;

/** One of a user's phone numbers. */
export interface PhoneNumber {
  /** Country calling code, e.g. `+1`. */
  code?: string;
  /** ISO 3166 two-letter country code. */
  country?: string;
  label?: (typeof PHONE_LABELS)[number];
  number?: string;
}

/** A user's profile fields, each optional. */
export interface Profile {
  /** IANA time zone name, e.g. `Europe/Paris`. */
  timezone?: string;
  /** Language tag, e.g. `en-US`. */
  language?: string;
  dept?: string;
  job_title?: string;
  location?: string;
  company?: string;
  cost_center?: string;
  /** The manager's e-mail address. */
  manager?: string;
  pronouns?: string;
  /** 1 ask each time, 2 always display, 3 do not display. */
  pronouns_option?: 1 | 2 | 3;
  phone_country?: string;
  phone_number?: string;
  phone_numbers?: PhoneNumber[];
  use_pmi?: boolean;
}
