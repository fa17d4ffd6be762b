import { DeepgramClient } from '@deepgram/sdk';
import type { Logger } from 'pino';
import { bothSinks, noMetrics, type MetricSink } from '../metrics.js';
import { AudioChunker } from './chunker.js';
import { keytermsFor } from './keyterms.js';
import { ProviderError, toProviderError, withRetry, type RetryPolicy } from '../retry.js';
import type { AsrStreamEvent, AsrOpenOptions, AsrProvider, AsrStream } from './types.js';
import { languageFrom, type Language } from '../../language/index.js';
import { RECOGNISER_LANGUAGES } from '../../language/support.js';

// Deepgram live transcription of Twilio's μ-law 8 kHz. Twilio's 20 ms frames are gathered into `chunkMs` chunks
// (default 100 ms, inside Deepgram's recommended 20-250 ms): one WebSocket send per chunk instead of per frame
// cuts the per-call send cost fivefold. Finalize and close send the partial chunk first, so our own end-of-turn
// (VAD silence → Finalize) is not delayed by the batching; Deepgram's own endpointing and interim results see the
// audio up to chunkMs - 20 ms later. With the VAD's hints (`voiceActivity`), audio that is only silence (no voice
// for longer than Deepgram's utterance-end window) goes in `quietChunkMs` chunks (250 ms): a caller is quiet most
// of a call (the agent talks, thinks, or waits), and each send is a syscall and a network message; at the voice
// edge the gathered chunk leaves at once and chunks are short again. The SDK's own reconnect is
// off (reconnectAttempts: 0) because it cannot know which audio the new socket still needs: we keep every
// byte sent since the last final, and after a reconnect replay it, so a dropped socket loses no words.
// Times Deepgram reports are relative to each socket's audio; we map them back to call-audio time.

export interface DeepgramAsrOptions {
  apiKey: string;
  baseUrl?: string | undefined;
  model: string;
  language?: string;
  endpointingMs?: number;
  utteranceEndMs?: number;
  /** Audio is sent in chunks of this many ms (20 = every Twilio frame as it arrives). Default 100. */
  chunkMs?: number;
  /** Chunk size while the VAD has heard no voice for `quietAfterMs` (default 250, Deepgram's upper bound). */
  quietChunkMs?: number;
  /** Silence after the last voice before chunks grow (default utteranceEndMs + 250: endpointing is not delayed). */
  quietAfterMs?: number;
  /** Send KeepAlive after this long without audio (Deepgram closes after 10 s). */
  keepAliveMs?: number;
  /** Replay buffer bound; beyond it the oldest unacknowledged audio is dropped (and logged). */
  maxReplayMs?: number;
  reconnect?: RetryPolicy;
  closeTimeoutMs?: number;
  onMetric?: MetricSink;
  log?: Logger;
}

const PROVIDER = 'deepgram';
const BYTES_PER_MS = 8;

type Socket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
// The fields we read of Deepgram's server messages (the SDK types them loosely as a union with errors).
type DgMessage =
  | {
      type: 'Results';
      start: number;
      duration: number;
      is_final?: boolean;
      speech_final?: boolean;
      /** The result a Finalize produced (Deepgram may send none when nothing was left to process). */
      from_finalize?: boolean;
      channel: {
        alternatives: {
          transcript?: string;
          confidence?: number;
          /** With language=multi: the languages of the words, most words first. */
          languages?: string[];
          words?: { start: number; end: number; language?: string }[];
        }[];
      };
    }
  | { type: 'SpeechStarted'; timestamp: number }
  | { type: 'UtteranceEnd'; last_word_end: number }
  | { type: 'Metadata' };

/** What Deepgram's live API gives: everything but grammar hints (also the shape of in-process fakes of it). */
export const DEEPGRAM_CAPABILITIES = {
  interimResults: true,
  utteranceEnd: true,
  vadEvents: true,
  finalize: true,
  contextHints: false,
  confidence: true,
} as const;

export class DeepgramAsr implements AsrProvider {
  readonly name = PROVIDER;
  readonly capabilities = DEEPGRAM_CAPABILITIES;
  // A call's own language is sent with each stream.
  readonly languages = RECOGNISER_LANGUAGES.deepgram;
  readonly model: string;
  private readonly client: DeepgramClient;

