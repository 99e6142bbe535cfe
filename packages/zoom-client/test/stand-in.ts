/**
 * A scripted stand-in for the remote Zoom API: a real HTTP server on an ephemeral port whose
 * handler answers as the contract says Zoom does. Used for endpoints zpass does not serve yet
 * and for faults (429, 5xx, resets, cut bodies, hangs) a healthy server never produces.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Recorded {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Recorded, res: ServerResponse, n: number) => void | Promise<void>;

export interface StandIn {
  url: string;
  /** Every request received, in order. */
  requests: Recorded[];
  close(): Promise<void>;
}

export async function standIn(handler: Handler): Promise<StandIn> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      Promise.resolve(handler(rec, res, requests.length)).catch((e: unknown) => {
        res.statusCode = 599;
        res.end(String(e));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON with Zoom's headers (a tracking id; rate-limit headers when given). */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'x-zm-trackingid': `TRACK_${status}`,
    ...(text ? { 'content-type': 'application/json;charset=UTF-8' } : {}),
    ...headers,
  });
  res.end(text);
}

/** Answers 204 with no body. */
export function noContent(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(204, { 'x-zm-trackingid': 'TRACK_204', ...headers });
  res.end();
}

/** Drops the connection without an answer (a reset, as the client sees it). */
export function reset(res: ServerResponse): void {
  res.socket?.destroy();
}
