/** Zoom's words for accounts and users, as the API and the store use them. */

/** Account plans; `business` covers Business and above (their limits are the same). */
export const PLANS = ['free', 'pro', 'business'] as const;
export type Plan = (typeof PLANS)[number];

/** Zoom's three built-in roles, and their role ids ("0" Owner, "1" Admin, "2" Member). */
export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_IDS: Readonly<Record<string, Role>> = { '0': 'owner', '1': 'admin', '2': 'member' };

export const USER_STATUSES = ['active', 'inactive', 'pending'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** The user types Zoom's current spec allows on create and update (Rivet: `1 | 2 | 4 | 99`). */
export const USER_TYPES = [1, 2, 4, 99] as const;
export type UserType = (typeof USER_TYPES)[number];

/** How a user signs in: with a password, through SSO, or not at all (Zoom's custCreate). */
export const SIGN_INS = ['password', 'sso', 'none'] as const;
export type SignIn = (typeof SIGN_INS)[number];

/** Through what a password was changed: the API, the admin CLI, the web pages. */
export type ChangeVia = 'api' | 'admin' | 'web' | 'reset';
