/** Request and response types of Zoom's Users and account-settings APIs (see the compatibility contract). */

import type { PhoneNumber, Profile } from './contract/index.js';

/** 1 basic, 2 licensed, 4 unassigned without Meetings Basic, 99 none (Zoom's current spec). */
export type UserType = 1 | 2 | 4 | 99;
export type UserStatus = 'active' | 'inactive' | 'pending';

/** A user, as `GET /users/{userId}` and `GET /users` return it. */
export interface User extends Profile {
  /** Opaque 22-character URL-safe id. */
  id: string;
  email: string;
  first_name?: string;
  last_name?: string;
  display_name?: string;
  type: UserType;
  /** Owner, Admin or Member. */
  role_name?: string;
  status?: UserStatus;
  /** `"0"` owner, `"1"` admin, `"2"` member. */
  role_id?: string;
  created_at?: string;
  user_created_at?: string;
  last_login_time?: string;
  account_id?: string;
  account_number?: number;
  /** 100 work e-mail and password, 101 SSO, 99 API only. */
  login_types?: number[];
  /** Personal meeting id, 10 digits. */
  pmi?: number;
  /** 1 once the e-mail address is proven. */
  verified?: 0 | 1;
  group_ids?: string[];
  im_group_ids?: string[];
  custom_attributes?: { key?: string; name?: string; value?: string }[];
  [field: string]: unknown;
}

export type { PhoneNumber, Profile };

/** Query of `GET /users`. */
export interface UserListParams {
  status?: UserStatus;
  /** Default 30, at most 300. */
  page_size?: number;
  next_page_token?: string;
  /** `"0"` owner, `"1"` admin, `"2"` member. */
  role_id?: '0' | '1' | '2';
  include_fields?: 'custom_attributes' | 'host_key';
  license?: 'zoom_workforce_management' | 'zoom_compliance_management';
}

/** One page of `GET /users`. */
export interface UserListResponse {
  page_size: number;
  total_records: number;
  /** Empty (or absent) on the last page. */
  next_page_token?: string;
  users: User[];
}

export type UserCreateAction = 'create' | 'autoCreate' | 'custCreate' | 'ssoCreate';

/** Body of `POST /users`. */
export interface UserCreateParams {
  action: UserCreateAction;
  user_info: {
    email: string;
    type: UserType;
    first_name?: string;
    last_name?: string;
    display_name?: string;
    /** Only with `autoCreate`. */
    password?: string;
  };
}

/** Answer of `POST /users` (201). */
export interface CreatedUser {
  id: string;
  first_name?: string;
  last_name?: string;
  email: string;
  type: UserType;
}

/** Body of `PATCH /users/{userId}`: the profile fields to change. */
export interface UserUpdateParams extends Profile {
  first_name?: string;
  last_name?: string;
  display_name?: string;
  type?: UserType;
  [field: string]: unknown;
}

/** Query of `DELETE /users/{userId}`. */
export interface UserDeleteParams {
  /** `disassociate` (default at Zoom) keeps the user as a basic user outside the account; `delete` removes them. */
  action?: 'disassociate' | 'delete';
}

export type UserStatusAction = 'activate' | 'deactivate';

/** Answer of `GET /users/email?email=`. */
export interface EmailCheckResponse {
  existed_email: boolean;
}

/** Answer of `GET /users/{userId}/permissions`. */
export interface UserPermissions {
  permissions: string[];
}

/** Answer of `GET /users/summary`. */
export interface UserSummary {
  licensed_users_count?: number;
  basic_users_count?: number;
  on_prem_users_count?: number;
  room_users_count?: number;
  pending_users_count?: number;
  join_only_users_count?: number;
  total_users_count?: number;
}

/** `security.password_requirement` of the account settings. */
export interface PasswordRequirementSettings {
  /** 0 = off (baseline 8 applies); otherwise 8..14. */
  minimum_password_length?: number;
  have_special_character?: boolean;
  /** 0 = off; otherwise 4..8. */
  consecutive_characters_length?: number;
  weak_enhance_detection?: boolean;
  /** zpass extension: how many previous passwords may not be reused (code 1129). */
  password_history_count?: number;
  /** zpass extension: password changes allowed per user in 24 hours. */
  max_changes_per_day?: number;
  [field: string]: unknown;
}

/**
 * The account's `security` settings, as Zoom (and `@zoom/rivet`'s
 * `AccountsGetAccountSettingsResponse`) types them. In a PATCH, `signin_with_sso` takes
 * `sso_bypass_user_ids` (with `operation: 'add' | 'remove'`) instead of `sso_bypass_users`.
 */
