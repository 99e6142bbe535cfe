// `ZPASS_TEST_STORE=postgres node --import tsx bench/change-statements.ts`: the statements one
// `PUT /v2/users/{id}/password` sends to PostgreSQL (each a round trip), counted at the driver,
// and the last change's list. A tool for docs/benchmarks.md, never part of `npm test`.
import pg from 'pg';
import { accountToken, addUser, putPassword, startTestServer } from '../packages/zpass/test/helpers.js';

if (process.env.ZPASS_TEST_STORE !== 'postgres') {
  console.error('set ZPASS_TEST_STORE=postgres (PostgreSQL at ZPASS_TEST_DATABASE_URL)');
  process.exit(2);
}
const statements: string[] = [];
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { text?: string };
  statements.push((typeof q === 'string' ? q : (q?.text ?? '')).slice(0, 70));
  return query.apply(this, args);
};
const t = await startTestServer();
try {
  const token = await accountToken(t);
  const u = await addUser(t);
  for (const [i, password] of ['Count-Pass-11x', 'Count-Pass-22y', 'Count-Pass-33z'].entries()) {
    statements.length = 0;
    const res = await putPassword(t, token, u.id, password);
    const begin = statements.indexOf('begin');
    console.log(
      `change ${i + 1}: ${res.status}, ${statements.length} statements, ${statements.length - begin} from begin to commit`,
    );
  }
  console.log(statements.map((s) => `  ${s}`).join('\n'));
} finally {
  await t.stop();
}
