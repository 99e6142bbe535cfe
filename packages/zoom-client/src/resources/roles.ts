import type { RequestOptions, ZoomClient } from '../client.js';
import { ZoomConfigError } from '../errors.js';
import { PagePromise } from '../pagination.js';
import type {
  RoleAssignResponse,
  RoleId,
  RoleListResponse,
  RoleMember,
  RoleMemberRef,
  RoleMembersParams,
  RoleMembersResponse,
} from '../types.js';

function rolePath(roleId: RoleId): string {
  if (typeof roleId !== 'string' || roleId === '')
    throw new ZoomConfigError('roleId must be a non-empty string.');
  return `/roles/${encodeURIComponent(roleId)}`;
}

/** `client.roles`: Zoom's roles ("0" Owner, "1" Admin, "2" Member) and their members. */
export class Roles {
  constructor(private readonly client: ZoomClient) {}

  /** `GET /roles`. */
  async list(options?: RequestOptions): Promise<RoleListResponse> {
    return (await this.client.request<RoleListResponse>({ method: 'GET', path: '/roles' }, options)).data;
  }

  /** `GET /roles/{roleId}/members`: awaited, the first page; iterated with `for await`, every member. */
  members(
    roleId: RoleId,
    params: RoleMembersParams = {},
    options?: RequestOptions,
  ): PagePromise<RoleMember, RoleMembersResponse> {
    const path = `${rolePath(roleId)}/members`;
    const { next_page_token, ...rest } = params;
    return new PagePromise<RoleMember, RoleMembersResponse>(async (token) => {
      const { data } = await this.client.request<RoleMembersResponse>(
        { method: 'GET', path, query: { ...rest, next_page_token: token } },
        options,
      );
      return {
        response: data,
        items: Array.isArray(data?.members) ? data.members : [],
        next: data?.next_page_token || undefined,
      };
    }, next_page_token || undefined);
  }

  /** `POST /roles/{roleId}/members`: gives the role to each member (how one makes an admin: `'1'`). */
  async addMembers(
    roleId: RoleId,
    members: RoleMemberRef[],
    options?: RequestOptions,
  ): Promise<RoleAssignResponse> {
    const { data } = await this.client.request<RoleAssignResponse>(
      { method: 'POST', path: `${rolePath(roleId)}/members`, body: { members } },
      options,
    );
    return data;
  }

  /** `DELETE /roles/{roleId}/members/{memberId}`: resolves on 204. */
  async removeMember(roleId: RoleId, memberId: string, options?: RequestOptions): Promise<void> {
    if (typeof memberId !== 'string' || memberId === '')
      throw new ZoomConfigError('memberId must be a non-empty string.');
    await this.client.request(
      { method: 'DELETE', path: `${rolePath(roleId)}/members/${encodeURIComponent(memberId)}` },
      options,
    );
  }
}
