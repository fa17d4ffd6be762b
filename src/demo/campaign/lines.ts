import { join } from 'node:path';
import type { Dsp } from '../../dsp/types.js';
import type { Logger } from '../../log.js';
import { packageRoot } from '../../dsp/index.js';
import { FliteTts } from '../../providers/tts/flite.js';
import type { Callee, UnansweredStatus } from '../../sim/fake-twilio.js';
import { KeyEars, keysOf } from '../../sim/keys.js';
import { offlineEars } from '../ears.js';
import { loadPersona, type Persona } from '../persona.js';
import { Receptionist } from '../receptionist.js';
import { Switchboard } from '../switchboard.js';
import type { DemoGym, LineStep } from './gyms.js';

// The campaign demo's phone lines: every gym's number answers its own way on each dial (gyms.ts says how). The fake
// Twilio asks `unanswered` when a call is placed, which also counts the dial; a line that answers runs the step's
// persona on that call, as the single-call demo does (a receptionist, or a switchboard for a persona with a flow),
// hearing only the agent's audio. Nothing here knows what the agent will do: the campaign's outcomes are the
// server's, read back from its database.

export interface LinesOptions {
  readonly gyms: readonly DemoGym[];
  readonly dsp: Dsp;
  readonly log: Logger;
  /** Agent silence (ms) that ends an agent utterance for the receptionist (the demo's --fast). */
  readonly agentQuietMs?: number;
}

/** A persona answering as one demo gym: its name and number, the persona's behaviour and facts. */
function asGym(persona: Persona, gym: DemoGym): Persona {
  return { ...persona, gym: { ...persona.gym, name: gym.name, phone: gym.phone } };
}

export class DemoLines {
  readonly #o: LinesOptions;
  readonly #byPhone: Map<string, DemoGym>;
  readonly #dials = new Map<string, number>();
  /** The step a placed call is in, per number: set when dialled, read when it is answered. */
  readonly #current = new Map<string, LineStep>();
  readonly #personas = new Map<string, Persona>();
  /** One synthesiser per voice (and per second voice's pitch), compiled and warmed before the first call. */
  readonly #voices = new Map<string, FliteTts>();

  private constructor(o: LinesOptions) {
    this.#o = o;
    this.#byPhone = new Map(o.gyms.map((g) => [g.phone, g]));
  }

  /** Loads every persona the gyms' steps name, so a bad file stops the demo before any call. */
  static async load(o: LinesOptions): Promise<DemoLines> {
    const lines = new DemoLines(o);
    for (const g of o.gyms)
      for (const s of g.steps)
        if ('persona' in s && !lines.#personas.has(s.persona))
          lines.#personas.set(s.persona, await loadPersona(join(packageRoot(), 'scenarios', s.persona)));
    for (const p of lines.#personas.values()) await lines.#voice(p.voice, undefined);
    return lines;
  }

  /** The shared synthesiser of a voice; a new one says a word first, so the compile is not paid mid-call. */
  async #voice(voice: Persona['voice'], pitchHz: number | undefined): Promise<FliteTts> {
    const key = `${voice}:${pitchHz ?? ''}`;
    let v = this.#voices.get(key);
    if (v === undefined) {
      v = new FliteTts({ voice, levelDbfs: null, ...(pitchHz === undefined ? {} : { pitchHz }) });
      this.#voices.set(key, v);
      const audio = await v.synthesize('Hello.', new AbortController().signal);
      for await (const _chunk of audio.chunks);
    }
    return v;
  }

  async close(): Promise<void> {
    for (const v of this.#voices.values()) await v.close();
    this.#voices.clear();
  }

  /** Dials made to the number so far. */
  dials(phone: string): number {
    return this.#dials.get(phone) ?? 0;
  }

  /** For the fake Twilio: counts the dial and says whether this one goes unanswered. */
  readonly unanswered = (to: string): UnansweredStatus | undefined => {
    const gym = this.#byPhone.get(to);
    if (gym === undefined) return 'failed';
    const n = this.dials(to);
    this.#dials.set(to, n + 1);
    const step = gym.steps[Math.min(n, gym.steps.length - 1)] as LineStep;
    this.#current.set(to, step);
    return 'line' in step ? step.line : undefined;
  };

  /** The callee for one gym's number (the environment routes calls to it by number). */
  callee(gym: DemoGym): Callee {
    return async (stream, { line }) => {
      const step = this.#current.get(gym.phone);
      if (step === undefined || 'line' in step) {
        await stream.hangUp();
        return;
      }
      const persona = asGym(this.#personas.get(step.persona) as Persona, gym);
      const { dsp, log } = this.#o;
      const ears = await offlineEars(dsp);
      const tts = await this.#voice(persona.voice, undefined);
      // A flow's second person speaks in slt at another pitch (as in the single-call demo); warmed here, before
      // the switchboard asks for it synchronously.
      const pitches = Object.values(persona.flow?.nodes ?? {}).flatMap((n) =>
        n.kind === 'person' && n.pitchHz !== undefined ? [n.pitchHz] : [],
      );
      const second = new Map<number, FliteTts>();
      for (const hz of pitches) second.set(hz, await this.#voice('slt', hz));
      let keys: KeyEars | undefined;
      try {
        const common = {
          persona,
          line,
          dsp,
          ears,
          speed: 1,
          ...(this.#o.agentQuietMs === undefined ? {} : { agentQuietMs: this.#o.agentQuietMs }),
          onError: (e: Error) => log.warn({ err: e.message }, 'simulated receptionist problem'),
        };
        if (persona.flow === undefined) {
          await new Receptionist({ ...common, tts, answersFirst: true }).run();
        } else {
          keys = new KeyEars(line, dsp.ulawDecode, keysOf(dsp.createToneDetector({ dtmf: true, beep: false })));
          const voice = (pitchHz?: number) => (pitchHz === undefined ? tts : (second.get(pitchHz) ?? tts));
          await new Switchboard({ ...common, flow: persona.flow, keys, voice }).run();
        }
      } finally {
        keys?.close();
        await ears.close();
      }
    };
  }
}
