import type { RequestOptions, ZoomClient } from '../client.js';
import { ZoomConfigError, ZoomPasswordPolicyError } from '../errors.js';
import { PagePromise } from '../pagination.js';
import { type CheckContext, checkPassword, malformedReason, normalizePassword } from '../policy/index.js';
import type {
  CreatedUser,
  EmailCheckResponse,
  PasswordRequirementSettings,
  User,
  UserCreateParams,
  UserDeleteParams,
  UserListParams,
  UserListResponse,
  UserPermissions,
  UserStatusAction,
  UserSummary,
  UserUpdateParams,
  ZoomErrorBody,
} from '../types.js';

/** A rule a password breaks: Zoom's code and message (and, for code 300, the field errors). */
export type PasswordViolation = Omit<ZoomErrorBody, 'errors'> & { errors?: ZoomErrorBody['errors'] };

/** Options of `updatePassword`. */
export interface UpdatePasswordOptions extends RequestOptions {
  /**
   * Check the password locally first against Zoom's rules (and this account requirement, if
   * given): a password the server would refuse throws {@link ZoomPasswordPolicyError} and is
   * never sent. `true` checks the baseline rules only.
   */
  check?: boolean | PasswordRequirementSettings;
}

/** A user id, e-mail or `me`, encoded as one path segment. */
function userPath(userId: string): string {
  if (typeof userId !== 'string' || userId === '')
    throw new ZoomConfigError('userId must be a non-empty string.');
  return `/users/${encodeURIComponent(userId)}`;
}

/** `client.users`: Zoom's Users API. */
export class Users {
  constructor(private readonly client: ZoomClient) {}

  /**
   * `PUT /users/{userId}/password`: sets the user's password; resolves on 204.
   *
   * Safe to retry: when an attempt fails without an answer and the retry hears "can not match
   * the old password", the first attempt went through, and the call resolves.
   */
  async updatePassword(userId: string, password: string, options: UpdatePasswordOptions = {}): Promise<void> {
    if (typeof password !== 'string') throw new ZoomConfigError('password must be a string.');
    const { check, ...requestOptions } = options;
    if (check) {
      const violations = this.checkPassword(password, check === true ? undefined : check);
      if (violations.length > 0) throw new ZoomPasswordPolicyError(violations);
    }
    await this.client.request(
      {
        method: 'PUT',
        path: `${userPath(userId)}/password`,
        body: { password },
        secrets: [password],
        succeededEarlier: (err) => err.is('samePassword'),
      },
      requestOptions,
    );
  }

  /**
   * Zoom's password rules, checked locally: every rule `password` breaks under the account's
   * `requirement`, first the one the server would report; empty when the server's rules would
   * accept it — except those that need the server's data: weak-password detection (1136), the
   * history (1129) and the 24-hour cap. A bundled copy of `@zpass/policy`.
   */
  checkPassword(password: string, requirement?: PasswordRequirementSettings): PasswordViolation[] {
    const normalized = normalizePassword(password);
    const malformed = malformedReason(normalized);
    if (malformed) {
      return [
        { code: 300, message: 'Validation Failed.', errors: [{ field: 'password', message: malformed }] },
      ];
    }
    // Weak-password detection needs a list the SDK does not bundle: the server applies it.
    const req = requirement ? { ...requirement, weak_enhance_detection: false } : undefined;
    return checkPassword(normalized, req ? { requirement: req as CheckContext['requirement'] } : {}).map(
      (v) => ({
        code: v.code,
        message: v.message,
      }),
    );
  }

  /** `GET /users/{userId}`: by id, e-mail or `me`. */
  async get(userId: string, options?: RequestOptions): Promise<User> {
    return (await this.client.request<User>({ method: 'GET', path: userPath(userId) }, options)).data;
  }

  /**
   * `GET /users`: awaited, the first page; iterated with `for await`, every user of every page.
   */
  list(params: UserListParams = {}, options?: RequestOptions): PagePromise<User, UserListResponse> {
    const { next_page_token, ...rest } = params;
    return new PagePromise<User, UserListResponse>(async (token) => {
      const { data } = await this.client.request<UserListResponse>(
        { method: 'GET', path: '/users', query: { ...rest, next_page_token: token } },
        options,
      );
      return {
        response: data,
        items: Array.isArray(data?.users) ? data.users : [],
        next: data?.next_page_token || undefined,
      };
    }, next_page_token || undefined);
  }

  /** `POST /users`: not retried after a network failure (it might create the user twice). */
  async create(params: UserCreateParams, options?: RequestOptions): Promise<CreatedUser> {
    const password = params.user_info?.password;
    return (
      await this.client.request<CreatedUser>(
        { method: 'POST', path: '/users', body: params, secrets: password ? [password] : [] },
        options,
      )
    ).data;
  }

  /** `PATCH /users/{userId}`: changes profile fields; resolves on 204. */
  async update(userId: string, params: UserUpdateParams, options?: RequestOptions): Promise<void> {
    await this.client.request({ method: 'PATCH', path: userPath(userId), body: params }, options);
  }

  /** `DELETE /users/{userId}`: `action` `disassociate` or `delete`; resolves on 204. */
  async delete(userId: string, params: UserDeleteParams = {}, options?: RequestOptions): Promise<void> {
    await this.client.request({ method: 'DELETE', path: userPath(userId), query: { ...params } }, options);
  }

  /** `PUT /users/{userId}/status`: `activate` or `deactivate`; resolves on 204. */
  async updateStatus(userId: string, action: UserStatusAction, options?: RequestOptions): Promise<void> {
    await this.client.request(
      { method: 'PUT', path: `${userPath(userId)}/status`, body: { action } },
      options,
    );
  }

  /** `PUT /users/{userId}/email`: changes the address the user signs in with; resolves on 204. */
  async updateEmail(userId: string, email: string, options?: RequestOptions): Promise<void> {
    await this.client.request({ method: 'PUT', path: `${userPath(userId)}/email`, body: { email } }, options);
  }

  /** `DELETE /users/{userId}/token`: signs the user out everywhere; resolves on 204. */
  async revokeToken(userId: string, options?: RequestOptions): Promise<void> {
    await this.client.request({ method: 'DELETE', path: `${userPath(userId)}/token` }, options);
  }

  /** `GET /users/{userId}/permissions`: the privileges the user's role gives. */
  async permissions(userId: string, options?: RequestOptions): Promise<UserPermissions> {
    return (
      await this.client.request<UserPermissions>(
        { method: 'GET', path: `${userPath(userId)}/permissions` },
        options,
      )
    ).data;
  }

  /** `GET /users/summary`: the account's users counted by type and status. */
  async summary(options?: RequestOptions): Promise<UserSummary> {
    return (await this.client.request<UserSummary>({ method: 'GET', path: '/users/summary' }, options)).data;
  }

  /** `GET /users/email?email=`: whether a user of the account signs in with this e-mail. */
  async checkEmail(email: string, options?: RequestOptions): Promise<EmailCheckResponse> {
    const { data } = await this.client.request<EmailCheckResponse>(
      { method: 'GET', path: '/users/email', query: { email } },
      options,
    );
    return data;
  }
}
