import { join } from 'node:path';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { ExtrasDeps } from '../call/extras.js';
import type { Config } from '../config/index.js';
import { costMetrics, recordingMetrics } from '../costs/metrics.js';
import { loadPriceTable } from '../costs/prices.js';
import type { Logger } from '../log.js';
import { RecordingStore } from './store.js';

// What startServer needs for recordings and cost, from the configuration: the calls' ExtrasDeps, the store for
// the review page, and a stop for the sweep and the encoder. A bad COST_PRICES stops start-up (loadPriceTable).

export interface Extras {
  readonly deps: ExtrasDeps;
  readonly recordings: RecordingStore | undefined;
  close(): Promise<void>;
}

export async function setUpExtras(config: Config, pool: pg.Pool, registry: Registry, log: Logger): Promise<Extras> {
  const prices = loadPriceTable(config.COST_PRICES);
  const costed = costMetrics(registry);
  if (config.RECORDING === 'off') return { deps: { prices, costed }, recordings: undefined, close: async () => {} };
  const store = new RecordingStore({
    dir: join(config.DATA_DIR, 'recordings'),
    pool,
    retentionDays: config.RECORDING_RETENTION_DAYS,
    minFreeMb: config.RECORDING_MIN_FREE_MB,
    log,
  });
  recordingMetrics(registry, store);
  // The first call's guard answer must be there before it starts (roomNow() answers from it).
  await store.hasRoom();
  const stopSweep = store.startSweeping();
  return {
    deps: {
      prices,
      costed,
      recordings: { store, notice: config.RECORDING_NOTICE, maxCallMs: config.MAX_CALL_MS },
    },
    recordings: store,
    close: async () => {
      stopSweep();
      await store.close();
    },
  };
}
