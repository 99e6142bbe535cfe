/**
 * The store's queries live in one file per aggregate (`users.ts`, `passwords.ts`,
 * `outbox.ts`, ...), one function each. They work on the database or inside a
 * transaction (pass the transaction's handle). Use cases call these and never
 * write SQL themselves. This file holds what they share.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** What every repository function takes: the database, or a transaction's handle. */
export type Q = Kysely<Database>;

/** Stands for the i-th argument while a reusable query is compiled. */
const slot = (i: number) => `\u0000zpass-argument-${i}\u0000`;

/**
 * A query built and compiled once per database handle, then run with each call's
 * arguments: on the hot path (every authenticated request) building and compiling a
 * Kysely query costs about as much as SQLite running it. `build` receives stand-ins
 * for the arguments, which each run replaces in the compiled parameters; it must pass
 * them through unchanged (no normalising inside `build`).
 */
export function reusable<A extends string[], R>(
  arity: A['length'],
  build: (q: Q, ...args: A) => Compilable<R>,
) {
  const compiled = new WeakMap<Q, { query: CompiledQuery<R>; slots: number[] }>();
  const stands = Array.from({ length: arity }, (_, i) => slot(i));
  return async (q: Q, ...args: A): Promise<R[]> => {
    let c = compiled.get(q);
    if (!c) {
      const query = build(q, ...(stands as A)).compile();
      const slots = query.parameters.map((p) => (typeof p === 'string' ? stands.indexOf(p) : -1));
      c = { query, slots };
      compiled.set(q, c);
    }
    const { query, slots } = c;
    const parameters = query.parameters.map((p, i) => (slots[i]! >= 0 ? args[slots[i]!] : p));
    return (await q.executeQuery<R>({ ...query, parameters })).rows;
  };
}
