import type pg from 'pg';
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../log.js';
import { isRetryableDbError, describeDbError } from './errors.js';

// Durable writes that never block a call. Each write goes to the database at once; writes of one call run
// in order (a turn needs its call row), different calls in parallel. When the database is unreachable the
// failed write is retried with backoff while later writes wait in a bounded buffer; when it comes back
// everything flushes in order. Every write is idempotent (unique keys), so a retry after an ambiguous
// failure (committed, but the acknowledgement was lost) never duplicates. A full buffer drops the NEW write
// and counts and logs it: losing data is never silent.

export type WriteKind =
  | 'call'
  | 'status'
  | 'turn'
  | 'facts'
  | 'refusal'
  | 'callback'
  | 'message'
  | 'transfer'
  | 'end'
  | 'gym'
  | 'ivr-path'
  | 'recording'
  | 'cost';
export type WriteOutcome = 'committed' | 'dropped' | 'failed';

export interface WriteOp {
  /** Ordering lane: writes with the same key run one after another, in enqueue order. */
  lane: string;
  kind: WriteKind;
  run(pool: pg.Pool): Promise<void>;
}

export interface WriteQueueOptions {
  /** Maximum writes waiting or running (DB_WRITE_QUEUE_MAX). */
  maxPending?: number;
  /** Lanes written in parallel while the database is up. */
  concurrency?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  log?: Logger;
  /** When given, metrics are registered into it (the ops module owns the registry and /metrics). */
  registry?: Registry;
  metricPrefix?: string;
}

export interface WriteQueueStats {
  pending: number;
  committed: number;
  retries: number;
  dropped: number;
  failed: number;
  dbUp: boolean;
  outages: number;
  /** Milliseconds since the current outage began, 0 when the database is up. */
  outageMs: number;
}

interface PendingWrite {
  op: WriteOp;
  resolve(o: WriteOutcome): void;
}

export class WriteQueue {
  readonly #pool: pg.Pool;
  readonly #max: number;
  readonly #concurrency: number;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  readonly #log: Logger | undefined;
  readonly #lanes = new Map<string, PendingWrite[]>();
  /** Lanes with work and nobody running them, in arrival order. */
  readonly #ready: string[] = [];
  readonly #running = new Set<string>();
  /** The lane retrying against an unreachable database; the others wait for it. */
  #probe: string | undefined;
  readonly #idleWaiters: Array<() => void> = [];
  #pending = 0;
  #committed = 0;
  #retries = 0;
  #dropped = 0;
  #droppedUnlogged = 0;
  #dropLogTimer: NodeJS.Timeout | undefined;
  #failed = 0;
  #dbUp = true;
  #outages = 0;
  #outageSince = 0;
  #backoffMs: number;
  #closed = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #metrics: { writes: Counter<'kind' | 'outcome'>; retries: Counter } | undefined;

  constructor(pool: pg.Pool, opts: WriteQueueOptions = {}) {
    this.#pool = pool;
    this.#max = opts.maxPending ?? 10_000;
    this.#concurrency = opts.concurrency ?? 4;
    this.#retryInitialMs = opts.retryInitialMs ?? 100;
    this.#retryMaxMs = opts.retryMaxMs ?? 5000;
    this.#backoffMs = this.#retryInitialMs;
    this.#log = opts.log;
    this.#metrics = opts.registry ? this.#register(opts.registry, opts.metricPrefix ?? 'gym_agent_db_') : undefined;
  }

