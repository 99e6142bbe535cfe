import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import { getSettings, settingsForm, updateSettings } from '../../domain/settings/account.js';
import { SCOPES } from '../../domain/tokens/scopes.js';
import { storedAddress } from '../../edge/address.js';
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
      description:
        '`security` for the security section; absent for the whole settings object. zpass keeps only ' +
        '`security`, so both answer `{"security": {...}}`.',
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

const stringArray = { type: 'array', items: { type: 'string' } } as const;

/** Zoom's `security` object (`AccountsGetAccountSettingsResponse` in @zoom/rivet), every field zpass keeps. */
const securitySchema = {
  type: 'object',
  properties: {
    admin_change_name_pic: { type: 'boolean' },
    admin_change_user_info: { type: 'boolean' },
    user_modifiable_info_by_admin: {
      type: 'array',
      items: { type: 'string', enum: ['name', 'profile_picture', 'sign_in_email', 'host_key'] },
    },
    signin_with_sso: {
      type: 'object',
      properties: {
        enable: { type: 'boolean' },
        require_sso_for_domains: { type: 'boolean' },
        domains: stringArray,
        sso_bypass_users: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' } } },
        },
      },
    },
    hide_billing_info: { type: 'boolean' },
    import_photos_from_devices: { type: 'boolean' },
    password_requirement: requirementSchema,
    sign_again_period_for_inactivity_on_client: {
      type: 'integer',
      description: 'Minutes: 0 (off), 5, 10, 15, 30, 45, 60, 90 or 120',
    },
    sign_again_period_for_inactivity_on_web: {
      type: 'integer',
      description:
        'Minutes of inactivity before a web session must sign in again: 0 (off), 5, 10, 15, 30, 45, 60, 90 or 120',
    },
    sign_in_with_two_factor_auth: { type: 'string', enum: ['all', 'group', 'role', 'none'] },
    sign_in_with_two_factor_auth_groups: stringArray,
    sign_in_with_two_factor_auth_roles: {
      ...stringArray,
      description: 'Role ids: "0" owner, "1" admin, "2" member',
    },
  },
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
          '`{"security": {...}}`, with or without `option=security`: zpass keeps only the security ' +
          "section of Zoom's settings, every field of it. Rate-limit label: Medium.",
        tags: ['Accounts'],
        security,
        params: accountIdParams,
        querystring: optionQuery,
        response: {
          200: {
            description: 'The security section of the account settings.',
            type: 'object',
            properties: { security: securitySchema },
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => {
      settingsForm(request.query.option);
      return getSettings(ctx, principalOf(request), request.params.accountId);
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
          'A partial settings object, `{"security": {...}}`, with or without `option=security`. Every ' +
          'security field is validated (400, code 300, `Invalid field.` or the rule broken) before ' +
          "anything changes; Zoom's other sections (meeting, recording, ...) are accepted and ignored. " +
          "The change is recorded in the account's change log; a password requirement applies to the " +
          'next password set. Form bodies name fields by dotted path (`security.password_requirement.' +
          'minimum_password_length=10`). Rate-limit label: Medium.',
        tags: ['Accounts'],
        security,
        params: accountIdParams,
        querystring: optionQuery,
        response: { 204: { type: 'null', description: 'Settings updated.' }, '4xx': errorRef },
      },
    },
    async (request, reply) => {
      settingsForm(request.query.option);
      const raw = request.body;
      const body =
        isForm(request) && raw && typeof raw === 'object' && !Array.isArray(raw)
          ? formToObject(raw as Record<string, unknown>)
          : raw;
      await updateSettings(ctx, principalOf(request), request.params.accountId, body, {
        via: 'api',
        ip: storedAddress(request),
      });
      return reply.code(204).send();
    },
  );
}
