import type { Role } from '../../store/schema.js';

/** The scopes an endpoint accepts, split by the kind of token presenting them. */
export interface EndpointScopes {
  /** Account-level (Server-to-Server) tokens: `:admin` scopes. */
  account: readonly string[];
  /** User-level tokens: the same without `:admin`; they act on their own user only. */
  user: readonly string[];
}

/**
 * THE table of the scopes each route accepts, any one of them sufficing: Zoom's classic
 * scope first (`user:write:admin`, what apps made before 2024 hold), then the granular
 * scope(s) that Zoom's API reference lists for the endpoint under "Granular Scopes"
 * (`service:action:data_claim:admin`). A user-level token holds the same names without
 * `:admin` and acts on its own user only; routes about the whole account have no
 * user-level form (an empty list: a user-level token gets 4711 naming the admin scopes).
 * Every route zpass serves takes its scopes from here; sources per row in
 * docs/compatibility.md ("Scopes").
 */
export const SCOPES = {
  /** PUT /v2/users/{userId}/password */
  updatePassword: {
    account: ['user:write:admin', 'user:update:password:admin'],
    user: ['user:write', 'user:update:password'],
  },
  /** GET /v2/users/{userId} */
  readUser: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:user:admin'],
    user: ['user:read', 'user:write', 'user:read:user'],
  },
  /** GET /v2/accounts/{accountId}/settings (`account:update:settings:admin` reads too, as the contract says). */
  readAccountSettings: {
    account: [
      'account:read:admin',
      'account:update:settings:admin',
      'account:write:admin',
      'account:read:settings:admin',
    ],
    user: [],
  },
  /** PATCH /v2/accounts/{accountId}/settings */
  updateAccountSettings: {
    account: ['account:write:admin', 'account:update:settings:admin'],
    user: [],
  },
  /** POST /v2/users */
  createUser: {
    account: ['user:write:admin', 'user:write:user:admin'],
    user: [],
  },
  /** GET /v2/users */
  listUsers: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:list_users:admin'],
    user: [],
  },
  /** GET /v2/users/email */
  checkEmail: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:email:admin'],
    user: [],
  },
  /** PATCH /v2/users/{userId} */
  updateUser: {
    account: ['user:write:admin', 'user:update:user:admin'],
    user: ['user:write', 'user:update:user'],
  },
  /** PUT /v2/users/{userId}/status */
  updateStatus: {
    account: ['user:write:admin', 'user:update:status:admin'],
    user: [],
  },
  /** DELETE /v2/users/{userId} */
  deleteUser: {
    account: ['user:write:admin', 'user:delete:user:admin'],
    user: [],
  },
  /** PUT /v2/users/{userId}/email */
  updateUserEmail: {
    account: ['user:write:admin', 'user:update:email:admin'],
    user: ['user:write', 'user:update:email'],
  },
  /** DELETE /zpass/v1/users/{userId}/two_factor (a zpass extension: Zoom's classic admin scope for users). */
  resetTwoFactor: {
    account: ['user:write:admin'],
    user: [],
  },
  /** DELETE /v2/users/{userId}/token */
  revokeUserToken: {
    account: ['user:write:admin', 'user:delete:token:admin'],
    user: [],
  },
  /** GET /v2/users/{userId}/permissions */
  userPermissions: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:list_permissions:admin'],
    user: ['user:read', 'user:write', 'user:read:list_permissions'],
  },
  /** GET /v2/users/summary */
  userSummary: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:summary:admin'],
    user: [],
  },
  /** GET /v2/roles */
  listRoles: {
    account: ['role:read:admin', 'role:write:admin', 'role:read:list_roles:admin'],
    user: [],
  },
  /** GET /v2/roles/{roleId}/members */
  listRoleMembers: {
    account: ['role:read:admin', 'role:write:admin', 'role:read:list_members:admin'],
    user: [],
  },
  /** POST /v2/roles/{roleId}/members */
  addRoleMembers: {
    account: ['role:write:admin', 'role:write:member:admin'],
    user: [],
  },
  /** DELETE /v2/roles/{roleId}/members/{memberId} */
  removeRoleMember: {
    account: ['role:write:admin', 'role:delete:member:admin'],
    user: [],
  },
  /** GET /v2/report/operationlogs */
  operationLogs: {
    account: ['report:read:admin', 'report:read:operation_logs:admin'],
    user: [],
  },
  /** GET /v2/report/activities */
  activityReport: {
    account: ['report:read:admin', 'report:read:user_activities:admin'],
    user: [],
  },
} satisfies Record<string, EndpointScopes>;

/** Scopes a demo or new Server-to-Server app receives by default. */
export const DEFAULT_APP_SCOPES = [
  'user:read:admin',
  'user:write:admin',
  'user:update:password:admin',
  'account:read:admin',
  'account:write:admin',
  'account:update:settings:admin',
  'role:read:admin',
  'role:write:admin',
  'report:read:admin',
];

export function parseScopes(s: string): string[] {
  return [...new Set(s.split(/[\s,]+/).filter(Boolean))];
}

export function isAdminScope(scope: string): boolean {
  return scope.endsWith(':admin');
}

/** A token's scopes are the app's, limited by the role of the user it acts for: members get no `:admin` scope. */
export function scopesForRole(scopes: readonly string[], role: Role): string[] {
  return role === 'member' ? scopes.filter((s) => !isAdminScope(s)) : [...scopes];
}
