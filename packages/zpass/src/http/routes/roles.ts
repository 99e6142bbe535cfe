import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import {
  addRoleMembers,
  listRoleMembers,
  listRoles,
  MEMBERS_PAGE_SIZE_DEFAULT,
  MEMBERS_PAGE_SIZE_MAX,
  ROLE_MEMBERS_MAX,
  removeRoleMember,
} from '../../domain/roles/roles.js';
import { SCOPES } from '../../domain/tokens/scopes.js';
import { principalOf, requireAuth } from '../plugins/auth.js';
import { isFormBody } from '../plugins/body.js';
import { errorRef } from './schemas.js';

const security = [{ bearer: [] }];

const roleIdParams = {
  type: 'object',
  properties: { roleId: { type: 'string', description: '"0" Owner, "1" Admin, "2" Member.' } },
  required: ['roleId'],
} as const;

const roleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    type: { type: 'string', description: 'Always `common`: zpass has no IQ roles.' },
    total_members: { type: 'integer' },
  },
  required: ['id', 'name', 'total_members'],
} as const;

const memberSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    type: { type: 'integer' },
  },
  required: ['id', 'email', 'type'],
} as const;

/**
 * Form bodies (urlencoded or multipart) cannot nest: they name members as
 * `members[0][email]=...` (or `members[0][id]`), or carry the JSON array in one
 * `members` field. Either becomes the body a JSON client would send.
 */
async function formMembers(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (
    !isFormBody(request.headers['content-type']) ||
    !body ||
    typeof body !== 'object' ||
    Array.isArray(body)
  )
    return;
  const fields = body as Record<string, unknown>;
  const members: Record<string, string>[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const m = /^members\[(\d{1,3})\]\[(id|email)\]$/.exec(key);
    if (!m || typeof value !== 'string') continue;
    const i = Number(m[1]);
    members[i] ??= {};
    (members[i] as Record<string, string>)[m[2]!] = value;
  }
  if (members.length > 0) {
    request.body = { members: Array.from(members, (x) => x ?? {}) };
    return;
  }
  if (typeof fields.members === 'string' && /^\s*\[/.test(fields.members)) {
    try {
      request.body = { members: JSON.parse(fields.members) as unknown };
    } catch {
      // Left as it is: validation names the field.
    }
  }
}

export async function roleRoutes(app: FastifyInstance, opts: { ctx: DomainContext }): Promise<void> {
  const { ctx } = opts;

  app.get(
    '/v2/roles',
    {
      onRequest: requireAuth(ctx, SCOPES.listRoles),
      config: { rateLimit: 'Medium' },
      schema: {
        summary: 'List roles',
        description:
          "Zoom's three built-in roles with their member counts: `0` Owner, `1` Admin, `2` Member. " +
          'Rate-limit label: Medium.',
        tags: ['Roles'],
        security,
        querystring: {
          type: 'object',
          properties: {
            type: { type: 'string', description: 'Accepted and ignored: every role is `common`.' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { total_records: { type: 'integer' }, roles: { type: 'array', items: roleSchema } },
            required: ['total_records', 'roles'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => listRoles(ctx, principalOf(request)),
  );

  app.get<{ Params: { roleId: string }; Querystring: Record<string, unknown> }>(
    '/v2/roles/:roleId/members',
    {
      onRequest: requireAuth(ctx, SCOPES.listRoleMembers),
      config: { rateLimit: 'Medium' },
      schema: {
        summary: 'List members in a role',
        description:
          'Every user of the account holding the role, whatever their status, in creation order. Keyset ' +
          'paging with `next_page_token` (valid 15 minutes); `page_number` pages by offset. Rate-limit label: Medium.',
        tags: ['Roles'],
        security,
        params: roleIdParams,
        querystring: {
          type: 'object',
          properties: {
            page_size: {
              type: 'string',
              description: `An integer, 1 to ${MEMBERS_PAGE_SIZE_MAX} (default ${MEMBERS_PAGE_SIZE_DEFAULT}).`,
            },
            page_number: { type: 'string', description: 'An integer from 1 (prefer next_page_token).' },
            next_page_token: { type: 'string' },
            page_count: { type: 'string', description: 'Accepted and ignored.' },
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
              members: { type: 'array', items: memberSchema },
            },
            required: ['page_size', 'total_records', 'next_page_token', 'members'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => listRoleMembers(ctx, principalOf(request), request.params.roleId, request.query),
  );

  app.post<{ Params: { roleId: string }; Body: unknown }>(
    '/v2/roles/:roleId/members',
    {
      onRequest: requireAuth(ctx, SCOPES.addRoleMembers),
      config: { rateLimit: 'Medium' },
      preValidation: formMembers,
      schema: {
        summary: 'Assign a role',
        description:
          'Gives the role to each member named by `id` or `email` (how one makes an admin: role `1`), all or ' +
          "nothing. The owner only; the owner's own role can not be changed here, and the Owner role can not " +
          `be assigned. At most ${ROLE_MEMBERS_MAX} members. Rate-limit label: Medium.`,
        tags: ['Roles'],
        security,
        params: roleIdParams,
        body: {
          type: 'object',
          properties: {
            members: {
              type: 'array',
              maxItems: ROLE_MEMBERS_MAX,
              items: {
                type: 'object',
                properties: { id: { type: 'string' }, email: { type: 'string' } },
              },
            },
          },
          required: ['members'],
        },
        response: {
          201: {
            type: 'object',
            properties: {
              ids: { type: 'string', description: "The members' ids, comma-separated." },
              add_at: { type: 'string', format: 'date-time' },
            },
            required: ['ids', 'add_at'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request, reply) => {
      const result = await addRoleMembers(ctx, principalOf(request), request.params.roleId, request.body);
      return reply.code(201).send(result);
    },
  );

  app.delete<{ Params: { roleId: string; memberId: string } }>(
    '/v2/roles/:roleId/members/:memberId',
    {
      onRequest: requireAuth(ctx, SCOPES.removeRoleMember),
      config: { rateLimit: 'Light' },
      schema: {
        summary: 'Unassign a role',
        description:
          'Takes the Admin role (`1`) from a user, who becomes a Member again. The owner only. Rate-limit label: Light.',
        tags: ['Roles'],
        security,
        params: {
          type: 'object',
          properties: {
            roleId: roleIdParams.properties.roleId,
            memberId: { type: 'string', description: "The member's user id or e-mail." },
          },
          required: ['roleId', 'memberId'],
        },
        response: { 204: { type: 'null', description: 'Role unassigned.' }, '4xx': errorRef },
      },
    },
    async (request, reply) => {
      await removeRoleMember(ctx, principalOf(request), request.params.roleId, request.params.memberId);
      return reply.code(204).send();
    },
  );
}
