import { daysOf } from './filters.js';
import { byLabel, pivot, ratio, shortLabel, usd, type Drawing } from './drawing.js';
import type { ChartDef } from './charts.js';
import {
  bargeInsByDay,
  costByCampaign,
  costByGym,
  latencyByDay,
  outcomesByCampaign,
  outcomesByDay,
  TOP_CAMPAIGNS,
  TOP_GYMS,
} from './queries-calls.js';

// The call charts of /analytics: what calls came to, how fast the agent answered, how often it was interrupted or
// stopped for nothing, and what the calls cost (src/analytics/charts.ts puts them in page order).

const campaignLabel = (id: number, name: string) => shortLabel(`#${id} ${name}`);

/** Counts per label and outcome as bars stacked by outcome, an outcome coloured alike in both outcome charts. */
function stackedOutcomes<R extends { outcome: string }>(
  rows: readonly R[],
  labels: readonly string[],
  label: (r: R) => string,
  count: (r: R) => number,
  o: { horizontal: boolean; valueTitle: string },
): Drawing {
  const datasets = pivot(rows, labels, label, (r) => r.outcome, count);
  return { type: 'bar', labels, datasets, stacked: true, ...o, colourKey: 'outcome' };
}

export const OUTCOME_CHARTS = {
  'outcomes-by-campaign': {
    title: 'Outcomes per campaign',
    description: `Dials of each campaign by what they came to (the ${TOP_CAMPAIGNS} newest campaigns with dials in the range).`,
    async load(db, f) {
      const rows = await outcomesByCampaign(db, f);
      const labels = [...new Set(rows.map((r) => campaignLabel(r.campaignId, r.campaign)))];
      return {
        table: {
          columns: ['campaign_id', 'campaign', 'outcome', 'attempts'],
          rows: rows.map((r) => [r.campaignId, r.campaign, r.outcome, r.attempts]),
        },
        drawing: stackedOutcomes(
          rows,
          labels,
          (r) => campaignLabel(r.campaignId, r.campaign),
          (r) => r.attempts,
          {
            horizontal: true,
            valueTitle: 'dials',
          },
        ),
      };
    },
  },
  'outcomes-by-day': {
    title: 'Outcomes over time',
    description: 'Calls placed per UTC day, by what they came to.',
    async load(db, f) {
      const rows = await outcomesByDay(db, f);
      const labels = daysOf(f);
      return {
        table: { columns: ['day', 'outcome', 'calls'], rows: rows.map((r) => [r.day, r.outcome, r.calls]) },
        drawing: stackedOutcomes(
          rows,
          labels,
          (r) => r.day,
          (r) => r.calls,
          { horizontal: false, valueTitle: 'calls' },
        ),
      };
    },
  },
} satisfies Record<string, ChartDef>;

export const QUALITY_AND_COST_CHARTS = {
  'latency-by-day': {
    title: 'Response gap and server latency',
    description:
      "Percentiles per UTC day over the agent's turns: the response gap (the caller stops → the agent's voice starts) and the server-added time (end of turn → first audio sent).",
    async load(db, f) {
      const rows = await latencyByDay(db, f);
      return {
        table: {
          columns: [
            'day',
            'gap_turns',
            'gap_p50_ms',
            'gap_p90_ms',
            'gap_p99_ms',
            'server_turns',
            'server_p50_ms',
            'server_p90_ms',
          ],
          rows: rows.map((r) => [
            r.day,
            r.gapTurns,
            r.gapP50,
            r.gapP90,
            r.gapP99,
            r.serverTurns,
            r.serverP50,
            r.serverP90,
          ]),
        },
        drawing: {
          type: 'line',
          labels: daysOf(f),
          datasets: byLabel(rows, daysOf(f), (r) => r.day, [
            ['response gap, median', (r) => r.gapP50],
            ['response gap, p90', (r) => r.gapP90],
            ['response gap, p99', (r) => r.gapP99],
            ['server-added, median', (r) => r.serverP50],
            ['server-added, p90', (r) => r.serverP90],
          ]),
          stacked: false,
          horizontal: false,
          valueTitle: 'milliseconds',
        },
      };
    },
  },
  'barge-ins-by-day': {
    title: 'Interruptions and false barge-ins per call',
    description:
      'Per UTC day, over calls with a conversation: agent turns the caller cut off, and times the agent stopped for a sound that brought no words (counted for calls since migration 016).',
    async load(db, f) {
      const rows = await bargeInsByDay(db, f);
      const perCall = (r: (typeof rows)[number]) => ratio(r.interruptions, r.calls);
      const falsePerCall = (r: (typeof rows)[number]) => ratio(r.falseBargeIns, r.countedCalls);
      return {
        table: {
          columns: [
            'day',
            'calls',
            'interruptions',
            'interruptions_per_call',
            'counted_calls',
            'false_barge_ins',
            'false_barge_ins_per_call',
          ],
          rows: rows.map((r) => [
            r.day,
            r.calls,
            r.interruptions,
            perCall(r),
            r.countedCalls,
            r.falseBargeIns,
            falsePerCall(r),
          ]),
        },
        drawing: {
          type: 'line',
          labels: daysOf(f),
          datasets: byLabel(rows, daysOf(f), (r) => r.day, [
            ['interruptions per call', perCall],
            ['false barge-ins per call', falsePerCall],
          ]),
          stacked: false,
          horizontal: false,
          valueTitle: 'per call',
        },
      };
    },
  },
  'cost-by-campaign': {
    title: 'Cost per campaign',
    description: `What each campaign's priced calls cost in total, and per gym it called (the ${TOP_CAMPAIGNS} costliest).`,
    async load(db, f) {
      const rows = await costByCampaign(db, f);
      return {
        table: {
          columns: ['campaign_id', 'campaign', 'calls', 'gyms', 'total_usd', 'usd_per_gym'],
          rows: rows.map((r) => [r.id, r.name, r.calls, r.gyms, usd(r.totalUsd), usd(r.totalUsd / r.gyms)]),
        },
        drawing: {
          type: 'bar',
          labels: rows.map((r) => campaignLabel(r.id, r.name)),
          datasets: [
            { label: 'total', data: rows.map((r) => usd(r.totalUsd)) },
            { label: 'per gym', data: rows.map((r) => usd(r.totalUsd / r.gyms)) },
          ],
          stacked: false,
          horizontal: false,
          valueTitle: 'US dollars',
        },
      };
    },
  },
  'cost-by-gym': {
    title: 'Cost per gym',
    description: `What the priced calls to each gym cost (the ${TOP_GYMS} costliest gyms).`,
    async load(db, f) {
      const rows = await costByGym(db, f);
      return {
        table: {
          columns: ['gym_id', 'gym', 'calls', 'total_usd'],
          rows: rows.map((r) => [r.id, r.name, r.calls, usd(r.totalUsd)]),
        },
        drawing: {
          type: 'bar',
          labels: rows.map((r) => shortLabel(r.name)),
          datasets: [{ label: 'total', data: rows.map((r) => usd(r.totalUsd)) }],
          stacked: false,
          horizontal: true,
          valueTitle: 'US dollars',
        },
      };
    },
  },
} satisfies Record<string, ChartDef>;
