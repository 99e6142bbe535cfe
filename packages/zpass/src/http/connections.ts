import type { Server } from 'node:http';
import { BlockList, isIP, type Socket } from 'node:net';

/**
 * How long a client may take and how many connections it may hold. An unauthenticated
 * client that sends its request slowly (or never finishes it) is cut off, and no one
 * address can hold every connection the server accepts.
 */
export interface ConnectionLimits {
  /** The request's headers must arrive within this, ms (ZPASS_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** The whole request, headers and body, must arrive within this, ms (ZPASS_REQUEST_TIMEOUT_MS); then 408 and the connection closes. */
  requestTimeoutMs: number;
  /** A connection with no traffic at all for this long is closed, ms (ZPASS_IDLE_TIMEOUT_MS). */
  idleTimeoutMs: number;
  /** An idle keep-alive connection between requests is closed after this, ms (ZPASS_KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** Connections open at once, all clients together (ZPASS_MAX_CONNECTIONS); further ones are closed at once. */
  maxConnections: number;
  /**
   * Connections open at once from one peer address (ZPASS_MAX_CONNECTIONS_PER_ADDRESS);
   * trusted proxies (ZPASS_TRUST_PROXY) are exempt, since every client comes through them.
   */
  maxConnectionsPerAddress: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 100,
};

/** The options of Fastify (and of its Node HTTP server) that apply the timeouts. */
export function serverTimeouts(l: ConnectionLimits) {
  const headersTimeout = Math.min(l.headersTimeoutMs, l.requestTimeoutMs);
  return {
    connectionTimeout: l.idleTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    http: {
      headersTimeout,
      // Node checks the two timeouts on this period (default 30 s): a quarter of the shorter.
      connectionsCheckingInterval: Math.max(50, Math.floor(headersTimeout / 4)),
    },
  };
}

function trustedList(trustProxy: boolean | string[] | undefined): BlockList | true | undefined {
  if (trustProxy === true) return true;
  if (!trustProxy || trustProxy.length === 0) return undefined;
  const list = new BlockList();
  for (const item of trustProxy) {
    const [addr, bits] = item.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** The total cap, and the per-address cap counted on each new connection. */
export function limitConnections(
  server: Server,
  l: ConnectionLimits,
  trustProxy: boolean | string[] | undefined,
): void {
  server.maxConnections = l.maxConnections;
  const trusted = trustedList(trustProxy);
  if (trusted === true) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const addr = socket.remoteAddress;
    if (!addr) return;
    const plain = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
    if (trusted?.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4')) return;
    const n = open.get(addr) ?? 0;
    if (n >= l.maxConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(addr, n + 1);
    socket.once('close', () => {
      const left = (open.get(addr) ?? 1) - 1;
      if (left <= 0) open.delete(addr);
      else open.set(addr, left);
    });
  });
}
