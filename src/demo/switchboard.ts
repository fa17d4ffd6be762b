import { synthesizePhoneAudio } from '../audio/speech.js';
import { FRAME_MS } from '../telephony/dsp-port.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { KeyEars } from '../sim/keys.js';
import { HoldSound, toneBurst } from '../sim/noise/hold.js';
import type {
  Flow,
  HoldNode,
  MenuNode,
  PersonNode,
  RecordingNode,
  ScreeningNode,
  VoicemailNode,
} from './flow-schema.js';
import { optionSentence } from './flow-schema.js';
import { menuSentences, MenuVisit } from './flow.js';
import { Receptionist, trimSilence, type LinePartyOptions, type ReceptionistEvent } from './receptionist.js';

// The gym's phone line played on the simulated call: it walks the persona's flow (flow-schema.ts) node by node,
// speaking menus with the persona's voice, taking the keys its DTMF detector hears in the agent's audio (type-ahead
// kept, as phone systems do), playing hold music and announcements, a voicemail greeting and its beep, a screening
// assistant, and handing the call to a person (receptionist.ts), who may transfer it on. It also measures what the
// scenario checks: when each node began, time on hold, when a person first spoke, and when the agent made sound.

export interface SwitchboardOptions extends LinePartyOptions {
  readonly flow: Flow;
  readonly keys: KeyEars;
  /** The persona's voice, or slt at another pitch (a second person). */
  readonly voice: (pitchHz?: number) => TtsProvider;
}

export interface VoicemailReport {
  readonly greetingFromMs: number;
  readonly greetingToMs: number;
  readonly beepAtMs: number | undefined;
  readonly full: boolean;
}

export interface LineReport {
  /** Nodes in the order the call went through them, with the call time each began. */
  readonly path: readonly { node: string; kind: string; atMs: number }[];
  /** Time spent in hold nodes (ms). */
  readonly holdMs: number;
  /** Call time a person first started speaking (after a menu, hold or screening), if one did. */
  readonly personAtMs: number | undefined;
  readonly voicemail: VoicemailReport | undefined;
  /** Stretches of call time (ms) in which the agent's side made sound (speech or tones). */
  readonly agentSound: readonly (readonly [number, number])[];
  /** What the screening assistant recognised of the caller's answer. */
  readonly screenedText: string | undefined;
}

/** A frame above this (about -45 dBFS RMS) is the agent making sound, not line silence. */
const SOUND_RMS = 180;

