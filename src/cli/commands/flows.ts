import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { openDatabase } from '../../db/pool.js';
import { flowsReport, type FlowsFilters } from '../../flows/report.js';
import { reportText } from '../../flows/report-text.js';
import { createLogger } from '../../log.js';

const USAGE = `usage: gym-agent flows report [--experiment NAME] [--campaign ID] [--since DATE] [--until DATE]
                              [--min-calls N] [--alpha A] [--json]
  Compares the variants of each A/B experiment of conversation flows (FLOWS; docs/flows.md) on facts complete,
  call length, hang-ups before any fact, refusals and cost, with 95 % intervals and significance tests, and says
  whether a winner is clear.
  --experiment  one experiment (default: every experiment with calls in the window)
  --campaign    only calls of this campaign (its id)
  --since       only calls started at or after DATE (2026-01-31 or 2026-01-31T12:00:00Z)
  --until       only calls started before DATE
  --min-calls   conversations every variant needs before a verdict (default 100)
  --alpha       significance level of the verdict (default 0.05)
  --json        the report as JSON (what /analytics shows)
Uses DATABASE_URL, or the embedded database under DATA_DIR (also while the app is running on it).`;

function fail(message: string): number {
  process.stderr.write(`gym-agent flows: ${message}\n${USAGE}\n`);
  return 2;
}

type Parsed = { filters: FlowsFilters; json: boolean } | string;

/** The options as filters, or what is wrong with them. */
function filtersOf(v: Record<string, string | boolean | undefined>): Parsed {
  const date = (name: string): Date | string | undefined => {
    const raw = v[name];
    if (typeof raw !== 'string') return undefined;
    const d = new Date(raw);
    return Number.isNaN(d.getTime()) ? `--${name} must be a date such as 2026-01-31 (got "${raw}")` : d;
  };
  const since = date('since');
  const until = date('until');
  for (const d of [since, until]) if (typeof d === 'string') return d;
  const campaign = v.campaign === undefined ? undefined : Number(v.campaign);
  if (campaign !== undefined && !(Number.isSafeInteger(campaign) && campaign > 0))
    return '--campaign must be a campaign id (a positive integer)';
  const min = v['min-calls'] === undefined ? undefined : Number(v['min-calls']);
  if (min !== undefined && !(Number.isInteger(min) && min >= 2 && min <= 1_000_000))
    return '--min-calls must be an integer from 2 to 1000000';
  const alpha = v.alpha === undefined ? undefined : Number(v.alpha);
  if (alpha !== undefined && !(alpha > 0 && alpha < 0.5)) return '--alpha must be a number between 0 and 0.5';
  const experiment = typeof v.experiment === 'string' ? v.experiment : undefined;
  return {
    filters: {
      campaignId: campaign,
      since: since as Date | undefined,
      until: until as Date | undefined,
      experiment,
      minConversations: min,
      alpha,
    },
    json: v.json === true,
  };
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        experiment: { type: 'string' },
        campaign: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        'min-calls': { type: 'string' },
        alpha: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [action, ...extra] = parsed.positionals;
  if (action !== 'report') return fail(action === undefined ? 'which action? (report)' : `unknown action '${action}'`);
  if (extra.length > 0) return fail(`unexpected argument '${extra[0]}'`);
  const options = filtersOf(parsed.values);
  if (typeof options === 'string') return fail(options);

  const cfg = loadConfig(process.env);
  const db = await openDatabase(cfg, { log: createLogger(cfg.LOG_LEVEL), attachToRunning: true, create: false });
  try {
    const report = await flowsReport(db.pool, options.filters);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
    return 0;
  } finally {
    await db.close();
  }
}
