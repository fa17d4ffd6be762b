import { joinPcm, pcmToFloat } from '../../audio/pcm.js';
import type { Denoiser, DenoiserFactory } from '../../audio/denoise.js';
import { VAD_FRAME_MS, VAD_FRAME_SAMPLES, type Vad } from '../../audio/vad.js';
import { AppError } from '../../errors.js';
import { NOISY_MAX_HMMPF, SEARCH_DEFAULTS, type DecoderLease, type SsDecoder } from './decoder-pool.js';
import { grammarFor } from './grammars.js';
import { Arrivals } from './arrivals.js';
import { LineSnr, type LinePolicy } from './line-snr.js';
import { thisThreadTranscriber, type LineTranscriber, type Transcript } from './moonshine.js';
import type { OfflineAsrOptions } from './offline.js';
import { OrderedEvents } from './ordered-events.js';
import type { AsrContext, AsrOpenOptions, AsrStream, AsrStreamEvent } from './types.js';

// One call's stream of the offline recogniser (offline.ts): our segmentation (a VAD opens an utterance on a voice
// edge with 300 ms of pre-roll and closes it on the silence edge, on finalize(), or at 15 s), the grammar decoder
// on each utterance, noise suppression and Moonshine's finals where the line is noisy, events in order.

const PREROLL_FRAMES = 15;

/**
 * After hurry(): partials every 60 ms for a second. A voice over the agent is paused only on its words, and the
 * 300 ms cadence alone put the pause 510–529 ms after her onset (docs/benchmarks/scenarios.md); a partial costs a
 * hypothesis read (the decoder's work is per frame either way), and it is asked for only while a voice stands out.
 */
const HURRY_PARTIAL_FRAMES = 3;
const HURRY_FRAMES = 50;

/** Confidence of a cut utterance's best path that did not reach the grammar's end (endUtterance). */
const CUT_PATH_CONFIDENCE = 0.5;

/**
 * The grammar each pooled decoder holds. Setting one compiles the JSGF into a search (≈ 0.4 s of CPU, most of it
 * the finite-state build: probe in docs/benchmarks/asr-threads.md), so a decoder handed to the next call keeps its
 * grammar and a stream sets one only when the dialogue step asks for another.
 */
const grammarOf = new WeakMap<SsDecoder, AsrContext>();

export class OfflineAsrStream implements AsrStream {
  /** The frames before an utterance: as the line carried them (Moonshine's) and as the decoder hears them. */
  private readonly preroll: { line: Int16Array; pcm: Int16Array }[] = [];
  private carry = new Int16Array(0);
  private frameNo = 0;
  private inUtt = false;
  private uttStartMs = 0;
  private uttFrames = 0;
  private lastPartial = '';
  private context: AsrContext = 'open';
  /** The grammar the decoder holds: a pooled decoder keeps its last stream's (grammarOf). */
  private grammarContext: AsrContext | undefined;
  private closed = false;
  private readonly minConfidence: number;
  private readonly partialFrames: number;
  private readonly maxFrames: number;
  /** Partials come every HURRY_PARTIAL_FRAMES until this frame (hurry()). */
  private hurryUntil = 0;

  private readonly decoder: SsDecoder;
  /** When each pushed piece of audio arrived (its end in stream ms): a final's latency counts from its last word's. */
  private readonly arrivals = new Arrivals();
  private denoiser: Denoiser | undefined;
  /** The line's noise, measured on every frame when the denoiser or Moonshine is for noisy lines only. */
  private readonly snr: LineSnr | undefined;
  private readonly denoisePolicy: LinePolicy;
  private readonly moonshinePolicy: LinePolicy;
  /** The line audio of the open utterance, kept when Moonshine gives its final. */
  private uttAudio: Int16Array[] | undefined;
  private readonly transcriber: LineTranscriber;
  private moonshineLoading = false;
  private readonly events: OrderedEvents;
  /** The search limit (maxhmmpf) this stream last gave the decoder: a pooled decoder may hold another stream's. */
  private hmmLimit: number | undefined;

  /** The decoder's search limit now: capped where Moonshine writes the finals (tests). */
  get searchLimit(): number {
    return Number(this.decoder.get_config('maxhmmpf'));
  }

