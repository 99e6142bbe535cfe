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

const phoneNumbersSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      code: { type: 'string' },
      country: { type: 'string' },
      label: { type: 'string', enum: ['Mobile', 'Office', 'Home', 'Fax'] },
      number: { type: 'string' },
    },
  },
} as const;

const userType = {
  type: 'integer',
  enum: [1, 2, 4, 99],
  description: '1 basic, 2 licensed, 4 unassigned without Meetings Basic, 99 none',
} as const;
const userStatus = { type: 'string', enum: ['active', 'inactive', 'pending'] } as const;
const verified = {
  type: 'integer',
  enum: [0, 1],
  description: '1 once the e-mail is proven (accepted invitation or sign-in).',
} as const;
const pmi = { type: 'integer', description: 'A stable 10-digit number derived from the user id.' } as const;

/** Zoom's "Get a user" (Rivet's `UsersGetUserResponse`), the fields zpass has. */
export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    display_name: { type: 'string' },
    email: { type: 'string' },
    type: userType,
    role_name: { type: 'string' },
    role_id: { type: 'string', description: '"0" owner, "1" admin, "2" member' },
    status: userStatus,
    created_at: { type: 'string', format: 'date-time' },
    user_created_at: { type: 'string', format: 'date-time' },
    last_login_time: { type: 'string', format: 'date-time' },
    account_id: { type: 'string' },
    account_number: { type: 'integer', description: 'A stable number derived from the account id.' },
    login_types: {
      type: 'array',
      items: { type: 'integer' },
      description: '100 work e-mail and password, 101 SSO, 99 API only (custCreate)',
    },
    pmi,
    use_pmi: { type: 'boolean' },
    verified,
    timezone: { type: 'string' },
    language: { type: 'string' },
    dept: { type: 'string' },
    job_title: { type: 'string' },
    location: { type: 'string' },
    company: { type: 'string' },
    cost_center: { type: 'string' },
    manager: { type: 'string' },
    pronouns: { type: 'string' },
    pronouns_option: { type: 'integer', enum: [1, 2, 3] },
    phone_country: { type: 'string' },
    phone_number: { type: 'string' },
    phone_numbers: phoneNumbersSchema,
    group_ids: {
      type: 'array',
      items: { type: 'string' },
      description: 'Always empty: zpass has no groups.',
    },
    im_group_ids: { type: 'array', items: { type: 'string' }, description: 'Always empty.' },
  },
  required: ['id', 'email', 'type', 'role_name', 'status', 'account_id'],
} as const;

/** An item of `GET /v2/users` (Rivet's `UsersListUsersResponse`). */
export const userListItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    display_name: { type: 'string' },
    email: { type: 'string' },
    type: userType,
    role_id: { type: 'string' },
    status: userStatus,
    created_at: { type: 'string', format: 'date-time' },
    user_created_at: { type: 'string', format: 'date-time' },
    last_login_time: { type: 'string', format: 'date-time' },
    pmi,
    timezone: { type: 'string' },
    dept: { type: 'string' },
    verified,
    group_ids: { type: 'array', items: { type: 'string' } },
    im_group_ids: { type: 'array', items: { type: 'string' } },
    custom_attributes: {
      type: 'array',
      description: 'With include_fields=custom_attributes; always empty (zpass keeps none).',
      items: {
        type: 'object',
        properties: { key: { type: 'string' }, name: { type: 'string' }, value: { type: 'string' } },
      },
    },
  },
  required: ['id', 'email', 'type', 'status'],
} as const;