  constructor(private readonly opts: DeepgramAsrOptions) {
    this.model = opts.model;
    this.client = new DeepgramClient({ apiKey: opts.apiKey, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
  }

  async open(o: AsrOpenOptions): Promise<AsrStream> {
    const stream = new DeepgramStream(this.client, this.opts, o);
    await stream.start();
    return stream;
  }
}

interface UnackedAudio {
  bytes: Uint8Array;
  atByte: number;
  wallMs: number;
}

/** The SDK reports handshake failures as "Unexpected server response: 401" errors. */
function handshakeError(e: unknown): ProviderError {
  const msg = e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e);
  const status = /server response: (\d{3})/.exec(msg)?.[1];
  if (status) return toProviderError(PROVIDER, Object.assign(new Error(msg), { status: Number(status) }));
  return toProviderError(PROVIDER, Object.assign(new Error(`connect failed: ${msg}`), { code: 'ECONNRESET' }));
}

class DeepgramStream implements AsrStream {
  private conn: Socket | undefined;
  private isOpen = false;
  private closing = false;
  private generation = 0;
  private unacked: UnackedAudio[] = [];
  private totalBytes = 0;
  private baseByte = 0;
  private lastSendAt = performance.now();
  /** Audio received but not yet sent. */
  private readonly chunker: AudioChunker;
  private pendingFinalize = false;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private closed: (() => void) | undefined;
  /** Aborted by close(): stops a reconnect in progress so no socket outlives the stream. */
  private readonly life = new AbortController();
  private readonly onMetric: MetricSink;

  constructor(
    private readonly client: DeepgramClient,
    private readonly opts: DeepgramAsrOptions,
    private readonly o: AsrOpenOptions,
  ) {
    this.onMetric = bothSinks(opts.onMetric ?? noMetrics, o.onMetric);
    this.chunker = new AudioChunker({
      speechMs: opts.chunkMs ?? 100,
      quietMs: opts.quietChunkMs ?? 250,
      quietAfterMs: opts.quietAfterMs ?? (opts.utteranceEndMs ?? 1000) + 250,
      onChunk: (bytes, sinceMs) => this.sendChunk(bytes, sinceMs),
    });
  }

