import type { Dsp } from '../dsp/types.js';
import { synthesizePhoneAudio } from '../audio/speech.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { GymLine } from '../sim/line.js';
import { ReceptionistBrain, type ReceptionistAction } from './brain.js';
import type { PersonNode } from './flow-schema.js';
import type { Persona } from './persona.js';

// The simulated gym receptionist on the far end of a simulated Twilio call. It hears the agent ONLY through the
// agent's audio as the simulator receives it (recognised by an offline recogniser: no side channel into the
// server), decides with ReceptionistBrain, and talks back with its own TTS voice through the simulator, so every
// word the agent gets has crossed the real wire protocol as μ-law frames.

/** Silence after her hello that makes her say it again (people wait a few seconds), and how often she does. */
const HELLO_AGAIN_MS = 4000;
const HELLO_AGAIN_TIMES = 2;

/** Recognises the agent's speech, one utterance at a time. */
export interface AgentEars {
  push(mulaw: Uint8Array): void;
  /** The utterance is over: its text ('' when nothing was recognised). Starts a new utterance. */
  finish(): Promise<string>;
  close(): Promise<void>;
}

export type ReceptionistEvent =
  | { kind: 'heard'; text: string; atMs: number }
  /**
   * atMs: stream time the speech started sending; endMs: when its last frame was sent (end of speech); simTurn:
   * index of the simulator's caller turn it ended (SimReport.turns), where the agent's response time is measured.
   */
  | {
      kind: 'said';
      text: string;
      atMs: number;
      endMs: number;
      simTurn: number;
      what: 'answer' | 'filler' | 'small-talk' | 'backchannel' | 'interruption';
    }
  | { kind: 'cough'; atMs: number }
  | { kind: 'dtmf'; digits: string; atMs: number }
  | { kind: 'transfer'; to: string; atMs: number }
  /** A key the gym's line heard in the agent's audio (its DTMF detector). */
  | { kind: 'key'; key: string; atMs: number }
  /** Something the gym's phone system does (hold begins, the beep), for the live view. */
  | { kind: 'line'; what: string; atMs: number }
  | { kind: 'hangup'; atMs: number };

/** What every party on the gym's line works with: the persona, the line, her ears and the clock. */
export interface LinePartyOptions {
  readonly persona: Persona;
  readonly line: GymLine;
  readonly dsp: Pick<Dsp, 'createResampler' | 'ulawEncode' | 'ulawDecode'>;
  readonly ears: AgentEars;
  /** Stream clock speed (1 = real time), for pauses. */
  readonly speed: number;
  /** Agent silence (stream ms) that ends an agent utterance. Default 1500: pauses between sentences are not turn ends. */
  readonly agentQuietMs?: number;
  readonly onEvent?: (e: ReceptionistEvent) => void;
  /** Something went wrong on the receptionist's side (never the agent's); the call goes on if it can. */
  readonly onError?: (e: Error) => void;
}

export interface ReceptionistOptions extends LinePartyOptions {
  /** Who she is on the persona's line (a flow's person node); default the persona's desk. */
  readonly person?: PersonNode;
  readonly tts: TtsProvider;
  /** Picks up and speaks first (outbound call from the agent's side). */
  readonly answersFirst: boolean;
}

export class Receptionist {
  readonly brain: ReceptionistBrain;
  readonly #o: ReceptionistOptions;
  readonly #events: ReceptionistEvent[] = [];
  #agentTalking = false;
  #agentStartWaiters: (() => void)[] = [];
  #ended = false;
  #transferTo: string | undefined;
  #timers = new Set<NodeJS.Timeout>();

  constructor(o: ReceptionistOptions) {
    this.#o = o;
    this.brain = new ReceptionistBrain(o.persona, o.person);
  }

  get events(): readonly ReceptionistEvent[] {
    return this.#events;
  }

