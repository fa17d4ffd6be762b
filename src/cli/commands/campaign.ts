import { parseArgs } from 'node:util';
import type { CountryCode } from 'libphonenumber-js';
import { campaignPolicy } from '../../campaigns/routes.js';
import { everyPage, PAGE_LIMIT } from '../../campaigns/paging.js';
import {
  campaignGyms,
  campaignStatus,
  changeCampaign,
  createCampaign,
  FINAL_GYM_STATES,
  GYM_STATES,
  isGymState,
  listCampaigns,
  type CampaignAction,
  type CampaignGymRow,
  type CampaignStatusReport,
  type CampaignSummary,
} from '../../campaigns/store.js';
import { loadConfig } from '../../config/index.js';
import { openDatabase } from '../../db/pool.js';
import { isAppError } from '../../errors.js';
import { TOPICS, type Topic } from '../../facts/model.js';
import { importGyms } from '../../gyms/import.js';
import { formatOf } from '../../gyms/import-parse.js';
import { createLogger } from '../../log.js';
import { readGymsFile } from '../gyms-file.js';
import { isRegion } from '../../telephony/destination.js';
import { languageFrom, LANGUAGES } from '../../language/index.js';
import { readBrandVoice } from '../../voices/brand.js';

const USAGE = `usage: gym-agent campaign <create|list|status|gyms|pause|resume|cancel> [options]
  create --name N --gyms FILE [--topics hours,pricing,classes] [--max-concurrent N] [--max-attempts N] [--region US]
         [--language en|es] [--voice JSON]
           imports the gyms of FILE (.csv or .json, as 'gym-agent gyms import') and calls them until the topics are known;
           --language: the calls' language where a gym's own (its list's language column) is none the agent speaks;
           --voice: the campaign's brand voice, e.g. '{"elevenlabs": {"voice_id": "...", "stability": 0.4}, "openai": "nova"}'
  list                 every campaign with its progress
  status ID [--json]   one campaign: progress bar, gyms per state, outcome counts, next call
  gyms ID [--state S] [--json]
                       every gym of one campaign (or those in state S: ${GYM_STATES.join(', ')}) with its state,
                       dials, last outcome and next call
  pause ID | resume ID | cancel ID
The running server dials (every replica on the database); these commands only read and change the campaign.
Uses DATABASE_URL, or the embedded database under DATA_DIR (also while the app is running on it).`;

const ACTIONS: readonly string[] = ['pause', 'resume', 'cancel'];

function fail(msg: string): number {
  process.stderr.write(`gym-agent campaign: ${msg}\n`);
  return 2;
}

