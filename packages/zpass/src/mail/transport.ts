import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { Encoder as Base64Encoder } from 'nodemailer/lib/base64';
import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import { Encoder as QpEncoder } from 'nodemailer/lib/qp';
import { ConfigError } from '../config.js';
import { redactUrl } from '../log/redact.js';

/** One message, ready to go: everything a transport needs, nothing it must look up. */
export interface OutgoingMessage {
  /** The outbox row's id (names the `.eml` file). */
  id: number;
  kind: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<...@...>`: the same for every attempt of a notice. */
  messageId: string;
  /** When the notice was queued (the Date header, the same for every attempt). */
  date: Date;
}

/** The outcome of a delivery: a line for the log. */
export interface Delivered {
  /** For SMTP, the server's final reply; for files, the file written. */
  detail: string;
  file?: string;
}

export interface MailTransport {
  /** Names where mail goes, without credentials (for logs). */
  readonly description: string;
  send(message: OutgoingMessage, signal: AbortSignal): Promise<Delivered>;
  /** Checks that mail can go out (connects and authenticates); throws if not. */
  check?(): Promise<void>;
  close(): Promise<void>;
}

/** Headers every notice carries so that it reads as automatic and is kept out of spam folders. */
export function noticeHeaders(): Record<string, string> {
  return { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };
}

function mailOptions(m: OutgoingMessage) {
  return {
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    date: m.date,
    headers: noticeHeaders(),
  };
}

/** The MIME tree nodemailer makes of a message: headers, parts, encodings and boundaries are its own. */
export function compileMessage(m: OutgoingMessage): MimeNode {
  return new MailComposer(mailOptions(m)).compile();
}

/** The whole message as RFC 5322 bytes. */
export async function buildRaw(m: OutgoingMessage): Promise<Buffer> {
  const root = compileMessage(m);
  return serializeMime(root) ?? root.build();
}

/** What this module reads of a MIME node beyond nodemailer's declared types. */
interface NodeInternals {
  _raw?: unknown;
  _transforms: unknown[];
  _processFuncs: unknown[];
  newline?: unknown;
}

/**
 * Writes the tree that `compileMessage` made in one synchronous pass, with nodemailer's own
 * header building and content encoders, for the shape of every notice: leaves whose content
 * is a string or a Buffer, under at most nested multiparts, no transforms. The bytes are those of
 * `root.build()` (mail-units.test.ts compares the two on the same tree), without its streams:
 * a pipeline, a PassThrough and an encoder stream per part and a `setImmediate` between
 * steps, which cost several times the encoding itself. Undefined for any other shape (the
 * caller then streams it as nodemailer would).
 */
export function serializeMime(root: MimeNode): Buffer | undefined {
  const r = root as unknown as NodeInternals;
  if (r._transforms.length > 0 || r._processFuncs.length > 0 || r.newline) return undefined;
  const out: Buffer[] = [];
  try {
    if (!writeNode(root, out)) return undefined;
  } catch (err) {
    if (err instanceof UnhandledShape) return undefined;
    throw err;
  }
  // nodemailer's LastNewline: the message ends with a line break.
  const last = out.at(-1);
  const lastByte = last?.[last.length - 1];
  if (lastByte === 0x0d) out.push(Buffer.from('\n'));
  else if (lastByte !== 0x0a) out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

/** `MimeNode.stream` for one node, synchronously; false when the node is not of the handled shape. */
function writeNode(node: MimeNode, out: Buffer[]): boolean {
  const content = node.content;
  if ((node as unknown as NodeInternals)._raw) return false;
  if (content !== undefined && typeof content !== 'string' && !Buffer.isBuffer(content)) return false;
  if (content && /^(multipart|message)\//i.test(String(node.getHeader('Content-Type') ?? ''))) return false;
  out.push(Buffer.from(`${node.buildHeaders()}\r\n\r\n`));
  if (content) {
    // What buildHeaders has just set from getTransferEncoding (which scans the content: once is enough).
    const encoding = String(node.getHeader('Content-Transfer-Encoding') ?? '').toLowerCase();
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    if (encoding === 'quoted-printable') {
      // Outside of text a lone CR or LF is data (as nodemailer encodes it).
      out.push(
        ...encodeAll(new QpEncoder({ binary: !/^text\//i.test(node.contentType ?? '') } as object), bytes),
      );
    } else if (encoding === 'base64') {
      out.push(...encodeAll(new Base64Encoder(), bytes));
    } else {
      out.push(bytes);
    }
  }
  if (node.multipart) {
    node.childNodes.forEach((child, i) => {
      out.push(Buffer.from(`${i > 0 ? '\r\n' : ''}--${node.boundary}\r\n`));
      if (!writeNode(child, out)) throw new UnhandledShape();
    });
    out.push(Buffer.from(`\r\n--${node.boundary}--\r\n`));
  }
  return true;
}

class UnhandledShape extends Error {}

/**
 * Runs one of nodemailer's encoder streams over the whole content at once, as its stream
 * would with the content in one chunk: its transform and flush steps are synchronous, and
 * what they push is collected here instead of going through the stream's buffers.
 */
function encodeAll(encoder: QpEncoder | Base64Encoder, bytes: Buffer): Buffer[] {
  const pushed: Buffer[] = [];
  const e = encoder as unknown as {
    push(chunk: Buffer | string, encoding?: BufferEncoding): boolean;
    _transform(chunk: Buffer, encoding: string, done: (err?: Error | null) => void): void;
    _flush(done: (err?: Error | null) => void): void;
  };
  e.push = (chunk, encoding) => {
    pushed.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : chunk);
    return true;
  };
  let failed: Error | null | undefined;
  e._transform(bytes, 'buffer', (err) => {
    failed = err;
  });
  e._flush((err) => {
    failed ??= err;
  });
  if (failed) throw failed;
  return pushed;
}

export interface SmtpOptions {
  url: string;
  caFile?: string;
  /** Connections kept open and used in parallel. */
  maxConnections: number;
  /** Longest silence from the server before an attempt is given up. */
  timeoutMs: number;
}

/** SMTP through a pool of connections: smtp:// (STARTTLS when offered), smtps://, auth from the URL. */
export class SmtpTransport implements MailTransport {
  readonly description: string;
  private readonly transporter: ReturnType<typeof nodemailer.createTransport>;
  /** What must never appear in an error message: the URL's password, as given and decoded. */
  readonly secrets: string[];

  constructor(options: SmtpOptions) {
    const u = new URL(options.url);
    this.description = `SMTP ${redactUrl(options.url)}`;
    this.secrets = [u.password, decodeURIComponent(u.password)].filter((s) => s.length > 0);
    let ca: string | undefined;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile, 'utf8');
      } catch (err) {
        throw new ConfigError(`SMTP_CA_FILE cannot be read: ${(err as Error).message}`);
      }
    }
    this.transporter = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: options.maxConnections,
      maxMessages: 100,
      connectionTimeout: Math.min(options.timeoutMs, 15_000),
      greetingTimeout: Math.min(options.timeoutMs, 15_000),
      socketTimeout: options.timeoutMs,
      ...(ca ? { tls: { ca } } : {}),
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(message: OutgoingMessage, signal: AbortSignal): Promise<Delivered> {
    const info = await this.transporter.sendMail({ ...mailOptions(message), signal } as Parameters<
      typeof this.transporter.sendMail
    >[0]);
    return { detail: String((info as { response?: string }).response ?? 'accepted') };
  }

  async check(): Promise<void> {
    await this.transporter.verify();
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/** The embedded default: each notice as an `.eml` file in a folder (`<data>/mail/`). */
export class FileTransport implements MailTransport {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `files in ${dir}`;
  }

  /** The file of a notice: one name per notice, so a second attempt replaces rather than duplicates. */
  fileFor(m: OutgoingMessage): string {
    const stamp = m.date
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}Z$/, 'Z');
    return join(this.dir, `${stamp}-${m.kind.replace(/[^a-z0-9_-]/gi, '_')}-${m.id}.eml`);
  }

  /** The folder is made once, and again only if it has gone (a file write then finds no folder). */
  private folder: Promise<unknown> | undefined;

  async send(message: OutgoingMessage, signal: AbortSignal): Promise<Delivered> {
    const raw = await buildRaw(message);
    signal.throwIfAborted();
    const file = this.fileFor(message);
    const tmp = `${file}.tmp`;
    try {
      await this.madeFolder();
      await writeFile(tmp, raw, { mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.folder = undefined;
      await this.madeFolder();
      await writeFile(tmp, raw, { mode: 0o600 });
    }
    await rename(tmp, file);
    return { detail: `written to ${file}`, file };
  }

  private madeFolder(): Promise<unknown> {
    if (this.folder) return this.folder;
    const made = mkdir(this.dir, { recursive: true, mode: 0o700 });
    // A failure is reported to this send, and the next one tries again.
    made.catch(() => {
      this.folder = undefined;
    });
    this.folder = made;
    return made;
  }

  async close(): Promise<void> {}
}
