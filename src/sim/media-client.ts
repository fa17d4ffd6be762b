import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { FRAME_BYTES, FRAME_MS, type TelephonyDsp } from '../telephony/dsp-port.js';
import { parseOutbound, serializeInbound } from '../telephony/serializer.js';
import { signRequest } from '../telephony/signature.js';
import { sharedClock, type ClockClient } from './clock.js';
import { PlaybackQueue } from './playback.js';
import { wavBytes } from './wav.js';
import { framesOf, inboundMediaWire, SILENCE_FRAME, toFrames, type CallerFrame } from './caller-frames.js';
import type { SimReport } from './stream-report.js';

// A Media Streams client that behaves like Twilio's side of a bidirectional stream: signed upgrade, connected +
// start, caller audio every 20 ms on a stream clock (real time or accelerated), dtmf and stop; agent audio is
// "played" on the same clock, marks are echoed only once the audio before them has played, and `clear` drops
// queued audio and echoes pending marks at once. Used by tests, the offline demo and the benchmark.
// Cheap enough to host a thousand in one process (bench:load): one shared clock instead of a timer each, media
// messages built by concatenation with the silence payload encoded once, caller audio cut and encoded once per
// PCM buffer, unmasked client frames (a zero mask is valid and lets ws skip masking), and the server's media
// messages recognised by their exact prefix before the general parser.

export interface SimStreamOptions {
  /** Where to connect (the server's local address). */
  readonly url: string;
  /** The URL Twilio would sign (the public wss:// URL from the TwiML); defaults to `url`. */
  readonly signedUrl?: string;
  /** Signs the upgrade when set; undefined sends no signature. */
  readonly authToken?: string | undefined;
  /** Overrides the computed signature (forgery tests). */
  readonly signature?: string;
  readonly dsp: TelephonyDsp;
  readonly customParameters?: Readonly<Record<string, string>>;
  readonly callSid?: string;
  readonly accountSid?: string;
  /** 1 = real time; 10 = ten times faster than real time. */
  readonly speed?: number;
  readonly record?: boolean;
}

const zeroMask = (mask: Buffer) => void mask.fill(0);
type Listener<T> = (v: T) => void;

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

/** Sound around the caller's phone (src/sim/noise/): added to every frame of the line's 8 kHz PCM. */
export interface LineNoise {
  addTo(pcm: Int16Array): void;
}

