import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../log.js';
import { openDatabase } from '../../db/pool.js';
import { exportCalls } from '../../db/export/export.js';

const USAGE = `usage: gym-agent export --format csv|json [--since DATE] [--until DATE] [--out FILE]
  --format   csv: a row per call, per turn and per fact; json: {"calls": [{..., "transcript": [...], "facts": {...}}]}
  --since    only calls started at or after DATE (2026-01-31 or 2026-01-31T12:00:00Z)
  --until    only calls started before DATE
  --out      write to FILE (atomically) instead of stdout
Uses DATABASE_URL, or the embedded database under DATA_DIR (also while the app is running on it).`;

function date(v: string | undefined, name: string): Date | undefined | string {
  if (v === undefined) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? `--${name} must be a date such as 2026-01-31 (got "${v}")` : d;
}

export async function run(args: string[]): Promise<number> {
  let values: { format?: string; since?: string; until?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        format: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`gym-agent export: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.format !== 'csv' && values.format !== 'json') {
    process.stderr.write(`gym-agent export: --format must be csv or json\n${USAGE}\n`);
    return 2;
  }
  const since = date(values.since, 'since');
  const until = date(values.until, 'until');
  for (const v of [since, until])
    if (typeof v === 'string') {
      process.stderr.write(`gym-agent export: ${v}\n`);
      return 2;
    }

  const cfg = loadConfig(process.env);
  const log = createLogger(cfg.LOG_LEVEL);
  const db = await openDatabase(cfg, { log, attachToRunning: true, create: false });
  const tmp = values.out === undefined ? undefined : `${values.out}.${process.pid}.tmp`;
  try {
    const out = tmp === undefined ? process.stdout : createWriteStream(tmp);
    const n = await exportCalls(db.pool, out, {
      format: values.format,
      ...(since ? { since: since as Date } : {}),
      ...(until ? { until: until as Date } : {}),
    });
    if (tmp !== undefined && values.out !== undefined) {
      out.end();
      await finished(out);
      await rename(tmp, values.out);
    }
    process.stderr.write(`exported ${n} call(s) from ${db.location}${values.out ? ` to ${values.out}` : ''}\n`);
    return 0;
  } catch (e) {
    if (tmp !== undefined) await rm(tmp, { force: true });
    throw e;
  } finally {
    await db.close();
  }
}
