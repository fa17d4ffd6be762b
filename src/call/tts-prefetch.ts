import type { Logger } from '../log.js';
import type { TtsAudio, TtsProvider } from '../providers/tts/types.js';

// Speculative TTS for one call (LiveKit's preemptive generation speculates TTS as well as the LLM). Text the agent
// will probably say — the greeting, known at call start, and the first sentences of a preemptive reply that the
// machine is holding — is synthesised ahead into this cache, keyed by the exact text. When the speaker later gets
// SPEAKER.SAY with that text it takes the entry (chunks that arrived at once, the rest as they arrive) instead of
// making a new request. The machine still decides what is said: nothing here reaches the player unless the speaker
// took it for a SAY. Requests go through the same TtsProvider (FallbackTts: deadlines, failover, breakers).
// Bounded: entries per call (oldest evicted), bytes buffered ahead per entry and per call (the read pauses, the
// stream stays open), and a TTL for text that is never said. Cancelled or failed entries are aborted and freed.

export interface TtsPrefetchOptions {
  /** Unclaimed entries per call; starting one more evicts the oldest. */
  readonly maxEntries?: number;
  /** Bytes buffered ahead per unclaimed entry before its read pauses (the stream stays open). */
  readonly maxEntryBytes?: number;
  /** Bytes buffered ahead across the call's unclaimed entries before their reads pause. */
  readonly maxBytes?: number;
  /** An entry not taken within this time is aborted and freed. */
  readonly ttlMs?: number;
  readonly log?: Logger | undefined;
}

export interface PrefetchStats {
  started: number;
  hits: number;
  misses: number;
  /** Released by its owner (speculation cancelled, sentence never said) before being taken. */
  cancelled: number;
  evicted: number;
  expired: number;
  /** Failed before being taken (the SAY then makes a normal request). */
  failed: number;
}

/** A claim on a prefetched text; the entry is aborted and freed when its last owner releases it untaken. */
export interface PrefetchHandle {
  release(): void;
}

/** What the reply actor needs: start prefetching a held sentence. */
export interface SpeechPrefetch {
  start(text: string): PrefetchHandle | undefined;
}

type State = 'pending' | 'streaming' | 'ended' | 'failed' | 'aborted';

interface Entry {
  readonly text: string;
  readonly ac: AbortController;
  readonly accepted: Promise<TtsAudio>;
  state: State;
  owners: number;
  claimed: boolean;
  queue: Uint8Array[];
  queued: number;
  error: unknown;
  timer: NodeJS.Timeout | undefined;
  wakeConsumer: (() => void) | undefined;
  wakePump: (() => void) | undefined;
}

// Once taken, the player reads as fast as it synthesises ahead; this only bounds a stalled consumer.
const CLAIMED_HIGH_WATER = 1 << 20;

export class TtsPrefetch implements SpeechPrefetch {
  readonly stats: PrefetchStats = { started: 0, hits: 0, misses: 0, cancelled: 0, evicted: 0, expired: 0, failed: 0 };
  readonly #tts: TtsProvider;
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxEntryBytes: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #log: Logger | undefined;
  #bytes = 0;
  #closed = false;

  constructor(tts: TtsProvider, opts: TtsPrefetchOptions = {}) {
    this.#tts = tts;
    this.#maxEntries = opts.maxEntries ?? 4;
    // 96 KiB is 2 s of 24 kHz audio: far more than the first frame needs, small enough for 1,000 calls.
    this.#maxEntryBytes = opts.maxEntryBytes ?? 96 * 1024;
    this.#maxBytes = opts.maxBytes ?? 256 * 1024;
    this.#ttlMs = opts.ttlMs ?? 15_000;
    this.#log = opts.log;
  }

  /** Unclaimed entries (tests, diagnostics). */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes buffered in unclaimed entries. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  has(text: string): boolean {
    return this.#entries.has(text);
  }

  /** Start synthesising `text` ahead (or join the entry already doing so). Undefined after close(). */
  start(text: string): PrefetchHandle | undefined {
    if (this.#closed || text.trim() === '') return undefined;
    let e = this.#entries.get(text);
    if (e === undefined) {
      while (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.values().next().value as Entry;
        this.stats.evicted++;
        this.#drop(oldest);
      }
      e = this.#create(text);
    }
    e.owners++;
    const entry = e;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        entry.owners--;
        if (entry.owners > 0 || entry.claimed || this.#entries.get(entry.text) !== entry) return;
        this.stats.cancelled++;
        this.#drop(entry);
      },
    };
  }

