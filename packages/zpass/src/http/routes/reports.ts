import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import {
  activityReport,
  OPERATION_CATEGORY_TYPES,
  operationLogReport,
  REPORT_PAGE_SIZE_DEFAULT,
  REPORT_PAGE_SIZE_MAX,
} from '../../domain/reports/reports.js';
import { SCOPES } from '../../domain/tokens/scopes.js';
import { principalOf, requireAuth } from '../plugins/auth.js';
import { errorRef } from './schemas.js';

const security = [{ bearer: [] }];

const rangeProps = {
  from: { type: 'string', description: 'First day, `yyyy-mm-dd` (UTC).' },
  to: { type: 'string', description: 'Last day, `yyyy-mm-dd` (UTC), at most one month after `from`.' },
  page_size: {
    type: 'string',
    description: `An integer, 1 to ${REPORT_PAGE_SIZE_MAX} (default ${REPORT_PAGE_SIZE_DEFAULT}).`,
  },
  next_page_token: {
    type: 'string',
    description: 'From the previous page, with the same dates (15 minutes).',
  },
} as const;

const pageProps = {
  from: { type: 'string' },
  to: { type: 'string' },
  page_size: { type: 'integer' },
  next_page_token: { type: 'string', description: 'Empty on the last page.' },
} as const;

export async function reportRoutes(app: FastifyInstance, opts: { ctx: DomainContext }): Promise<void> {
  const { ctx } = opts;

  app.get<{ Querystring: Record<string, unknown> }>(
    '/v2/report/operationlogs',
    {
      onRequest: requireAuth(ctx, SCOPES.operationLogs),
      config: { rateLimit: 'Heavy' },
      schema: {
        summary: 'Get operation logs report',
        description:
          'Who changed what in the account, newest first: users added, updated, activated, deactivated, deleted or ' +
          'disassociated, passwords changed, roles changed, settings changed. Rate-limit label: Heavy.',
        tags: ['Reports'],
        security,
        querystring: {
          type: 'object',
          properties: {
            ...rangeProps,
            category_type: {
              type: 'string',
              enum: [...OPERATION_CATEGORY_TYPES],
              description: 'Default `all`. zpass writes `user`, `account` and `role`.',
            },
          },
          required: ['from', 'to'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              ...pageProps,
              operation_logs: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    time: { type: 'string', format: 'date-time' },
                    operator: { type: 'string' },
                    category_type: { type: 'string' },
                    action: { type: 'string' },
                    operation_detail: { type: 'string' },
                  },
                },
              },
            },
            required: ['page_size', 'next_page_token', 'operation_logs'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => operationLogReport(ctx, principalOf(request), request.query),
  );

  app.get<{ Querystring: Record<string, unknown> }>(
    '/v2/report/activities',
    {
      onRequest: requireAuth(ctx, SCOPES.activityReport),
      config: { rateLimit: 'Heavy' },
      schema: {
        summary: 'Get sign In / sign out activity report',
        description:
          'Sign-ins and sign-outs on the web pages, newest first. Without dates: the month up to today. ' +
          'Rate-limit label: Heavy.',
        tags: ['Reports'],
        security,
        querystring: { type: 'object', properties: rangeProps },
        response: {
          200: {
            type: 'object',
            properties: {
              ...pageProps,
              activity_logs: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    email: { type: 'string' },
                    time: { type: 'string', format: 'date-time' },
                    type: { type: 'string', enum: ['Sign in', 'Sign out'] },
                    ip_address: { type: 'string' },
                    client_type: { type: 'string' },
                    version: { type: 'string' },
                  },
                },
              },
            },
            required: ['page_size', 'next_page_token', 'activity_logs'],
          },
          '4xx': errorRef,
        },
      },
    },
    async (request) => activityReport(ctx, principalOf(request), request.query),
  );
}