  async start(): Promise<void> {
    await this.connect();
    const every = this.opts.keepAliveMs ?? 4000;
    this.keepAliveTimer = setInterval(
      () => {
        // Audio that stopped arriving mid-chunk (Twilio never pauses, other callers might) is not held back.
        this.chunker.tick(performance.now());
        this.keepAlive(every);
      },
      Math.max(10, Math.floor(every / 4)),
    );
    this.keepAliveTimer.unref();
    this.o.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  push(mulaw: Uint8Array): void {
    if (!this.closing) this.chunker.push(mulaw, performance.now());
  }

  voiceActivity(speaking: boolean): void {
    if (!this.closing) this.chunker.voice(speaking, performance.now());
  }

  voicePause(paused: boolean): void {
    if (!this.closing) this.chunker.pause(paused);
  }

  /** Sends a chunk; it is kept until Deepgram finalises it (for a replay after a reconnect). */
  private sendChunk(bytes: Uint8Array, sinceMs: number): void {
    // wallMs: when the chunk's first audio arrived, so the final-latency metric includes the batching delay.
    this.unacked.push({ bytes, atByte: this.totalBytes, wallMs: sinceMs });
    this.totalBytes += bytes.length;
    this.bound();
    if (this.isOpen) this.sendMedia(bytes);
  }

  finalize(): void {
    if (this.closing) return;
    this.chunker.flush();
    if (!this.isOpen) {
      this.pendingFinalize = true;
      return;
    }
    this.conn?.sendFinalize({ type: 'Finalize' });
    this.lastSendAt = performance.now();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.chunker.flush();
    this.closing = true;
    clearInterval(this.keepAliveTimer);
    const conn = this.conn;
    if (!conn || !this.isOpen) {
      this.life.abort();
      conn?.close();
      return;
    }
    // CloseStream makes Deepgram flush its last finals and close the socket itself.
    const done = new Promise<void>((resolve) => (this.closed = resolve));
    conn.sendCloseStream({ type: 'CloseStream' });
    const timer = setTimeout(() => this.closed?.(), this.opts.closeTimeoutMs ?? 2000);
    await done;
    clearTimeout(timer);
    conn.close();
    this.life.abort();
  }

  private emit(e: AsrStreamEvent): void {
    this.o.onEvent(e);
  }

  private sendMedia(bytes: Uint8Array): void {
    this.conn?.sendMedia(bytes);
    this.lastSendAt = performance.now();
  }

  private keepAlive(every: number): void {
    if (!this.isOpen || this.closing) return;
    if (performance.now() - this.lastSendAt < every) return;
    this.conn?.sendKeepAlive({ type: 'KeepAlive' });
    this.lastSendAt = performance.now();
  }

  private bound(): void {
    const max = (this.opts.maxReplayMs ?? 60_000) * BYTES_PER_MS;
    let held = this.totalBytes - (this.unacked[0]?.atByte ?? this.totalBytes);
    while (held > max && this.unacked.length > 1) {
      const dropped = this.unacked.shift() as UnackedAudio;
      held -= dropped.bytes.length;
      this.opts.log?.warn({ droppedMs: dropped.bytes.length / BYTES_PER_MS }, 'deepgram replay buffer full');
    }
  }

  private async connectOnce(): Promise<void> {
    const gen = ++this.generation;
    let conn: Socket | undefined;
    try {
      conn = await this.client.listen.v1.connect({
        model: this.opts.model,
        // A call that may switch listens with nova-3's multilingual model ("multi"), whose words say their language.
        language: (this.o.alsoListenFor?.length ?? 0) > 0 ? 'multi' : (this.o.language ?? this.opts.language ?? 'en'),
        encoding: 'mulaw',
        sample_rate: 8000,
        channels: 1,
        interim_results: 'true',
        endpointing: this.opts.endpointingMs ?? 300,
        utterance_end_ms: this.opts.utteranceEndMs ?? 1000,
        vad_events: 'true',
        smart_format: 'true',
        punctuate: 'true',
        // Repeated keyterm=… parameters: the SDK's own `keyterm` argument would send an array as one JSON string,
        // which Deepgram takes as a single term.
        queryParams: { keyterm: keytermsFor(this.opts.model) },
        // Deliberately 0: the SDK would reconnect without replaying the audio the server never finished.
        reconnectAttempts: 0,
        connectionTimeoutInSeconds: 5,
        abortSignal: this.life.signal,
      });
      conn.on('message', (m) => gen === this.generation && this.message(m as unknown as DgMessage));
      // Only a socket that opened can "drop"; a failed handshake is reported by waitForOpen instead.
      conn.on('close', (ev) => gen === this.generation && this.isOpen && this.onClose(ev.code));
      conn.on('error', (err) => this.opts.log?.debug({ err: err.message }, 'deepgram socket error'));
      conn.connect();
      await conn.waitForOpen();
    } catch (e) {
      // Stop the SDK socket's own timers, or a failed handshake keeps the process alive.
      conn?.close();
      throw handshakeError(e);
    }
    if (this.closing) {
      conn.close();
      return;
    }
    this.conn = conn;
    this.isOpen = true;
    this.lastSendAt = performance.now();
  }

  private async connect(): Promise<void> {
    await withRetry(() => this.connectOnce(), {
      provider: PROVIDER,
      policy: this.opts.reconnect ?? { attempts: 4, baseMs: 100, maxMs: 1500 },
      signal: this.life.signal,
      onRetry: (err) => this.reportError(err),
    });
  }

  private reportError(err: ProviderError): void {
    this.onMetric({
      kind: 'provider-error',
      modality: 'asr',
      provider: PROVIDER,
      code: err.code,
      status: err.status,
      retryable: err.retryable,
    });
  }

  private onClose(code: number): void {
    this.isOpen = false;
    if (this.closing) {
      this.closed?.();
      return;
    }
    // Not asked for: the network, the server or an idle timeout. Reconnect and replay what is unacknowledged.
    this.opts.log?.warn({ code }, 'deepgram socket closed unexpectedly; reconnecting');
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
    } catch (e) {
      if (this.closing) return;
      const err = toProviderError(PROVIDER, e);
      this.reportError(err);
      this.emit({ type: 'error', error: err, fatal: true });
      return;
    }
    if (this.closing) return;
    this.baseByte = this.unacked[0]?.atByte ?? this.totalBytes;
    let replayed = 0;
    for (const p of this.unacked) {
      this.sendMedia(p.bytes);
      replayed += p.bytes.length;
    }
    this.onMetric({ kind: 'asr-reconnect', provider: PROVIDER, replayedMs: replayed / BYTES_PER_MS });
    if (this.pendingFinalize) {
      this.pendingFinalize = false;
      this.finalize();
    }
  }

