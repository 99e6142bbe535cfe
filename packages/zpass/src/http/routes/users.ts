import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { changePassword } from '../../domain/passwords.js';
import { SCOPES } from '../../domain/scopes.js';
import { resolveUser, userView } from '../../domain/users.js';
import { principalOf, requireAuth } from '../plugins/auth.js';
import { errorRef, userIdParams, userSchema } from './schemas.js';

const security = [{ bearer: [] }];

export async function userRoutes(app: FastifyInstance, opts: { ctx: DomainContext }): Promise<void> {
  const { ctx } = opts;

  app.get<{ Params: { userId: string } }>(
    '/v2/users/:userId',
    {
      onRequest: requireAuth(ctx, SCOPES.readUser),
      config: { rateLimit: 'Light' },
      schema: {
        summary: 'Get a user',
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
        ip: request.ip ?? null,
        via: 'api',
      });
      return reply.code(204).send();
    },
  );
}
