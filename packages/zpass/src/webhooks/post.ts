/**
 * One POST to an endpoint, within bounds: the whole attempt in `timeoutMs`, at most
 * `maxResponseBytes` of the answer read, redirects never followed (a 3xx is an answer like
 * any other, and not 200/204), and only to hosts the allow-list admits, checked on the
 * address actually connected to.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { Deadline } from '../clock.js';
import type { EndpointAnswer, PostWebhook } from '../domain/webhooks/subscriptions.js';

const CIDR = /^(.+)\/(\d{1,3})$/;

/** `ZPASS_WEBHOOK_ALLOWED_HOSTS` as a check: host names, `*.suffix`, addresses and CIDR ranges. */
export class HostPolicy {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly addresses = new BlockList();
  private hasAddresses = false;

  constructor(readonly list?: readonly string[]) {
    for (const raw of list ?? []) {
      const item = raw.toLowerCase().replace(/\.$/, '');
      const m = CIDR.exec(item);
      const addr = (m ? m[1]! : item).replace(/^\[(.*)\]$/, '$1');
      const family = isIP(addr);
      if (family !== 0) {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        if (m) this.addresses.addSubnet(addr, Number(m[2]), type);
        else this.addresses.addAddress(addr, type);
        this.hasAddresses = true;
      } else if (item.startsWith('*.')) this.suffixes.push(item.slice(1));
      else this.names.add(item);
    }
  }

  get restricted(): boolean {
    return this.list !== undefined;
  }

  /** Whether a host name (not an address) is admitted by name. */
  admitsName(host: string): boolean {
    if (!this.restricted) return true;
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.names.has(h) || this.suffixes.some((s) => h.endsWith(s));
  }

  admitsAddress(address: string): boolean {
    if (!this.restricted) return true;
    if (!this.hasAddresses) return false;
    const family = isIP(address);
    return family !== 0 && this.addresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Why the URL's host is refused before any connection, or undefined. */
  refusal(hostname: string): string | undefined {
    if (!this.restricted) return undefined;
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) return this.admitsAddress(host) ? undefined : notAllowed(host);
    if (this.admitsName(host) || this.hasAddresses) return undefined;
    return notAllowed(host);
  }
}

function notAllowed(host: string): string {
  return `the host ${host} is not in ZPASS_WEBHOOK_ALLOWED_HOSTS`;
}

export interface PostBounds {
  timeoutMs: number;
  maxResponseBytes: number;
  hosts: HostPolicy;
}

/** Why a request got no answer, in words for `last_error` (never with the body or headers sent). */
function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by the endpoint';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host cannot be reached';
    case 'ZPASS_HOST_NOT_ALLOWED':
      return e.message;
    default:
      if (e?.code?.startsWith('ERR_TLS') || e?.code?.includes('CERT')) return `TLS: ${e.message}`;
      return e?.message ? `${e.code ? `${e.code}: ` : ''}${e.message}` : String(err);
  }
}

/** A PostWebhook within `bounds`. */
export function createPoster(bounds: PostBounds): PostWebhook {
  const { hosts } = bounds;
  // Checks every address the name resolves to against the allow-list when a name alone does not admit it.
  const lookup = (
    hostname: string,
    options: { all?: boolean },
    cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, options.all ? [] : '', 0);
      const ok = hosts.admitsName(hostname)
        ? addresses
        : addresses.filter((a) => hosts.admitsAddress(a.address));
      if (ok.length === 0) {
        const refused = Object.assign(
          new Error(`${notAllowed(hostname)} (it resolves to ${addresses.map((a) => a.address).join(', ')})`),
          { code: 'ZPASS_HOST_NOT_ALLOWED' },
        );
        return cb(refused, options.all ? [] : '', 0);
      }
      if (options.all) cb(null, ok);
      else cb(null, ok[0]!.address, ok[0]!.family);
    });
  };

  return (url, signed, signal) =>
    new Promise<EndpointAnswer>((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        reject(new Error('the endpoint URL is not a URL'));
        return;
      }
      const refused = hosts.refusal(target.hostname);
      if (refused) {
        reject(new Error(refused));
        return;
      }
      const deadline = new Deadline(signal, bounds.timeoutMs);
      const abort = deadline.signal;
      const body = Buffer.from(signed.body, 'utf8');
      const mod = target.protocol === 'https:' ? https : http;
      let status: number | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        deadline.end();
        abort.removeEventListener('abort', onAbort);
        if (err && status === undefined) reject(err);
        else resolve({ status: status!, body: Buffer.concat(chunks).toString('utf8') });
      };
      const req = mod.request(target, {
        method: 'POST',
        headers: {
          ...signed.headers,
          'content-length': String(body.length),
          'user-agent': 'zpass-webhooks',
        },
        lookup: hosts.restricted ? (lookup as never) : undefined,
      });
      const onAbort = () => {
        const why = deadline.expired
          ? new Error(`no answer within ${bounds.timeoutMs} ms`)
          : new Error('interrupted by shutdown');
        req.destroy(why);
        finish(why);
      };
      if (abort.aborted) {
        onAbort();
        return;
      }
      abort.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => finish(new Error(describe(err))));
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          if (size >= bounds.maxResponseBytes) return;
          const room = bounds.maxResponseBytes - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          if (size >= bounds.maxResponseBytes) {
            // Enough: the rest is never read.
            finish();
            res.destroy();
          }
        });
        res.on('end', () => finish());
        res.on('error', () => finish());
        res.on('close', () => finish());
      });
      req.end(body);
    });
}
