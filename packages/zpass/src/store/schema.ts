import type { ChangeVia, Plan, Role, SignIn, UserStatus } from '@zpass/contract';
import type { Generated } from 'kysely';

/** Zoom's vocabulary (plans, roles, statuses, sign-in kinds) comes from the contract. */
export type { ChangeVia, Plan, Role, SignIn, UserStatus };

/** Times are integers: milliseconds since the Unix epoch. */
export type Millis = number;

export interface AccountsTable {
  id: string;
  name: string;
  plan: Plan;
  created_at: Millis;
}

export interface UsersTable {
  id: string;
  account_id: string;
  /** The address as given. */
  email: string;
  /** Lower-cased address: unique across the deployment. */
  email_norm: string;
  first_name: string;
  last_name: string;
  display_name: string;
  type: number;
  role: Role;
  status: UserStatus;
  created_at: Millis;
  last_login_at: Millis | null;
  sign_in: Generated<SignIn>;
  /** JSON: the profile fields of Zoom's user object set through PATCH (domain/users/profile.ts). */
  profile: Generated<string>;
  /** When the user proved the address (accepted invitation, sign-in); null: never. */
  email_verified_at: Generated<Millis | null>;
  /** The `POST /v2/users` action that created the user; null for other paths (CLI, accounts). */
  created_via: Generated<string | null>;
}

export interface CredentialsTable {
  user_id: string;
  /** argon2id PHC string. */
  phc: string;
  /** Incremented on every change: lets a change detect a concurrent one. */
  version: number;
  updated_at: Millis;
}

export interface PasswordChangesTable {
  id: Generated<number>;
  account_id: string;
  user_id: string;
  /** Who made the change (the token's principal), or null for the admin CLI. */
  actor_user_id: string | null;
  app_id: string | null;
  /** SHA-256 digest of the access token used, never the token. */
  token_digest: string | null;
  via: ChangeVia;
  ip: string | null;
  changed_at: Millis;
}

export type AppKind = 's2s' | 'user';

export interface AppsTable {
  id: string;
  account_id: string;
  name: string;
  kind: AppKind;
  client_id: string;
  /** SHA-256 digest of the client secret, hex. */
  client_secret_digest: string;
  /** Space-separated scopes. */
  scopes: string;
  creator_user_id: string;
  created_at: Millis;
}

export type TokenKind = 'account' | 'user';

export interface AccessTokensTable {
  /** SHA-256 digest of the token, hex. */
  digest: string;
  kind: TokenKind;
  account_id: string;
  /** The principal: the app's creator for account tokens, the user for user tokens. */
  user_id: string;
  app_id: string | null;
  scopes: string;
  issued_at: Millis;
  expires_at: Millis;
  revoked_at: Millis | null;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  account_id: string;
  recipient: string;
  /** JSON with what the notice needs; never a secret. */
  payload: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Millis;
  last_error: string | null;
  created_at: Millis;
  sent_at: Millis | null;
  /** The Message-ID every attempt of this notice carries (set at its first claim). */
  message_id: Generated<string | null>;
  /** When a relay last tried to deliver it. */
  last_attempt_at: Generated<Millis | null>;
}

export interface AccountSettingsTable {
  account_id: string;
  /** JSON: the fields of `security.password_requirement` set explicitly; the rest take defaults. */
  password_requirement: string;
  /** JSON: the other fields of Zoom's `security` settings (two-factor sign-in, SSO, ...); `{}` until set. */
  security: Generated<string>;
  updated_at: Millis;
}

export type SettingsVia = 'api' | 'admin';

export interface AccountSettingsChangesTable {
  id: Generated<number>;
  account_id: string;
  /** Who made the change (the token's principal), or null for the admin CLI. */
  actor_user_id: string | null;
  app_id: string | null;
  /** SHA-256 digest of the access token used, never the token. */
  token_digest: string | null;
  via: SettingsVia;
  ip: string | null;
  /** JSON: `{"password_requirement.<field>": {"from": old, "to": new}}` for each field that changed. */
  changes: string;
  changed_at: Millis;
}

export interface PasswordHistoryTable {
  id: Generated<number>;
  user_id: string;
  /** argon2id PHC string of a password under the user's history salt (shared by all their rows). */
  phc: string;
  /** The credential version this password was set as. */
  credential_version: number;
  created_at: Millis;
}

/** A pending user's invitation to set a first password; one per user. */
export interface InvitationsTable {
  user_id: string;
  account_id: string;
  /** SHA-256 digest of the link's token, hex; null until a link is issued. */
  token_digest: string | null;
  created_at: Millis;
  /** The invitation (and any link issued for it) stops working at this time. */
  expires_at: Millis;
  link_issued_at: Millis | null;
  /**
   * Set for an invitation to join this account sent to another account's user: the
   * type they join with. Null for a pending user's invitation to set a first password.
   */
  join_type: Generated<number | null>;
}

/** Secrets the servers sharing a store must agree on (e.g. the page-token key). */
export interface ServerKeysTable {
  name: string;
  /** base64url random bytes. */
  secret: string;
  created_at: Millis;
}

export interface RateLimitOverridesTable {
  account_id: string;
  /** Light, Medium or Heavy. */
  category: string;
  /** QPS or Daily-limit. */
  limit_type: string;
  /** Requests per second or per UTC day; null removes the plan's daily limit. */
  value: number | null;
  updated_at: Millis;
}