  private toCallMs(seconds: number): number {
    return this.baseByte / BYTES_PER_MS + seconds * 1000;
  }

  /** Drop audio the server has finalised: it will never need to be replayed. */
  private ack(upToByte: number): void {
    while (this.unacked.length > 0) {
      const p = this.unacked[0] as UnackedAudio;
      const end = p.atByte + p.bytes.length;
      if (end <= upToByte) {
        this.unacked.shift();
        continue;
      }
      if (p.atByte < upToByte) {
        const cut = upToByte - p.atByte;
        this.unacked[0] = { bytes: p.bytes.subarray(cut), atByte: upToByte, wallMs: p.wallMs };
      }
      break;
    }
  }

  /** When the chunk holding call-audio byte `byte` arrived: the earliest the recogniser could know it. */
  private wallTimeOf(byte: number): number | undefined {
    for (const p of this.unacked) {
      if (byte >= p.atByte && byte <= p.atByte + p.bytes.length) return p.wallMs;
    }
    return undefined;
  }

  private message(m: DgMessage): void {
    switch (m.type) {
      case 'Results': {
        const alt = m.channel.alternatives[0];
        const text = (alt?.transcript ?? '').trim();
        const confidence = alt?.confidence ?? 0;
        if (!m.is_final) {
          if (text) this.emit({ type: 'partial', text, confidence, endMs: this.toCallMs(m.start + m.duration) });
          return;
        }
        const words = alt?.words ?? [];
        const startMs = this.toCallMs(words[0]?.start ?? m.start);
        const endMs = this.toCallMs(words[words.length - 1]?.end ?? m.start + m.duration);
        const heardAt = this.wallTimeOf(Math.round(endMs * BYTES_PER_MS));
        this.ack(this.baseByte + Math.round((m.start + m.duration) * 1000 * BYTES_PER_MS));
        // A final without words still goes out: it closes the interim words of its window (an "uh" Deepgram took
        // back would otherwise stay pending) and tells how far it has heard.
        const speechFinal = m.speech_final === true;
        const flushed = m.from_finalize === true ? { flushed: true } : {};
        if (!text)
          return this.emit({ type: 'final', text: '', confidence: 0, speechFinal, startMs, endMs, ...flushed });
        const latencyMs = heardAt === undefined ? undefined : performance.now() - heardAt;
        if (latencyMs !== undefined) this.onMetric({ kind: 'asr-final-latency', provider: PROVIDER, ms: latencyMs });
        const language = spokenIn(alt?.languages, words);
        this.emit({
          type: 'final',
          text,
          confidence,
          speechFinal,
          startMs,
          endMs,
          ...(latencyMs !== undefined ? { latencyMs } : {}),
          ...(language !== undefined ? { language } : {}),
          ...flushed,
        });
        return;
      }
      case 'SpeechStarted':
        this.emit({ type: 'speech-started', atMs: this.toCallMs(m.timestamp) });
        return;
      case 'UtteranceEnd':
        this.emit({ type: 'utterance-end', lastWordEndMs: this.toCallMs(m.last_word_end) });
        return;
      default:
        return;
    }
  }
}

/** The language most of a multilingual final's words are in (its `languages` list is ordered so), if one we speak. */
function spokenIn(languages: string[] | undefined, words: readonly { language?: string }[]): Language | undefined {
  const first = languages?.[0];
  if (first !== undefined) return languageFrom(first);
  const counts = new Map<string, number>();
  for (const w of words) if (w.language !== undefined) counts.set(w.language, (counts.get(w.language) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return top === undefined ? undefined : languageFrom(top);
}