/** "[##########----------] 10/20 (50%)": gyms in a final state out of all. */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total === 0 ? 1 : done / total;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} (${Math.round(share * 100)}%)`;
}

function finalCount(c: CampaignSummary): number {
  return FINAL_GYM_STATES.reduce((n, s) => n + c.states[s], 0);
}

function counts(o: Record<string, number>): string {
  const parts = Object.entries(o)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none yet';
}

export function formatStatus(c: CampaignStatusReport): string {
  return [
    `campaign ${c.id} "${c.name}": ${c.status} (topics ${c.topics.join(', ')}; ${c.maxConcurrent} at once, ${c.maxAttempts} attempts per gym)`,
    progressBar(finalCount(c), c.gyms),
    `gyms:     ${counts(c.states)}`,
    `outcomes: ${counts(c.outcomes)} (${c.attempts} dials)`,
    `finals:   ${counts(c.finals)}`,
    `next call: ${c.nextAt ? c.nextAt.toISOString() : '-'}`,
  ].join('\n');
}

function formatList(cs: CampaignSummary[]): string {
  if (cs.length === 0) return 'no campaigns';
  return cs
    .map(
      (c) => `${String(c.id).padStart(4)}  ${c.status.padEnd(9)}  ${progressBar(finalCount(c), c.gyms, 20)}  ${c.name}`,
    )
    .join('\n');
}

export function formatGyms(gs: CampaignGymRow[]): string {
  if (gs.length === 0) return 'no gyms';
  return gs
    .map((g) =>
      [
        String(g.gymId).padStart(6),
        (g.finalState === null ? g.state : `${g.state} (${g.finalState})`).padEnd(26),
        `${g.attempts} dials`.padEnd(9),
        (g.lastOutcome ?? '-').padEnd(16),
        (g.nextAt?.toISOString() ?? '-').padEnd(24),
        g.name,
      ].join('  '),
    )
    .join('\n');
}

function topicsOf(v: string | undefined): Topic[] | undefined | string {
  if (v === undefined) return undefined;
  const ts = v.split(',').map((s) => s.trim().toLowerCase());
  const bad = ts.filter((t) => !(TOPICS as readonly string[]).includes(t));
  return bad.length > 0 ? `--topics: unknown ${bad.join(', ')} (use ${TOPICS.join(',')})` : (ts as Topic[]);
}

function intOf(v: string | undefined, name: string): number | undefined | string {
  if (v === undefined) return undefined;
  return /^\d{1,6}$/.test(v) ? Number(v) : `--${name} must be a whole number (got "${v}")`;
}

export async function run(args: string[]): Promise<number> {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        gyms: { type: 'string' },
        topics: { type: 'string' },
        'max-concurrent': { type: 'string' },
        'max-attempts': { type: 'string' },
        region: { type: 'string' },
        language: { type: 'string' },
        voice: { type: 'string' },
        state: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return fail(`${(e as Error).message}\n${USAGE}`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const [sub, idArg] = parsed.positionals;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (sub === undefined) return fail(USAGE);
  const needsId = sub === 'status' || sub === 'gyms' || ACTIONS.includes(sub);
  if (!needsId && sub !== 'create' && sub !== 'list') return fail(`unknown subcommand '${sub}'\n${USAGE}`);
  const id = Number(idArg);
  if (needsId && !(/^\d{1,15}$/.test(idArg ?? '') && Number.isSafeInteger(id)))
    return fail(`${sub} needs a campaign id (gym-agent campaign list shows them)`);

  const state = typeof v.state === 'string' ? v.state : undefined;
  if (state !== undefined && !isGymState(state)) return fail(`--state must be one of ${GYM_STATES.join(', ')}`);
  if (state !== undefined && sub !== 'gyms') return fail('--state goes with gyms only');

  const cfg = loadConfig(process.env);
  const log = createLogger(cfg.LOG_LEVEL);
  if (sub === 'create') {
    const name = typeof v.name === 'string' ? v.name.trim() : '';
    if (name === '' || typeof v.gyms !== 'string') return fail(`create needs --name and --gyms FILE\n${USAGE}`);
    const format = formatOf(v.gyms);
    if (format === undefined) return fail('--gyms must be a .csv or .json file');
    const topics = topicsOf(v.topics as string | undefined);
    const maxConcurrent = intOf(v['max-concurrent'] as string | undefined, 'max-concurrent');
    const maxAttempts = intOf(v['max-attempts'] as string | undefined, 'max-attempts');
    for (const x of [topics, maxConcurrent, maxAttempts]) if (typeof x === 'string') return fail(x);
    const region = typeof v.region === 'string' ? v.region.toUpperCase() : 'US';
    if (!isRegion(region)) return fail('--region must be an ISO 3166 region code such as US or GB');
    const language = typeof v.language === 'string' ? languageFrom(v.language) : undefined;
    if (typeof v.language === 'string' && language === undefined)
      return fail(`--language must be one of ${LANGUAGES.join(', ')}`);
    const policy = campaignPolicy(
      {
        topics: topics as Topic[] | undefined,
        maxConcurrent: maxConcurrent as number | undefined,
        maxAttempts: maxAttempts as number | undefined,
      },
      cfg.FACTS_MAX_AGE_DAYS,
    );
    if (!policy.ok) return fail(policy.message);
    const voice = typeof v.voice === 'string' ? readBrandVoice(v.voice) : { ok: true as const, voice: null };
    if (!voice.ok) return fail(voice.message);
    const file = await readGymsFile(v.gyms);
    if (!file.ok) return fail(file.message);
    const db = await openDatabase(cfg, { log, attachToRunning: true });
    try {
      const imported = await importGyms(db.pool, file.text, {
        format,
        region: region as CountryCode,
        destinations: { regions: cfg.CALL_ALLOWED_REGIONS, types: cfg.CALL_ALLOWED_NUMBER_TYPES },
        defaultTimeZone: cfg.CALL_DEFAULT_TIMEZONE,
        via: 'cli',
      });
      if (!imported.ok) return fail(imported.message);
      const r = imported.report;
      const gymIds = r.report.flatMap((row) => (row.gym_id === undefined ? [] : [row.gym_id]));
      process.stderr.write(`gyms: ${r.accepted} new, ${r.merged} merged, ${r.rejected} rejected of ${r.rows} rows\n`);
      for (const row of r.report.filter((x) => x.status === 'rejected'))
        process.stderr.write(`  line ${row.line}: ${row.reason ?? row.code ?? 'rejected'}\n`);
      const c = await createCampaign(db.pool, {
        name,
        policy: policy.policy,
        gymIds,
        now: new Date(),
        language,
        voice: voice.voice ?? undefined,
      });
      process.stdout.write(`campaign ${c.id} "${c.name}" created with ${c.gyms} gyms\n`);
      return 0;
    } catch (e) {
      if (isAppError(e)) return fail(e.message);
      throw e;
    } finally {
      await db.close();
    }
  }
  const db = await openDatabase(cfg, { log, attachToRunning: true, create: false });
  try {
    if (sub === 'list') {
      const all = await everyPage((before) => listCampaigns(db.pool, { limit: PAGE_LIMIT.max, before }));
      process.stdout.write(formatList(all) + '\n');
      return 0;
    }
    if (sub === 'gyms') {
      if (!(await campaignStatus(db.pool, id))) return fail(`no campaign ${id}`);
      const gs = await campaignGyms(db.pool, id, state);
      process.stdout.write((v.json ? JSON.stringify(gs, null, 2) : formatGyms(gs)) + '\n');
      return 0;
    }
    if (sub === 'status') {
      const st = await campaignStatus(db.pool, id);
      if (!st) return fail(`no campaign ${id}`);
      process.stdout.write((v.json ? JSON.stringify(st, null, 2) : formatStatus(st)) + '\n');
      return 0;
    }
    const c = await changeCampaign(db.pool, id, sub as CampaignAction, new Date());
    process.stdout.write(`campaign ${c.id} "${c.name}": ${c.status}\n`);
    return 0;
  } catch (e) {
    if (isAppError(e)) return fail(e.message);
    throw e;
  } finally {
    await db.close();
  }
}