export interface SecuritySettings {
  admin_change_name_pic?: boolean;
  admin_change_user_info?: boolean;
  user_modifiable_info_by_admin?: Array<'name' | 'profile_picture' | 'sign_in_email' | 'host_key'>;
  signin_with_sso?: {
    enable?: boolean;
    require_sso_for_domains?: boolean;
    domains?: string[];
    /** Read: the users who may sign in without SSO. */
    sso_bypass_users?: Array<{ id?: string; email?: string }>;
    /** Write: user ids to set, or to add or remove with `operation`. */
    sso_bypass_user_ids?: string[];
    operation?: 'add' | 'remove';
  };
  hide_billing_info?: boolean;
  import_photos_from_devices?: boolean;
  password_requirement?: PasswordRequirementSettings;
  /** Minutes of inactivity before the client must sign in again; 0 is off. */
  sign_again_period_for_inactivity_on_client?: number;
  /** Minutes of inactivity before a web session must sign in again; 0 is off. */
  sign_again_period_for_inactivity_on_web?: number;
  sign_in_with_two_factor_auth?: 'all' | 'group' | 'role' | 'none';
  sign_in_with_two_factor_auth_groups?: string[];
  sign_in_with_two_factor_auth_roles?: string[];
  [field: string]: unknown;
}

/**
 * The account settings object: `security` beside Zoom's other sections (meeting,
 * recording, ...). Both with and without `option=security` it is `{ security: {...} }`.
 */
export interface AccountSettings {
  security?: SecuritySettings;
  [group: string]: unknown;
}

export interface SettingsQuery {
  /** `security` for the security section alone (still wrapped in `{ security }`); absent for all settings. */
  option?: 'security' | (string & {});
}

/** Zoom's error body. */
export interface ZoomErrorBody {
  code: number;
  message: string;
  errors?: Array<{ field: string; message: string }>;
}

/** Zoom's built-in role ids: "0" Owner, "1" Admin, "2" Member. */
export type RoleId = '0' | '1' | '2' | (string & {});

/** One role of `GET /roles`. */
export interface Role {
  id: string;
  name: string;
  description?: string;
  type?: string;
  total_members: number;
}

/** `GET /roles`. */
export interface RoleListResponse {
  total_records: number;
  roles: Role[];
}

/** One member of `GET /roles/{roleId}/members`. */
export interface RoleMember {
  id: string;
  email: string;
  first_name?: string;
  last_name?: string;
  type: number;
  department?: string;
}

export interface RoleMembersParams {
  /** 1 to 300 (Zoom's default 30). */
  page_size?: number;
  page_number?: number;
  /** Start from this page token (iteration continues from it). */
  next_page_token?: string;
}

/** `GET /roles/{roleId}/members`. */
export interface RoleMembersResponse {
  page_count?: number;
  page_number?: number;
  page_size: number;
  total_records: number;
  next_page_token: string;
  members: RoleMember[];
}

/** A member named by id or by e-mail. */
export type RoleMemberRef = { id: string } | { email: string };

/** `POST /roles/{roleId}/members` (201). */
export interface RoleAssignResponse {
  /** The members' ids, comma-separated. */
  ids: string;
  add_at: string;
}

/** Zoom's `category_type` filter of the operation-logs report. */
export type OperationLogCategory =
  | 'all'
  | 'user'
  | 'user_settings'
  | 'account'
  | 'billing'
  | 'im'
  | 'recording'
  | 'phone_contacts'
  | 'webinar'
  | 'sub_account'
  | 'role'
  | 'zoom_rooms';

export interface ReportRangeParams {
  /** First day, `yyyy-mm-dd`. */
  from?: string;
  /** Last day, `yyyy-mm-dd`, at most one month after `from`. */
  to?: string;
  /** 1 to 300 (default 30). */
  page_size?: number;
  next_page_token?: string;
}

export interface OperationLogsParams extends ReportRangeParams {
  from: string;
  to: string;
  category_type?: OperationLogCategory;
}

/** One entry of `GET /report/operationlogs`. */
export interface OperationLog {
  time: string;
  operator: string;
  category_type: string;
  action: string;
  operation_detail: string;
}

/** `GET /report/operationlogs`. */
export interface OperationLogsResponse {
  from?: string;
  to?: string;
  page_size: number;
  next_page_token: string;
  operation_logs: OperationLog[];
}

/** One entry of `GET /report/activities`. */
export interface ActivityLog {
  email: string;
  time: string;
  type: 'Sign in' | 'Sign out';
  ip_address: string;
  client_type: string;
  version: string;
}

/** `GET /report/activities`. */
export interface ActivityLogsResponse {
  from?: string;
  to?: string;
  page_size: number;
  next_page_token: string;
  activity_logs: ActivityLog[];
}
