import type { FastifyInstance } from 'fastify';

/**
 * Zoom's `operationId` for every API route zpass serves, from Zoom's published
 * OpenAPI files (Users, Accounts, Roles, Reports), so that a code generator run on
 * zpass's `/openapi.json` gives the same names as on Zoom's. Keyed by method and
 * the route's path as Fastify writes it.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  'GET /v2/users': 'users',
  'POST /v2/users': 'userCreate',
  'GET /v2/users/email': 'userEmail',
  'GET /v2/users/summary': 'GetUserSummary',
  'GET /v2/users/:userId': 'user',
  'PATCH /v2/users/:userId': 'userUpdate',
  'DELETE /v2/users/:userId': 'userDelete',
  'PUT /v2/users/:userId/status': 'userStatus',
  'PUT /v2/users/:userId/password': 'userPassword',
  'PUT /v2/users/:userId/email': 'userEmailUpdate',
  'DELETE /v2/users/:userId/token': 'userSSOTokenDelete',
  'GET /v2/users/:userId/permissions': 'userPermission',
  'GET /v2/accounts/:accountId/settings': 'accountSettings',
  'PATCH /v2/accounts/:accountId/settings': 'accountSettingsUpdate',
  'GET /v2/roles': 'roles',
  'GET /v2/roles/:roleId/members': 'roleMembers',
  'POST /v2/roles/:roleId/members': 'AddRoleMembers',
  'DELETE /v2/roles/:roleId/members/:memberId': 'roleMemberDelete',
  'GET /v2/report/operationlogs': 'reportOperationLogs',
  'GET /v2/report/activities': 'reportSignInSignOutActivities',
};

/**
 * Puts each route's Zoom `operationId` into its schema as it is added (register
 * before the routes). A route's own `operationId` wins.
 */
export function registerOperationIds(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (typeof route.method !== 'string' || !route.schema) return;
    const id = OPERATION_IDS[`${route.method} ${route.url}`];
    if (id && route.schema.operationId === undefined) route.schema.operationId = id;
  });
}
