/**
 * Redaction: secrets (client secret, Basic credentials, access tokens, passwords) never
 * leave the SDK in an error, a message or a log line.
 */

export const REDACTED = '[redacted]';

/** Header names whose values are secrets. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** Body or query fields whose values are secrets. */
const SECRET_FIELDS = new Set([
  'password',
  'client_secret',
  'clientsecret',
  'access_token',
  'accesstoken',
  'refresh_token',
  'token',
  'authorization',
]);

/**
 * Remembers every secret the client has handled and replaces it wherever it might appear
 * in text (an echoed message, a URL, a stack trace).
 */
export class Redactor {
  /** Each secret with how many holders registered it (concurrent calls may share a password). */
  private readonly secrets = new Map<string, number>();
  private sorted: string[] | undefined;

  /** Registers a secret; very short values are ignored (they would redact ordinary words). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    this.secrets.set(secret, (this.secrets.get(secret) ?? 0) + 1);
    this.sorted = undefined;
  }

  /** Drops one registration of a secret; it stops being redacted when none is left. */
  forget(secret: string | undefined): void {
    if (!secret) return;
    const n = this.secrets.get(secret);
    if (n === undefined) return;
    if (n <= 1) this.secrets.delete(secret);
    else this.secrets.set(secret, n - 1);
    this.sorted = undefined;
  }

  text(s: string): string {
    let out = s;
    // Longest first, so that a secret containing another is replaced whole.
    this.sorted ??= [...this.secrets.keys()].sort((a, b) => b.length - a.length);
    for (const secret of this.sorted) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    // Bearer and Basic credentials, whatever their value.
    return out.replace(/\b(Bearer|Basic)\s+[\w.~+/=-]+/g, `$1 ${REDACTED}`);
  }

  /** A redacted copy of a JSON-like value: secret fields masked, strings scrubbed. */
  value(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object' || depth > 8) return v;
    if (Array.isArray(v)) return v.map((x) => this.value(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = SECRET_FIELDS.has(k.toLowerCase()) ? REDACTED : this.value(x, depth + 1);
    }
    return out;
  }

  headers(h: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(h)) {
      out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : this.text(x);
    }
    return out;
  }

  /** A URL with secret query parameters masked. */
  url(u: string): string {
    try {
      const url = new URL(u);
      for (const key of [...url.searchParams.keys()]) {
        if (SECRET_FIELDS.has(key.toLowerCase())) url.searchParams.set(key, REDACTED);
      }
      return this.text(url.toString());
    } catch {
      return this.text(u);
    }
  }
}

/** A redactor that knows no secrets: still masks Bearer/Basic values and secret fields. */
export const baseRedactor = new Redactor();
