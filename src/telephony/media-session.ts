import type { Logger } from '../log.js';
import type {
  CallHandler,
  CallHandlerFactory,
  CallTransport,
  StartInfo,
  StreamEndReason,
  VadFrameListener,
  VadPort,
} from './call-handler.js';
import { TWILIO_RATE, type TelephonyDsp } from './dsp-port.js';
import { OutboundPlayer, type OutboundSink, type PlayerOptions, type SendResult } from './outbound-player.js';
import {
  buildClear,
  buildMark,
  MAX_MEDIA_BYTES,
  mediaPrefix,
  parseInbound,
  type MediaRejectReason,
  type StartMessage,
} from './serializer.js';
import { parseMediaFast } from './media-fast-path.js';
import { INBOUND_MEDIA_POLICY, MessageBudget, type BudgetPolicy } from './message-budget.js';
import { StreamValidator } from './stream-validator.js';
import { ToneListener } from './tone-listener.js';
import type { LiveCalls } from './live-calls.js';
import { InbandKeypad } from './keypad/inband.js';
import type { KeypadPort } from './keypad/types.js';
import { HANDOFF_PARAM, type ParkedCall, type StreamHandoffs } from './keypad/handoff.js';

// One Media Streams WebSocket = one MediaSession = one CallHandler. The session turns wire messages into
// handler calls and the player's output into wire messages. Bad messages are counted, logged (rate-limited)
// and dropped; the connection is closed only when it cannot be a Twilio stream at all (binary frames, garbage
// before `start`, no `start` in time, a `start` that does not prove it belongs to a call we admitted, far more
// messages a second than Twilio sends) or when the handler itself fails. Nothing here can affect another call,
// and nothing per call (player, VAD, handler) exists before `admit` said yes.

/** The WebSocket as the session needs it; the server adapts a uWS socket to this. */
export interface MediaSocket {
  /** uWS semantics: 'ok', 'backpressure' (queued, will drain), 'dropped' (over the limit). */
  send(text: string): SendResult;
  /** Runs `fn` with its sends coalesced into one write (uWS cork); absent = every send is its own write. */
  cork?(fn: () => void): void;
  bufferedAmount(): number;
  end(code: number, reason: string): void;
}

export interface MediaMetrics {
  rejected?(reason: MediaRejectReason): void;
  callStarted?(): void;
  callEnded?(reason: StreamEndReason): void;
}

export interface MediaSessionOptions {
  readonly socket: MediaSocket;
  readonly dsp: TelephonyDsp;
  readonly handlerFactory: CallHandlerFactory;
  readonly createVad?: ((start: StartInfo) => VadPort) | undefined;
  readonly log: Logger;
  readonly metrics?: MediaMetrics | undefined;
  readonly player?: PlayerOptions | undefined;
  /** Send-buffer size above which the player pauses until drain (bytes). */
  readonly highWaterBytes?: number | undefined;
  /** Until an admitted `start` (default 5 s: Twilio sends it at once); then the connection is closed. */
  readonly startTimeoutMs?: number | undefined;
  /**
   * Decides at `start` whether this stream is the call it claims to be and takes the call's slot (stream-gate.ts).
   * Messages that arrive meanwhile are held and handled in order once it says yes; a refusal closes the stream.
   */
  readonly admit?: ((start: StartInfo) => AdmitDecision | Promise<AdmitDecision>) | undefined;
  /** The stream of an admitted call ended (after the handler's onEnd): release its slot. */
  readonly ended?: ((start: StartInfo, reason: StreamEndReason) => void) | undefined;
  /** Inbound message rate above which the stream is closed (message-budget.ts; default INBOUND_MEDIA_POLICY). */
  readonly inboundBudget?: BudgetPolicy | undefined;
  /** Where news of the call from outside its stream (Twilio's AMD verdict) finds its handler. */
  readonly liveCalls?: LiveCalls | undefined;
  /**
   * The call's keypad (KEYPAD_MODE and its fallback: keypad/index.ts). Default: in-band tones from `dsp.dtmfRender`
   * on this stream's player, when the DSP has it.
   */
  readonly createKeypad?: ((start: StartInfo, player: OutboundPlayer) => KeypadPort | undefined) | undefined;
  /** Calls between two streams (the Twilio keypad's redirect: keypad/handoff.ts); without it a `stop` ends the call. */
  readonly handoffs?: StreamHandoffs | undefined;
}

