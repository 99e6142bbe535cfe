import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { getSettings, settingsForm, updateSettings } from '../../domain/policy.js';
import { SCOPES } from '../../domain/scopes.js';
import { storedAddress } from '../address.js';
import { principalOf, requireAuth } from '../plugins/auth.js';
import { errorRef } from './schemas.js';

const security = [{ bearer: [] }];

const accountIdParams = {
  type: 'object',
  properties: {
    accountId: { type: 'string', description: "The account's id, or `me` for the token's own account." },
  },
  required: ['accountId'],
} as const;

const optionQuery = {
  type: 'object',
  properties: {
    option: {
      type: 'string',
      description: '`security` for the security object alone; absent for the whole settings object.',
    },
  },
} as const;

const requirementSchema = {
  type: 'object',
  properties: {
    minimum_password_length: { type: 'integer', description: '0 (off: the baseline 8 applies) or 8..14' },
    have_special_character: { type: 'boolean' },
    consecutive_characters_length: { type: 'integer', description: '0 (off) or 4..8' },
    weak_enhance_detection: { type: 'boolean' },
    password_history_count: {
      type: 'integer',
      description: 'zpass extension, 0..24: previous passwords that may not be reused (default 0)',
    },
    max_changes_per_day: {
      type: 'integer',
      description: 'zpass extension, 1..100: password changes per user in any 24 hours (default 5)',
    },
  },
} as const;

const securitySchema = {
  type: 'object',
  properties: { password_requirement: requirementSchema },
} as const;

/** A form value as JSON would carry it: "true"/"false" as booleans, decimal integers as numbers. */
function formValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(formValue);
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return v;
}

/**
 * Form bodies (urlencoded or multipart) cannot nest: their fields name the
 * setting by its dotted path (`password_requirement.minimum_password_length=10`),
 * and become the object a JSON body would send.
 */
export function formToObject(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(fields)) {
    const path = key.split('.');
    let node = out;
    for (let i = 0; i < path.length - 1; i++) {
      const name = path[i]!;
      const next = Object.hasOwn(node, name) ? node[name] : undefined;
      if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
        node = next as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        Object.defineProperty(node, name, { value: created, enumerable: true, writable: true });
        node = created;
      }
    }
    Object.defineProperty(node, path[path.length - 1]!, {
      value: formValue(raw),
      enumerable: true,
      writable: true,
    });
  }
  return out;
}

function isForm(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type);
}

export async function accountRoutes(app: FastifyInstance, opts: { ctx: DomainContext }): Promise<void> {
  const { ctx } = opts;

  app.get<{ Params: { accountId: string }; Querystring: { option?: string } }>(
    '/v2/accounts/:accountId/settings',
    {
      onRequest: requireAuth(ctx, SCOPES.readAccountSettings),
      config: { rateLimit: 'Medium' },
      schema: {
        summary: "Get an account's settings",
        description:
          'With `option=security`, the security object; without, the whole settings object, where it ' +
          'sits under `security`. zpass keeps only `security.password_requirement`. Rate-limit label: Medium.',
        tags: ['Accounts'],
        security,
        params: accountIdParams,
        querystring: optionQuery,
        response: {
          200: {
            description:
              'With `option=security`, the security object (`password_requirement` at the top); ' +
              'without, `{"security": {...}}`.',
            type: 'object',
            properties: { password_requirement: requirementSchema, security: securitySchema },
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => {
      const form = settingsForm(request.query.option);
      return getSettings(ctx, principalOf(request), request.params.accountId, form);
    },
  );

  app.patch<{ Params: { accountId: string }; Querystring: { option?: string }; Body: unknown }>(
    '/v2/accounts/:accountId/settings',
    {
      onRequest: requireAuth(ctx, SCOPES.updateAccountSettings),
      config: { rateLimit: 'Medium' },
      schema: {
        summary: "Update an account's settings",
        description:
          'With `option=security`, a partial security object (`{"password_requirement": {...}}`); ' +
          'without, a partial settings object (`{"security": {"password_requirement": {...}}}`). Every ' +
          'field is validated (400, code 300, with field errors) before anything changes; the change is ' +
          "recorded in the account's change log and applies to the next password set. Form bodies name " +
          'fields by dotted path. Rate-limit label: Medium.',
        tags: ['Accounts'],
        security,
        params: accountIdParams,
        querystring: optionQuery,
        response: { 204: { type: 'null', description: 'Settings updated.' }, '4xx': errorRef },
      },
    },
    async (request, reply) => {
      const form = settingsForm(request.query.option);
      const raw = request.body;
      const body =
        isForm(request) && raw && typeof raw === 'object' && !Array.isArray(raw)
          ? formToObject(raw as Record<string, unknown>)
          : raw;
      await updateSettings(ctx, principalOf(request), request.params.accountId, form, body, {
        via: 'api',
        ip: storedAddress(request),
      });
      return reply.code(204).send();
    },
  );
}
