import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { openDatabase } from '../../db/pool.js';
import {
  addSuppression,
  importSuppressions,
  listSuppressions,
  removeSuppression,
  suppressionNumber,
} from '../../compliance/suppressions.js';
import { formatOf, MAX_FILE_BYTES } from '../../gyms/import-parse.js';
import { createLogger } from '../../log.js';
import { isRegion } from '../../telephony/destination.js';

const USAGE = `usage: gym-agent suppressions list [--limit N] [--json]
       gym-agent suppressions add NUMBER [--reason TEXT] [--region US]
       gym-agent suppressions remove NUMBER [--reason TEXT] [--region US]
       gym-agent suppressions import FILE [--reason TEXT] [--region US]
  The do-not-call list: a number on it is never dialled (POST /v1/calls and campaigns refuse it). Gyms that ask
  in a call not to be called again are added by the call itself.
  import   FILE.csv (a phone column), FILE.json (numbers, or objects with "phone") or a text file, one number a line
  --region region of numbers written without a country code (default US)
Uses DATABASE_URL, or the embedded database under DATA_DIR (also while the app is running on it).`;

function fail(msg: string): number {
  process.stderr.write(`gym-agent suppressions: ${msg}\n${USAGE}\n`);
  return 2;
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        reason: { type: 'string' },
        region: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [action, arg] = positionals;
  const region = (values.region ?? 'US').toUpperCase();
  if (!isRegion(region)) return fail(`--region must be an ISO 3166 region code such as US or GB (got "${region}")`);
  const reason = values.reason?.trim() === '' ? undefined : values.reason?.trim();
  if (reason !== undefined && reason.length > 500) return fail('--reason must be at most 500 characters');
  const limit = Number(values.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail('--limit must be an integer from 1 to 1000');
  if (!['list', 'add', 'remove', 'import'].includes(action ?? ''))
    return fail(action === undefined ? 'which action?' : `unknown action '${action}'`);
  if (action !== 'list' && arg === undefined)
    return fail(`${action} needs ${action === 'import' ? 'a FILE' : 'a NUMBER'}`);
  const phone = action === 'add' || action === 'remove' ? suppressionNumber(arg as string, region) : undefined;
  if ((action === 'add' || action === 'remove') && phone === undefined)
    return fail(`"${arg}" is not a valid number in region ${region}`);
  let text: string | undefined;
  if (action === 'import') {
    text = await readFile(arg as string, 'utf8').catch(() => undefined);
    if (text === undefined) return fail(`cannot read ${arg}`);
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) return fail(`FILE is over ${MAX_FILE_BYTES} bytes`);
  }

  const cfg = loadConfig(process.env);
  const db = await openDatabase(cfg, { log: createLogger(cfg.LOG_LEVEL), attachToRunning: true });
  try {
    const at = new Date();
    if (action === 'add') {
      const added = await addSuppression(db.pool, { phone: phone as string, source: 'operator', reason, at });
      process.stdout.write(`${phone} ${added ? 'added to' : 'was already on'} the do-not-call list\n`);
      return 0;
    }
    if (action === 'remove') {
      const removed = await removeSuppression(db.pool, phone as string, { source: 'operator', reason, at });
      process.stdout.write(`${phone} ${removed ? 'removed from' : 'is not on'} the do-not-call list\n`);
      return removed ? 0 : 1;
    }
    if (action === 'import') {
      const r = await importSuppressions(db.pool, text as string, {
        format: formatOf(arg as string) ?? 'text',
        region,
        reason,
      });
      if (!r.ok) {
        process.stderr.write(`gym-agent suppressions: ${arg}: ${r.message}\n`);
        return 1;
      }
      for (const row of r.report.filter((x) => x.status === 'rejected'))
        process.stdout.write(`line ${row.line}: rejected: ${row.reason ?? ''}\n`);
      process.stderr.write(`${r.added} added, ${r.already} already listed, ${r.rejected} rejected\n`);
      return r.rejected > 0 ? 1 : 0;
    }
    const { total, suppressions } = await listSuppressions(db.pool, { limit, offset: 0 });
    if (values.json) process.stdout.write(JSON.stringify({ total, suppressions }, null, 2) + '\n');
    else {
      for (const s of suppressions)
        process.stdout.write(`${s.phone.padEnd(16)} ${s.created_at}  ${s.source.padEnd(8)} ${s.reason ?? ''}\n`);
      process.stderr.write(`${suppressions.length} of ${total} number(s)\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