export type AdmitDecision = { ok: true } | { ok: false; code: number; why: string };

const LOG_FIRST_REJECTS = 5;
/** Messages held while `start` is being admitted (a database round trip): 5 s of Twilio's media, the rest dropped. */
const MAX_HELD = 250;
/**
 * Every session decodes its inbound payload into this one buffer: handling a message is synchronous and
 * InboundAudio says its buffers are only valid during onAudio, so no call ever sees another call's bytes.
 */
const scratch = Buffer.allocUnsafe(MAX_MEDIA_BYTES);
// Handlers get a plain Uint8Array view: Buffer#slice does not copy, and handlers copy with slice().
const scratchBytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.length);
const LOG_EVERY_REJECTS = 1000;

export class MediaSession {
  readonly #o: MediaSessionOptions;
  readonly #validator = new StreamValidator();
  readonly #budget: MessageBudget;
  readonly #rejects = new Map<MediaRejectReason, number>();
  #rejectTotal = 0;
  #handler: CallHandler | undefined;
  #startInfo: StartInfo | undefined;
  #player: OutboundPlayer | undefined;
  #vad: VadPort | undefined;
  #tones: ToneListener | undefined;
  #leaveLiveCalls: (() => void) | undefined;
  /** Bound once: the VAD's per-frame probabilities go to the handler without a closure per message. */
  readonly #onVadFrame: VadFrameListener = (atMs, probability, speech) =>
    this.#handler?.onVadFrame?.(atMs, probability, speech);
  #log: Logger;
  /**
   * The call clock's zero (performance.now()). Set when `start` is handled, and moved back when a frame's media time
   * is ahead of the clock: on a busy event loop `start` is handled late and the frames queued behind it arrive with
   * timestamps ahead of it. The agent's audio is placed on this clock and the gym's at its media time (recording,
   * echo), so without the correction the agent's greeting sat a second early, over the gym's hello, in a recording
   * made on a loaded machine. It never moves forward: the clock never goes back.
   */
  #startPerf = 0;
  /** Media time of this stream's 0 on the call's clock: non-zero on a stream that resumed a call (handoff). */
  #mediaOffsetMs = 0;
  /** The stream that resumed this call after a redirect: closing "the call's socket" means its socket now. */
  #successor: { endSocket(code: number, reason: string): void } | undefined;
  #ended = false;
  #socketOpen = true;
  #startTimer: NodeJS.Timeout | undefined;
  /** Set while `start` is being admitted: what arrived since, in order. */
  #held: string[] | undefined;
  /** JSON form of the streamSid once `start` was accepted: what the media fast path compares against. */
  #streamSidJson: string | undefined;

  constructor(opts: MediaSessionOptions) {
    this.#o = opts;
    this.#log = opts.log;
    this.#budget = new MessageBudget(opts.inboundBudget ?? INBOUND_MEDIA_POLICY, performance.now());
    this.#startTimer = setTimeout(() => this.#closeNotTwilio('no start message in time'), opts.startTimeoutMs ?? 5_000);
  }

  /** True once `start` was accepted: the connection is a live call. */
  get live(): boolean {
    return this.#handler !== undefined && !this.#ended;
  }

  get rejectedCount(): number {
    return this.#rejectTotal;
  }