export class Switchboard {
  readonly #o: SwitchboardOptions;
  readonly #events: ReceptionistEvent[] = [];
  readonly #path: { node: string; kind: string; atMs: number }[] = [];
  readonly #sound: [number, number][] = [];
  readonly #pendingKeys: string[] = [];
  #keyWaiter: (() => void) | undefined;
  #holdMs = 0;
  #personAtMs: number | undefined;
  #voicemail: VoicemailReport | undefined;
  #screened: string | undefined;
  readonly #visited = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(o: SwitchboardOptions) {
    this.#o = o;
  }

  get events(): readonly ReceptionistEvent[] {
    return this.#events;
  }

  report(): LineReport {
    return {
      path: this.#path,
      holdMs: Math.round(this.#holdMs),
      personAtMs: this.#personAtMs,
      voicemail: this.#voicemail,
      agentSound: this.#sound,
      screenedText: this.#screened,
    };
  }

  /** Plays the line until the call ends or the flow hangs up. */
  async run(): Promise<void> {
    const { line, keys } = this.#o;
    const stopSound = line.onAgentAudio((mulaw) => this.#measure(mulaw));
    const stopKeys = keys.onKey((k) => {
      this.#emit({ kind: 'key', key: k.key, atMs: k.atMs });
      this.#pendingKeys.push(k.key);
      this.#keyWaiter?.();
    });
    try {
      let at: string | 'hangup' = this.#o.flow.start;
      while (at !== 'hangup' && !line.isEnded) {
        const node = this.#o.flow.nodes[at];
        if (node === undefined) throw new Error(`flow has no node "${at}"`);
        this.#path.push({ node: at, kind: node.kind, atMs: line.nowMs() });
        const first = !this.#visited.has(at);
        this.#visited.add(at);
        switch (node.kind) {
          case 'menu':
            at = await this.#menu(node, first);
            break;
          case 'recording':
            at = await this.#recording(node);
            break;
          case 'hold':
            at = await this.#hold(node);
            break;
          case 'screening':
            at = await this.#screening(node);
            break;
          case 'voicemail':
            await this.#voicemailNode(node);
            at = 'hangup';
            break;
          case 'person':
            at = (await this.#person(node)) ?? 'hangup';
            // A person who did not transfer the call stays until the agent hangs up.
            if (at === 'hangup') return;
            break;
        }
      }
      if (!line.isEnded) {
        this.#emit({ kind: 'hangup', atMs: line.nowMs() });
        await line.hangUp();
      }
    } finally {
      stopSound();
      stopKeys();
      for (const t of this.#timers) clearTimeout(t);
    }
  }

  async #menu(node: MenuNode, first: boolean): Promise<string> {
    const visit = new MenuVisit(node);
    let firstPlay = first;
    for (;;) {
      visit.played();
      const typed = this.#pendingKeys.length > 0;
      // Keys typed ahead (a remembered path) are taken at once, as phone systems buffer them.
      if (!typed) {
        for (const text of menuSentences(node, firstPlay, optionSentence)) {
          if (await this.#sayUnlessKey(text)) break;
        }
        firstPlay = false;
      }
      const key = await this.#nextKey(typed ? 0 : node.waitMs);
      if (this.#o.line.isEnded) return 'hangup';
      const step = key === undefined ? visit.onSilence() : visit.onKey(key);
      if (step.type === 'go') {
        // A real system acknowledges with a short pause before the next prompt.
        await this.#sleep(400);
        return step.to;
      }
      if (step.type === 'give-up') return step.to;
      if (step.type === 'invalid') {
        this.#pendingKeys.length = 0;
        await this.#say(node.invalid);
      }
    }
  }

  async #recording(node: RecordingNode): Promise<string> {
    await this.#say(node.says);
    return node.then;
  }

  async #hold(node: HoldNode): Promise<string> {
    const line = this.#o.line;
    const from = line.nowMs();
    this.#emit({ kind: 'line', what: `on hold (${node.sound}, ${Math.round(node.ms / 1000)} s)`, atMs: from });
    const sound = new HoldSound(node.sound, node.seed);
    const chunkMs = 1000;
    let nextAnnouncement = node.announcement ? node.announcement.everyMs : Infinity;
    while (!line.isEnded) {
      const elapsed = line.nowMs() - from;
      // Less than a frame left is over: the line sends whole frames.
      if (elapsed > node.ms - FRAME_MS) break;
      if (node.announcement && elapsed >= nextAnnouncement) {
        nextAnnouncement += node.announcement.everyMs;
        await this.#say(node.announcement.says);
        continue;
      }
      await line.say(sound.next(Math.min(chunkMs, node.ms - elapsed)));
    }
    this.#holdMs += line.nowMs() - from;
    return node.then;
  }

  async #screening(node: ScreeningNode): Promise<string> {
    const { line, ears } = this.#o;
    await this.#say(node.says);
    await ears.finish(); // what it heard before its question is not the answer
    const stop = line.onAgentAudio((m) => ears.push(m));
    try {
      const spoke = await this.#agentSpeaksWithin(node.listenMs);
      if (spoke) await line.agentIdle(this.#o.agentQuietMs ?? 1500);
      this.#screened = await ears.finish();
      this.#emit({ kind: 'heard', text: this.#screened, atMs: line.nowMs() });
    } finally {
      stop();
    }
    await this.#say(node.thanks);
    return node.then;
  }

  async #voicemailNode(node: VoicemailNode): Promise<void> {
    const line = this.#o.line;
    const greetingFromMs = line.nowMs();
    await this.#say(node.greeting);
    const greetingToMs = line.nowMs();
    let beepAtMs: number | undefined;
    if (!node.full) {
      beepAtMs = line.nowMs();
      this.#emit({ kind: 'line', what: `beep ${node.beep.hz} Hz`, atMs: beepAtMs });
      await line.say(toneBurst(node.beep.hz, node.beep.ms));
    }
    this.#voicemail = { greetingFromMs, greetingToMs, beepAtMs, full: node.full };
    // Recording: the mailbox listens until the caller hangs up or the message is too long.
    if (!node.full) await Promise.race([line.ended, this.#sleep(node.maxMessageMs)]);
  }

  async #person(node: PersonNode): Promise<string | undefined> {
    const o = this.#o;
    this.#personAtMs ??= o.line.nowMs();
    await o.ears.finish(); // a new party: nothing heard before she picked up belongs to her conversation
    const r = new Receptionist({
      persona: o.persona,
      person: node,
      line: o.line,
      tts: o.voice(node.pitchHz),
      dsp: o.dsp,
      ears: o.ears,
      speed: o.speed,
      answersFirst: true,
      ...(o.agentQuietMs === undefined ? {} : { agentQuietMs: o.agentQuietMs }),
      onEvent: (e) => this.#emit(e),
      ...(o.onError ? { onError: o.onError } : {}),
    });
    return (await r.run()).transferTo;
  }

  /** Says `text`; stops (and returns true) as soon as a key comes. */
  async #sayUnlessKey(text: string): Promise<boolean> {
    if (this.#pendingKeys.length > 0) return true;
    const line = this.#o.line;
    const key = new Promise<void>((r) => (this.#keyWaiter = r));
    let cut = false;
    await Promise.race([
      this.#say(text),
      key.then(() => {
        cut = true;
        line.stopSaying();
      }),
    ]);
    this.#keyWaiter = undefined;
    return cut || this.#pendingKeys.length > 0;
  }

  async #say(text: string): Promise<void> {
    const o = this.#o;
    const audio = await synthesizePhoneAudio(o.voice(), o.dsp, text);
    const atMs = o.line.nowMs();
    await o.line.say(trimSilence(audio.pcm));
    this.#emit({ kind: 'said', text, atMs, endMs: o.line.nowMs(), simTurn: -1, what: 'small-talk' });
  }

  /** The next key (typed ahead or pressed within `ms`), or undefined. */
  async #nextKey(ms: number): Promise<string | undefined> {
    if (this.#pendingKeys.length === 0 && ms > 0) {
      const key = new Promise<void>((r) => (this.#keyWaiter = r));
      await Promise.race([key, this.#sleep(ms), this.#o.line.ended]);
      this.#keyWaiter = undefined;
    }
    return this.#pendingKeys.shift();
  }

  async #agentSpeaksWithin(ms: number): Promise<boolean> {
    const line = this.#o.line;
    let spoke = false;
    let wake!: () => void;
    const started = new Promise<void>((r) => (wake = r));
    const stop = line.onAgentAudio((m) => {
      if (loud(this.#o.dsp.ulawDecode(m))) {
        spoke = true;
        wake();
      }
    });
    try {
      await Promise.race([started, this.#sleep(ms), line.ended]);
    } finally {
      stop();
    }
    return spoke;
  }

  #measure(mulaw: Uint8Array): void {
    if (!loud(this.#o.dsp.ulawDecode(mulaw))) return;
    const now = this.#o.line.nowMs();
    const from = now - mulaw.length / 8;
    const last = this.#sound.at(-1);
    // Frames closer than 100 ms belong to one stretch of sound.
    if (last !== undefined && from - last[1] < 100) last[1] = now;
    else this.#sound.push([from, now]);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms / this.#o.speed);
      this.#timers.add(t);
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

function loud(pcm: Int16Array): boolean {
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return Math.sqrt(sum / Math.max(1, pcm.length)) > SOUND_RMS;
}

/** Agent sound (ms) inside [from, to): how much of a stretch of call time the agent's side was not silent. */
export function soundWithin(sound: readonly (readonly [number, number])[], from: number, to: number): number {
  let ms = 0;
  for (const [a, b] of sound) ms += Math.max(0, Math.min(b, to) - Math.max(a, from));
  return ms;
}
