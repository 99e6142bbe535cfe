/** REDIS_URL's check, apart from the Redis client so that reading the configuration does not load ioredis. */

/** `redis://` or `rediss://` (TLS), or a refusal naming the problem without any password. */
export function checkRedisUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'REDIS_URL is not a valid URL.';
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    return `REDIS_URL must start with redis:// or rediss:// (got ${u.protocol}//).`;
  return undefined;
}
