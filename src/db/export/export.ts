import type pg from 'pg';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { callDetail } from '../read-model.js';
import { listCalls } from '../repositories/calls.js';
import { csvHeader, csvRowsForCall } from './csv.js';

// Streams every call (oldest first) with its transcript and facts, page by page, so an export of a large
// database never holds it all in memory.

export interface ExportOptions {
  format: 'csv' | 'json';
  since?: Date;
  until?: Date;
  pageSize?: number;
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

export async function exportCalls(pool: pg.Pool, out: Writable, o: ExportOptions): Promise<number> {
  const size = o.pageSize ?? 200;
  let n = 0;
  if (o.format === 'csv') await write(out, csvHeader());
  else
    await write(
      out,
      `{"exported_at":${JSON.stringify(new Date().toISOString())},"since":${JSON.stringify(o.since?.toISOString() ?? null)},"calls":[`,
    );
  for (let offset = 0; ; offset += size) {
    const page = await listCalls(pool, {
      limit: size,
      offset,
      ascending: true,
      ...(o.since ? { since: o.since } : {}),
      ...(o.until ? { until: o.until } : {}),
    });
    for (const c of page) {
      const d = await callDetail(pool, c.id);
      if (!d) continue; // deleted meanwhile
      await write(out, o.format === 'csv' ? csvRowsForCall(d) : `${n === 0 ? '\n' : ',\n'}${JSON.stringify(d)}`);
      n++;
    }
    if (page.length < size) break;
  }
  if (o.format === 'json') await write(out, `\n],"count":${n}}\n`);
  return n;
}
