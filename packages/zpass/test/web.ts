/** A browser without JavaScript, over fetch: keeps cookies, sends forms, reads pages. */
export interface Page {
  status: number;
  headers: Headers;
  text: string;
  /** Set-Cookie lines of this response. */
  setCookies: string[];
  location: string | null;
}

export class WebClient {
  readonly jar = new Map<string, string>();

  constructor(
    readonly base: string,
    /** Sent as X-Forwarded-For (servers that trust the proxy then see this address). */
    readonly ip?: string,
  ) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async send(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Page> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.jar.size > 0 && headers.cookie === undefined) headers.cookie = this.cookieHeader();
    if (this.ip) headers['x-forwarded-for'] = this.ip;
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0$/i.test(a)) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return {
      status: res.status,
      headers: res.headers,
      text: await res.text(),
      setCookies,
      location: res.headers.get('location'),
    };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.send(path, { method: 'GET', headers });
  }

  /** Posts a urlencoded form, as a browser does without JavaScript. */
  post(path: string, fields: Record<string, string> | URLSearchParams, headers: Record<string, string> = {}) {
    return this.send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: fields instanceof URLSearchParams ? fields.toString() : new URLSearchParams(fields).toString(),
    });
  }

  /** Opens a page and sends its form with the page's CSRF token and these fields. */
  async submit(pagePath: string, action: string, fields: Record<string, string>): Promise<Page> {
    const page = await this.get(pagePath);
    return this.post(action, { csrf: csrfOf(page.text), ...fields });
  }

  async signIn(email: string, password: string): Promise<Page> {
    return this.submit('/signin', '/signin', { email, password });
  }
}

export function csrfOf(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF token in the page:\n${html.slice(0, 500)}`);
  return m[1]!;
}

/** The text of the page's error region (tags removed), '' when empty. */
export function errorsOf(html: string): string {
  const m = /<div id="form-errors"[^>]*>(.*?)<\/div>|<div class="errors"[^>]*>(.*?)<\/div>/s.exec(html);
  return unescapeHtml(
    (m?.[1] ?? m?.[2] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

export function noticeOf(html: string): string {
  const m = /<div id="notice"[^>]*>(.*?)<\/div>/s.exec(html);
  return unescapeHtml((m?.[1] ?? '').trim());
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export function titleOf(html: string): string {
  return /<h1[^>]*>(.*?)<\/h1>/s.exec(html)?.[1] ?? '';
}
