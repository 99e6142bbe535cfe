import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An opaque 22-character URL-safe id (128 random bits), like Zoom's user ids. Never one
 * that starts with "-": the CLI takes ids as arguments, where one would read as an option
 * (`zpass admin webhooks remove -x…`); 1 in 64 drawn ids is drawn again.
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (id[0] !== '-') return id;
  }
}

/** A bearer secret with 256 random bits. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric string (client ids and secrets, as Zoom's look). */
export function randomAlnum(length: number): string {
  const out: string[] = [];
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // 248 = 62 * 4: reject the tail to keep the draw uniform.
      if (b < 248 && out.length < length) out.push(ALNUM[b % 62]!);
    }
  }
  return out.join('');
}

/** SHA-256 digest, hex: how tokens and client secrets are stored. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