  onText(text: string): void {
    if (this.#ended) return;
    if (!this.#budget.take(performance.now())) return this.#flooded();
    if (this.#held !== undefined) {
      if (this.#held.length < MAX_HELD) this.#held.push(text);
      return;
    }
    this.#handle(text);
  }

  #handle(text: string): void {
    if (this.#streamSidJson !== undefined) {
      const m = parseMediaFast(text, this.#streamSidJson, scratch);
      if (m !== undefined) {
        const bad = this.#validator.acceptMedia(m.sequenceNumber);
        if (bad !== undefined) return this.#reject(bad.reason, bad.detail);
        try {
          return this.#media(scratchBytes.subarray(0, m.length), m.timestamp + this.#mediaOffsetMs);
        } catch (err) {
          return this.#handlerFailed(err);
        }
      }
    }
    const parsed = parseInbound(text);
    if (!parsed.ok) return this.#reject(parsed.error.reason, parsed.error.detail);
    const e = parsed.event;
    const bad = this.#validator.accept(e);
    if (bad !== undefined) return this.#reject(bad.reason, bad.detail);
    try {
      switch (e.event) {
        case 'connected':
          return;
        case 'start':
          return this.#start(e);
        case 'media':
          return this.#media(e.media.payload, e.media.timestamp + this.#mediaOffsetMs);
        case 'dtmf':
          return this.#handler?.onDtmf(e.dtmf.digit, this.#nowMs());
        case 'mark':
          return this.#player?.onMark(e.mark.name);
        case 'stop':
          this.#end('stop');
          this.#endSocket(1000, 'stream stopped');
          return;
      }
    } catch (err) {
      this.#handlerFailed(err);
    }
  }

  #media(mulaw: Uint8Array, atMs: number): void {
    const ahead = atMs - (performance.now() - this.#startPerf);
    if (ahead > 0) this.#startPerf -= ahead;
    // Every sample operation is the addon's (issue 2): one native call per frame, output in its pooled slab.
    const pcm = this.#o.dsp.ulawDecode(mulaw);
    const durationMs = (pcm.length * 1000) / TWILIO_RATE;
    this.#handler?.onAudio({ mulaw, pcm, atMs, durationMs });
    if (this.#tones !== undefined) for (const tone of this.#tones.push(pcm, atMs)) this.#handler?.onTone?.(tone);
    if (this.#vad === undefined) return;
    const onFrame = this.#handler?.onVadFrame === undefined ? undefined : this.#onVadFrame;
    for (const edge of this.#vad.push(pcm, atMs, onFrame)) this.#handler?.onVad(edge);
  }

  onBinary(): void {
    // Twilio only ever sends JSON text frames.
    this.#reject('binary', 'binary frame');
    this.#closeNotTwilio('binary frame');
  }

  onDrain(): void {
    if (!this.#backpressured()) this.#player?.resume();
  }

  /** The socket closed (by either side). */
  onClose(): void {
    this.#socketOpen = false;
    this.#end('socket-closed');
  }

  #start(e: StartMessage): void {
    this.#startPerf = performance.now();
    const start: StartInfo = {
      callSid: e.start.callSid,
      streamSid: e.streamSid,
      accountSid: e.start.accountSid,
      tracks: e.start.tracks,
      customParameters: e.start.customParameters,
      startedAt: Date.now(),
    };
    this.#log = this.#o.log.child({ callSid: start.callSid, streamSid: start.streamSid });
    const decision = this.#o.admit?.(start) ?? { ok: true };
    if (!(decision instanceof Promise)) return this.#admitted(start, decision, undefined);
    this.#held = [];
    decision.then(
      (d) => this.#admitted(start, d, this.#held),
      (err: unknown) => {
        this.#log.error({ err }, 'media stream admission failed');
        this.#admitted(start, { ok: false, code: 1011, why: 'internal error' }, this.#held);
      },
    );
  }

  #admitted(start: StartInfo, d: AdmitDecision, held: readonly string[] | undefined): void {
    this.#held = undefined;
    if (!d.ok) {
      this.#log.warn({ why: d.why }, 'media stream refused');
      this.#ended = true;
      if (this.#startTimer !== undefined) clearTimeout(this.#startTimer);
      this.#endSocket(d.code, d.why);
      return;
    }
    if (this.#ended) {
      // The socket closed while the stream was being admitted: give back what admission just gave it.
      this.#o.ended?.(start, 'socket-closed');
      return;
    }
    if (this.#startTimer !== undefined) clearTimeout(this.#startTimer);
    this.#startTimer = undefined;
    try {
      this.#begin(start);
    } catch (err) {
      return this.#handlerFailed(err);
    }
    for (const text of held ?? []) if (!this.#ended) this.#handle(text);
  }

  #begin(start: StartInfo): void {
    this.#startInfo = start;
    if (start.customParameters[HANDOFF_PARAM] === '1') return this.#resume(start);
    const streamSid = start.streamSid;
    this.#streamSidJson = JSON.stringify(streamSid);
    this.#player = new OutboundPlayer(this.#sinkFor(streamSid), this.#o.dsp, this.#o.player);
    const player = this.#player;
    const { dtmfRender } = this.#o.dsp;
    const transport: CallTransport = {
      start,
      player,
      keypad: this.#o.createKeypad
        ? this.#o.createKeypad(start, player)
        : dtmfRender && new InbandKeypad(player, { dtmfRender: (k, tone, gap) => dtmfRender(k, tone, gap) }),
      nowMs: () => this.#nowMs(),
      close: (reason) => this.#endSocket(1000, reason),
      log: this.#log,
    };
    this.#vad = this.#o.createVad?.(start);
    // Beeps only: Twilio reports the caller's keys as dtmf messages, and hearing them in the audio too would count
    // each key twice.
    const detector = this.#o.dsp.createToneDetector?.({ dtmf: false, beep: true });
    this.#tones = detector === undefined ? undefined : new ToneListener(detector);
    this.#handler = this.#o.handlerFactory(start, transport);
    // Also once parked for a redirect (keypad/handoff.ts): the handler lives on. A released call is unregistered.
    this.#leaveLiveCalls = this.#o.liveCalls?.register(start.customParameters.callId ?? '', (answeredBy) => {
      try {
        this.#handler?.onAmd?.(answeredBy);
      } catch (err) {
        this.#handlerFailed(err);
      }
    });
    this.#o.metrics?.callStarted?.();
    this.#log.info({ tracks: start.tracks.length }, 'media stream started');
  }

  /** A stream Twilio opened after a redirect: the call parked by its previous stream carries on here. */
  #resume(start: StartInfo): void {
    const callId = start.customParameters.callId ?? '';
    const parked = this.#o.handoffs?.resume(callId);
    if (parked === undefined) throw new Error('no parked call to resume');
    this.#startPerf = parked.startPerf;
    this.#mediaOffsetMs = this.#nowMs();
    this.#streamSidJson = JSON.stringify(start.streamSid);
    this.#player = parked.player;
    parked.player.rebind(this.#sinkFor(start.streamSid));
    parked.handOver({ endSocket: (code, reason) => this.#endSocket(code, reason) });
    this.#vad = parked.vad;
    this.#tones = parked.tones;
    this.#leaveLiveCalls = parked.leaveLiveCalls;
    this.#handler = parked.handler;
    this.#log.info({ atMs: this.#mediaOffsetMs }, 'media stream resumed the call after a redirect');
  }

  /** The call's clock: media time, as far as the frames so far tell (never behind them). */
  #nowMs(): number {
    return this.#startPerf === 0 ? 0 : Math.round(performance.now() - this.#startPerf);
  }

  #backpressured(): boolean {
    return this.#socketOpen && this.#o.socket.bufferedAmount() > (this.#o.highWaterBytes ?? 16 * 1024);
  }

  #send(text: string): SendResult {
    if (!this.#socketOpen) return 'closed';
    return this.#o.socket.send(text);
  }

  #reject(reason: MediaRejectReason, detail: string): void {
    this.#rejectTotal++;
    this.#rejects.set(reason, (this.#rejects.get(reason) ?? 0) + 1);
    this.#o.metrics?.rejected?.(reason);
    if (this.#rejectTotal <= LOG_FIRST_REJECTS) this.#log.warn({ reason, detail }, 'dropped media stream message');
    else if (this.#rejectTotal % LOG_EVERY_REJECTS === 0)
      this.#log.warn(
        { total: this.#rejectTotal, byReason: Object.fromEntries(this.#rejects) },
        'still dropping bad messages',
      );
    // Before `start` nothing identifies a Twilio stream: whatever is talking, it is not Twilio.
    if (this.#validator.phase === 'awaiting-start' && this.#handler === undefined) this.#closeNotTwilio(reason);
  }

  #flooded(): void {
    const { perSecond } = this.#budget.policy;
    this.#reject('rate', `more than ${perSecond} messages a second`);
    this.#log.warn({ perSecond }, 'media stream sends far faster than Twilio does: closing it');
    this.#end('socket-closed');
    this.#endSocket(1008, 'message rate exceeded');
  }

  #closeNotTwilio(why: string): void {
    if (!this.#socketOpen || this.#ended) return;
    this.#log.warn({ why }, 'closing connection that is not a Twilio media stream');
    this.#endSocket(1008, 'not a Twilio media stream');
  }

  #handlerFailed(err: unknown): void {
    this.#log.error({ err }, 'call handler failed; closing this media stream');
    this.#end('socket-closed');
    this.#endSocket(1011, 'internal error');
  }

  #sinkFor(streamSid: string): OutboundSink {
    const prefix = mediaPrefix(streamSid);
    return {
      // The player hands out Buffer views; anything else is wrapped (no copy) for the base64 encoder.
      sendMedia: (b) =>
        this.#send(
          `${prefix}${(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('base64')}"}}`,
        ),
      sendMark: (n) => this.#send(buildMark(streamSid, n)),
      sendClear: () => this.#send(buildClear(streamSid)),
      corked: (fn) => (this.#socketOpen && this.#o.socket.cork ? this.#o.socket.cork(fn) : fn()),
      backpressured: () => this.#backpressured(),
    };
  }

  #endSocket(code: number, reason: string): void {
    if (this.#successor !== undefined) return this.#successor.endSocket(code, reason);
    if (!this.#socketOpen) return;
    this.#socketOpen = false;
    this.#o.socket.end(code, reason);
  }

  #end(reason: StreamEndReason): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#startTimer !== undefined) clearTimeout(this.#startTimer);
    if (reason === 'stop' && this.#park()) return;
    this.#release(reason);
  }

  /**
   * Twilio stopped this stream because the keypad redirected the call: park the call (keypad/handoff.ts) for the
   * stream that follows, instead of ending it. True when parked.
   */
  #park(): boolean {
    const start = this.#startInfo;
    const handler = this.#handler;
    const player = this.#player;
    const callId = start?.customParameters.callId ?? '';
    if (start === undefined || handler === undefined || player === undefined) return false;
    if (this.#o.handoffs?.expecting(callId) !== true) return false;
    const parked: ParkedCall = {
      start,
      handler,
      player,
      vad: this.#vad,
      tones: this.#tones,
      leaveLiveCalls: this.#leaveLiveCalls,
      startPerf: this.#startPerf,
      handOver: (successor) => (this.#successor = successor),
    };
    this.#o.handoffs.park(callId, parked, () => this.#release('stop'));
    // Reached only from the stop message's handling, whose catch closes the stream on a handler's failure.
    handler.onLinePaused?.();
    this.#log.info('media stream stopped for a redirect; the call waits for the next stream');
    return true;
  }

  #release(reason: StreamEndReason): void {
    this.#player?.close();
    this.#leaveLiveCalls?.();
    this.#vad?.close();
    this.#vad = undefined;
    const handler = this.#handler;
    if (handler !== undefined) {
      this.#o.metrics?.callEnded?.(reason);
      if (this.#rejectTotal > 0)
        this.#log.info(
          { total: this.#rejectTotal, byReason: Object.fromEntries(this.#rejects) },
          'bad messages on this stream',
        );
      try {
        handler.onEnd(reason);
      } catch (err) {
        this.#log.error({ err }, 'call handler failed while ending');
      }
    }
    const start = this.#startInfo;
    if (start === undefined) return;
    const release = () => this.#o.ended?.(start, reason);
    // The slot is the call's, not the stream's: a call draining its recogniser after a hang-up still holds it.
    if (handler?.finished === undefined) release();
    else void handler.finished.then(release, release);
  }
}
