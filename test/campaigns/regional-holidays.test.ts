// Regional public holidays: the policy skips a gym's subdivision's holidays, and the engine hands the policy the
// subdivision an import found (settle.ts): a Scottish gym is not called on 2 January, an English one is.
import t from 'tap';
import { DEFAULT_POLICY, DEFAULT_WINDOW } from '../../src/campaigns/policy/retry-rules.js';
import { windowsOn } from '../../src/campaigns/policy/windows.js';
import { campaignGyms, createCampaign } from '../../src/campaigns/store.js';
import { PgCallStore } from '../../src/db/call-store.js';
import { importGyms } from '../../src/gyms/import.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { withPglite } from '../db/helpers/backends.js';
import { IMPORT_OPTIONS } from '../gyms/import-options.js';
import { FakeNetwork } from './network.js';
import { usEngine } from './us-engine.js';

t.test('public holidays of one region and not of its neighbour (date-holidays, type public)', async (t) => {
  // [holiday, local date, zone, country, the region where it is one, a neighbour where it is not]
  const cases = [
    ['2 January (a Friday)', '2026-01-02', 'Europe/London', 'GB', 'SCT', 'ENG'],
    ["St Patrick's Day", '2026-03-17', 'Europe/London', 'GB', 'NIR', 'WLS'],
    ["Victoria's Labour Day", '2026-03-09', 'Australia/Melbourne', 'AU', 'VIC', 'NSW'],
    ["Patriots' Day", '2026-04-20', 'America/New_York', 'US', 'MA', 'NY'],
    ['the day after Thanksgiving', '2026-11-27', 'America/Chicago', 'US', 'TX', 'IL'],
    ['Saint-Jean-Baptiste', '2026-06-24', 'America/Toronto', 'CA', 'QC', 'ON'],
  ] as const;
  for (const [what, date, timeZone, country, closed, open] of cases) {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const windows = (region: string) =>
      windowsOn({ gymId: '1', timeZone, country, region }, { year, month, day }, DEFAULT_WINDOW).length;
    t.equal(windows(closed), 0, `${what}: no window in ${country}-${closed}`);
    t.equal(windows(open), 1, `${what}: a window in ${country}-${open}`);
  }
});

t.test('the engine: a Scottish gym waits past 2 January, an English one is called on it', async (t) => {
  const { backend } = await withPglite(t);
  const pool = backend.pool;
  const log = createLogger('silent');
  const EDINBURGH = '+441314960000';
  const LONDON = '+442079460000';
  // Through the import: the subdivisions come from the numbers' area codes (0131 Scotland, 020 England).
  const imported = await importGyms(pool, `name,phone\nEdinburgh Gym,${EDINBURGH}\nLondon Gym,${LONDON}\n`, {
    ...IMPORT_OPTIONS,
    region: 'GB',
  });
  if (!imported.ok) throw new Error(imported.message);
  t.same(
    imported.report.report.map((r) => [r.name, r.timezone, r.subdivision]),
    [
      ['Edinburgh Gym', 'Europe/London', 'SCT'],
      ['London Gym', 'Europe/London', 'ENG'],
    ],
  );
  const ids = imported.report.report.map((r) => r.gym_id as number);

  const network = new FakeNetwork(
    new Map([
      [EDINBURGH, ['completed']],
      [LONDON, ['completed']],
    ]),
  );
  const capacity = new CallCapacity({ max: 4 });
  // New Year's Day 2026 (Thursday), noon in London: a holiday everywhere in the UK.
  let now = new Date('2026-01-01T12:00:00Z');
  const engine = usEngine({
    pool,
    store: new PgCallStore(pool, { log }),
    network,
    capacity,
    now: () => now,
    log,
    regions: ['GB'],
  });
  t.teardown(() => engine.stop());
  const c = await createCampaign(pool, { name: 'new year', policy: DEFAULT_POLICY, gymIds: ids, now });
  await engine.tick();
  await engine.idle();
  const next = Object.fromEntries((await campaignGyms(pool, c.id)).map((g) => [g.name, g.nextAt?.toISOString()]));
  t.same(next, {
    'Edinburgh Gym': '2026-01-05T10:00:00.000Z', // 2 January is Scotland's; then the weekend
    'London Gym': '2026-01-02T10:00:00.000Z',
  });

  // Friday 2 January, 10:00 in London.
  now = new Date('2026-01-02T10:00:00Z');
  await engine.tick();
  await engine.idle();
  t.same(
    network.placed.map((p) => p.phone),
    [LONDON],
    'only the English gym is dialled',
  );
});
