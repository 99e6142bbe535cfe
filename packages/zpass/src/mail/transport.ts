import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
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

/** The whole message as RFC 5322 bytes. */
export function buildRaw(m: OutgoingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    new MailComposer(mailOptions(m)).compile().build((err, raw) => (err ? reject(err) : resolve(raw)));
  });
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

  async send(message: OutgoingMessage, signal: AbortSignal): Promise<Delivered> {
    const raw = await buildRaw(message);
    signal.throwIfAborted();
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileFor(message);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, raw, { mode: 0o600 });
    await rename(tmp, file);
    return { detail: `written to ${file}`, file };
  }

  async close(): Promise<void> {}
}
