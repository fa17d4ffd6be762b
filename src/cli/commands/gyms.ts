import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { openDatabase } from '../../db/pool.js';
import { importGyms, type RowReport } from '../../gyms/import.js';
import { formatOf } from '../../gyms/import-parse.js';
import { readGymsFile } from '../gyms-file.js';
import { gymWithFreshness, listGymSummaries } from '../../gyms/store.js';
import { createLogger } from '../../log.js';
import { isRegion } from '../../telephony/destination.js';
import { readBrandVoice } from '../../voices/brand.js';
import { changeGymVoice } from '../../voices/store.js';

const USAGE = `usage: gym-agent gyms import FILE [--region US] [--json]
       gym-agent gyms list [--limit N] [--offset N] [--json]
       gym-agent gyms show ID
       gym-agent gyms voice ID JSON|none
  import   a list of gyms: CSV with a header row (name, phone; optional address, timezone, language) or JSON
           ([{"name", "phone", ...}] or {"gyms": [...]}). Each row is accepted, merged into the gym with the same
           number, or rejected with its reason; bad rows never stop good ones. Exit 1 when a row was rejected.
  --region region of numbers written without a country code (default US)
  --json   print the whole report (import) or list as JSON
  list     the gyms, with their time zone and where it came from, calls, and the do-not-call flag
  show     one gym as JSON: its facts, their history and freshness per topic, and the changes imports made
  voice    sets the gym's brand voice, e.g. '{"elevenlabs": {"voice_id": "...", "model": "eleven_multilingual_v2"},
           "openai": "nova", "espeak": "f3"}', or clears it (none); docs/voices.md
Uses DATABASE_URL, or the embedded database under DATA_DIR (also while the app is running on it).`;

function fail(msg: string): number {
  process.stderr.write(`gym-agent gyms: ${msg}\n${USAGE}\n`);
  return 2;
}

export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [action, arg, voiceArg] = positionals;
  const region = (values.region ?? 'US').toUpperCase();
  if (!isRegion(region)) return fail(`--region must be an ISO 3166 region code such as US or GB (got "${region}")`);
  let text = '';
  if (action === 'import') {
    if (arg === undefined) return fail('import needs a FILE');
    if (formatOf(arg) === undefined) return fail('FILE must end in .csv or .json');
    const file = await readGymsFile(arg);
    if (!file.ok) return fail(file.message);
    text = file.text;
  } else if (action === 'show' || action === 'voice') {
    if (arg === undefined || !/^\d{1,15}$/.test(arg)) return fail(`${action} needs a gym ID (a number)`);
  } else if (action !== 'list') return fail(action === undefined ? 'which action?' : `unknown action '${action}'`);
  const voice = action === 'voice' ? readBrandVoice(voiceArg ?? '') : undefined;
  if (voice?.ok === false)
    return fail(voiceArg === undefined ? 'voice needs JSON or none after the gym ID' : voice.message);
  const limit = Number(values.limit ?? 100);
  const offset = Number(values.offset ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail('--limit must be an integer from 1 to 1000');
  if (!Number.isInteger(offset) || offset < 0) return fail('--offset must be a whole number');

  const cfg = loadConfig(process.env);
  const log = createLogger(cfg.LOG_LEVEL);
  const db = await openDatabase(cfg, { log, attachToRunning: true });
  try {
    if (action === 'import') {
      const file = arg as string;
      const r = await importGyms(db.pool, text, {
        format: formatOf(file) ?? 'csv',
        region,
        destinations: { regions: cfg.CALL_ALLOWED_REGIONS, types: cfg.CALL_ALLOWED_NUMBER_TYPES },
        defaultTimeZone: cfg.CALL_DEFAULT_TIMEZONE,
        via: 'cli',
      });
      if (!r.ok) {
        process.stderr.write(`gym-agent gyms: ${file}: ${r.message}\n`);
        return 1;
      }
      const rep = r.report;
      if (values.json) process.stdout.write(JSON.stringify(rep, null, 2) + '\n');
      else for (const row of rep.report) process.stdout.write(reportLine(row) + '\n');
      if (rep.ignored_columns.length > 0) process.stderr.write(`ignored columns: ${rep.ignored_columns.join(', ')}\n`);
      process.stderr.write(
        `${rep.rows} row(s): ${rep.accepted} accepted, ${rep.merged} merged, ${rep.rejected} rejected (import ${rep.import_id}, ${db.location})\n`,
      );
      return rep.rejected > 0 ? 1 : 0;
    }
    if (action === 'voice' && voice?.ok) {
      const r = await changeGymVoice(db.pool, Number(arg), voice.voice);
      if (r !== undefined) {
        process.stderr.write(`gym-agent gyms: ${r === 'not-found' ? `no gym ${arg}` : r}\n`);
        return 1;
      }
      process.stdout.write(`gym ${arg}: ${voice.voice === null ? 'voice cleared' : 'voice set'}\n`);
      return 0;
    }
    if (action === 'show') {
      const g = await gymWithFreshness(db.pool, Number(arg), {
        asOf: new Date(),
        maxAgeDays: cfg.FACTS_MAX_AGE_DAYS,
      });
      if (g === undefined) {
        process.stderr.write(`gym-agent gyms: no gym ${arg}\n`);
        return 1;
      }
      process.stdout.write(JSON.stringify(g, null, 2) + '\n');
      return 0;
    }
    const { total, gyms } = await listGymSummaries(db.pool, { limit, offset });
    if (values.json) process.stdout.write(JSON.stringify({ total, gyms }, null, 2) + '\n');
    else {
      for (const g of gyms)
        process.stdout.write(
          [
            String(g.gym_id).padStart(6),
            (g.phone ?? '-').padEnd(16),
            [g.region ?? '-', g.subdivision].filter(Boolean).join('-').padEnd(7),
            `${g.timezone ?? '-'} (${g.timezone_source ?? '-'})`.padEnd(40),
            `${g.calls} call(s)`.padEnd(11),
            g.suppressed ? 'DO-NOT-CALL ' : '',
            g.name,
          ].join(' ') + '\n',
        );
      process.stderr.write(`${gyms.length} of ${total} gym(s)\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      region: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

function reportLine(r: RowReport): string {
  const head = `line ${String(r.line).padStart(5)}  ${r.status.padEnd(8)}`;
  if (r.status === 'rejected') return `${head}  ${r.name ?? ''}${r.name ? ': ' : ''}${r.reason ?? ''}`;
  const what = r.status === 'merged' ? ` (${r.changes?.length ? `changed ${r.changes.join(', ')}` : 'no change'})` : '';
  const warn = r.warnings?.length ? `  [${r.warnings.join('; ')}]` : '';
  const sub = `${r.subdivision ?? 'no subdivision'} (${r.subdivision_source})`;
  return `${head}  gym ${r.gym_id} ${r.phone} ${r.name}${what}, ${r.timezone} (${r.timezone_source}), ${sub}${warn}`;
}
