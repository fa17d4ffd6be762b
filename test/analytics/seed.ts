// The database /analytics is tested on. Two parts:
// - "Hand" calls in 2026-03-01..03-03 (and older ones that only leave facts), recorded through the call recorder as
//   a live call writes them, with every figure the tests assert worked out in the comments.
// - "Background": 38 calls over 2026-02-10..28 to twelve other gyms, bulk-inserted with SQL, so the screenshot shows
//   charts with some shape, every one in the A/B flow experiment 'greeting' (control or warm, by gym). Tests of exact
//   figures filter them out (by date or by campaign).
import type pg from 'pg';
import { campaignPolicy } from '../../src/campaigns/routes.js';
import { createCampaign } from '../../src/campaigns/store.js';
import { insertCost } from '../../src/costs/store.js';
import { CallRecorder } from '../../src/db/recorder.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { DAYS, type GymFacts } from '../../src/facts/model.js';

/** A gym name written to run as a formula in a spreadsheet, with markup: the CSV and the page must defuse both. */
export const HOSTILE = '=HYPERLINK("http://evil.example","x") <b>Gym</b>';
export const NOW = new Date('2026-03-10T12:00:00Z');

const POLICY = (() => {
  const p = campaignPolicy({ topics: ['hours', 'pricing', 'classes'] }, 90);
  if (!p.ok) throw new Error(p.message);
  return p.policy;
})();

const allWeek = (opens: string, closes: string): GymFacts['hours'] =>
  Object.fromEntries(DAYS.map((d) => [d, { opens, closes }]));

function cost(total: number) {
  return {
    twilioMinutes: 1,
    asrSeconds: 30,
    llmInputTokens: 500,
    llmOutputTokens: 50,
    ttsCharacters: 200,
    usd: { twilio: total, asr: 0, llm: 0, tts: 0 },
    totalUsd: total,
    providers: { asr: 'offline', llm: 'offline', tts: ['offline'] },
    unpriced: [],
  };
}

async function dial(pool: pg.Pool, campaignId: number, callId: string, outcome: string | null, at: string) {
  await pool.query(
    `INSERT INTO campaign_attempts (campaign_gym_id, campaign_id, gym_id, seq, call_id, dialled_at, local_time,
       time_zone, outcome, settled_at)
     SELECT cg.id, $1, cg.gym_id, cg.attempts + 1, $2, $3, '2026-03-01T10:00', 'America/New_York', $4, $3
       FROM campaign_gyms cg JOIN calls c ON c.gym_id = cg.gym_id WHERE cg.campaign_id = $1 AND c.id = $2`,
    [campaignId, callId, at, outcome],
  );
  await pool.query(
    'UPDATE campaign_gyms SET attempts = attempts + 1 WHERE campaign_id = $1 AND gym_id = (SELECT gym_id FROM calls WHERE id = $2)',
    [campaignId, callId],
  );
}

