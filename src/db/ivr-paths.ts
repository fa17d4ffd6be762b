import type pg from 'pg';
import type { IvrStep } from '../../machines/outcomes.js';
import type { Logger } from '../log.js';
import { describeDbError } from './errors.js';
import { getIvrPath, saveIvrPath, validIvrSteps } from './repositories/ivr-paths.js';
import type { WriteOutcome, WriteQueue } from './write-queue.js';

// The remembered phone-tree paths as the call session uses them (src/call/ports.ts IvrPathStore): `get` at the
// start of an outbound call, `save` when the keys reached a person. A lookup that fails or takes too long is no
// path (the call then listens to the menu like a first call); a save goes through the durable write queue.

const E164 = /^\+[1-9]\d{6,14}$/;

export interface DbIvrPathsOptions {
  pool: pg.Pool;
  queue: WriteQueue;
  log?: Logger;
  /** Longest a lookup may hold up the start of the phone tree (default 1500 ms). */
  lookupTimeoutMs?: number;
}

export class DbIvrPaths {
  readonly #o: DbIvrPathsOptions;

  constructor(o: DbIvrPathsOptions) {
    this.#o = o;
  }

  async get(phone: string): Promise<IvrStep[] | undefined> {
    if (!E164.test(phone)) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.#o.lookupTimeoutMs ?? 1500);
    });
    try {
      const row = await Promise.race([getIvrPath(this.#o.pool, phone), timeout]);
      return row === undefined || !validIvrSteps(row.steps) ? undefined : row.steps;
    } catch (e) {
      this.#o.log?.warn({ err: describeDbError(e) }, 'remembered phone-tree path not read');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  save(phone: string, steps: readonly IvrStep[], callId: string, at: Date = new Date()): Promise<WriteOutcome> {
    if (!E164.test(phone) || !validIvrSteps(steps)) {
      this.#o.log?.warn({ callId, levels: steps.length }, 'phone-tree path not saved: not a valid number or path');
      return Promise.resolve('failed');
    }
    return this.#o.queue.enqueue({
      lane: `ivr:${phone}`,
      kind: 'ivr-path',
      run: (pool) => saveIvrPath(pool, phone, steps, at, callId),
    });
  }
}
