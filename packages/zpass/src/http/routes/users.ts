import type { FastifyInstance, FastifyRequest, preValidationHookHandler } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { changePassword } from '../../domain/passwords/change.js';
import { SCOPES } from '../../domain/tokens/scopes.js';
import { resetTwoFactor } from '../../domain/two-factor/two-factor.js';
import {
  CREATE_ACTIONS,
  createAccountUser,
  DELETE_ACTIONS,
  DISPLAY_NAME_MAX,
  EMAIL_MAX,
  emailExists,
  INCLUDE_FIELDS,
  LICENSES,
  LIST_STATUSES,
  listUsers,
  NAME_MAX,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  removeUser,
  STATUS_ACTIONS,
  setStatus,
  USER_TYPES,
  updateProfile,
} from '../../domain/users/directory.js';
import { INVITATION_PATH } from '../../domain/users/invitations.js';
import { changeEmail, signOutEverywhere, userPermissions, userSummary } from '../../domain/users/manage.js';
import { profileSchemaProps } from '../../domain/users/profile.js';
import { resolveUser, userView } from '../../domain/users/resolve.js';
import { storedAddress } from '../../edge/address.js';
import { principalOf, requireAuth } from '../plugins/auth.js';
import { formToObject, isFormBody } from '../plugins/body.js';
import { errorRef, userIdParams, userListItemSchema, userSchema } from './schemas.js';

const security = [{ bearer: [] }];

/** Form bodies carry only strings: nest `a[b]` fields and read the named integers. */
function formBody(integers: readonly string[]): preValidationHookHandler {
  return async (request: FastifyRequest) => {
    const body = request.body;
    if (
      isFormBody(request.headers['content-type']) &&
      body &&
      typeof body === 'object' &&
      !Array.isArray(body)
    ) {
      request.body = formToObject(body as Record<string, unknown>, integers);
    }
  };
}

const nameProp = (max: number, description: string) =>
  ({ type: 'string', maxLength: max, description }) as const;

const profileProps = {
  first_name: nameProp(NAME_MAX, 'First name, at most 64 characters.'),
  last_name: nameProp(NAME_MAX, 'Last name, at most 64 characters.'),
  display_name: nameProp(
    DISPLAY_NAME_MAX,
    'Display name, at most 128 characters (default: first and last name).',
  ),
  type: {
    type: 'integer',
    enum: [...USER_TYPES],
    description: '1 basic, 2 licensed, 4 unassigned without Meetings Basic, 99 none',
  },
} as const;

const createdSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    email: { type: 'string' },
    type: { type: 'integer' },
  },
  required: ['id', 'email', 'type'],
} as const;

const noContent = (description: string) => ({ type: 'null', description }) as const;

