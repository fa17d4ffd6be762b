import t from 'tap';
import type pg from 'pg';
import { run as flowsCmd } from '../../src/cli/commands/flows.js';
import { insertCost } from '../../src/costs/store.js';
import { csvRowsForCall, CSV_COLUMNS } from '../../src/db/export/csv.js';
import { callDetail } from '../../src/db/read-model.js';
import { createCall, endCall } from '../../src/db/repositories/calls.js';
import { recordFacts } from '../../src/db/repositories/facts.js';
import { upsertRefusal } from '../../src/db/repositories/outcomes.js';
import { emptyFacts, type GymFacts } from '../../src/facts/model.js';
import { flowsReport } from '../../src/flows/report.js';
import { withPglite } from '../db/helpers/backends.js';
import { runCli } from '../support/cli.js';

// `gym-agent flows report` on a seeded database: calls written through the repositories with their experiment,
// variant, outcome, facts, refusals and cost. Three experiments give the three verdicts (a clear winner, no
// significant difference, not enough calls); the table's figures are checked against values computed independently
// (scipy: Wilson, t interval, z-test, Fisher, Welch). Filters by campaign, date and experiment; the JSON form.

type Kind = 'complete' | 'hangup' | 'refused' | 'partial' | 'no-answer';

const ALL: GymFacts = {
  hours: { mon: { opens: '06:00', closes: '22:00' } },
  pricing: [{ plan: 'Monthly', amountMinor: 4000, currency: 'USD', period: 'month' }],
  classes: [{ name: 'Yoga' }],
};
const SOME: GymFacts = { ...emptyFacts(), hours: ALL.hours };

/** Call length (s) of the i-th call of a kind; the same formulas gave the expected figures. */
const seconds = (kind: Kind, i: number): number =>
  ({
    complete: 150 + (i % 5) * 10,
    hangup: 40 + (i % 3) * 10,
    refused: 90,
    partial: 100 + (i % 4) * 5,
    'no-answer': 30,
  })[kind];

let serial = 0;

async function seedCall(
  pool: pg.Pool,
  c: { experiment: string; variant: string; kind: Kind; i: number; at: Date; phone?: string },
): Promise<string> {
  const id = `call-${++serial}`;
  await createCall(pool, {
    callId: id,
    direction: 'outbound',
    gymName: `Gym ${serial}`,
    phoneNumber: c.phone ?? `+1201555${String(serial).padStart(4, '0')}`,
    status: 'in-progress',
    at: c.at,
    flow: { experiment: c.experiment, variant: c.variant },
  });
  const s = seconds(c.kind, c.i);
  const end = new Date(c.at.getTime() + s * 1000);
  if (c.kind === 'complete') await recordFacts(pool, id, ALL, end);
  if (c.kind === 'partial') await recordFacts(pool, id, SOME, end);
  if (c.kind === 'refused') await upsertRefusal(pool, id, { topic: 'pricing', words: 'not on the phone' }, end);
  const outcome = {
    complete: 'completed',
    hangup: 'partial',
    refused: 'refused',
    partial: 'partial',
    'no-answer': 'no-answer',
  }[c.kind];
  const reason = c.kind === 'complete' ? 'facts-complete' : c.kind === 'hangup' ? 'caller-hangup' : 'agent-ended';
  await endCall(pool, { callId: id, reason, outcome, at: end });
  const usd = Math.round(s * 0.0003 * 1e6) / 1e6;
  await insertCost(
    pool,
    id,
    {
      twilioMinutes: Math.ceil(s / 60),
      asrSeconds: s,
      llmInputTokens: 0,
      llmOutputTokens: 0,
      ttsCharacters: 0,
      usd: { twilio: usd, asr: 0, llm: 0, tts: 0 },
      totalUsd: usd,
      providers: { asr: 'soundswallower', llm: 'offline-interviewer', tts: ['flite:kal16'] },
      unpriced: [],
    },
    end,
  );
  return id;
}

async function seedArm(
  pool: pg.Pool,
  experiment: string,
  variant: string,
  spec: [Kind, number][],
  from: Date,
): Promise<string[]> {
  const ids: string[] = [];
  let minute = 0;
  for (const [kind, count] of spec)
    for (let i = 0; i < count; i++)
      ids.push(
        await seedCall(pool, { experiment, variant, kind, i, at: new Date(from.getTime() + minute++ * 60_000) }),
      );
  return ids;
}

const cli = (args: string[], url: string) => runCli(flowsCmd, args, { DATABASE_URL: url });

