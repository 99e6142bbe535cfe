import { createHmac, timingSafeEqual } from 'node:crypto';

/** The session cookie: a 256-bit id, known to the store only by its SHA-256 digest. */
export const SESSION_COOKIE = 'zpass_session';
/** The anonymous forms' cookie (sign-in, invitation): the secret their CSRF tokens are bound to. */
export const FORM_COOKIE = 'zpass_form';

/** A sign-in waiting for its second factor: a 256-bit token, known to the store by its digest; 5 minutes. */
export const TWO_FACTOR_COOKIE = 'zpass_2fa';

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The cookies of a request header, by name; the first of a repeated name wins. Values of another shape are dropped. */
export function readCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!(name in out) && COOKIE_VALUE.test(value)) out[name] = value;
  }
  return out;
}

export interface CookieOptions {
  /** Only over HTTPS (set when the request came over HTTPS, directly or through a trusted proxy). */
  secure: boolean;
  /** Seconds; 0 deletes the cookie; undefined: until the browser closes. */
  maxAge?: number;
}

/** A Set-Cookie value: always HttpOnly, SameSite=Lax, Path=/. */
export function cookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * The CSRF token of a form: an HMAC keyed with the cookie's secret (the session id
 * for signed-in forms, the form cookie otherwise). A page from another site can send
 * the cookie but cannot read it, so it cannot compute the token; nothing is stored.
 */
export function csrfToken(secret: string, purpose: 'session' | 'form'): string {
  return createHmac('sha256', secret).update(`zpass-csrf:${purpose}`).digest('base64url');
}

export function csrfValid(secret: string | undefined, purpose: 'session' | 'form', sent: unknown): boolean {
  if (!secret || typeof sent !== 'string' || sent.length !== 43) return false;
  const a = Buffer.from(csrfToken(secret, purpose));
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
