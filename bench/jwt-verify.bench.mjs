// Access-token JWTs: the in-memory check every authenticated request pays before its one
// query, for a genuine token and for a forged one (refused there, without a query).
// Run: npm run build && node bench/jwt-verify.bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../packages/zpass/dist/', import.meta.url);
const { openStore } = await import(new URL('store/database.js', dist).href);
const { TokenKeyring, signAccessToken, verifyAccessToken } = await import(
  new URL('domain/tokens/jwt.js', dist).href
);

const dir = mkdtempSync(join(tmpdir(), 'zpass-jwt-bench-'));
const store = openStore({ dataDir: dir });
await store.migrate();
const keyring = new TokenKeyring();
const now = Date.now();
const iat = Math.floor(now / 1000);
const token = await signAccessToken(
  keyring,
  store.db,
  { iss: 'zm:cid:bench', uid: 'u', aid: 'a', iat, exp: iat + 3600 },
  now,
);
const forged = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;

const N = 100_000;
for (const [name, t] of [
  ['genuine', token],
  ['forged signature', forged],
]) {
  for (let i = 0; i < 2_000; i++) await verifyAccessToken(keyring, store.db, t, now);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await verifyAccessToken(keyring, store.db, t, now);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  console.log(`${name.padEnd(18)} ${us.toFixed(1)} µs per check (${N} checks)`);
}
console.log(`token length: ${token.length} characters`);
await store.close();
rmSync(dir, { recursive: true, force: true });
