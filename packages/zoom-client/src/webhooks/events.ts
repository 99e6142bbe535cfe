/**
 * Payloads of the webhook events zpass sends, typed field by field as Zoom's own SDK
 * (`@zoom/rivet` 0.4, `users/users.d.ts` and `accounts/accounts.d.ts`) types them: the same
 * names, the same optional fields, the same literal unions. A type-level test
 * (`test/webhook-types.ts`) fails when one drifts from Rivet's.
 *
 * The one deliberate narrowing: `account.settings_updated` types the `security` section of
 * the settings only (Rivet's type spells out every meeting, recording and chat setting too,
 * which zpass does not hold). Other sections are still present at run time in an event from
 * Zoom; they are typed `unknown`.
 */

/** `1` basic, `2` licensed: a user's type in every user event. */
export type WebhookUserType = 1 | 2;

/** The user object of `user.deleted` and `user.invitation_accepted`. */
export interface WebhookUserObject {
  id: string;
  first_name?: string;
  last_name?: string;
  email: string;
  type: WebhookUserType;
}

/** The user object of `user.activated`, `user.deactivated` and `user.disassociated` (names required). */
export interface WebhookNamedUserObject {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  type: WebhookUserType;
}

/** The payload of an event an operator caused: who did it, and the user concerned. */
export interface WebhookOperatorPayload<O> {
  account_id: string;
  /** E-mail of who made the change (an admin, or the app's account owner for an API call). */
  operator: string;
  operator_id: string;
  object: O;
}

/** `user.created`: a user was added to the account. */
export interface UserCreatedEvent {
  event: 'user.created';
  /** Milliseconds since the epoch. */
  event_ts: number;
  payload: {
    account_id: string;
    /** E-mail of who made the change (an admin, or the app's account owner for an API call). */
    operator: string;
    operator_id: string;
    creation_type: 'create' | 'ssoCreate' | 'autoCreate' | 'custCreate';
    object: {
      id: string;
      first_name?: string;
      last_name?: string;
      display_name?: string;
      email: string;
      type: WebhookUserType;
    };
  };
}

/** The profile fields of `user.updated`'s `object` and `old_object`. */
export interface WebhookUserProfile {
  id: string;
  first_name?: string;
  last_name?: string;
  display_name?: string;
  email?: string;
  type?: WebhookUserType;
  phone_number?: string;
  phone_country?: string;
  company?: string;
  pmi?: number;
  use_pmi?: boolean;
  timezone?: string;
  pic_url?: string;
  vanity_name?: string;
  host_key?: string;
  role?: string;
  dept?: string;
  language?: string;
  settings?: {
    feature?: {
      large_meeting_capacity?: number;
      webinar?: boolean;
      webinar_capacity?: number;
    };
    meeting_capacity?: number;
    large_meeting?: string;
  };
  custom_attributes?: {
    key: string;
    name: string;
    value: number;
  }[];
  primary_group_id?: string;
}

/**
 * What a `user.updated` event reports besides a profile change: `change_password` (the
 * user's password was changed) and `sign_out_from_all_devices` (every session ended).
 */
export type UserUpdatedOperation = 'change_password' | 'sign_out_from_all_devices';

/**
 * `user.updated`: a profile change (`object` holds the new values of the changed fields,
 * `old_object` their previous values), or, with `operation`, a password change or the end
 * of every session.
 */
export interface UserUpdatedEvent {
  event: 'user.updated';
  event_ts: number;
  payload: {
    account_id: string;
    operator?: string;
    operator_id?: string;
    operation?: UserUpdatedOperation;
    object: WebhookUserProfile;
    /** Milliseconds since the epoch. */
    time_stamp?: number;
    old_object?: WebhookUserProfile;
  };
}

/** `user.activated`: a deactivated user was activated. */
export interface UserActivatedEvent {
  event: 'user.activated';
  event_ts: number;
  payload: WebhookOperatorPayload<WebhookNamedUserObject>;
}

/** `user.deactivated`: a user was deactivated (cannot sign in, keeps their data). */
export interface UserDeactivatedEvent {
  event: 'user.deactivated';
  event_ts: number;
  payload: WebhookOperatorPayload<WebhookNamedUserObject>;
}

/** `user.deleted`: a user was deleted for good. */
export interface UserDeletedEvent {
  event: 'user.deleted';
  event_ts: number;
  payload: WebhookOperatorPayload<WebhookUserObject>;
}

