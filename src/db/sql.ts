import type pg from 'pg';
import { isRetryableDbError } from './errors.js';

export type Queryable = pg.Pool | pg.PoolClient;

/**
 * A pool client held for several statements. pg emits 'error' on a checked-out client whose connection breaks
 * between two statements (the pool listens only to idle ones): with no listener that is an uncaught exception,
 * and one database restart would take every call of the process down. Here the next statement fails instead, and
 * the broken client is destroyed rather than returned to the pool.
 */
export async function withClient<T>(
  pool: pg.Pool,
  fn: (c: pg.PoolClient, broke: (e: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const broke = (e: Error): void => {
    broken ??= e;
  };
  client.on('error', broke);
  try {
    return await fn(client, broke);
  } finally {
    client.off('error', broke);
    client.release(broken);
  }
}

/** Runs fn in a transaction (withClient). */
export async function withTx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, broke) => {
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      if (isRetryableDbError(e)) broke(e as Error);
      else await client.query('ROLLBACK').catch(broke);
      throw e;
    }
  });
}

/** Postgres text cannot hold NUL; replace it instead of failing the whole write. */
export function cleanText(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

export function toDate(at: Date | number | string | undefined): Date {
  if (at === undefined) return new Date();
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new TypeError(`invalid timestamp: ${String(at)}`);
  return d;
}