export class SimulatedStream implements ClockClient {
  readonly callSid: string;
  readonly streamSid = sid('MZ');
  /** performance.now() of each agent media message, for pacing analysis. */
  readonly agentArrivals: number[] = [];
  readonly #o: SimStreamOptions;
  readonly #ws: WebSocket;
  readonly #speed: number;
  readonly #playback = new PlaybackQueue();
  readonly #caller: CallerFrame[] = [];
  #callerHead = 0;
  readonly #callerDone: (() => void)[] = [];
  readonly #turns: { callerEndMs: number; responseMs: number | undefined }[] = [];
  readonly #recCaller: Uint8Array[] = [];
  readonly #recAgent: Uint8Array[] = [];
  readonly #audioListeners: Listener<Uint8Array>[] = [];
  readonly #idleWaiters: { quietMs: number; resolve: () => void }[] = [];
  #seq = 1;
  #tick = 0;
  #t0 = 0;
  #clocked = false;
  #mediaPrefix = '';
  #stopped = false;
  #badMessages = 0;
  #agentFrames = 0;
  #lastAgentAudioMs = -Infinity;
  #report: SimReport | undefined;
  #noise: LineNoise | undefined;
  #echo: { gain: number; ring: (Int16Array | undefined)[]; pos: number } | undefined;
  readonly #clearsAtMs: number[] = [];
  readonly #callerSoundMs: [number, number][] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(o: SimStreamOptions, ws: WebSocket) {
    this.#o = o;
    this.#ws = ws;
    this.#speed = o.speed ?? 1;
    this.callSid = o.callSid ?? sid('CA');
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? null : data.toString()));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.#finish();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Opens the stream and sends connected + start. Rejects with the HTTP status if the upgrade is refused. */
  static async connect(o: SimStreamOptions): Promise<SimulatedStream> {
    const headers: Record<string, string> = {};
    if (o.signature !== undefined) headers['x-twilio-signature'] = o.signature;
    else if (o.authToken !== undefined)
      headers['x-twilio-signature'] = signRequest(o.authToken, o.signedUrl ?? o.url, {});
    const ws = new WebSocket(o.url, { headers, perMessageDeflate: false, generateMask: zeroMask });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new UpgradeRefused(res.statusCode ?? 0)));
      ws.once('error', reject);
    });
    const s = new SimulatedStream(o, ws);
    s.#begin();
    return s;
  }

  /** Stream time now, in ms (accelerated by `speed`). */
  nowMs(): number {
    return (performance.now() - this.#t0) * this.#speed;
  }

  /** Queues caller speech (8 kHz PCM); resolves when it has all been sent, which ends a caller turn. */
  say(pcm8k: Int16Array): Promise<void> {
    let frames = framesOf.get(pcm8k);
    if (frames === undefined) {
      frames = toFrames(this.#o.dsp.ulawEncode(pcm8k), pcm8k);
      framesOf.set(pcm8k, frames);
    }
    return this.#queueCaller(frames);
  }

  sendMulaw(mulaw: Uint8Array): Promise<void> {
    return this.#queueCaller(toFrames(mulaw));
  }

  /**
   * Drops the caller audio not yet sent and ends its say() at once: a phone system stops its prompt when a key
   * is pressed, a person stops when she is interrupted.
   */
  stopSaying(): void {
    if (this.#callerHead >= this.#caller.length) return;
    this.#caller.length = 0;
    this.#callerHead = 0;
    for (const done of this.#callerDone.splice(0)) done();
  }

  #queueCaller(frames: readonly CallerFrame[]): Promise<void> {
    // Nothing to send, and nothing before it: done now, not at the end of some later say().
    if (frames.length === 0 && this.#callerHead >= this.#caller.length) return Promise.resolve();
    for (const f of frames) this.#caller.push(f);
    return new Promise((resolve) => this.#callerDone.push(resolve));
  }

  /**
   * From the next frame on, `noise` plays under everything the caller sends, also while she is silent: it is
   * added to her PCM and the sum is μ-law encoded, as the room around a phone reaches its microphone.
   */
  setLineNoise(noise: LineNoise): void {
    this.#noise = noise;
  }

  /**
   * From now on the agent's audio, as it plays at her phone, comes back on her line `delayMs` later and `lossDb`
   * quieter (a speakerphone or a handset's acoustic echo, a hybrid without an echo canceller), added to what she
   * sends before μ-law like the room's noise.
   */
  setEcho(o: { delayMs: number; lossDb: number }): void {
    const frames = Math.max(1, Math.round(o.delayMs / FRAME_MS));
    this.#echo = {
      gain: 10 ** (-o.lossDb / 20),
      ring: new Array<Int16Array | undefined>(frames).fill(undefined),
      pos: 0,
    };
  }

  dtmf(digit: string): void {
    this.#send(
      serializeInbound({
        event: 'dtmf',
        sequenceNumber: ++this.#seq,
        streamSid: this.streamSid,
        dtmf: { track: 'inbound_track', digit },
      }),
    );
  }

  /** Sends text as-is (fuzzing). */
  sendRaw(text: string | Buffer): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  /** Called with every agent audio payload (μ-law) as it arrives. */
  onAgentAudio(cb: Listener<Uint8Array>): void {
    this.#audioListeners.push(cb);
  }

  /** Resolves once the agent has been silent (nothing queued or playing) for quietMs of stream time. */
  agentIdle(quietMs: number): Promise<void> {
    return new Promise((resolve) => this.#idleWaiters.push({ quietMs, resolve }));
  }

  /** The call ends (Twilio side): stop message, then the socket closes. */
  async hangUp(): Promise<SimReport> {
    if (!this.#stopped) {
      this.#report = this.#snapshot();
      this.#stopped = true;
      if (this.#clocked) sharedClock(this.#speed).delete(this);
      this.#clocked = false;
      this.#send(
        serializeInbound({
          event: 'stop',
          sequenceNumber: ++this.#seq,
          streamSid: this.streamSid,
          stop: { accountSid: this.#accountSid, callSid: this.callSid },
        }),
      );
      this.#ws.close(1000, 'call ended');
    }
    await this.closed;
    return this.report();
  }

  report(): SimReport {
    return this.#report ?? this.#snapshot();
  }

  /** Stereo WAV (left caller, right agent as played) if `record` was set. */
  wav(): Buffer {
    const dec = (parts: Uint8Array[]) => this.#o.dsp.ulawDecode(Buffer.concat(parts));
    return wavBytes([dec(this.#recCaller), dec(this.#recAgent)], 8000);
  }

  get #accountSid(): string {
    return this.#o.accountSid ?? 'AC' + '0'.repeat(32);
  }

  #begin(): void {
    this.#send(serializeInbound({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    this.#send(
      serializeInbound({
        event: 'start',
        sequenceNumber: this.#seq,
        streamSid: this.streamSid,
        start: {
          accountSid: this.#accountSid,
          streamSid: this.streamSid,
          callSid: this.callSid,
          tracks: ['inbound'],
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          customParameters: this.#o.customParameters ?? {},
        },
      }),
    );
    this.#mediaPrefix = `{"event":"media","streamSid":${JSON.stringify(this.streamSid)},"media":{"payload":"`;
    this.#t0 = performance.now();
    this.#clocked = true;
    sharedClock(this.#speed).add(this);
  }

  /** Shared-clock tick: sends every frame whose time has come (catching up if the process was late). */
  tick(now: number): void {
    if (this.#stopped) return;
    const target = Math.floor(((now - this.#t0) * this.#speed) / FRAME_MS);
    while (this.#tick < target && !this.#stopped) this.#step();
  }

  #step(): void {
    const atMs = this.#tick * FRAME_MS;
    this.#tick++;
    const frame = this.#callerHead < this.#caller.length ? this.#caller[this.#callerHead++] : undefined;
    if (frame !== undefined && this.#callerHead === this.#caller.length) {
      this.#caller.length = 0;
      this.#callerHead = 0;
    }
    if (frame !== undefined) {
      const last = this.#callerSoundMs.at(-1);
      if (last !== undefined && last[1] === atMs) last[1] = atMs + FRAME_MS;
      else this.#callerSoundMs.push([atMs, atMs + FRAME_MS]);
    }
    const echo = this.#echo?.ring[this.#echo.pos];
    const f = this.#noise === undefined && echo === undefined ? (frame ?? SILENCE_FRAME) : this.#noisy(frame, echo);
    this.#send(inboundMediaWire(this.streamSid, ++this.#seq, this.#tick, atMs, f.base64));
    if (this.#o.record) this.#recCaller.push(f.bytes);
    if (frame !== undefined && this.#caller.length === 0) {
      this.#turns.push({ callerEndMs: atMs + FRAME_MS, responseMs: undefined });
      for (const done of this.#callerDone.splice(0)) done();
    }
    const played = this.#playback.play(FRAME_BYTES, this.#o.record === true || this.#echo !== undefined);
    if (this.#echo !== undefined) this.#keepEcho(this.#echo, played.bytes > 0 ? played.audio : undefined);
    if (this.#o.record) this.#recAgent.push(played.audio);
    for (const name of played.marks) this.#echoMark(name);
    if (played.bytes > 0) this.#lastAgentAudioMs = atMs + FRAME_MS;
    const now = atMs + FRAME_MS;
    for (let i = this.#idleWaiters.length - 1; i >= 0; i--) {
      const w = this.#idleWaiters[i];
      if (w !== undefined && this.#playback.empty && now - Math.max(0, this.#lastAgentAudioMs) >= w.quietMs) {
        this.#idleWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** The agent's frame just played comes back on her line `delay` frames later (the ring's length). */
  #keepEcho(
    echo: { gain: number; ring: (Int16Array | undefined)[]; pos: number },
    audio: Uint8Array | undefined,
  ): void {
    let back: Int16Array | undefined;
    if (audio !== undefined) {
      back = this.#o.dsp.ulawDecode(audio).slice();
      for (let i = 0; i < back.length; i++) back[i] = Math.round((back[i] as number) * echo.gain);
    }
    echo.ring[echo.pos] = back;
    echo.pos = (echo.pos + 1) % echo.ring.length;
  }

  #noisy(frame: CallerFrame | undefined, echo?: Int16Array): CallerFrame {
    const pcm = new Int16Array(FRAME_BYTES);
    if (frame?.pcm) pcm.set(frame.pcm);
    else if (frame) pcm.set(this.#o.dsp.ulawDecode(frame.bytes));
    if (echo !== undefined)
      for (let i = 0; i < pcm.length; i++)
        pcm[i] = Math.max(-32768, Math.min(32767, (pcm[i] as number) + (echo[i] ?? 0)));
    this.#noise?.addTo(pcm);
    const bytes = this.#o.dsp.ulawEncode(pcm);
    return { bytes, base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') };
  }

  #onMessage(text: string | null): void {
    if (text === null) return void this.#badMessages++;
    // The server's media messages (50 a second per call) have one exact shape: take the payload by position.
    if (text.startsWith(this.#mediaPrefix) && text.endsWith('"}}')) {
      const b64 = text.slice(this.#mediaPrefix.length, -3);
      const bytes = Buffer.from(b64, 'base64');
      // Buffer.from skips characters outside the alphabet: a length mismatch means the payload was not base64.
      const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
      if (b64.length % 4 !== 0 || bytes.length !== (b64.length / 4) * 3 - pad) return void this.#badMessages++;
      return this.#agentAudio(bytes);
    }
    const m = parseOutbound(text);
    if (!('event' in m) || m.streamSid !== this.streamSid) return void this.#badMessages++;
    if (m.event === 'media') {
      this.#agentAudio(new Uint8Array(Buffer.from(m.media.payload, 'base64')));
    } else if (m.event === 'mark') {
      // Nothing queued ahead of it: Twilio echoes it at once.
      if (this.#playback.addMark(m.mark.name)) this.#echoMark(m.mark.name);
    } else {
      this.#clearsAtMs.push(this.nowMs());
      for (const name of this.#playback.clear()) this.#echoMark(name);
    }
  }

  #agentAudio(bytes: Uint8Array): void {
    this.agentArrivals.push(performance.now());
    this.#agentFrames++;
    const turn = this.#turns.at(-1);
    if (turn !== undefined && turn.responseMs === undefined)
      turn.responseMs = Math.max(0, this.nowMs() - turn.callerEndMs);
    this.#playback.enqueue(bytes);
    for (const cb of this.#audioListeners) cb(bytes);
  }

  #echoMark(name: string): void {
    this.#send(
      serializeInbound({ event: 'mark', sequenceNumber: ++this.#seq, streamSid: this.streamSid, mark: { name } }),
    );
  }

  #send(text: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  #snapshot(): SimReport {
    const p = this.#playback;
    return {
      turns: this.#turns.map((t) => ({ ...t })),
      lastUtteranceFinished: p.empty && p.pendingMarks === 0,
      unplayedMsAtEnd: (p.queuedBytes * 1000) / 8000,
      droppedByClearMs: (p.droppedBytes * 1000) / 8000,
      clears: p.clears,
      agentFrames: this.#agentFrames,
      marksEchoed: p.marksEchoed,
      badMessages: this.#badMessages,
      underruns: p.underruns,
      clearsAtMs: [...this.#clearsAtMs],
      callerSoundMs: this.#callerSoundMs.map(([a, b]) => [a, b] as const),
    };
  }

  #finish(): void {
    if (this.#report === undefined) this.#report = this.#snapshot();
    this.#stopped = true;
    if (this.#clocked) sharedClock(this.#speed).delete(this);
    this.#clocked = false;
    for (const done of this.#callerDone.splice(0)) done();
    for (const w of this.#idleWaiters.splice(0)) w.resolve();
  }
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`WebSocket upgrade refused with HTTP ${status}`);
    this.name = 'UpgradeRefused';
  }
}