/** `user.disassociated`: a user was removed from the account but keeps a basic account of their own. */
export interface UserDisassociatedEvent {
  event: 'user.disassociated';
  event_ts: number;
  payload: WebhookOperatorPayload<WebhookNamedUserObject>;
}

/** `user.invitation_accepted`: an invited user accepted and joined the account (no operator). */
export interface UserInvitationAcceptedEvent {
  event: 'user.invitation_accepted';
  event_ts: number;
  payload: {
    account_id: string;
    object: WebhookUserObject;
  };
}

/** Where a sign-in or sign-out happened. */
export type WebhookClientType =
  | 'browser'
  | 'mac'
  | 'win'
  | 'iphone'
  | 'android'
  | 'ipad'
  | 'chromeos'
  | 'linux';

/** The object of `user.signed_in` and `user.signed_out`. */
export interface WebhookSignInObject {
  id: string;
  client_type: WebhookClientType;
  /** ISO 8601 time of the sign-in or sign-out. */
  date_time: string;
  email: string;
  /** The client's version. */
  version: string;
  /** How the user signed in: `100` a Zoom e-mail and password, `101` single sign-on, `0`/`1` Facebook/Google. */
  login_type: 0 | 1 | 100 | 101;
}

/** `user.signed_in` (no operator: the user did it). */
export interface UserSignedInEvent {
  event: 'user.signed_in';
  event_ts: number;
  payload: {
    account_id: string;
    object: WebhookSignInObject;
  };
}

/** `user.signed_out`. */
export interface UserSignedOutEvent {
  event: 'user.signed_out';
  event_ts: number;
  payload: {
    account_id: string;
    object: WebhookSignInObject;
  };
}

/** The `security` section of account settings, as Rivet types it in `account.settings_updated`. */
export interface WebhookSecuritySettings {
  admin_change_name_pic?: boolean;
  import_photos_from_devices?: boolean;
  hide_billing_info?: boolean;
  password_requirement?: {
    minimum_password_length?: number;
    have_special_character?: boolean;
    consecutive_characters_length?: number;
    weak_enhance_detection?: boolean;
  };
  signin_with_sso?: {
    enable?: boolean;
    require_sso_for_domains?: boolean;
    domains?: string[];
    sso_bypass_users?: {
      id?: string;
      email?: string;
    }[];
  };
}

/** The settings of `account.settings_updated`: the security section typed, the others `unknown`. */
export interface WebhookAccountSettings {
  security?: WebhookSecuritySettings;
  [section: string]: unknown;
}

/**
 * `account.settings_updated`: `object.settings` holds the new values of the changed settings,
 * `old_object.settings` their previous values. Every field is optional, as in Rivet's type.
 */
export interface AccountSettingsUpdatedEvent {
  event: 'account.settings_updated';
  event_ts?: number;
  payload?: {
    account_id?: string;
    operator?: string;
    operator_id?: string;
    object?: {
      id?: string;
      settings?: WebhookAccountSettings;
    };
    time_stamp?: number;
    old_object?: {
      id?: string;
      settings?: WebhookAccountSettings;
    };
  };
}

/**
 * `endpoint.url_validation`: Zoom checks that an endpoint holds the secret token; answer with
 * {@link urlValidationResponse}.
 */
export interface EndpointUrlValidationEvent {
  event: 'endpoint.url_validation';
  event_ts?: number;
  payload: {
    plainToken: string;
  };
}

/** Every event zpass sends. */
export type UserWebhookEvent =
  | UserCreatedEvent
  | UserUpdatedEvent
  | UserActivatedEvent
  | UserDeactivatedEvent
  | UserDeletedEvent
  | UserDisassociatedEvent
  | UserInvitationAcceptedEvent
  | UserSignedInEvent
  | UserSignedOutEvent
  | AccountSettingsUpdatedEvent;

/** What {@link verifyWebhook} returns by default: an event zpass sends, or a URL validation. */
export type WebhookEvent = UserWebhookEvent | EndpointUrlValidationEvent;

/** The event names zpass sends. */
export type WebhookEventName = UserWebhookEvent['event'];

/** The event names zpass sends. */
export const WEBHOOK_EVENT_NAMES = [
  'user.created',
  'user.updated',
  'user.activated',
  'user.deactivated',
  'user.deleted',
  'user.disassociated',
  'user.invitation_accepted',
  'user.signed_in',
  'user.signed_out',
  'account.settings_updated',
] as const satisfies readonly WebhookEventName[];
