import type { Role } from '../store/schema.js';

/** The scopes an endpoint accepts, split by the kind of token presenting them. */
export interface EndpointScopes {
  /** Account-level (Server-to-Server) tokens: `:admin` scopes. */
  account: readonly string[];
  /** User-level tokens: the same without `:admin`; they act on their own user only. */
  user: readonly string[];
}

export const SCOPES = {
  updatePassword: {
    account: ['user:write:admin', 'user:update:password:admin'],
    user: ['user:write', 'user:update:password'],
  },
  readUser: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:user:admin'],
    user: ['user:read', 'user:write', 'user:read:user'],
  },
  /** Account-wide operations have no user-level form: a user-level token gets 4711 naming the admin scopes. */
  readAccountSettings: {
    account: ['account:read:admin', 'account:update:settings:admin', 'account:write:admin'],
    user: [],
  },
  updateAccountSettings: {
    account: ['account:write:admin', 'account:update:settings:admin'],
    user: [],
  },
  createUser: {
    account: ['user:write:admin', 'user:write:user:admin'],
    user: [],
  },
  listUsers: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:list_users:admin'],
    user: [],
  },
  checkEmail: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:email:admin'],
    user: [],
  },
  updateUser: {
    account: ['user:write:admin', 'user:update:user:admin'],
    user: ['user:write', 'user:update:user'],
  },
  updateStatus: {
    account: ['user:write:admin', 'user:update:status:admin'],
    user: [],
  },
  deleteUser: {
    account: ['user:write:admin', 'user:delete:user:admin'],
    user: [],
  },
  /** `PUT /v2/users/{userId}/email`: classic scopes per Zoom's reference; granular `user:update:email`. */
  updateUserEmail: {
    account: ['user:write:admin', 'user:update:email:admin'],
    user: ['user:write', 'user:update:email'],
  },
  /** `DELETE /v2/users/{userId}/token` (Zoom: "Revoke a user's SSO token"). */
  revokeUserToken: {
    account: ['user:write:admin', 'user:delete:token:admin'],
    user: [],
  },
  /** `GET /v2/users/{userId}/permissions`. */
  userPermissions: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:list_permissions:admin'],
    user: ['user:read', 'user:write', 'user:read:list_permissions'],
  },
  /** `GET /v2/users/summary`. */
  userSummary: {
    account: ['user:read:admin', 'user:write:admin', 'user:read:summary:admin'],
    user: [],
  },
  // Roles and reports are account-wide: no user-level form. Classic scope first, then Zoom's granular one.
  listRoles: {
    account: ['role:read:admin', 'role:write:admin', 'role:read:list_roles:admin'],
    user: [],
  },
  listRoleMembers: {
    account: ['role:read:admin', 'role:write:admin', 'role:read:list_members:admin'],
    user: [],
  },
  addRoleMembers: {
    account: ['role:write:admin', 'role:write:member:admin'],
    user: [],
  },
  removeRoleMember: {
    account: ['role:write:admin', 'role:delete:member:admin'],
    user: [],
  },
  operationLogs: {
    account: ['report:read:admin', 'report:read:operation_logs:admin'],
    user: [],
  },
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