export async function userRoutes(app: FastifyInstance, opts: { ctx: DomainContext }): Promise<void> {
  const { ctx } = opts;

  app.post<{ Body: Record<string, unknown> }>(
    '/v2/users',
    {
      onRequest: requireAuth(ctx, SCOPES.createUser),
      config: { rateLimit: 'Light' },
      preValidation: formBody(['user_info.type']),
      schema: {
        summary: 'Create a user',
        description:
          '`create`: the user is pending and receives an invitation to set their first password. ' +
          '`autoCreate`: active, with the given password (checked against the account requirement). ' +
          '`custCreate`, `ssoCreate`: active, without a password. Owner or admin. Rate-limit label: Light.',
        tags: ['Users'],
        security,
        body: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: [...CREATE_ACTIONS] },
            user_info: {
              type: 'object',
              properties: {
                email: { type: 'string', maxLength: EMAIL_MAX, description: 'The e-mail address, unique.' },
                ...profileProps,
                password: {
                  type: 'string',
                  description:
                    'autoCreate only: the password, 8 to 31 characters, meeting the account’s requirements.',
                },
              },
              required: ['email', 'type'],
            },
          },
          required: ['action', 'user_info'],
        },
        response: { 201: createdSchema, '4xx': errorRef },
      },
    },
    async (request, reply) => {
      const created = await createAccountUser(ctx, principalOf(request), request.body, {
        // The relay puts the link under ZPASS_PUBLIC_URL when it sends: never the request's Host.
        acceptUrl: INVITATION_PATH,
      });
      return reply.code(201).send(created);
    },
  );

  app.get<{ Querystring: Record<string, unknown> }>(
    '/v2/users',
    {
      onRequest: requireAuth(ctx, SCOPES.listUsers),
      config: { rateLimit: 'Medium' },
      schema: {
        summary: 'List users',
        description:
          'Keyset paging: pass the `next_page_token` of a page to get the next one (valid 15 minutes); every ' +
          'user present for the whole walk is listed exactly once. `page_number` pages by offset for older ' +
          'clients. Rate-limit label: Medium.',
        tags: ['Users'],
        security,
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...LIST_STATUSES], description: 'Default active.' },
            page_size: {
              type: 'string',
              description: `An integer, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT}).`,
            },
            next_page_token: { type: 'string', description: 'From the previous page.' },
            page_number: {
              type: 'string',
              description: 'An integer from 1 (older clients; prefer next_page_token).',
            },
            role_id: {
              type: 'string',
              enum: ['0', '1', '2'],
              description: '"0" owner, "1" admin, "2" member.',
            },
            include_fields: {
              type: 'string',
              enum: [...INCLUDE_FIELDS],
              description:
                'custom_attributes: an empty list per user (zpass keeps none); host_key: not kept.',
            },
            license: {
              type: 'string',
              enum: [...LICENSES],
              description: 'zpass has no add-on licences: the filter matches nobody.',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              page_count: { type: 'integer' },
              page_number: { type: 'integer' },
              page_size: { type: 'integer' },
              total_records: { type: 'integer' },
              next_page_token: { type: 'string', description: 'Empty on the last page.' },
              users: { type: 'array', items: userListItemSchema },
            },
            required: ['page_size', 'total_records', 'next_page_token', 'users'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => listUsers(ctx, principalOf(request), request.query),
  );

  app.get<{ Querystring: { email?: unknown } }>(
    '/v2/users/email',
    {
      onRequest: requireAuth(ctx, SCOPES.checkEmail),
      config: { rateLimit: 'Light' },
      schema: {
        summary: "Check a user's e-mail",
        description:
          "Whether a user of the caller's account signs in with this address: false for another account's " +
          'user and for SSO users, as Zoom. Rate-limit label: Light.',
        tags: ['Users'],
        security,
        querystring: {
          type: 'object',
          properties: { email: { type: 'string', maxLength: 1024 } },
        },
        response: {
          200: {
            type: 'object',
            properties: { existed_email: { type: 'boolean' } },
            required: ['existed_email'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => ({ existed_email: await emailExists(ctx, principalOf(request), request.query.email) }),
  );

  app.get<{ Params: { userId: string } }>(
    '/v2/users/:userId',
    {
      onRequest: requireAuth(ctx, SCOPES.readUser),
      config: { rateLimit: 'Light' },
      schema: {
        summary: 'Get a user',
        description: 'Rate-limit label: Light.',
        tags: ['Users'],
        security,
        params: userIdParams,
        response: { 200: userSchema, '4xx': errorRef },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return userView(await resolveUser(ctx, principal, request.params.userId, SCOPES.readUser));
    },
  );

  app.patch<{ Params: { userId: string }; Body: Record<string, unknown> }>(
    '/v2/users/:userId',
    {
      onRequest: requireAuth(ctx, SCOPES.updateUser),
      config: { rateLimit: 'Light' },
      preValidation: formBody(['type', 'pronouns_option']),
      schema: {
        summary: 'Update a user',
        description:
          'Names, type, role and the profile fields of the user object (timezone, language, dept, job_title, ' +
          'location, company, phone numbers...); fields zpass does not keep are ignored. `role_id` ("1" admin, "2" member) is for ' +
          'the owner only. Admins may not update the owner or other admins. Rate-limit label: Light.',
        tags: ['Users'],
        security,
        params: userIdParams,
        body: {
          type: 'object',
          properties: {
            ...profileProps,
            ...profileSchemaProps,
            role_id: { type: 'string', enum: ['1', '2'], description: '"1" admin, "2" member (owner only).' },
          },
        },
        response: { 204: noContent('User updated.'), '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await updateProfile(ctx, principalOf(request), request.params.userId, request.body ?? {});
      return reply.code(204).send();
    },
  );

  app.put<{ Params: { userId: string }; Body: { action?: unknown } }>(
    '/v2/users/:userId/status',
    {
      onRequest: requireAuth(ctx, SCOPES.updateStatus),
      config: { rateLimit: 'Light' },
      schema: {
        summary: "Update a user's status",
        description:
          'Deactivation stops every token acting for the user at once; activation restores sign-in, not the ' +
          'old tokens. The owner cannot be deactivated. Rate-limit label: Light.',
        tags: ['Users'],
        security,
        params: userIdParams,
        body: {
          type: 'object',
          properties: { action: { type: 'string', enum: [...STATUS_ACTIONS] } },
          required: ['action'],
        },
        response: { 204: noContent('Status updated.'), '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await setStatus(ctx, principalOf(request), request.params.userId, request.body?.action);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { userId: string }; Querystring: { action?: unknown } }>(
    '/v2/users/:userId',
    {
      onRequest: requireAuth(ctx, SCOPES.deleteUser),
      config: { rateLimit: 'Light' },
      schema: {
        summary: 'Delete a user',
        description:
          '`disassociate` (default) keeps the user as the owner of a new free account of their own; `delete` ' +
          'erases them. Their tokens stop working at once. Rate-limit label: Light.',
        tags: ['Users'],
        security,
        params: userIdParams,
        querystring: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: [...DELETE_ACTIONS], description: 'Default disassociate.' },
          },
        },
        response: { 204: noContent('User deleted or disassociated.'), '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await removeUser(ctx, principalOf(request), request.params.userId, request.query.action);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v2/users/summary',
    {
      onRequest: requireAuth(ctx, SCOPES.userSummary),
      config: { rateLimit: 'Medium' },
      schema: {
        summary: 'Get user summary',
        description:
          "Counts of the account's users: pending users as pending, the others by type (2 licensed, 1 basic, " +
          '4 join only). zpass has no on-premise or Zoom Rooms users. Rate-limit label: Medium.',
        tags: ['Users'],
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              licensed_users_count: { type: 'integer' },
              basic_users_count: { type: 'integer' },
              on_prem_users_count: { type: 'integer' },
              room_users_count: { type: 'integer' },
              pending_users_count: { type: 'integer' },
              join_only_users_count: { type: 'integer' },
              total_users_count: { type: 'integer' },
            },
            required: ['total_users_count'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => userSummary(ctx, principalOf(request)),
  );

  app.put<{ Params: { userId: string }; Body: { email?: unknown } }>(
    '/v2/users/:userId/email',
    {
      onRequest: requireAuth(ctx, SCOPES.updateUserEmail),
      config: { rateLimit: 'Light' },
      schema: {
        summary: "Update a user's email",
        description:
          'Changes the address the user signs in with. The address must be unused (409 1005). The new address is ' +
          "not proven (verified: 0) until the user signs in with it, and the user's web sessions and user-level " +
          'tokens end. Not for the owner, a pending or an inactive user (400 1000). Rate-limit label: Light.',
        tags: ['Users'],
        security,
        params: userIdParams,
        body: {
          type: 'object',
          properties: {
            email: { type: 'string', description: `The new address, at most ${EMAIL_MAX} characters.` },
          },
          required: ['email'],
        },
        response: { 204: noContent('E-mail updated.'), '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await changeEmail(ctx, principalOf(request), request.params.userId, request.body ?? {});
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { userId: string } }>(
    '/v2/users/:userId/token',
    {
      onRequest: requireAuth(ctx, SCOPES.revokeUserToken),
      config: { rateLimit: 'Light' },
      schema: {
        summary: "Revoke a user's SSO token",
        description:
          'Signs the user out everywhere: every web session and every user-level token acting as them ends at ' +
          "once. Tokens of apps they created stay (they are the app's). Rate-limit label: Light.",
        tags: ['Users'],
        security,
        params: userIdParams,
        response: { 204: noContent('Signed out everywhere.'), '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await signOutEverywhere(ctx, principalOf(request), request.params.userId);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { userId: string } }>(
    '/zpass/v1/users/:userId/two_factor',
    {
      onRequest: requireAuth(ctx, SCOPES.resetTwoFactor),
      config: { rateLimit: 'Light' },
      schema: {
        summary: "Reset a user's two-factor sign-in (zpass extension)",
        operationId: 'zpassUserTwoFactorReset',
        description:
          "Not a Zoom endpoint. Removes the user's authenticator secret and recovery codes, ends their web " +
          'sessions and e-mails them a notice; they sign in with their password alone, and set two-factor ' +
          'sign-in up again when the account requires it. The owner may reset anyone, an admin members and ' +
          'themself (otherwise 400 code 200, "No privilege."); an unknown user is 404 code 1001. 204 whether ' +
          'or not it was on. Rate-limit label: Light.',
        tags: ['Users'],
        security,
        params: userIdParams,
        response: { 204: noContent('Two-factor sign-in reset.'), '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await resetTwoFactor(ctx, principalOf(request), request.params.userId);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { userId: string } }>(
    '/v2/users/:userId/permissions',
    {
      onRequest: requireAuth(ctx, SCOPES.userPermissions),
      config: { rateLimit: 'Light' },
      schema: {
        summary: 'Get user permissions',
        description:
          "The privileges the user's role gives (owner, admin; a member has none). Rate-limit label: Light.",
        tags: ['Users'],
        security,
        params: userIdParams,
        response: {
          200: {
            type: 'object',
            properties: { permissions: { type: 'array', items: { type: 'string' } } },
            required: ['permissions'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => userPermissions(ctx, principalOf(request), request.params.userId),
  );

  app.put<{ Params: { userId: string }; Body: { password?: unknown } }>(
    '/v2/users/:userId/password',
    {
      onRequest: requireAuth(ctx, SCOPES.updatePassword),
      config: { rateLimit: 'Medium' },
      schema: {
        summary: "Update a user's password",
        description:
          'Sets the password a user signs in with. Owner or admin; an admin may not change the ' +
          "owner's or another admin's password. The user receives an e-mail notice. Rate-limit label: Medium.",
        tags: ['Users'],
        security,
        params: userIdParams,
        body: {
          type: 'object',
          properties: {
            password: {
              type: 'string',
              description: 'The new password: 8 to 31 characters, meeting the account’s requirements.',
            },
          },
          required: ['password'],
        },
        response: { 204: { type: 'null', description: 'Password updated.' }, '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await changePassword(ctx, {
        principal: principalOf(request),
        userId: request.params.userId,
        password: request.body?.password,
        ip: storedAddress(request),
        via: 'api',
      });
      return reply.code(204).send();
    },
  );
}
