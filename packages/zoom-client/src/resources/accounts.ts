import type { RequestOptions, ZoomClient } from '../client.js';
import { ZoomConfigError } from '../errors.js';
import type { AccountSettings, SettingsQuery } from '../types.js';

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
   * `GET /accounts/{accountId}/settings`: the settings object, `{ security: {...} }` (with
   * `{ option: 'security' }` Zoom answers the security section alone, still wrapped).
   * `accountId` may be `me`.
   */
  async getSettings(
    accountId: string,
    query: SettingsQuery = {},
    options?: RequestOptions,
  ): Promise<AccountSettings> {
    const { data } = await this.client.request<AccountSettings>(
      { method: 'GET', path: accountPath(accountId), query: { option: query.option } },
      options,
    );
    return data;
  }

  /**
   * `PATCH /accounts/{accountId}/settings`: a partial settings object, `{ security: {...} }`
   * (also with `{ option: 'security' }`). Resolves on 204.
   */
  async updateSettings(
    accountId: string,
    settings: AccountSettings,
    query: SettingsQuery = {},
    options?: RequestOptions,
  ): Promise<void> {
    await this.client.request(
      { method: 'PATCH', path: accountPath(accountId), query: { option: query.option }, body: settings },
      options,
    );
  }
}
