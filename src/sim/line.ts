import type { LineNoise, SimulatedStream } from './media-client.js';
import type { SimReport } from './stream-report.js';

// The gym's end of one phone call. A call is not one media stream: when the agent presses keys through Twilio's
// <Play digits> redirect, Twilio ends the stream, plays the tones on the call and opens a new stream. The gym's
// phone system and the person at the desk stay on the line through that, so they hold the line, not a stream:
// what the network plays to them (the agent's audio on any stream, or tones between streams) reaches the same
// ears, and what they say goes out on whichever stream is open (nowhere, while none is).

export type AgentAudioListener = (mulaw: Uint8Array) => void;

export class GymLine {
  readonly #listeners = new Set<AgentAudioListener>();
  readonly #speed: number;
  readonly #t0 = performance.now();
  readonly #reports: SimReport[] = [];
  #stream: SimulatedStream | undefined;
  #noise: LineNoise | undefined;
  #ended = false;
  #end!: () => void;
  /** Resolves when the call ends (a hang-up on either side), not when one of its streams does. */
  readonly ended: Promise<void>;

  constructor(speed = 1) {
    this.#speed = speed;
    this.ended = new Promise((r) => (this.#end = r));
  }

  get stream(): SimulatedStream | undefined {
    return this.#stream;
  }

  get isEnded(): boolean {
    return this.#ended;
  }

  /** Streams the call had, in order (one unless the agent pressed keys by redirect). */
  get streams(): number {
    return this.#reports.length + (this.#stream ? 1 : 0);
  }

  /** The call's media now flows over `s` (the first stream, or the one a redirect opened). */
  attach(s: SimulatedStream): void {
    this.#stream = s;
    if (this.#noise) s.setLineNoise(this.#noise);
    s.onAgentAudio((mulaw) => {
      if (this.#stream === s) this.#hear(mulaw);
    });
  }

  /** The room around the gym's phone, under everything it sends on every stream of the call. */
  setLineNoise(noise: LineNoise): void {
    this.#noise = noise;
    this.#stream?.setLineNoise(noise);
  }

  /** The current stream ended without ending the call (a redirect); keeps its report. */
  detach(): void {
    if (this.#stream) this.#reports.push(this.#stream.report());
    this.#stream = undefined;
  }

  /** Sound the network plays to the gym outside any stream (the tones of <Play digits>). */
  play(mulaw: Uint8Array): void {
    this.#hear(mulaw);
  }

  /** Everything the gym hears from the agent's side; returns a function that stops listening. */
  onAgentAudio(cb: AgentAudioListener): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  /** Call time, ms (accelerated like the streams). */
  nowMs(): number {
    return (performance.now() - this.#t0) * this.#speed;
  }

  /**
   * Speech (8 kHz PCM) on the open stream; resolves when sent. While no stream is open (a redirect) the gym still
   * talks for as long as the audio lasts; nobody hears it.
   */
  async say(pcm8k: Int16Array): Promise<void> {
    if (this.#stream) return this.#stream.say(pcm8k);
    if (this.#ended) return;
    await Promise.race([new Promise((r) => setTimeout(r, pcm8k.length / 8 / this.#speed)), this.ended]);
  }

  stopSaying(): void {
    this.#stream?.stopSaying();
  }

  /** Resolves when the agent has been quiet for `quietMs` on the open stream (or the call ended). */
  async agentIdle(quietMs: number): Promise<void> {
    if (this.#stream) await Promise.race([this.#stream.agentIdle(quietMs), this.ended]);
  }

  /** The gym hangs up. */
  async hangUp(): Promise<void> {
    const s = this.#stream;
    this.end();
    if (s) await s.hangUp();
  }

  /** The call is over (called by whoever saw it end: the fake Twilio, or hangUp). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#end();
  }

  /** The first stream's report (turn timings are per stream; later streams follow a redirect). */
  report(): SimReport | undefined {
    return this.#reports[0] ?? this.#stream?.report();
  }

  #hear(mulaw: Uint8Array): void {
    for (const l of this.#listeners) l(mulaw);
  }
}
