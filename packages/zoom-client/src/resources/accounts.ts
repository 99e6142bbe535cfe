import type { RequestOptions, ZoomClient } from '../client.js';
import { ZoomConfigError } from '../errors.js';
import type { AccountSettings, SecuritySettings } from '../types.js';

function accountPath(accountId: string): string {
  if (typeof accountId !== 'string' || accountId === '') {
    throw new ZoomConfigError('accountId must be a non-empty string (or "me").');
  }
  return `/accounts/${encodeURIComponent(accountId)}/settings`;
}

/** `client.accounts`: account settings. */
export class Accounts {
  constructor(private readonly client: ZoomClient) {}

  /**
   * `GET /accounts/{accountId}/settings`: with `{ option: 'security' }` the security object
   * itself; without, the whole settings (security under `security`). `accountId` may be `me`.
   */
  getSettings(
    accountId: string,
    query: { option: 'security' },
    options?: RequestOptions,
  ): Promise<SecuritySettings>;
  getSettings(
    accountId: string,
    query?: { option?: undefined },
    options?: RequestOptions,
  ): Promise<AccountSettings>;
  async getSettings(
    accountId: string,
    query: { option?: string | undefined } = {},
    options?: RequestOptions,
  ): Promise<AccountSettings | SecuritySettings> {
    const { data } = await this.client.request<AccountSettings>(
      { method: 'GET', path: accountPath(accountId), query: { option: query.option } },
      options,
    );
    return data;
  }

  /**
   * `PATCH /accounts/{accountId}/settings`: with `{ option: 'security' }` takes the security
   * object; without, the whole settings. Resolves on 204.
   */
  updateSettings(
    accountId: string,
    settings: SecuritySettings,
    query: { option: 'security' },
    options?: RequestOptions,
  ): Promise<void>;
  updateSettings(
    accountId: string,
    settings: AccountSettings,
    query?: { option?: undefined },
    options?: RequestOptions,
  ): Promise<void>;
  async updateSettings(
    accountId: string,
    settings: AccountSettings | SecuritySettings,
    query: { option?: string | undefined } = {},
    options?: RequestOptions,
  ): Promise<void> {
    await this.client.request(
      { method: 'PATCH', path: accountPath(accountId), query: { option: query.option }, body: settings },
      options,
    );
  }
}