/** A signed-in session of the web pages. */
export interface WebSessionsTable {
  /** SHA-256 digest of the session id the cookie holds, hex; never the id. */
  digest: string;
  user_id: string;
  account_id: string;
  /** The address the session was opened from. */
  ip: string | null;
  created_at: Millis;
  /** The session ends at this time, whatever happens before. */
  expires_at: Millis;
  /** When the session was last used, written at most once a minute (migration 0012); null: not since sign-in. */
  last_seen_at: Millis | null;
}

/** When a user's sign-in address changed (`PUT /v2/users/{userId}/email`: 3 in 24 hours). */
export interface EmailChangesTable {
  user_id: string;
  changed_at: Millis;
}

/** Zoom's operation-log categories that zpass writes (`category_type` in the report). */
export type OperationCategory = 'user' | 'account' | 'role';

/** One change in an account, in the words of Zoom's "Operation logs" report. */
export interface OperationLogsTable {
  id: Generated<number>;
  account_id: string;
  time: Millis;
  /** Who made the change: their e-mail at the time, or the admin CLI's name. */
  operator: string;
  operator_id: string | null;
  category: OperationCategory;
  /** Zoom's action word: Add, Update, Delete, ... */
  action: string;
  /** Zoom's `operation_detail`: what changed, never a secret. */
  detail: string;
}

export type SignInActivityType = 'sign_in' | 'sign_out';

/** A sign-in or sign-out on the web pages (Zoom's "Sign In/Sign Out Activities" report). */
export interface SignInActivitiesTable {
  id: Generated<number>;
  account_id: string;
  user_id: string;
  /** The address at the time. */
  email: string;
  time: Millis;
  type: SignInActivityType;
  ip: string | null;
  client_type: string;
  version: string;
}

/** An app's webhook secret token, sealed (AES-256-GCM under the `webhook_secret_v1` server key). */
export interface WebhookSecretsTable {
  app_id: string;
  account_id: string;
  /** base64url(iv | ciphertext | tag); the app id is the associated data. */
  secret_sealed: string;
  created_at: Millis;
  rotated_at: Millis | null;
}

/** active: receives events; unvalidated: its URL validation failed (`last_error` says why). */
export type WebhookSubscriptionStatus = 'active' | 'unvalidated';

export interface WebhookSubscriptionsTable {
  id: string;
  app_id: string;
  account_id: string;
  url: string;
  /** Space-separated event names. */
  events: string;
  status: WebhookSubscriptionStatus;
  last_error: string | null;
  created_at: Millis;
  validated_at: Millis | null;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** The webhook outbox: one row per event and endpoint. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  /** Stable across attempts and endpoints: receivers drop duplicates by it. */
  event_id: string;
  subscription_id: string;
  account_id: string;
  event: string;
  /** Compact JSON, sent as is. */
  body: string;
  /** `<subscription>:<user id or account id>`: rows with one key go out in id order. */
  ordering_key: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Millis;
  last_attempt_at: Millis | null;
  /** The endpoint's last HTTP status (null: no answer). */
  last_status: number | null;
  last_error: string | null;
  created_at: Millis;
  delivered_at: Millis | null;
}

/** Every table of the store. */
export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  credentials: CredentialsTable;
  password_changes: PasswordChangesTable;
  apps: AppsTable;
  access_tokens: AccessTokensTable;
  outbox: OutboxTable;
  account_settings: AccountSettingsTable;
  account_settings_changes: AccountSettingsChangesTable;
  password_history: PasswordHistoryTable;
  invitations: InvitationsTable;
  server_keys: ServerKeysTable;
  rate_limit_overrides: RateLimitOverridesTable;
  web_sessions: WebSessionsTable;
  email_changes: EmailChangesTable;
  operation_logs: OperationLogsTable;
  sign_in_activities: SignInActivitiesTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  password_resets: PasswordResetsTable;
  two_factor: TwoFactorTable;
  recovery_codes: RecoveryCodesTable;
  two_factor_challenges: TwoFactorChallengesTable;
}

/** A user's open self-service password reset (migration 0012); one per user. */
export interface PasswordResetsTable {
  user_id: string;
  account_id: string;
  /** SHA-256 digest of the link's token, hex; null until the notice is sent. */
  token_digest: string | null;
  /** The credential version the reset was requested against: any other change voids it. */
  credential_version: number;
  requested_at: Millis;
  expires_at: Millis;
  /** Start of the hour whose reset mails `mails_in_window` counts. */
  window_started_at: Millis;
  mails_in_window: number;
}

/** A user's TOTP secret (migration 0013); pending until `enabled_at`. */
export interface TwoFactorTable {
  user_id: string;
  account_id: string;
  /** `k1.<key id>.<AES-256-GCM>` under the operator's secret key; never the secret in clear. */
  secret_sealed: string;
  created_at: Millis;
  enabled_at: Millis | null;
  /** The 30-second step of the last code accepted; a code must be of a later step. */
  last_step: number | null;
}

/** A one-time recovery code of a user, by its SHA-256 digest (hex). */
export interface RecoveryCodesTable {
  user_id: string;
  code_digest: string;
  used_at: Millis | null;
}

/** A sign-in whose password was right and that waits for its second factor. */
export interface TwoFactorChallengesTable {
  /** SHA-256 digest of the challenge cookie's token, hex. */
  token_digest: string;
  user_id: string;
  account_id: string;
  created_at: Millis;
  expires_at: Millis;
  attempts: number;
}