  #register(registry: Registry, p: string) {
    const stats = () => this.stats();
    new Gauge({
      name: `${p}write_queue_depth`,
      help: 'Database writes waiting or running',
      registers: [registry],
      collect() {
        this.set(stats().pending);
      },
    });
    new Gauge({
      name: `${p}up`,
      help: '1 when the last database write succeeded, 0 during an outage',
      registers: [registry],
      collect() {
        this.set(stats().dbUp ? 1 : 0);
      },
    });
    new Gauge({
      name: `${p}outage_seconds`,
      help: 'Length of the current database outage (0 when up)',
      registers: [registry],
      collect() {
        this.set(stats().outageMs / 1000);
      },
    });
    new Gauge({
      name: `${p}outages`,
      help: 'Database outages seen since start',
      registers: [registry],
      collect() {
        this.set(stats().outages);
      },
    });
    return {
      writes: new Counter({
        name: `${p}writes_total`,
        help: 'Database writes by kind and outcome (committed, dropped = buffer full, failed = permanent error)',
        labelNames: ['kind', 'outcome'] as const,
        registers: [registry],
      }),
      retries: new Counter({ name: `${p}write_retries_total`, help: 'Database write retries', registers: [registry] }),
    };
  }

  stats(): WriteQueueStats {
    return {
      pending: this.#pending,
      committed: this.#committed,
      retries: this.#retries,
      dropped: this.#dropped,
      failed: this.#failed,
      dbUp: this.#dbUp,
      outages: this.#outages,
      outageMs: this.#dbUp ? 0 : Date.now() - this.#outageSince,
    };
  }

  /** Queues a write; the promise tells what became of it and never rejects. */
  enqueue(op: WriteOp): Promise<WriteOutcome> {
    if (this.#closed || this.#pending >= this.#max) {
      this.#drop(op);
      return Promise.resolve('dropped');
    }
    return new Promise<WriteOutcome>((resolve) => {
      this.#pending++;
      let lane = this.#lanes.get(op.lane);
      if (!lane) {
        lane = [];
        this.#lanes.set(op.lane, lane);
      }
      lane.push({ op, resolve });
      if (lane.length === 1 && !this.#running.has(op.lane)) this.#ready.push(op.lane);
      this.#pump();
    });
  }

  #drop(op: WriteOp): void {
    this.#dropped++;
    this.#metrics?.writes.inc({ kind: op.kind, outcome: 'dropped' });
    const why = this.#closed ? 'write queue closed' : `write buffer full (${this.#max})`;
    // First loss is logged at once; further ones are summarised every second so an outage cannot flood logs.
    if (this.#dropLogTimer === undefined) {
      this.#log?.error({ kind: op.kind, callId: op.lane, droppedTotal: this.#dropped }, `database write LOST: ${why}`);
      this.#dropLogTimer = setTimeout(() => this.#flushDropLog(why), 1000);
      this.#dropLogTimer.unref();
    } else this.#droppedUnlogged++;
  }

  #flushDropLog(why: string): void {
    this.#dropLogTimer = undefined;
    if (this.#droppedUnlogged === 0) return;
    this.#log?.error(
      { lost: this.#droppedUnlogged, droppedTotal: this.#dropped },
      `database writes LOST in the last second: ${why}`,
    );
    this.#droppedUnlogged = 0;
  }

  #pump(): void {
    // During an outage only the lane that is retrying runs: the others wait instead of hammering the server.
    const limit = this.#dbUp ? this.#concurrency : 1;
    while (this.#running.size < limit && this.#ready.length > 0) {
      const lane = this.#ready.shift() as string;
      this.#running.add(lane);
      void this.#runLane(lane);
    }
  }

  async #runLane(lane: string): Promise<void> {
    const q = this.#lanes.get(lane);
    const head = q?.[0];
    if (!q || !head) {
      this.#running.delete(lane);
      return;
    }
    let outcome: WriteOutcome | 'retry';
    try {
      await head.op.run(this.#pool);
      outcome = 'committed';
    } catch (e) {
      if (isRetryableDbError(e) && !this.#closed) outcome = 'retry';
      else {
        outcome = 'failed';
        this.#log?.error(
          { kind: head.op.kind, callId: lane, err: describeDbError(e) },
          'database write failed permanently; not retried',
        );
      }
      if (outcome === 'retry') this.#onOutage(e);
    }
    // close() gave up on this lane while the write was in flight: it was already counted as dropped.
    if (this.#lanes.get(lane) !== q) return;
    if (outcome === 'retry') {
      this.#retries++;
      this.#metrics?.retries.inc();
      if (this.#probe !== undefined && this.#probe !== lane) {
        // Another lane is already probing the dead server: wait in line (at the front) instead.
        this.#running.delete(lane);
        this.#ready.unshift(lane);
        return;
      }
      this.#probe = lane;
      const delay = this.#backoffMs;
      this.#backoffMs = Math.min(this.#backoffMs * 2, this.#retryMaxMs);
      const t = setTimeout(() => {
        this.#timers.delete(t);
        void this.#runLane(lane);
      }, delay);
      this.#timers.add(t);
      return;
    }
    if (this.#probe === lane) this.#probe = undefined;
    if (outcome === 'committed') {
      this.#committed++;
      this.#onSuccess();
    } else this.#failed++;
    this.#metrics?.writes.inc({ kind: head.op.kind, outcome });
    q.shift();
    this.#pending--;
    head.resolve(outcome);
    this.#running.delete(lane);
    if (q.length > 0) this.#ready.push(lane);
    else this.#lanes.delete(lane);
    if (this.#pending === 0) for (const w of this.#idleWaiters.splice(0)) w();
    this.#pump();
  }

  #onOutage(e: unknown): void {
    if (!this.#dbUp) return;
    this.#dbUp = false;
    this.#outages++;
    this.#outageSince = Date.now();
    this.#log?.error(
      { err: describeDbError(e), pending: this.#pending },
      'database unreachable: buffering writes and retrying (calls go on)',
    );
  }

  #onSuccess(): void {
    this.#backoffMs = this.#retryInitialMs;
    if (this.#dbUp) return;
    this.#dbUp = true;
    this.#log?.warn(
      { outageMs: Date.now() - this.#outageSince, pending: this.#pending, retries: this.#retries },
      'database reachable again: flushing buffered writes',
    );
  }

  /** Resolves true once every queued write has settled, false if the timeout came first. */
  drain(timeoutMs = 30_000): Promise<boolean> {
    if (this.#pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /**
   * Stops accepting writes, waits up to `timeoutMs` for the buffer to flush, then gives up on what is left:
   * each abandoned write is counted as dropped and logged.
   */
  async close(timeoutMs = 10_000): Promise<WriteQueueStats> {
    const flushed = await this.drain(timeoutMs);
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (!flushed) {
      for (const [, q] of this.#lanes) {
        for (const p of q) {
          this.#drop(p.op);
          this.#pending--;
          p.resolve('dropped');
        }
      }
      this.#lanes.clear();
      this.#ready.length = 0;
      this.#running.clear();
      this.#probe = undefined;
    }
    if (this.#dropLogTimer) {
      clearTimeout(this.#dropLogTimer);
      this.#flushDropLog('write queue closed before the database came back');
    }
    return this.stats();
  }
}