  /**
   * The audio of a prefetched `text` for a SAY, or undefined (nothing usable: make a normal request). Taking moves
   * the entry out of the cache; `signal` (the utterance's) aborts it from then on. If the prefetched request fails
   * before its audio was accepted, the returned promise falls back to a normal request.
   */
  take(text: string, signal: AbortSignal): Promise<TtsAudio> | undefined {
    const e = this.#entries.get(text);
    if (e === undefined || e.state === 'failed' || e.state === 'aborted') {
      if (!this.#closed) this.stats.misses++;
      return undefined;
    }
    this.#entries.delete(text);
    clearTimeout(e.timer);
    e.claimed = true;
    this.#bytes -= e.queued;
    this.#wakePumps();
    this.stats.hits++;
    const onAbort = () => this.#abort(e);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return e.accepted.then(
      (a): TtsAudio => ({ sampleRate: a.sampleRate, provider: a.provider, chunks: this.#drain(e, signal, onAbort) }),
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) throw err;
        this.#log?.debug({ err: String(err) }, 'tts prefetch failed; synthesising at the SAY');
        return this.#tts.synthesize(text, signal);
      },
    );
  }

  /** End of the call: abort and free everything not taken. */
  close(): void {
    this.#closed = true;
    for (const e of [...this.#entries.values()]) this.#drop(e);
  }

  #create(text: string): Entry {
    const ac = new AbortController();
    const accepted = this.#tts.synthesize(text, ac.signal);
    const e: Entry = {
      text,
      ac,
      accepted,
      state: 'pending',
      owners: 0,
      claimed: false,
      queue: [],
      queued: 0,
      error: undefined,
      timer: undefined,
      wakeConsumer: undefined,
      wakePump: undefined,
    };
    accepted.catch(() => undefined); // observed by #pump and by take()
    e.timer = setTimeout(() => {
      if (this.#entries.get(text) !== e) return;
      this.stats.expired++;
      this.#drop(e);
    }, this.#ttlMs);
    e.timer.unref();
    this.#entries.set(text, e);
    this.stats.started++;
    void this.#pump(e);
    return e;
  }

  #full(e: Entry): boolean {
    if (e.claimed) return e.queued >= CLAIMED_HIGH_WATER;
    return e.queued >= this.#maxEntryBytes || this.#bytes >= this.#maxBytes;
  }

  async #pump(e: Entry): Promise<void> {
    let it: AsyncIterator<Uint8Array> | undefined;
    try {
      const audio = await e.accepted;
      if (e.state === 'pending') e.state = 'streaming';
      it = audio.chunks[Symbol.asyncIterator]();
      for (;;) {
        while (!e.ac.signal.aborted && this.#full(e)) await new Promise<void>((r) => (e.wakePump = r));
        if (e.ac.signal.aborted) return;
        const r = await it.next();
        if (e.ac.signal.aborted) return;
        if (r.done) break;
        e.queue.push(r.value);
        e.queued += r.value.length;
        if (!e.claimed) this.#bytes += r.value.length;
        e.wakeConsumer?.();
      }
      e.state = 'ended';
      it = undefined;
      e.wakeConsumer?.();
    } catch (err) {
      if (e.ac.signal.aborted) return;
      e.state = 'failed';
      e.error = err;
      if (!e.claimed && this.#entries.get(e.text) === e) {
        // Untaken: free it now; the SAY (if any) makes a normal request, losing nothing.
        this.stats.failed++;
        this.#drop(e);
      }
      e.wakeConsumer?.();
    } finally {
      // Aborted or failed mid-stream: let the provider's stream release its request.
      if (it !== undefined) await it.return?.().catch(() => undefined);
    }
  }

  async *#drain(e: Entry, signal: AbortSignal, onAbort: () => void): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const c = e.queue.shift();
        if (c !== undefined) {
          e.queued -= c.length;
          e.wakePump?.();
          yield c;
          continue;
        }
        if (e.state === 'ended') return;
        // Every provider already failed over inside the stream: the same error a normal request would have given.
        if (e.state === 'failed') throw e.error;
        if (e.state === 'aborted') throw signal.reason ?? new Error('tts prefetch aborted');
        await new Promise<void>((r) => (e.wakeConsumer = r));
        e.wakeConsumer = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      // The player stopped reading early (barge-in, end of call): release the provider's request.
      if (e.state !== 'ended') this.#abort(e);
    }
  }

  /** Remove an untaken entry, abort its request and free what it buffered. */
  #drop(e: Entry): void {
    if (this.#entries.get(e.text) === e) this.#entries.delete(e.text);
    clearTimeout(e.timer);
    if (!e.claimed) this.#bytes -= e.queued;
    e.queue = [];
    e.queued = 0;
    this.#abort(e);
    this.#wakePumps();
  }

  #abort(e: Entry): void {
    if (e.state !== 'ended' && e.state !== 'failed') e.state = 'aborted';
    if (!e.ac.signal.aborted) e.ac.abort();
    e.wakePump?.();
    e.wakeConsumer?.();
  }

  #wakePumps(): void {
    for (const e of this.#entries.values()) e.wakePump?.();
  }
}
