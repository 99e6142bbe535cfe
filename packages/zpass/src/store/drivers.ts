import { createRequire } from 'node:module';
import type Pg from 'pg';

const require = createRequire(import.meta.url);
let pg: typeof Pg | undefined;

/**
 * The PostgreSQL driver, loaded when a PostgreSQL store or listener is first opened: a
 * server or command on the embedded SQLite store never needs it (about 15 MB of memory
 * and its start-up time).
 */
export function postgresDriver(): typeof Pg {
  if (!pg) {
    pg = require('pg') as typeof Pg;
    // int8 (bigint) columns hold millisecond times, well inside Number's exact range.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  }
  return pg;
}