  /**
   * Runs until the call ends (either side hangs up) or she puts the caller through to another node of the line
   * (returned). Her ears are left open: the caller's next party may reuse them.
   */
  async run(): Promise<{ transferTo: string | undefined }> {
    const line = this.#o.line;
    const stop = line.onAgentAudio((mulaw) => {
      if (this.#ended) return;
      this.#o.ears.push(mulaw);
      if (!this.#agentTalking) {
        this.#agentTalking = true;
        for (const w of this.#agentStartWaiters.splice(0)) w();
        this.#whileAgentSpeaks();
      }
    });
    const closed = line.ended.then(() => {
      this.#ended = true;
      for (const w of this.#agentStartWaiters.splice(0)) w();
    });
    try {
      await Promise.race([this.#loop(), closed]);
    } finally {
      this.#ended = true;
      stop();
      for (const t of this.#timers) clearTimeout(t);
    }
    return { transferTo: this.#transferTo };
  }

  async #loop(): Promise<void> {
    const s = this.#o.line;
    if (this.#o.answersFirst) await this.#answer();
    let lastText = '';
    while (!this.#ended) {
      await this.#agentStarted();
      if (this.#ended) return;
      await s.agentIdle(this.#o.agentQuietMs ?? 1500);
      if (this.#ended) return;
      this.#agentTalking = false;
      lastText = await this.#o.ears.finish();
      this.#emit({ kind: 'heard', text: lastText, atMs: s.nowMs() });
      const actions = this.brain.onAgentUtterance(lastText);
      const silent = actions[0]?.type === 'pause' && actions[0].untilAgentSpeaks === true;
      await this.#perform(actions);
      // Stayed silent on purpose and the agent did not re-prompt: answer after all.
      if (silent && !this.#agentTalking && !this.#ended) await this.#perform(this.brain.afterSilence(lastText));
    }
  }

  /** Picks up; a person met by silence says hello again, twice at most, as people do. */
  async #answer(): Promise<void> {
    await this.#perform(this.brain.opening());
    for (let i = 0; i < HELLO_AGAIN_TIMES; i++) {
      await this.#sleep(HELLO_AGAIN_MS, true);
      if (this.#agentTalking || this.#ended) return;
      await this.#perform(this.brain.helloAgain());
    }
  }

  #agentStarted(): Promise<void> {
    if (this.#agentTalking || this.#ended) return Promise.resolve();
    return new Promise((r) => this.#agentStartWaiters.push(r));
  }

  /** Things the persona does over the agent's speech (barge-in, backchannel, cough), on the stream clock. */
  #whileAgentSpeaks(): void {
    for (const { afterMs, action } of this.brain.whileAgentSpeaks()) {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        // Only while the agent is still talking: a backchannel into silence would be a turn of its own.
        if (this.#agentTalking && !this.#ended) {
          this.brain.saidOverAgent(action);
          void this.#perform([action]);
        }
      }, afterMs / this.#o.speed);
      this.#timers.add(t);
    }
  }

  async #perform(actions: readonly ReceptionistAction[]): Promise<void> {
    const s = this.#o.line;
    for (const a of actions) {
      if (this.#ended) return;
      switch (a.type) {
        case 'say': {
          const audio = await synthesizePhoneAudio(this.#o.tts, this.#o.dsp, a.text);
          const atMs = s.nowMs();
          // Only the voiced part goes on the line, so "end of speech" is the last word, not TTS padding.
          await s.say(trimSilence(audio.pcm));
          const simTurn = (s.report()?.turns.length ?? 0) - 1;
          this.#emit({ kind: 'said', text: a.text, atMs, endMs: s.nowMs(), simTurn, what: a.kind });
          break;
        }
        case 'pause':
          await this.#sleep(a.ms, a.untilAgentSpeaks === true);
          break;
        case 'cough':
          this.#emit({ kind: 'cough', atMs: s.nowMs() });
          await s.say(coughPcm(this.#o.persona.name));
          break;
        case 'dtmf':
          this.#emit({ kind: 'dtmf', digits: a.digits, atMs: s.nowMs() });
          for (const d of a.digits) s.stream?.dtmf(d);
          break;
        case 'transfer':
          if (a.graceMs > 0) {
            await this.#sleep(a.graceMs, true);
            if (this.#agentTalking && !this.#ended) {
              this.brain.deferTransfer(a.to);
              return;
            }
          }
          this.#emit({ kind: 'transfer', to: a.to, atMs: s.nowMs() });
          this.#transferTo = a.to;
          this.#ended = true;
          return;
        case 'hangup':
          this.#emit({ kind: 'hangup', atMs: s.nowMs() });
          this.#ended = true;
          await s.hangUp();
          return;
      }
    }
  }

  #sleep(ms: number, untilAgentSpeaks: boolean): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms / this.#o.speed);
      this.#timers.add(t);
      if (untilAgentSpeaks)
        void this.#agentStarted().then(() => {
          clearTimeout(t);
          this.#timers.delete(t);
          resolve();
        });
    });
  }

  #emit(e: ReceptionistEvent): void {
    this.#events.push(e);
    try {
      this.#o.onEvent?.(e);
    } catch (err) {
      this.#o.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Drops leading and trailing near-silence (below about -50 dBFS over 10 ms windows). */
export function trimSilence(pcm: Int16Array, threshold = 100): Int16Array {
  const win = 80;
  const loud = (start: number) => {
    let sum = 0;
    const end = Math.min(pcm.length, start + win);
    for (let i = start; i < end; i++) sum += Math.abs(pcm[i] as number);
    return sum / Math.max(1, end - start) > threshold;
  };
  let a = 0;
  while (a < pcm.length && !loud(a)) a += win;
  let b = pcm.length;
  while (b > a && !loud(Math.max(a, b - win))) b -= win;
  return pcm.subarray(a, Math.max(a, b));
}

/**
 * A cough: a 250 ms broadband noise burst with a fast attack and exponential decay, 8 kHz PCM. It has the energy
 * of speech (so the agent's VAD fires) but no words, which is exactly what must not silence the agent.
 */
export function coughPcm(seed: string): Int16Array {
  const n = 2000;
  const out = new Int16Array(n);
  let x = 0;
  for (let i = 0; i < seed.length; i++) x = (x * 31 + seed.charCodeAt(i)) >>> 0;
  x ||= 1;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const white = x / 2147483648 - 1;
    // One-pole low-pass: a cough's energy sits low, not in hiss.
    prev = 0.6 * prev + 0.4 * white;
    const env = Math.min(1, i / 80) * Math.exp(-i / 700);
    out[i] = Math.round(prev * env * 20000);
  }
  return out;
}