/** The hand calls. Returns the campaigns' ids. */
async function hand(pool: pg.Pool): Promise<{ spring: number; winter: number }> {
  const queue = new WriteQueue(pool);
  const rec = new CallRecorder(queue);
  const call = (id: string, gym: string, phone: string, at: string) =>
    rec.begin({ callId: id, direction: 'outbound', gymName: gym, phoneNumber: phone, at, status: 'in-progress' });
  const agent = (interrupted: boolean, gap: number, server: number, at: string) => ({
    text: 'Hi, how much is a monthly membership?',
    heardText: interrupted ? 'Hi, how much' : 'Hi, how much is a monthly membership?',
    interrupted,
    latency: { responseGapMs: gap, endOfTurnToFirstAudioMs: server },
    at,
  });
  const caller = (at: string) => ({ text: 'forty nine a month', at });

  // Old Gym: all week stated 2025-10-01 (stale by 2026-03-10 at 90 days); busy on 03-03.
  const o0 = call('old-0', 'Old Gym', '+12025550104', '2025-10-01T10:00:00Z');
  o0.facts({ hours: allWeek('06:00', '22:00'), pricing: [], classes: [] }, '2025-10-01T10:01:00Z');
  await o0.ended({ reason: 'facts-complete', outcome: 'partial', at: '2025-10-01T10:02:00Z' });
  // Iron Temple on 02-20: an older price list (Monthly 45) the 03-01 call supersedes; a call without an outcome.
  const e1 = call('iron-0220', 'Iron Temple', '+12025550101', '2026-02-20T10:00:00Z');
  e1.callerTurn(caller('2026-02-20T10:00:05Z'));
  e1.facts(
    { hours: {}, pricing: [{ plan: 'Monthly', amountMinor: 4500, currency: 'USD', period: 'month' }], classes: [] },
    '2026-02-20T10:00:30Z',
  );
  await e1.ended({ reason: 'caller-hangup', at: '2026-02-20T10:01:00Z' });

  // 03-01, Iron Temple: gaps 400, 600; server 200, 300; one interruption; one false barge-in. Everything known.
  const a1 = call('iron-0301', 'Iron Temple', '+12025550101', '2026-03-01T10:00:00Z');
  a1.agentTurn(agent(true, 400, 200, '2026-03-01T10:00:05Z'));
  a1.callerTurn(caller('2026-03-01T10:00:08Z'));
  a1.agentTurn(agent(false, 600, 300, '2026-03-01T10:00:12Z'));
  a1.facts(
    {
      hours: allWeek('05:00', '23:00'),
      pricing: [
        { plan: 'Monthly', amountMinor: 4900, currency: 'USD', period: 'month' },
        { plan: 'Annual', amountMinor: 49900, currency: 'USD', period: 'year' },
      ],
      classes: [{ name: 'Yoga' }, { name: 'Spin' }],
    },
    '2026-03-01T10:00:40Z',
  );
  await a1.ended({ reason: 'facts-complete', outcome: 'completed', falseBargeIns: 1, at: '2026-03-01T10:01:00Z' });
  // 03-01, Flex Hub: gap 800, server 350; hours Monday to Friday only; no false barge-in.
  const b1 = call('flex-0301', 'Flex Hub', '+12025550102', '2026-03-01T11:00:00Z');
  b1.agentTurn(agent(false, 800, 350, '2026-03-01T11:00:05Z'));
  b1.callerTurn(caller('2026-03-01T11:00:08Z'));
  const weekdays = Object.fromEntries(DAYS.slice(0, 5).map((d) => [d, { opens: '06:00', closes: '21:00' }]));
  b1.facts(
    {
      hours: weekdays,
      pricing: [{ plan: 'Monthly', amountMinor: 5900, currency: 'USD', period: 'month' }],
      classes: [{ name: 'Yoga' }, { name: 'HIIT' }],
    },
    '2026-03-01T11:00:40Z',
  );
  await b1.ended({ reason: 'facts-complete', outcome: 'partial', falseBargeIns: 0, at: '2026-03-01T11:01:00Z' });
  // 03-03, the hostile gym: gap 1000, server 500, interrupted; two false barge-ins; prices and classes, no hours.
  const c1 = call('hostile-0303', HOSTILE, '+12025550103', '2026-03-03T09:00:00Z');
  c1.agentTurn(agent(true, 1000, 500, '2026-03-03T09:00:05Z'));
  c1.callerTurn(caller('2026-03-03T09:00:08Z'));
  c1.facts(
    {
      hours: {},
      pricing: [{ plan: 'monthly', amountMinor: 3900, currency: 'USD', period: 'month' }],
      classes: [{ name: 'yoga' }],
    },
    '2026-03-03T09:00:40Z',
  );
  await c1.ended({ reason: 'callback', outcome: 'callback-requested', falseBargeIns: 2, at: '2026-03-03T09:01:00Z' });
  // 03-03, Old Gym: busy, no conversation.
  const d1 = call('old-0303', 'Old Gym', '+12025550104', '2026-03-03T12:00:00Z');
  await d1.status('busy', '2026-03-03T12:00:10Z');
  await queue.close();

  const gymIds = async (phones: string[]) =>
    (await pool.query<{ id: string }>('SELECT id FROM gyms WHERE phone = ANY($1)', [phones])).rows.map((r) =>
      Number(r.id),
    );
  const spring = await createCampaign(pool, {
    name: 'Spring, "north"',
    policy: POLICY,
    gymIds: await gymIds(['+12025550101', '+12025550102', '+12025550103']),
    now: new Date('2026-02-28T00:00:00Z'),
  });
  const winter = await createCampaign(pool, {
    name: 'Winter',
    policy: POLICY,
    gymIds: await gymIds(['+12025550104']),
    now: new Date('2026-02-28T00:00:00Z'),
  });
  await dial(pool, spring.id, 'iron-0301', 'completed', '2026-03-01T10:00:00Z');
  await dial(pool, spring.id, 'flex-0301', 'partial', '2026-03-01T11:00:00Z');
  await dial(pool, spring.id, 'hostile-0303', null, '2026-03-03T09:00:00Z'); // not settled yet
  await dial(pool, winter.id, 'old-0303', 'busy', '2026-03-03T12:00:00Z');
  // Priced: Spring 0.05 + 0.03 + 0.02 over three gyms; the busy call was not priced.
  await insertCost(pool, 'iron-0301', cost(0.05), new Date('2026-03-01T10:01:00Z'));
  await insertCost(pool, 'flex-0301', cost(0.03), new Date('2026-03-01T11:01:00Z'));
  await insertCost(pool, 'hostile-0303', cost(0.02), new Date('2026-03-03T09:01:00Z'));
  return { spring: spring.id, winter: winter.id };
}

