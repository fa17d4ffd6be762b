// `gym-agent demo --campaign`: a small campaign against the simulator, one gym per behaviour, checked from its JSON
// only: every gym final, a next attempt wherever an outcome's rule asks for one (and at the distance it asks), no
// gym dialled while its last call was still up, every dial inside its window and the hard limits, local times that
// are the UTC times in the gym's zone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { OUTCOME_RULES } from '../../src/campaigns/policy/retry-rules.js';
import type { AttemptOutcome } from '../../src/campaigns/types.js';
import { BEHAVIOURS } from '../../src/demo/campaign/gyms.js';
import { runCampaignDemo } from '../../src/demo/campaign/run.js';
import { run } from '../../src/cli/commands/demo.js';
import { createLogger } from '../../src/log.js';

const MIN = 60_000;
// Every call is real-time audio (about 20-90 s each, three at once) and the campaign's 8 gyms make about 10
// conversations over two simulated days: minutes, not seconds (measured: the first day's morning alone took
// 6 minutes on a loaded two-core machine).
t.setTimeout(720_000);

/** The wall-clock time of `iso` in `tz` as "YYYY-MM-DDTHH:MM", by Intl (not the policy's own code). */
function wall(iso: string, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(iso));
  const p = (k: string) => parts.find((x) => x.type === k)?.value ?? '';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}`;
}

t.test('campaign options are checked before anything starts', async (t) => {
  await t.rejects(run(['--campaign', '0']), { code: 'BAD_ARGUMENT', message: /--campaign must be a whole number/ });
  await t.rejects(run(['--campaign', '5', '--persona', 'x.json']), { code: 'BAD_ARGUMENT' });
  await t.rejects(run(['--concurrency', '2']), { code: 'BAD_ARGUMENT', message: /--concurrency needs --campaign/ });
});

t.test('a campaign over every behaviour ends with every gym final, retried as its outcomes demand', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'campaign-demo-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const report = await runCampaignDemo({
    gyms: BEHAVIOURS.length,
    seed: 7,
    dataDir: dir,
    log: createLogger('silent'),
    concurrency: 3,
    places: 1,
    budgetMs: 600_000,
  });
  const r = JSON.parse(JSON.stringify(report)) as typeof report;
  t.equal(r.status, 'done', 'the campaign is done');
  t.same(new Set(r.gyms.map((g) => g.behaviour)), new Set(BEHAVIOURS.map((b) => b.name)), 'every behaviour ran');
  t.same(r.overlaps, [], 'the fake Twilio saw no number dialled while on the line');
  t.ok(r.concurrency.peak <= r.concurrency.limit, `at most ${r.concurrency.limit} calls at once`);

  const seen = new Set<string>();
  for (const g of r.gyms) {
    t.ok(g.final, `${g.behaviour}: final (${g.state} ${g.finalState ?? ''})`);
    t.ok(g.attempts.length >= 1, `${g.behaviour}: dialled`);
    for (const [i, a] of g.attempts.entries()) {
      seen.add(a.outcome ?? 'unsettled');
      t.ok(a.outcome !== null && a.settledAt !== null, `${g.behaviour} #${a.seq}: settled`);
      t.equal(a.localTime, wall(a.dialledAt, g.timeZone), `${g.behaviour} #${a.seq}: local time is UTC in its zone`);
      const hm = a.localTime.slice(11);
      t.ok(hm >= '08:00' && hm < '21:00', `${g.behaviour} #${a.seq}: ${a.localTime} inside 08:00-21:00`);
      t.ok(
        a.window !== null && a.window.from <= a.localTime && a.localTime < a.window.to,
        `${g.behaviour} #${a.seq}: ${a.localTime} inside its window ${a.window?.from}-${a.window?.to}`,
      );
      const next = g.attempts[i + 1];
      if (next !== undefined) {
        t.ok(next.dialledAt >= (a.settledAt ?? ''), `${g.behaviour}: #${next.seq} dialled after #${a.seq} ended`);
        const gap = Date.parse(next.dialledAt) - Date.parse(a.dialledAt);
        const rule = OUTCOME_RULES[a.outcome as AttemptOutcome];
        if (rule === 'backoff') t.ok(gap >= 15 * MIN, `${g.behaviour}: ${a.outcome} retried after the backoff`);
        if (rule === 'voicemail')
          t.not(next.localTime.slice(0, 10), a.localTime.slice(0, 10), `${g.behaviour}: voicemail → another day`);
      }
    }
    const last = g.attempts.at(-1);
    const rule = last?.outcome ? OUTCOME_RULES[last.outcome as AttemptOutcome] : undefined;
    // An outcome that asks for another call ends the gym only when its attempts ran out.
    if (rule === 'backoff' || rule === 'voicemail' || rule === 'callback' || rule === 'other-time-of-day')
      t.equal(g.finalState, 'attempts-exhausted', `${g.behaviour}: last ${last?.outcome} only when attempts ran out`);
  }
  const by = new Map(r.gyms.map((g) => [g.behaviour, g]));
  t.same(
    by
      .get('busy')
      ?.attempts.slice(0, 2)
      .map((a) => a.outcome),
    ['busy', 'busy'],
    'the busy line was retried',
  );
  t.equal(by.get('no-answer')?.finalState, 'attempts-exhausted', 'a line nobody answers runs out of attempts');
  t.equal(by.get('no-answer')?.attempts.length, 4, 'after maxAttempts dials');
  t.ok(seen.has('callback-requested'), 'a callback was requested');
  const cb = by.get('callback');
  t.ok(
    cb && cb.attempts.some((a, i) => a.outcome === 'callback-requested' && cb.attempts[i + 1] !== undefined),
    'and called back',
  );
  t.ok(
    [...seen].some((o) => o.startsWith('voicemail-')),
    'a voicemail answered',
  );
  t.equal(by.get('wrong-number')?.finalState, 'wrong-number', 'a wrong number is final after its call');
  t.ok(r.costUsd > 0, `the calls were priced ($${r.costUsd})`);
  t.ok(Object.keys(by.get('cooperative')?.facts.hours ?? {}).length > 0, 'a cooperative gym gave its hours');
});
