/** JSON schemas shared by the routes; they also build the OpenAPI document. */

export const zoomErrorSchema = {
  $id: 'ZoomError',
  type: 'object',
  description: "Zoom's error format.",
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  required: ['code', 'message'],
} as const;

export const errorRef = { $ref: 'ZoomError#' } as const;

export const userIdParams = {
  type: 'object',
  properties: {
    userId: {
      type: 'string',
      description: "The user's id, their e-mail address, or `me` for the token's own user.",
    },
  },
  required: ['userId'],
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    display_name: { type: 'string' },
    email: { type: 'string' },
    type: { type: 'integer', description: '1 basic, 2 licensed, 99 none' },
    role_name: { type: 'string' },
    role_id: { type: 'string' },
    status: { type: 'string', enum: ['active', 'inactive', 'pending'] },
    created_at: { type: 'string', format: 'date-time' },
    last_login_time: { type: 'string', format: 'date-time' },
    account_id: { type: 'string' },
    login_types: {
      type: 'array',
      items: { type: 'integer' },
      description: '100 work e-mail and password, 101 SSO, 99 API only (custCreate)',
    },
  },
  required: ['id', 'email', 'type', 'role_name', 'status', 'account_id'],
} as const;
