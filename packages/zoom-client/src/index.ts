/**
 * @zpass/zoom-client: a typed client for Zoom's user-password API, with no
 * runtime dependencies (global fetch). Works against https://api.zoom.us/v2
 * and against zpass.
 */

export interface ZoomClientOptions {
  /** Server-to-Server OAuth credentials. */
  accountId?: string;
  clientId?: string;
  clientSecret?: string;
  /** A user-level or pre-fetched access token instead of S2S credentials. */
  accessToken?: string;
  /** Default https://api.zoom.us/v2. */
  baseUrl?: string;
  /** Default https://zoom.us. */
  oauthUrl?: string;
  fetch?: typeof fetch;
}

/** An error answered by the API, with Zoom's status, code and message and the tracking id. */
export class ZoomApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | string | undefined,
    message: string,
    readonly trackingId: string | undefined,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ZoomApiError';
  }
}

export interface ZoomUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  display_name: string;
  type: number;
  role_name: string;
  status: 'active' | 'inactive' | 'pending';
  created_at?: string;
  last_login_time?: string;
  account_id: string;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

function env(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  return g.process?.env?.[name];
}

export class ZoomClient {
  private readonly options: ZoomClientOptions;
  private readonly fetchImpl: typeof fetch;
  private token: CachedToken | undefined;
  private refreshing: Promise<string> | undefined;

  constructor(options: ZoomClientOptions = {}) {
    this.options = {
      accountId: options.accountId ?? env('ZOOM_ACCOUNT_ID'),
      clientId: options.clientId ?? env('ZOOM_CLIENT_ID'),
      clientSecret: options.clientSecret ?? env('ZOOM_CLIENT_SECRET'),
      accessToken: options.accessToken,
      baseUrl: (options.baseUrl ?? env('ZOOM_API_URL') ?? 'https://api.zoom.us/v2').replace(/\/+$/, ''),
      oauthUrl: (options.oauthUrl ?? env('ZOOM_OAUTH_URL') ?? 'https://zoom.us').replace(/\/+$/, ''),
    };
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** `PUT /users/{userId}/password`: resolves on 204. */
  async updatePassword(userId: string, password: string): Promise<void> {
    await this.request('PUT', `/users/${encodeURIComponent(userId)}/password`, { password });
  }

  /** `GET /users/{userId}`. */
  async getUser(userId: string): Promise<ZoomUser> {
    return (await this.request('GET', `/users/${encodeURIComponent(userId)}`)) as ZoomUser;
  }

  private async accessToken(): Promise<string> {
    if (this.options.accessToken) return this.options.accessToken;
    if (this.token && this.token.expiresAt - 60_000 > Date.now()) return this.token.value;
    // One refresh in flight, however many calls wait for it.
    this.refreshing ??= this.fetchToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async fetchToken(): Promise<string> {
    const { accountId, clientId, clientSecret, oauthUrl } = this.options;
    if (!accountId || !clientId || !clientSecret) {
      throw new Error(
        'Set accountId, clientId and clientSecret (or ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET), or an accessToken.',
      );
    }
    const url = `${oauthUrl}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(accountId)}`;
    const basic = btoa(`${clientId}:${clientSecret}`);
    const res = await this.fetchImpl(url, { method: 'POST', headers: { authorization: `Basic ${basic}` } });
    const body = (await res.json().catch(() => undefined)) as
      | { access_token?: string; expires_in?: number; reason?: string; error?: string }
      | undefined;
    if (!res.ok || !body?.access_token) {
      throw new ZoomApiError(
        res.status,
        body?.error,
        body?.reason ?? `Token request failed (${res.status})`,
        undefined,
        body,
      );
    }
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.accessToken()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchImpl(`${this.options.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const trackingId = res.headers.get('x-zm-trackingid') ?? undefined;
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const e = parsed as { code?: number; message?: string } | undefined;
      throw new ZoomApiError(res.status, e?.code, e?.message ?? `HTTP ${res.status}`, trackingId, parsed);
    }
    return parsed;
  }
}
