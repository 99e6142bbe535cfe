/**
 * The profile fields of Zoom's user object that `PATCH /v2/users/{userId}` sets
 * (Rivet's `UsersUpdateUserRequestBody`) and zpass keeps: validated here, stored
 * as one JSON object on the user's row, returned as they were set.
 */
import { PHONE_LABELS, type PhoneNumber, type Profile } from '@zpass/contract';
import type { FieldError } from '../errors.js';

export { PHONE_LABELS, type PhoneNumber, type Profile };

/** Longest free-text profile field accepted (zpass choice: Zoom documents none). */
export const PROFILE_TEXT_MAX = 128;
/** Most phone numbers a user may list (zpass choice). */
export const PHONE_NUMBERS_MAX = 10;
const TEXT_FIELDS = ['dept', 'job_title', 'location', 'company', 'cost_center', 'pronouns'] as const;
const INVALID = 'Invalid field.';

/** An IANA time zone name the runtime knows ("Europe/Paris", "UTC", ...). */
export function isTimeZone(value: unknown): value is string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 64 ||
    !/^[A-Za-z0-9_+\-/]+$/.test(value)
  )
    return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A language tag as Zoom's profile takes it ("en-US", "de-DE", "fr"). */
export function isLanguage(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(value) || value.length > 35)
    return false;
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

function text(value: unknown, max = PROFILE_TEXT_MAX): value is string {
  return typeof value === 'string' && [...value].length <= max && !/\p{Cc}/u.test(value);
}

const PHONE_DIGITS = /^[0-9][0-9 ()-]{0,30}$/;

function phone(value: unknown): PhoneNumber | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const out: PhoneNumber = {};
  for (const key of Object.keys(v))
    if (!['code', 'country', 'label', 'number'].includes(key)) return undefined;
  if (v.code !== undefined) {
    if (typeof v.code !== 'string' || !/^\+?[0-9]{1,4}$/.test(v.code)) return undefined;
    out.code = v.code;
  }
  if (v.country !== undefined) {
    if (typeof v.country !== 'string' || !/^[A-Z]{2}$/.test(v.country)) return undefined;
    out.country = v.country;
  }
  if (v.label !== undefined) {
    if (!(PHONE_LABELS as readonly unknown[]).includes(v.label)) return undefined;
    out.label = v.label as PhoneNumber['label'];
  }
  if (v.number !== undefined) {
    if (typeof v.number !== 'string' || !PHONE_DIGITS.test(v.number)) return undefined;
    out.number = v.number;
  }
  return out;
}

/**
 * The profile fields present in a PATCH body, validated. Invalid ones go into
 * `errors` with Zoom's "Invalid field."; fields absent stay absent; fields zpass
 * does not keep are not read here.
 */
export function parseProfile(
  errors: FieldError[],
  body: Record<string, unknown>,
  isEmail: (v: unknown) => boolean,
): Profile {
  const out: Profile = {};
  const bad = (field: string) => errors.push({ field, message: INVALID });
  if (body.timezone !== undefined) {
    // Zoom accepts "" to clear the zone.
    if (body.timezone === '' || isTimeZone(body.timezone)) out.timezone = body.timezone as string;
    else bad('timezone');
  }
  if (body.language !== undefined) {
    if (body.language === '' || isLanguage(body.language)) out.language = body.language as string;
    else bad('language');
  }
  for (const field of TEXT_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (text(value)) out[field] = value.trim();
    else bad(field);
  }
  if (body.manager !== undefined) {
    if (body.manager === '' || isEmail(body.manager)) out.manager = body.manager as string;
    else bad('manager');
  }
  if (body.pronouns_option !== undefined) {
    if (body.pronouns_option === 1 || body.pronouns_option === 2 || body.pronouns_option === 3)
      out.pronouns_option = body.pronouns_option;
    else bad('pronouns_option');
  }
  if (body.phone_country !== undefined) {
    if (
      body.phone_country === '' ||
      (typeof body.phone_country === 'string' && /^[A-Z]{2}$/.test(body.phone_country))
    )
      out.phone_country = body.phone_country as string;
    else bad('phone_country');
  }
  if (body.phone_number !== undefined) {
    if (
      body.phone_number === '' ||
      (typeof body.phone_number === 'string' && PHONE_DIGITS.test(body.phone_number))
    )
      out.phone_number = body.phone_number as string;
    else bad('phone_number');
  }
  if (body.phone_numbers !== undefined) {
    const list = body.phone_numbers;
    const parsed = Array.isArray(list) && list.length <= PHONE_NUMBERS_MAX ? list.map(phone) : undefined;
    if (parsed?.every((p) => p !== undefined)) out.phone_numbers = parsed as PhoneNumber[];
    else bad('phone_numbers');
  }
  if (body.use_pmi !== undefined) {
    if (typeof body.use_pmi === 'boolean') out.use_pmi = body.use_pmi;
    else bad('use_pmi');
  }
  return out;
}

/** The stored profile (never trusted blindly: a row written by hand reads as empty). */
export function readProfile(json: string): Profile {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Profile) : {};
  } catch {
    return {};
  }
}

/** JSON schema of the profile fields, for the routes and /openapi.json. */
export const profileSchemaProps = {
  timezone: { type: 'string', description: 'An IANA time zone ("Europe/Paris"); "" clears it.' },
  language: { type: 'string', description: 'A language tag ("en-US").' },
  dept: { type: 'string', description: `Department, at most ${PROFILE_TEXT_MAX} characters.` },
  job_title: { type: 'string', description: `At most ${PROFILE_TEXT_MAX} characters.` },
  location: { type: 'string', description: `At most ${PROFILE_TEXT_MAX} characters.` },
  company: { type: 'string', description: `At most ${PROFILE_TEXT_MAX} characters.` },
  cost_center: { type: 'string', description: `At most ${PROFILE_TEXT_MAX} characters.` },
  manager: { type: 'string', description: "The manager's e-mail address." },
  pronouns: { type: 'string', description: `At most ${PROFILE_TEXT_MAX} characters.` },
  pronouns_option: {
    type: 'integer',
    enum: [1, 2, 3],
    description: '1 ask each time, 2 always display, 3 do not display.',
  },
  phone_country: {
    type: 'string',
    description: 'ISO 3166 two-letter country code (deprecated by Zoom for phone_numbers).',
  },
  phone_number: { type: 'string', description: 'Deprecated by Zoom for phone_numbers.' },
  phone_numbers: {
    type: 'array',
    maxItems: PHONE_NUMBERS_MAX,
    items: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Country calling code ("+1").' },
        country: { type: 'string', description: 'ISO 3166 two-letter country code.' },
        label: { type: 'string', enum: [...PHONE_LABELS] },
        number: { type: 'string' },
      },
    },
  },
  use_pmi: { type: 'boolean', description: 'Use the personal meeting id for instant meetings.' },
} as const;
