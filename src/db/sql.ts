import type pg from 'pg';
import { isRetryableDbError } from './errors.js';

export type Queryable = pg.Pool | pg.PoolClient;

/** Runs fn in a transaction; a client whose connection broke is destroyed rather than returned to the pool. */
export async function withTx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    if (isRetryableDbError(e)) broken = e as Error;
    else await client.query('ROLLBACK').catch((re: Error) => (broken = re));
    throw e;
  } finally {
    client.release(broken);
  }
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