const CLASSES = ['Yoga', 'Spin', 'HIIT', 'Pilates', 'Boxing', 'Zumba', 'CrossFit', 'Barre'];
const OUTCOMES = ['completed', 'completed', 'partial', 'no-answer', 'voicemail-left', 'callback-requested', 'refused'];

/** The background calls, one SQL statement per table. */
async function background(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO gyms (name, phone, timezone)
     SELECT 'Gym ' || chr(64 + g), '+1202555030' || lpad(g::text, 2, '0'), 'America/New_York' FROM generate_series(1, 12) g`,
  );
  const gyms = (await pool.query<{ id: string }>("SELECT id FROM gyms WHERE name LIKE 'Gym _' ORDER BY id")).rows;
  const calls = Array.from({ length: 38 }, (_, i) => {
    const at = new Date(Date.UTC(2026, 1, 10 + Math.floor(i / 2), 9 + (i % 2) * 4));
    return { id: `bg-${i}`, gym: gyms[i % 12]?.id, at, outcome: OUTCOMES[i % OUTCOMES.length] as string };
  });
  await pool.query(
    `INSERT INTO calls (id, gym_id, direction, status, status_at, created_at, ended_at, outcome, false_barge_ins,
                        flow_experiment, flow_variant, phone_number)
     SELECT x.id, gym, 'outbound', 'completed', at, at, at + interval '3 minutes', outcome, fb,
            'greeting', CASE WHEN gym % 2 = 0 THEN 'control' ELSE 'warm' END, g.phone
       FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::int[]) AS x(id, gym, at, outcome, fb)
       JOIN gyms g ON g.id = x.gym`,
    [
      calls.map((c) => c.id),
      calls.map((c) => c.gym),
      calls.map((c) => c.at),
      calls.map((c) => c.outcome),
      calls.map((_, i) => (i % 3 === 0 ? 1 : 0)),
    ],
  );
  const talked = calls.map((c, i) => ({ ...c, i })).filter((c) => !['no-answer', 'voicemail-left'].includes(c.outcome));
  await pool.query(
    `INSERT INTO turns (call_id, seq, speaker, text, interrupted, latency, ended_at)
     SELECT id, s, CASE WHEN s % 2 = 0 THEN 'agent' ELSE 'caller' END, 'words', s = 0 AND i % 4 = 0,
            CASE WHEN s % 2 = 0 THEN jsonb_build_object('responseGapMs', 450 + (i * 37) % 400 + s * 60,
                                                        'endOfTurnToFirstAudioMs', 200 + (i * 23) % 150 + s * 10) END,
            at + s * interval '5 seconds'
       FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS x(id, i, at), generate_series(0, 3) s`,
    [talked.map((c) => c.id), talked.map((c) => c.i), talked.map((c) => c.at)],
  );
  // Facts, stated in each gym's first call: all week for gyms A-H, weekdays for I-J, nothing for K-L; monthly
  // prices 29 to 74 USD, annual ones for every other gym, day passes for every third; three classes each.
  const hours: unknown[][] = [];
  const plans: unknown[][] = [];
  const classes: unknown[][] = [];
  for (let g = 0; g < 10; g++) {
    const first = calls[g] as (typeof calls)[number];
    for (const day of g < 8 ? DAYS : DAYS.slice(0, 5)) hours.push([first.gym, first.id, day, first.at]);
    plans.push([first.gym, first.id, 'Monthly', 2900 + g * 500, 'month', first.at]);
    if (g % 2 === 0) plans.push([first.gym, first.id, 'Annual', 29900 + g * 2000, 'year', first.at]);
    if (g % 3 === 0) plans.push([first.gym, first.id, 'Day pass', 1000 + g * 100, 'day', first.at]);
    for (const k of [0, 3, 5]) classes.push([first.gym, first.id, CLASSES[(g + k) % CLASSES.length], first.at]);
  }
  const columns = (rows: unknown[][]) => (rows[0] ?? []).map((_, i) => rows.map((r) => r[i]));
  await pool.query(
    `INSERT INTO fact_hours (gym_id, call_id, day, kind, opens, closes, recorded_at)
     SELECT g, c, d, 'hours', '06:00', '22:00', at FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) x(g, c, d, at)`,
    columns(hours),
  );
  await pool.query(
    `INSERT INTO fact_plans (gym_id, call_id, plan_key, plan, amount_minor, currency, period, recorded_at)
     SELECT g, c, lower(p), p, a, 'USD', per, at
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[]) x(g, c, p, a, per, at)`,
    columns(plans),
  );
  await pool.query(
    `INSERT INTO fact_classes (gym_id, call_id, name_key, name, recorded_at)
     SELECT g, c, lower(n), n, at FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) x(g, c, n, at)`,
    columns(classes),
  );
  await pool.query("UPDATE calls SET end_reason = 'facts-complete' WHERE id LIKE 'bg-%'");
  // Every call a dial of the February sweep, settled with the call's outcome, and priced.
  const bg = await createCampaign(pool, {
    name: 'February sweep',
    policy: POLICY,
    gymIds: gyms.map((r) => Number(r.id)),
    now: new Date('2026-02-09T00:00:00Z'),
  });
  await pool.query(
    `INSERT INTO campaign_attempts (campaign_gym_id, campaign_id, gym_id, seq, call_id, dialled_at, local_time,
       time_zone, outcome, settled_at)
     SELECT cg.id, cg.campaign_id, c.gym_id, row_number() OVER (PARTITION BY c.gym_id ORDER BY c.created_at), c.id,
            c.created_at, to_char(c.created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD"T"HH24:MI'),
            'America/New_York', c.outcome, c.created_at
       FROM calls c JOIN campaign_gyms cg ON cg.gym_id = c.gym_id AND cg.campaign_id = $1 WHERE c.id LIKE 'bg-%'`,
    [bg.id],
  );
  await pool.query(
    `INSERT INTO call_costs (call_id, twilio_minutes, asr_seconds, llm_input_tokens, llm_output_tokens, tts_characters,
       twilio_usd, asr_usd, llm_usd, tts_usd, total_usd, recorded_at)
     SELECT id, 1, 30, 500, 50, 200, usd, 0, 0, 0, usd, at FROM unnest($1::text[], $2::numeric[], $3::timestamptz[]) x(id, usd, at)`,
    [calls.map((c) => c.id), calls.map((_, i) => 0.02 + (i % 5) * 0.01), calls.map((c) => c.at)],
  );
}

export async function seedAnalytics(pool: pg.Pool): Promise<{ spring: number; winter: number }> {
  await background(pool);
  return hand(pool);
}
