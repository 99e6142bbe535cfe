import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { startTestServer, type TestServer, type TestServerOptions, tempDir } from './helpers.js';

/** What the test SMTP server does with a message, decided per recipient. */
export type Behaviour =
  | { kind: 'accept' }
  /** Reply to RCPT TO with this code and text (e.g. 550, 451). */
  | { kind: 'reject'; code: number; text: string }
  /** Read the message, then never answer (until `releaseStalls`). */
  | { kind: 'stall' }
  /** Close the connection when the message has been read, without a reply. */
  | { kind: 'drop' }
  /** Read the whole message (kept in `refused`), then answer DATA with this code (e.g. 451). */
  | { kind: 'fail-after-data'; code: number; text: string };

export interface Received {
  envelopeTo: string[];
  raw: Buffer;
  mail: ParsedMail;
  /** The user the client authenticated as, if any. */
  user?: string;
  secure: boolean;
}

export interface TestSmtpOptions {
  /** Implicit TLS (smtps://). */
  secure?: boolean;
  /** Offer STARTTLS with this certificate (and require it before AUTH/MAIL when `requireTls`). */
  tls?: { key: string; cert: string };
  requireTls?: boolean;
  /** Require AUTH with these credentials. */
  auth?: { user: string; pass: string };
  port?: number;
}

/** A real SMTP server in the test process, on an ephemeral port of 127.0.0.1. */
export class TestSmtp {
  readonly received: Received[] = [];
  /** Messages read in full but answered with an error (`fail-after-data`). */
  readonly refused: Received[] = [];
  /** Every DATA phase that started, accepted or not. */
  dataStarted = 0;
  /** AUTH attempts that were refused. */
  authFailures = 0;
  behave: (rcpt: string) => Behaviour = () => ({ kind: 'accept' });
  private server: SMTPServer | undefined;
  private stalled: Array<() => void> = [];
  private readonly sockets = new Set<Socket>();
  private readonly decided = new Map<string, Behaviour>();
  port = 0;

  constructor(private readonly options: TestSmtpOptions = {}) {}

  async start(): Promise<this> {
    const o = this.options;
    const opts: SMTPServerOptions = {
      secure: o.secure ?? false,
      logger: false,
      closeTimeout: 200,
      socketTimeout: 120_000,
      authOptional: !o.auth,
      // Without TLS, let AUTH reach onAuth (the relay then sees a real 535).
      allowInsecureAuth: !o.tls && !o.secure,
      disabledCommands: o.tls || o.secure ? [] : ['STARTTLS'],
      ...(o.tls ? { key: o.tls.key, cert: o.tls.cert } : {}),
      onAuth: (auth, _session, cb) => {
        if (o.requireTls && !_session.secure) return cb(new Error('Must issue a STARTTLS command first'));
        if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) {
          return cb(null, { user: auth.username });
        }
        this.authFailures++;
        return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onMailFrom: (_address, session, cb) => {
        if (o.requireTls && !session.secure) {
          return cb(Object.assign(new Error('Must issue a STARTTLS command first'), { responseCode: 530 }));
        }
        cb();
      },
      onRcptTo: (address, session, cb) => {
        // Asked once per message: behaviours may count.
        const b = this.behave(address.address);
        if (b.kind === 'reject') return cb(Object.assign(new Error(b.text), { responseCode: b.code }));
        this.decided.set(session.id, b);
        cb();
      },
      onData: (stream, session, cb) => {
        this.dataStarted++;
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          const b = this.decided.get(session.id) ?? { kind: 'accept' };
          this.decided.delete(session.id);
          if (b.kind === 'stall') {
            this.stalled.push(() => cb(Object.assign(new Error('stalled'), { responseCode: 451 })));
            return;
          }
          if (b.kind === 'drop') {
            for (const sock of this.sockets) sock.destroy();
            return;
          }
          const raw = Buffer.concat(chunks);
          const mail = await simpleParser(raw);
          if (b.kind === 'fail-after-data') {
            this.refused.push({ envelopeTo: to, raw, mail, secure: session.secure });
            return cb(Object.assign(new Error(b.text), { responseCode: b.code }));
          }
          this.received.push({
            envelopeTo: to,
            raw,
            mail,
            user: session.user as string | undefined,
            secure: session.secure,
          });
          cb(null, 'Message queued as test');
        });
      },
    };
    this.server = new SMTPServer(opts);
    this.server.on('error', () => {});
    this.server.server.on('connection', (sock: Socket) => {
      this.sockets.add(sock);
      sock.once('close', () => this.sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port || o.port || 0, '127.0.0.1', () => resolve());
    });
    const addr = this.server.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this;
  }

  /** Messages addressed to `rcpt`. */
  to(rcpt: string): Received[] {
    return this.received.filter((r) => r.envelopeTo.includes(rcpt));
  }

  /** Answers every stalled message with a temporary failure (the client may then retry). */
  releaseStalls(): void {
    for (const f of this.stalled.splice(0)) f();
  }

  /** Stops listening and ends every connection: the port then refuses connections. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    this.releaseStalls();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl; PEM texts and the cert's file. */
export async function selfSignedCert(): Promise<{ key: string; cert: string; certFile: string }> {
  const dir = tempDir('zpass-tls-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Mail relay settings that deliver to `smtp` quickly (tests wait for the mail, not the poll). */
export const quickRelay = (smtp: TestSmtp) => ({
  smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
  pollMs: 100,
  retryBaseMs: 100,
  retryMaxMs: 400,
});

/**
 * The web flows' set-up: a real SMTP server, and a test server whose relay delivers to it
 * quickly, behind a trusted proxy (each client its own address) and with the product's free
 * sign-in attempts and a long block (attempts beyond them are refused within a test).
 * `opts` adds to or overrides these. `stop` ends both.
 */
export async function startWithSmtp(
  opts: TestServerOptions = {},
): Promise<{ t: TestServer; smtp: TestSmtp; stop(): Promise<void> }> {
  const smtp = await new TestSmtp().start();
  let t: TestServer;
  try {
    t = await startTestServer({
      trustProxy: true,
      throttle: { freeFailures: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      mail: quickRelay(smtp),
      ...opts,
    });
  } catch (err) {
    await smtp.stop();
    throw err;
  }
  return {
    t,
    smtp,
    async stop() {
      await t.stop();
      await smtp.stop();
    },
  };
}
