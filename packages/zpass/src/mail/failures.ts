/** How a failed delivery attempt is judged: try again later, or give up now. */

export interface Judged {
  /** 5xx replies, a malformed recipient, a payload no template can use: retrying cannot help. */
  permanent: boolean;
  /** One line for the outbox row and the operator, without secrets. */
  reason: string;
}

/** A failure found before any transport was involved. */
export class NoticeError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

interface TransportError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  name?: string;
}

const MAX_REASON = 500;

/** Removes every secret from a text, then bounds its length. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  // An SMTP URL with its credentials, should a library ever echo one.
  out = out.replace(/(smtps?:\/\/[^:/\s@]*:)[^@\s]*@/gi, '$1***@');
  // A base64 AUTH PLAIN/LOGIN exchange echoed in a reply.
  out = out.replace(/(AUTH\s+(?:PLAIN|LOGIN)\s+)\S+/gi, '$1***');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_REASON ? `${out.slice(0, MAX_REASON)}...` : out;
}

export function judge(err: unknown, secrets: readonly string[] = []): Judged {
  if (err instanceof NoticeError) return { permanent: err.permanent, reason: scrub(err.message, secrets) };
  const e = (err ?? {}) as TransportError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = e.response ?? e.message ?? String(err);
  const reason = scrub([code, text].filter(Boolean).join(' '), secrets);
  // Authentication problems are the operator's to fix: retry, so nothing is lost once they are.
  if (code === 'EAUTH' || code === 'ENOAUTH') return { permanent: false, reason };
  if (status !== undefined && status >= 500 && status < 600) return { permanent: true, reason };
  // A recipient the library itself refuses (no SMTP reply involved).
  if (code === 'EENVELOPE' && status === undefined) return { permanent: true, reason };
  return { permanent: false, reason };
}
