import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The request's source address as the store keeps it (change logs, sessions): an IPv4 or
 * IPv6 address, or null. With a trusted proxy, `request.ip` comes from X-Forwarded-For,
 * which a client can fill with anything; what is not an address is not stored.
 */
export function storedAddress(request: FastifyRequest): string | null {
  const ip = request.ip;
  return typeof ip === 'string' && ip.length <= 64 && isIP(ip) !== 0 ? ip : null;
}
