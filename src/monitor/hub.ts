import type { CallEmitted } from '../../machines/events.js';
import type { CallLine } from '../call/call-line.js';
import type { CallObserver, CallStartInfo, ReplyLatency } from '../call/observer.js';
import type { ResponseStream } from '../http/types.js';
import type { PushSocket } from '../http/uws-ws.js';
import type { Logger } from '../log.js';
import { Listening, type ListenLimits } from './listening.js';
import type { MonitorMetrics } from './metrics.js';
import { Subscriber } from './subscriber.js';
import * as V from './views.js';

// The live monitor's hub: the composition root registers it as an observer of every call this process runs. It keeps
// a bounded view of each live call (views.ts) and fans what changes out to the pages watching (subscriber.ts) and the
// people listening in (listening.ts). The observer hooks run on the calls' own paths, so they only update the view and
// queue the event: the pages are written once per event-loop turn, after the call's work, and a slow or dead page can
// neither block nor slow a call (bounded queues, a snapshot for one that fell behind). Subscribers and listeners are
// capped. Each replica's hub sees the calls that replica runs, and no others (docs/monitor.md).

export interface MonitorLimits extends ListenLimits {
  /** Pages watching at once (their event streams). */
  readonly subscribers: number;
  /** Events a congested page may have waiting before it is sent a snapshot instead. */
  readonly queuedEvents: number;
  /** Ended calls still shown (each for `endedKeepMs`). */
  readonly endedShown: number;
  readonly endedKeepMs: number;
}

export const DEFAULT_LIMITS: MonitorLimits = {
  subscribers: 16,
  queuedEvents: 256,
  perCall: 4,
  total: 16,
  endedShown: 10,
  endedKeepMs: 60_000,
};

/** Who this replica is, and what the page can say about the others. */
export interface ReplicaView {
  name: string;
  /** Live calls other replicas run (from the call leases), null where unknown; 'single': no other replica can exist. */
  elsewhere: number | null | 'single';
}

export interface MonitorHubOptions {
  readonly replica: { name: string; single: boolean; liveElsewhere?: (() => Promise<number>) | undefined };
  readonly log: Logger;
  readonly metrics?: MonitorMetrics | undefined;
  readonly limits?: Partial<MonitorLimits>;
  /** Meter readings per second sent to the pages (default 10). */
  readonly levelsPerSecond?: number;
  readonly now?: () => Date;
}

interface Watched {
  readonly view: V.CallView;
  readonly line: CallLine;
  goneTimer?: NodeJS.Timeout;
}

const HEARTBEAT_MS = 5_000;
const ELSEWHERE_EVERY_MS = 5_000;

export class MonitorHub implements CallObserver {
  readonly #o: MonitorHubOptions;
  readonly #limits: MonitorLimits;
  readonly #calls = new Map<string, Watched>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #listening: Listening;
  readonly #replica: ReplicaView;
  #outbox: string[] = [];
  #flushing = false;
  #ticker: NodeJS.Timeout | undefined;
  #lastBeat = 0;
  #lastElsewhere = 0;
  #closed = false;

  constructor(o: MonitorHubOptions) {
    this.#o = o;
    this.#limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.#listening = new Listening(this.#limits, (n) => o.metrics?.dropped('audio', n));
    this.#replica = { name: o.replica.name, elsewhere: o.replica.single ? 'single' : null };
  }

  // ---- CallObserver -------------------------------------------------------------------------------------------