  /** Whether the decoder hears the line denoised now (tests, benchmarks). */
  get denoising(): boolean {
    return this.denoiser !== undefined;
  }

  constructor(
    private readonly lease: DecoderLease,
    private readonly vad: Vad,
    policy: LinePolicy,
    private readonly denoisers: DenoiserFactory | undefined,
    private readonly opts: OfflineAsrOptions,
    private readonly o: AsrOpenOptions,
  ) {
    this.decoder = lease.decoder;
    this.grammarContext = grammarOf.get(lease.decoder);
    this.events = new OrderedEvents((e) => o.onEvent(e));
    this.denoisePolicy = policy;
    this.moonshinePolicy = opts.moonshine ?? 'noisy';
    this.transcriber = opts.transcriber ?? thisThreadTranscriber(opts.dsp);
    if (policy === 'always' && denoisers) this.denoiser = denoisers(opts.dsp);
    if (policy === 'noisy' || this.moonshinePolicy === 'noisy') this.snr = new LineSnr();
    this.minConfidence = opts.minConfidence ?? 0.2;
    this.partialFrames = Math.max(1, Math.round((opts.partialEveryMs ?? 300) / VAD_FRAME_MS));
    this.maxFrames = Math.round((opts.maxUtteranceMs ?? 15000) / VAD_FRAME_MS);
    o.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  push(mulaw: Uint8Array): void {
    if (this.closed || mulaw.length === 0) return;
    this.arrivals.push(mulaw.length / 8, performance.now());
    const pcm = this.opts.dsp.ulawDecode(mulaw);
    let data = pcm;
    if (this.carry.length > 0) {
      data = new Int16Array(this.carry.length + pcm.length);
      data.set(this.carry);
      data.set(pcm, this.carry.length);
    }
    let o = 0;
    for (; o + VAD_FRAME_SAMPLES <= data.length; o += VAD_FRAME_SAMPLES)
      this.frame(data.slice(o, o + VAD_FRAME_SAMPLES));
    this.carry = data.slice(o);
  }

  finalize(): void {
    if (this.closed) return;
    if (this.inUtt) this.endUtterance(this.frameNo * VAD_FRAME_MS, 'flush');
    else {
      // Like a cloud recogniser answering Finalize with nothing pending: an empty final.
      const at = this.frameNo * VAD_FRAME_MS;
      const final = { type: 'final', text: '', confidence: 0, speechFinal: true, startMs: at, endMs: at } as const;
      this.events.emit({ ...final, flushed: true });
    }
  }

  hurry(): void {
    if (this.closed) return;
    this.hurryUntil = this.frameNo + HURRY_FRAMES;
    if (this.inUtt) this.emitPartial();
  }

  setContext(ctx: AsrContext): void {
    this.context = ctx;
    if (!this.inUtt) this.applyGrammar();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.vad.close();
    this.denoiser?.close();
    let reusable = true;
    if (this.inUtt) {
      this.inUtt = false;
      try {
        this.decoder.stop();
      } catch {
        // A decoder that cannot stop cleanly is not reused.
        reusable = false;
      }
    }
    if (reusable) this.lease.release();
    else this.lease.discard();
    // A final still being transcribed is delivered before close() resolves (a caller that stopped listening, as
    // the call's recogniser actor has by then, drops it).
    await this.events.drained();
  }

  private frame(line: Int16Array): void {
    const atMs = this.frameNo * VAD_FRAME_MS;
    this.frameNo++;
    if (this.snr) {
      this.snr.push(this.opts.dsp.frameFeatures(line, VAD_FRAME_SAMPLES)[0] as number);
      // Never in the middle of an utterance: the decoder would hear the line change under a word.
      if (!this.inUtt && this.denoisePolicy === 'noisy') this.followLineNoise(this.snr);
      // Loaded as soon as the line is noisy, not when the first final waits for it.
      if (!this.moonshineLoading && this.moonshinePolicy === 'noisy' && this.lineNoisy()) {
        this.moonshineLoading = true;
        this.transcriber.load().catch(() => undefined);
      }
    }
    // The detector hears the line as it is; the decoder hears it denoised (the denoiser runs on every frame, so
    // its state follows the line's noise between utterances too).
    const pcm = this.denoiser ? this.denoiser.process(line) : line;
    for (const edge of this.vad.push(this.opts.vadHears === 'denoised' ? pcm : line)) {
      if (edge.kind === 'voice' && !this.inUtt) this.startUtterance(edge.atMs);
      else if (edge.kind === 'silence' && this.inUtt) {
        this.uttAudio?.push(line);
        this.feed(pcm);
        this.endUtterance(edge.atMs, 'silence');
        return;
      }
    }
    // An utterance ended by finalize() or the length cap while the voice goes on (a caller who keeps talking, or a
    // line that is never quiet: music, chatter) starts again at once: waiting for a new voice edge would drop
    // everything until the line next falls silent.
    if (!this.inUtt && this.vad.speaking) this.startUtterance(atMs);
    if (!this.inUtt) {
      this.preroll.push({ line, pcm });
      if (this.preroll.length > PREROLL_FRAMES) this.preroll.shift();
      return;
    }
    this.uttAudio?.push(line);
    this.feed(pcm);
    const every = this.frameNo < this.hurryUntil ? HURRY_PARTIAL_FRAMES : this.partialFrames;
    if (this.uttFrames % every === 0) this.emitPartial();
    if (this.uttFrames >= this.maxFrames) this.endUtterance(atMs + VAD_FRAME_MS, 'cut');
  }

  private startUtterance(atMs: number): void {
    this.applyGrammar();
    try {
      this.limitSearch();
      this.decoder.start();
    } catch (e) {
      this.fail(e);
      return;
    }
    this.inUtt = true;
    this.uttFrames = 0;
    this.lastPartial = '';
    // Moonshine hears the line as it is (the denoiser's artefacts are not what it was trained on), pre-roll included.
    this.uttAudio = this.wantsMoonshine() ? this.preroll.map((f) => f.line) : undefined;
    this.uttStartMs = Math.max(0, atMs - PREROLL_FRAMES * VAD_FRAME_MS);
    this.events.emit({ type: 'speech-started', atMs });
    for (const f of this.preroll.splice(0)) this.feed(f.pcm);
  }

  private feed(pcm: Int16Array): void {
    if (pcm.length === 0) {
      // The denoiser is still filling its first frame.
      this.uttFrames++;
      return;
    }
    try {
      this.decoder.process_audio(pcmToFloat(pcm));
      this.uttFrames++;
    } catch (e) {
      this.fail(e);
    }
  }

  private emitPartial(): void {
    const text = this.decoder.get_text().trim();
    if (text && text !== this.lastPartial) {
      this.lastPartial = text;
      this.events.emit({ type: 'partial', text, confidence: 0.5, endMs: this.frameNo * VAD_FRAME_MS });
    }
  }

  /**
   * `silence`: her voice stopped (the detector's edge). `cut` (the length cap) and `flush` (finalize(), when the
   * call's detector heard a pause this one did not; its final says it answers the flush): we ended it while she may
   * still be talking. A grammar decoder only
   * gives a final that ends in the grammar's final state; cut in the middle of a phrase ("…six a.m. to nine | p.m.
   * membership…") there is none, and the whole utterance came out empty: cut every 260 ms, 14 of 74 cuts through
   * three flite answers lost their first half, none since (test/offline/asr-cut.test.ts). A cut utterance on a quiet
   * line keeps the decoder's best path instead, the same words its partials showed. Not on a noisy line: there the
   * open utterance is as likely hold music or chatter as her voice, and its best path is words nobody said (hold
   * music gave facts and a voicemail that were not there). An utterance that fits no grammar path otherwise stays
   * empty: that is how noise is turned away.
   */
  private endUtterance(endMs: number, ended: 'silence' | 'cut' | 'flush'): void {
    this.inUtt = false;
    let text = '';
    let confidence = 0;
    try {
      const best = ended !== 'silence' && !this.lineNoisy() ? this.decoder.get_text().trim() : '';
      this.decoder.stop();
      text = this.decoder.get_text().trim();
      confidence = text ? this.decoder.get_alignment().p : 0;
      if (!text && best) {
        text = best;
        confidence = CUT_PATH_CONFIDENCE;
      }
    } catch (e) {
      this.fail(e);
    }
    if (!(confidence >= this.minConfidence)) text = '';
    const heardAt = this.arrivals.at(endMs);
    const startMs = this.uttStartMs;
    const final = (t: Transcript): AsrStreamEvent[] => [
      {
        type: 'final',
        text: t.text,
        confidence: t.confidence,
        speechFinal: true,
        startMs,
        endMs,
        ...(heardAt === undefined ? {} : { latencyMs: performance.now() - heardAt }),
        ...(ended === 'flush' ? { flushed: true } : {}),
      },
      { type: 'utterance-end', lastWordEndMs: t.text ? endMs : undefined },
    ];
    const audio = this.uttAudio;
    this.uttAudio = undefined;
    if (audio === undefined) for (const e of final({ text, confidence })) this.events.emit(e);
    // Moonshine is told the question in force now, at the utterance's end, not at its start as the grammar is (a
    // grammar cannot change under a word): on a line that is never quiet one utterance runs from before the
    // agent's question into her answer, and the answer is what it writes.
    else
      this.events.later(
        this.transcribe(audio, this.context, { text, confidence }).then((r) => [...r.errors, ...final(r.transcript)]),
      );
    this.applyGrammar();
  }

  /** Moonshine's words for the utterance; if it fails, the grammar decoder's, and the error as an event. */
  private async transcribe(
    audio: Int16Array[],
    context: AsrContext,
    grammar: Transcript,
  ): Promise<{ transcript: Transcript; errors: AsrStreamEvent[] }> {
    try {
      return { transcript: await this.transcriber.transcribe(joinPcm(audio), context), errors: [] };
    } catch (e) {
      const error = new AppError('PROVIDER_FAILED', 'Moonshine could not transcribe', { cause: e, retryable: false });
      return { transcript: grammar, errors: [{ type: 'error', error, fatal: false }] };
    }
  }

  private wantsMoonshine(): boolean {
    return this.moonshinePolicy === 'always' || (this.moonshinePolicy === 'noisy' && this.lineNoisy());
  }

  /**
   * Where Moonshine writes the finals (a noisy line) the decoder only gives the partials, and its search over music
   * or chatter is the most expensive thing such a call does: its limit is capped there (NOISY_MAX_HMMPF), and given
   * back on a quiet line. pocketsphinx reads the limit on every frame, so the grammar stays as it is.
   */
  private limitSearch(): void {
    const full = Number(this.opts.decoderConfig?.maxhmmpf ?? SEARCH_DEFAULTS.maxhmmpf);
    const limit = this.wantsMoonshine() ? Math.min(full, this.opts.noisyMaxHmmpf ?? NOISY_MAX_HMMPF) : full;
    if (limit === this.hmmLimit) return;
    this.decoder.set_config('maxhmmpf', limit);
    this.hmmLimit = limit;
  }

  private applyGrammar(): void {
    if (this.context === this.grammarContext) return;
    try {
      this.grammarContext = undefined;
      grammarOf.delete(this.decoder);
      this.decoder.set_grammar(grammarFor(this.context));
      this.grammarContext = this.context;
      grammarOf.set(this.decoder, this.context);
    } catch (e) {
      this.fail(e);
    }
  }

  /** The line is noisy now: measured when the denoiser or Moonshine follows the line, else as the denoiser is. */
  private lineNoisy(): boolean {
    return this.snr === undefined ? this.denoiser !== undefined : this.snr.noisy;
  }

  /** Denoising on for a noisy line, off again once it is clearly quiet (LineSnr's hysteresis: it does not flap). */
  private followLineNoise(snr: LineSnr): void {
    if (!this.denoisers) return;
    if (!this.denoiser && snr.noisy) this.denoiser = this.denoisers(this.opts.dsp);
    else if (this.denoiser && snr.quietAgain) {
      this.denoiser.close();
      this.denoiser = undefined;
    }
  }

  /** Decoder trouble loses this utterance only; the stream keeps listening. */
  private fail(e: unknown): void {
    this.inUtt = false;
    const error = new AppError('PROVIDER_FAILED', 'offline recogniser error', { cause: e, retryable: false });
    this.events.emit({ type: 'error', error, fatal: false });
  }
}
