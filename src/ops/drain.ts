import type { Logger } from '../log.js';

// Graceful shutdown as a small state machine, so a rollout never cuts a call:
//
//   serving ──SIGTERM──▶ draining ──calls done or grace over──▶ stopping ──shutdown()──▶ stopped (exit 0)
//
// On entering `draining`, readiness turns false at once (health.ts asks isDraining()) and admission refuses new
// calls (capacity.ts: busy TwiML / 503), but the listener stays open: calls already admitted still connect their
// media streams and status callbacks still arrive. Live calls run to their natural end; when the grace period
// ends first, abortCalls() ends them (goodbye + hang-up, data flushed), then shutdown() closes the server and the
// database. Kubernetes' terminationGracePeriodSeconds must exceed the grace period (see k8s/base/deployment.yaml).

export type DrainState = 'serving' | 'draining' | 'stopping' | 'stopped';

export interface DrainOptions {
  /** Longest wait for live calls (SHUTDOWN_GRACE_MS). */
  graceMs: number;
  activeCalls: () => number;
  /** Resolves once no call is live (capacity.whenIdle). */
  whenIdle: () => Promise<void>;
  /** Runs once the calls are done (or the grace period is over): close listeners, flush and close the db. */
  shutdown: (info: { timedOut: boolean }) => Promise<void>;
  /** Ends calls still live when the grace period is over. */
  abortCalls?: () => Promise<void>;
  /** Default process.exit; tests pass a spy. */
  exit?: (code: number) => void;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Interval of the "still waiting for N calls" log line. Default 10 s. */
  progressEveryMs?: number;
}

export class Drain {
  private stateValue: DrainState = 'serving';
  private done: Promise<number> | undefined;
  private readonly listeners = new Set<(s: DrainState) => void>();

  constructor(private readonly opts: DrainOptions) {}

  get state(): DrainState {
    return this.stateValue;
  }

  /** True from the moment a drain starts: readiness and admission consult this. */
  isDraining(): boolean {
    return this.stateValue !== 'serving';
  }

  onStateChange(fn: (s: DrainState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Starts the drain (idempotent: later calls get the same promise). Resolves to the exit code passed to exit(). */
  start(reason: string): Promise<number> {
    this.done ??= this.run(reason);
    return this.done;
  }

  private set(s: DrainState): void {
    this.stateValue = s;
    for (const fn of this.listeners) fn(s);
  }

  private async run(reason: string): Promise<number> {
    const log = this.opts.log;
    this.set('draining');
    const t0 = Date.now();
    log?.info({ reason, activeCalls: this.opts.activeCalls(), graceMs: this.opts.graceMs }, 'drain started');

    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const progress = setInterval(
      () => log?.info({ activeCalls: this.opts.activeCalls() }, 'drain: waiting for live calls'),
      this.opts.progressEveryMs ?? 10_000,
    );
    progress.unref();
    try {
      await Promise.race([
        this.opts.whenIdle(),
        new Promise<void>((resolve) => {
          graceTimer = setTimeout(() => {
            timedOut = true;
            resolve();
          }, this.opts.graceMs);
        }),
      ]);
    } finally {
      clearTimeout(graceTimer);
      clearInterval(progress);
    }

    this.set('stopping');
    let code = 0;
    try {
      if (timedOut && this.opts.activeCalls() > 0) {
        log?.warn({ activeCalls: this.opts.activeCalls() }, 'drain: grace period over, ending live calls');
        await this.opts.abortCalls?.();
      }
      await this.opts.shutdown({ timedOut });
      log?.info({ ms: Date.now() - t0, timedOut }, 'drain complete');
    } catch (e) {
      code = 1;
      log?.error({ err: e }, 'drain: shutdown failed');
    }
    this.set('stopped');
    (this.opts.exit ?? ((c: number) => process.exit(c)))(code);
    return code;
  }

  /**
   * SIGTERM (Kubernetes) and SIGINT (Ctrl-C) start the drain; a second SIGINT means the operator does not want
   * to wait and exits at once with 130. Returns a function that removes the handlers.
   */
  installSignalHandlers(proc: NodeJS.Process = process): () => void {
    const onTerm = () => void this.start('SIGTERM');
    const onInt = () => {
      if (this.isDraining()) {
        this.opts.log?.warn({ activeCalls: this.opts.activeCalls() }, 'second SIGINT: exiting without waiting');
        (this.opts.exit ?? ((c: number) => process.exit(c)))(130);
        return;
      }
      void this.start('SIGINT');
    };
    proc.on('SIGTERM', onTerm);
    proc.on('SIGINT', onInt);
    return () => {
      proc.off('SIGTERM', onTerm);
      proc.off('SIGINT', onInt);
    };
  }
}