  started(info: CallStartInfo): void {
    const view = V.newView(info, this.#now());
    this.#calls.set(info.callId, { view, line: info.line });
    this.#send('call', view);
  }

  state(callId: string, state: string): void {
    this.#apply(callId, (v) => V.onState(v, state));
  }

  recognised(callId: string, words: { text: string; final: boolean }): void {
    this.#apply(callId, (v) => V.onWords(v, words));
  }

  utteranceStarted(callId: string, u: { utteranceId: string; text: string }): void {
    this.#apply(callId, (v) => V.onUtterance(v, u.text));
  }

  latency(callId: string, l: ReplyLatency): void {
    this.#apply(callId, (v) => V.onLatency(v, l));
  }

  emitted(callId: string, e: CallEmitted): void {
    this.#apply(callId, (v) => V.onEmitted(v, e));
  }

  /** The session is done with the call: its listeners are closed; the page shows it ended for a while. */
  ended(result: { callId: string; endReason: string }): void {
    const w = this.#calls.get(result.callId);
    if (w === undefined) return;
    this.#listening.endCall(result.callId);
    this.#apply(result.callId, (v) => V.onFinished(v, result.endReason));
    const keep = this.#limits.endedKeepMs;
    w.goneTimer = setTimeout(() => this.#forget(result.callId), keep);
    w.goneTimer.unref();
    const ended = [...this.#calls.values()].filter((c) => c.goneTimer !== undefined);
    for (const old of ended.slice(0, Math.max(0, ended.length - this.#limits.endedShown)))
      this.#forget(old.view.callId);
  }

  // ---- pages and listeners ------------------------------------------------------------------------------------

  get replica(): ReplicaView {
    return { ...this.#replica };
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** A page's event stream: a snapshot now, then every change. False over the limit (the route answers 503). */
  subscribe(out: ResponseStream): boolean {
    if (this.#closed || this.#subscribers.size >= this.#limits.subscribers) return false;
    const s = new Subscriber(
      out,
      () => this.#snapshot(),
      this.#limits.queuedEvents,
      (n) => this.#o.metrics?.dropped('events', n),
    );
    this.#subscribers.add(s);
    this.#o.metrics?.watching('events', this.#subscribers.size);
    out.onClose(() => {
      s.gone();
      this.#subscribers.delete(s);
      this.#o.metrics?.watching('events', this.#subscribers.size);
    });
    // EventSource's reconnection delay, then the whole state.
    s.push('retry: 2000\n\n');
    s.push(this.#snapshot());
    this.#tick();
    return true;
  }

  /** True while the call runs here (it can be listened to and hung up). */
  isLive(callId: string): boolean {
    const w = this.#calls.get(callId);
    return w !== undefined && w.view.ended === null && w.line.live;
  }

  /** `out` hears both legs of the call until it closes: 'not-live' (not running here), 'busy' (over the limits). */
  listen(callId: string, out: PushSocket): { ok: true; stop: () => void } | { ok: false; reason: 'not-live' | 'busy' } {
    const w = this.#calls.get(callId);
    if (w === undefined || !this.isLive(callId)) return { ok: false, reason: 'not-live' };
    const r = this.#listening.add(callId, w.line, out);
    if (!r.ok) return { ok: false, reason: 'busy' };
    this.#o.metrics?.watching('listen', this.#listening.listeners);
    return {
      ok: true,
      stop: () => {
        r.stop();
        this.#o.metrics?.watching('listen', this.#listening.listeners);
      },
    };
  }

  /** Asks the call to hang up now; false when it does not run here or has ended. */
  hangUp(callId: string): boolean {
    return this.isLive(callId) && (this.#calls.get(callId)?.line.hangUp() ?? false);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    for (const s of this.#subscribers) s.close();
    this.#subscribers.clear();
    for (const w of this.#calls.values()) clearTimeout(w.goneTimer);
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  #apply(callId: string, fn: (v: V.CallView) => V.PageEvent | undefined): void {
    const w = this.#calls.get(callId);
    if (w === undefined) return;
    const e = fn(w.view);
    if (e !== undefined) this.#send(e.event, e.data);
  }

  #forget(callId: string): void {
    const w = this.#calls.get(callId);
    if (w === undefined) return;
    clearTimeout(w.goneTimer);
    this.#calls.delete(callId);
    this.#send('gone', { callId });
  }

  /** Queues an event for every page; written after the calls' work of this turn. */
  #send(event: string, data: unknown): void {
    if (this.#subscribers.size === 0) return;
    this.#outbox.push(V.sse(event, data));
    if (this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushing = false;
    const out = this.#outbox;
    this.#outbox = [];
    for (const s of this.#subscribers) for (const frame of out) s.push(frame);
  }

  #snapshot(): string {
    return V.sse('snapshot', { replica: this.#replica, calls: [...this.#calls.values()].map((w) => w.view) });
  }

  /** Meters, heartbeats and the other replicas' count, only while somebody watches. */
  #tick(): void {
    if (this.#ticker !== undefined) return;
    const every = 1000 / (this.#o.levelsPerSecond ?? 10);
    this.#ticker = setInterval(() => {
      if (this.#subscribers.size === 0) {
        clearInterval(this.#ticker);
        this.#ticker = undefined;
        return;
      }
      this.#levels();
      const now = Date.now();
      if (now - this.#lastBeat >= HEARTBEAT_MS) {
        this.#lastBeat = now;
        for (const s of this.#subscribers) s.offer(': heartbeat\n\n');
      }
      if (now - this.#lastElsewhere >= ELSEWHERE_EVERY_MS) {
        this.#lastElsewhere = now;
        this.#countElsewhere();
      }
    }, every);
    this.#ticker.unref();
  }

  #levels(): void {
    const levels: Record<string, [number, number]> = {};
    let any = false;
    for (const [id, w] of this.#calls) {
      if (w.view.ended !== null) continue;
      const l = w.line.takeLevels();
      levels[id] = [Math.round(l.caller), Math.round(l.agent)];
      any = true;
    }
    if (!any) return;
    const frame = V.sse('levels', levels);
    for (const s of this.#subscribers) s.offer(frame);
  }

  #countElsewhere(): void {
    const count = this.#o.replica.liveElsewhere;
    if (count === undefined || this.#replica.elsewhere === 'single') return;
    count().then(
      (n) => {
        if (n === this.#replica.elsewhere) return;
        this.#replica.elsewhere = n;
        this.#send('replica', this.#replica);
      },
      (e: unknown) => {
        this.#o.log.debug({ err: (e as Error).message }, 'monitor: live calls of other replicas unknown');
        this.#replica.elsewhere = null;
      },
    );
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}
