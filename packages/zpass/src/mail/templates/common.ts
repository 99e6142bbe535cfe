/** Helpers shared by every notice's template. */

/** What a template receives besides its notice's payload. */
export interface RenderContext {
  /** The product name (ZPASS_BRAND). */
  brand: string;
  /** Base URL of the pages users reach, without a trailing slash. */
  publicUrl: string;
  /** Path of the password-reset page under `publicUrl`. */
  resetPath: string;
  /** The account the notice belongs to (undefined if it no longer exists). */
  account?: { id: string; name: string };
  /** The recipient's IANA time zone, when known. */
  timezone?: string;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** A template: the notice's payload (parsed JSON, never a secret) to a message. Throws on a payload it cannot use. */
export type Renderer = (payload: Record<string, unknown>, ctx: RenderContext) => RenderedMessage;

/** A payload the template cannot render: the notice fails at once (retrying cannot help). */
export class PayloadError extends Error {}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function stringField(payload: Record<string, unknown>, name: string): string {
  const v = payload[name];
  if (typeof v !== 'string') throw new PayloadError(`the notice's payload lacks the text field "${name}"`);
  return v;
}

export function timeField(payload: Record<string, unknown>, name: string): number {
  const v = payload[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new PayloadError(`the notice's payload lacks the time field "${name}"`);
  }
  return v;
}

/** "2026-11-27 07:52 UTC". */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2026-11-27 08:52 (Europe/Paris)", or undefined for no or an unknown time zone. */
export function localTime(ms: number, timezone: string | undefined): string | undefined {
  if (!timezone || timezone === 'UTC') return undefined;
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(new Date(ms));
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} (${timezone})`;
  } catch {
    return undefined;
  }
}

/** The link to a page under the public URL. */
export function pageUrl(ctx: RenderContext, path: string): string {
  return `${ctx.publicUrl}${path}`;
}

/** Wraps paragraphs of (already escaped) HTML in a plain, readable page. */
export function htmlPage(title: string, bodyHtml: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f6f7f9;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2328">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;padding:24px">',
    bodyHtml,
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}

/** What every link notice carries: whom it greets, the link, and when the link stops working. */
export interface LinkNotice {
  email: string;
  link: string;
  /** When the link stops working, as `utcTime` writes it. */
  expires: string;
  /** The name the greeting uses: the first name, or the address. */
  greet: string;
}

/** The fields of a link notice's payload (`email`, `link`, `expires_at`, optional `first_name`). */
export function linkNotice(payload: Record<string, unknown>): LinkNotice {
  const email = stringField(payload, 'email');
  const link = stringField(payload, 'link');
  const expires = utcTime(timeField(payload, 'expires_at'));
  const firstName = typeof payload.first_name === 'string' ? payload.first_name.trim() : '';
  return { email, link, expires, greet: firstName || email };
}

/**
 * A greeting message: "Hello <greet>," then the body (text lines; HTML paragraphs, already
 * escaped), the text signed with the brand and saying replies are not read.
 */
export function greetingMessage(
  ctx: RenderContext,
  m: { subject: string; greet: string; text: string[]; html: string[] },
): RenderedMessage {
  const lines = [
    `Hello ${m.greet},`,
    '',
    ...m.text,
    '',
    `-- ${ctx.brand}`,
    'This message was sent automatically; replies are not read.',
  ];
  const p = (s: string) => `<p style="margin:0 0 16px">${s}</p>`;
  const html = htmlPage(m.subject, [p(`Hello ${escapeHtml(m.greet)},`), ...m.html.map(p)].join('\n'));
  return { subject: m.subject, text: `${lines.join('\n')}\n`, html };
}
