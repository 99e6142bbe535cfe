/**
 * A real webhook endpoint for tests: a node:http server on 127.0.0.1 that checks each request
 * with the SDK (`verifyWebhook`), answers Zoom's URL validation with the secret token it holds,
 * records every event, and answers as the test says: 200/204, a status, no answer, a reset,
 * a redirect, a huge body.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { urlValidationResponse, verifyWebhook, type WebhookEvent } from '@zpass/zoom-client/webhooks';

export interface Received {
  event: WebhookEvent;
  body: string;
  headers: IncomingHttpHeaders;
  eventId: string | undefined;
  /** Whether the signature checked out under the endpoint's secret token. */
  verified: boolean;
}

export type Answer =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'stall' }
  | { kind: 'reset' }
  | { kind: 'redirect'; location: string }
  | { kind: 'huge'; status: number };

export class TestEndpoint {
  secretToken: string;
  /** Events accepted (answered 200/204), in arrival order; validations are not events. */
  readonly accepted: Received[] = [];
  /** Every request that reached the endpoint, whatever it was answered. */
  readonly requests: Received[] = [];
  validations = 0;
  /** How the next event is answered (default 204). */
  behave: (r: Received) => Answer = () => ({ kind: 'status', status: 204 });
  /** The secret token URL validation answers with (default: the real one). */
  validationSecret?: string;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly stalled = new Set<ServerResponse>();
  port = 0;

  constructor(secretToken = '') {
    this.secretToken = secretToken;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      let event: WebhookEvent;
      let verified = true;
      try {
        event = await verifyWebhook({ secretToken: this.secretToken, headers: req.headers, rawBody: body });
      } catch {
        verified = false;
        event = JSON.parse(body) as WebhookEvent;
      }
      const eventId = req.headers['x-zpass-event-id'] as string | undefined;
      const r: Received = { event, body, headers: req.headers, eventId, verified };
      if (event.event === 'endpoint.url_validation') {
        this.validations++;
        const answer = await urlValidationResponse(
          event.payload.plainToken,
          this.validationSecret ?? this.secretToken,
        );
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      this.requests.push(r);
      const a = this.behave(r);
      switch (a.kind) {
        case 'status':
          if ((a.status === 200 || a.status === 204) && verified) this.accepted.push(r);
          res.writeHead(a.status).end(a.body ?? '');
          return;
        case 'stall':
          this.stalled.add(res);
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'redirect':
          res.writeHead(302, { location: a.location }).end();
          return;
        case 'huge': {
          if ((a.status === 200 || a.status === 204) && verified) this.accepted.push(r);
          res.writeHead(a.status, { 'content-type': 'application/octet-stream' });
          // Writes until the client goes away (64 MiB at most, so the test ends either way).
          const chunk = Buffer.alloc(64 * 1024, 120);
          let sent = 0;
          const pump = () => {
            while (sent < 1024 && !res.destroyed) {
              sent++;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          res.on('close', () => {
            sent = 1024;
          });
          pump();
          return;
        }
      }
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Events accepted of this name, in order. */
  events(name?: string): Received[] {
    return name ? this.accepted.filter((r) => r.event.event === name) : this.accepted;
  }

  releaseStalls(): void {
    for (const res of this.stalled) res.destroy();
    this.stalled.clear();
  }

  async stop(): Promise<void> {
    this.releaseStalls();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