/** The table's row for a metric, as its cells (two spaces or more apart: a difference against control is one too). */
const row = (text: string, experiment: string, label: string): string[] => {
  const block = text.split('\n\n').find((b) => b.startsWith(`experiment ${experiment}:`)) ?? '';
  const line = block.split('\n').find((l) => l.startsWith(label)) ?? '';
  return line.slice(label.length).trim().split(/ {2,}/);
};

t.test('flows report on a seeded database', async (t) => {
  const { backend } = await withPglite(t);
  const { pool, url } = backend;
  const november = new Date('2026-11-02T15:00:00Z');
  const december = new Date('2026-12-01T15:00:00Z');
  const started = performance.now();
  await seedArm(
    pool,
    'clear',
    'control',
    [
      ['complete', 9],
      ['hangup', 6],
      ['refused', 3],
      ['partial', 12],
      ['no-answer', 3],
    ],
    november,
  );
  const shortIds = await seedArm(
    pool,
    'clear',
    'short',
    [
      ['complete', 24],
      ['hangup', 2],
      ['refused', 1],
      ['partial', 3],
      ['no-answer', 3],
    ],
    november,
  );
  // A withheld caller ID (Twilio's "anonymous") ran control unassigned: recorded, never counted.
  const withheld = await seedCall(pool, {
    experiment: 'clear',
    variant: 'control',
    kind: 'complete',
    i: 0,
    at: november,
    phone: 'anonymous',
  });
  await seedArm(
    pool,
    'even',
    'control',
    [
      ['complete', 15],
      ['partial', 15],
    ],
    november,
  );
  await seedArm(
    pool,
    'even',
    'alt',
    [
      ['complete', 16],
      ['partial', 14],
    ],
    november,
  );
  const early = [
    ...(await seedArm(
      pool,
      'early',
      'control',
      [
        ['complete', 4],
        ['partial', 4],
      ],
      december,
    )),
    ...(await seedArm(
      pool,
      'early',
      'b',
      [
        ['complete', 6],
        ['partial', 2],
      ],
      december,
    )),
  ];
  // The early experiment's calls were a campaign's.
  const campaign = await pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, topics, max_concurrent, max_attempts, policy, created_at, updated_at)
     VALUES ('December', '{hours}', 1, 3, '{}', now(), now()) RETURNING id`,
  );
  const campaignId = Number(campaign.rows[0]?.id);
  for (const callId of early)
    await pool.query(
      `WITH g AS (INSERT INTO campaign_gyms (campaign_id, gym_id, state, updated_at)
                  SELECT $1, gym_id, 'done', now() FROM calls WHERE id = $2 RETURNING id, gym_id)
       INSERT INTO campaign_attempts (campaign_gym_id, campaign_id, gym_id, seq, call_id, dialled_at, local_time, time_zone)
       SELECT g.id, $1, g.gym_id, 1, $2, now(), '2026-12-01T10:00', 'America/New_York' FROM g`,
      [campaignId, callId],
    );
  t.comment(`seeded ${serial} calls in ${Math.round(performance.now() - started)} ms`);

  const r = await cli(['report', '--min-calls', '30'], url);
  t.equal(r.code, 0, r.err);
  t.comment(r.out);
  // (a) a clear winner, with every figure of the table.
  t.match(
    r.out,
    /^experiment clear: 2 variants, 66 calls, 60 conversations; facts complete across variants: z-test p < 0\.001$/m,
  );
  t.same(row(r.out, 'clear', 'calls / conversations'), ['33 / 30', '33 / 30']);
  t.same(row(r.out, 'clear', 'facts complete'), [
    '30.0 % [16.7, 47.9]',
    '80.0 % [62.7, 90.5]',
    '+50.0 pts p < 0.001 *',
  ]);
  t.same(row(r.out, 'clear', 'call length, s'), [
    '112.3 [96.1, 128.6] md 107.5',
    '151.8 [137.1, 166.6] md 160.0',
    '+39.5 s p < 0.001 *',
  ]);
  t.same(row(r.out, 'clear', 'hang-ups before a fact'), [
    '20.0 % [9.5, 37.3]',
    '6.7 % [1.8, 21.3]',
    '-13.3 pts p = 0.254',
  ]);
  t.same(row(r.out, 'clear', 'refusals'), ['10.0 % [3.5, 25.6]', '3.3 % [0.6, 16.7]', '-6.7 pts p = 0.612']);
  t.match(
    row(r.out, 'clear', 'cost per conversation, $').join('|'),
    /^0\.0337 \[0\.0288, 0\.0386\] md 0\.0323\|0\.0456 \[0\.0411, 0\.0500\] md 0\.0480\|\+0\.01\d\d \$ p < 0\.001 \*$/,
  );
  t.match(
    r.out,
    /verdict: a winner is clear: short completes the facts in 80\.0 % of conversations against control 30\.0 % \(p < 0\.001, Holm-adjusted; alpha 0\.05\)/,
  );
  // (c) no significant difference.
  t.same(row(r.out, 'even', 'facts complete'), ['50.0 % [33.2, 66.8]', '53.3 % [36.1, 69.8]', '+3.3 pts p = 0.796']);
  t.match(
    r.out,
    /verdict: no significant difference in facts complete \(control 50\.0 %, alt 53\.3 %; p = 0\.796, not below alpha 0\.05\)/,
  );
  // (b) not enough calls.
  t.match(r.out, /verdict: not enough calls yet: every variant needs 30 conversations \(control 8, b 8\)/);

  const strict = await cli(['report'], url);
  t.match(
    strict.out,
    /experiment clear:[^]*verdict: not enough calls yet: every variant needs 100 conversations \(control 30, short 30\)/,
  );

  const byCampaign = await cli(['report', '--campaign', String(campaignId), '--min-calls', '30'], url);
  t.same(
    [...byCampaign.out.matchAll(/^experiment (\S+):/gm)].map((m) => m[1]),
    ['early'],
    'a campaign: its calls only',
  );
  const since = await cli(['report', '--since', '2026-12-01'], url);
  t.same(
    [...since.out.matchAll(/^experiment (\S+):/gm)].map((m) => m[1]),
    ['early'],
    '--since',
  );
  const until = await cli(['report', '--until', '2026-12-01'], url);
  t.same(
    [...until.out.matchAll(/^experiment (\S+):/gm)].map((m) => m[1]),
    ['clear', 'even'],
    '--until',
  );
  t.match((await cli(['report', '--experiment', 'nothing'], url)).out, /no calls of any flow experiment match/);

  const json = await cli(['report', '--json', '--experiment', 'clear', '--min-calls', '30'], url);
  const doc = JSON.parse(json.out) as Awaited<ReturnType<typeof flowsReport>>;
  t.same(doc.filters, { campaignId: null, since: null, until: null, experiment: 'clear' });
  const [control, short] = doc.experiments[0]?.variants ?? [];
  t.same([control?.variant, short?.variant], ['control', 'short']);
  t.same(short?.factsComplete.count, 24);
  t.equal(short?.vsControl?.factsComplete?.method, 'z-test');
  t.equal(short?.vsControl?.hangupsBeforeFact?.method, 'fisher-exact', 'four expected hang-ups: Fisher');
  t.ok(Math.abs((short?.vsControl?.callSeconds?.p ?? 1) - 0.0005155877280012724) < 1e-9, "Welch's p as scipy's");
  t.same(doc.experiments[0]?.verdict, {
    kind: 'winner',
    winner: 'short',
    text: 'a winner is clear: short completes the facts in 80.0 % of conversations against control 30.0 % (p < 0.001, Holm-adjusted; alpha 0.05)',
  });

  t.equal((await cli(['report', '--campaign', 'x'], url)).code, 2);
  t.equal((await cli(['report', '--since', 'yesterday'], url)).code, 2);
  t.equal((await cli(['nothing'], url)).code, 2);

  // A call shows its variant in the API (GET /v1/calls/{id}) and the export; the first variant recorded stays (the
  // session's start writes the call again, never with another variant).
  const id = shortIds[0] as string;
  const detail = await callDetail(pool, id);
  t.same([detail?.flow_experiment, detail?.flow_variant], ['clear', 'short']);
  const cells =
    csvRowsForCall(detail as NonNullable<typeof detail>)
      .split('\r\n')[0]
      ?.split(',') ?? [];
  t.same(
    [cells[CSV_COLUMNS.indexOf('flow_experiment')], cells[CSV_COLUMNS.indexOf('flow_variant')]],
    ['clear', 'short'],
  );
  await createCall(pool, {
    callId: id,
    direction: 'outbound',
    at: november,
    flow: { experiment: 'other', variant: 'x' },
  });
  const again = await callDetail(pool, id);
  t.same([again?.flow_experiment, again?.flow_variant], ['clear', 'short']);
  const anonymous = await callDetail(pool, withheld);
  t.same(
    [anonymous?.phone_number, anonymous?.flow_variant],
    ['anonymous', 'control'],
    'a withheld number is kept on the call (no gym is made of it) with its variant',
  );
});
