import type { CallEmitted } from '../../machines/events.js';
import { activeSpeechLevelDbfs } from '../audio/level.js';
import { synthesizePhoneAudio } from '../audio/speech.js';
import type { CallResult } from '../call/quality.js';
import { readNormalisedCallFacts, type NormalisedFacts } from '../db/normalise.js';
import { getTurns } from '../db/repositories/turns.js';
import type { Dsp } from '../dsp/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { SimReport } from '../sim/media-client.js';
import { LineBackground, type BackgroundSpec } from '../sim/noise/index.js';
import type { DemoEnvironment } from './environment.js';
import type { Persona } from './persona.js';
import { Receptionist, type AgentEars, type ReceptionistEvent } from './receptionist.js';

// One simulated call to one persona, end to end: POST /v1/calls → fake Twilio → our webhook → Media Streams →
// call machine ↔ receptionist (audio only) → hang-up → the facts and transcript read back from the database.
// Produces the `gym-agent demo --json` object and what the scenario suite checks.

export interface TranscriptJson {
  speaker: 'agent' | 'caller';
  text: string;
  heard: string;
  interrupted: boolean;
  startMs: number | null;
  endMs: number | null;
}

export interface DemoJson {
  callId: string;
  persona: string;
  facts: NormalisedFacts;
  transcript: TranscriptJson[];
  metrics: {
    /** Caller end of speech → first agent audio frame at the simulator, per answered caller turn (ms). */
    responseGapsMs: number[];
    bargeIns: number;
    falseBargeIns: number;
    /** Agent hung up after its goodbye played completely (null when the caller hung up first). */
    goodbyeCompleted: boolean | null;
    repeatedQuestions: number;
    greetings: number;
    durationMs: number;
    endReason: string;
  };
}

export interface CallWatch {
  /** What the demo is doing before the call machine has a state (getting ready, placing the call). */
  phase?(text: string): void;
  state?(s: string): void;
  emitted?(e: CallEmitted): void;
  receptionist?(e: ReceptionistEvent): void;
}

export interface PersonaCallOptions {
  readonly env: DemoEnvironment;
  readonly persona: Persona;
  readonly tts: TtsProvider;
  readonly dsp: Pick<Dsp, 'createResampler' | 'ulawEncode' | 'ulawDecode'>;
  readonly ears: () => Promise<AgentEars>;
  readonly speed?: number;
  readonly agentQuietMs?: number;
  readonly watch?: CallWatch;
  /** Sound around the receptionist's phone instead of the persona's own `background` (demo --background). */
  readonly background?: BackgroundSpec;
  /** Give up on the call after this long (ms). */
  readonly timeoutMs: number;
}

export interface PersonaCallOutcome {
  json: DemoJson;
  result: CallResult;
  sim: SimReport | undefined;
  receptionist: readonly ReceptionistEvent[];
  wav: Buffer | undefined;
  /** Where the facts are stored, for humans. */
  where: { database: string; callId: string; tables: string[] };
}

const AGENT_ENDED = new Set(['facts-complete', 'caller-request', 'max-duration', 'idle', 'error']);

export async function runPersonaCall(o: PersonaCallOptions): Promise<PersonaCallOutcome> {
  const { env, persona } = o;
  let receptionist: Receptionist | undefined;
  let receptionistDone: Promise<void> = Promise.resolve();
  // The recogniser loads its model and the voice compiles before the phone rings, so the receptionist can say
  // hello at once, like a person at the desk.
  o.watch?.phase?.('getting the receptionist ready…');
  const ears = await o.ears();
  const noise = await lineBackground(o, o.background ?? persona.background);
  env.routing.callees.set(persona.gym.phone, async (stream) => {
    if (noise) stream.setLineNoise(noise);
    receptionist = new Receptionist({
      persona,
      stream,
      tts: o.tts,
      dsp: o.dsp,
      ears,
      speed: o.speed ?? 1,
      answersFirst: true,
      ...(o.agentQuietMs === undefined ? {} : { agentQuietMs: o.agentQuietMs }),
      onEvent: (e) => o.watch?.receptionist?.(e),
      onError: (e) => env.log.warn({ err: e.message }, 'simulated receptionist problem'),
    });
    receptionistDone = receptionist.run();
    await receptionistDone;
  });

  let resolveEnded!: (r: CallResult) => void;
  const ended = new Promise<CallResult>((r) => (resolveEnded = r));
  o.watch?.phase?.('placing the call: POST /v1/calls…');
  const callId = await env.placeCall(persona.gym.phone, persona.gym.name);
  env.routing.watch(callId, {
    state: (_id, s) => o.watch?.state?.(s),
    emitted: (_id, e) => o.watch?.emitted?.(e),
    ended: (r) => resolveEnded(r),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`call did not end within ${o.timeoutMs} ms`)), o.timeoutMs);
  });
  try {
    const result = await Promise.race([ended, timeout]);
    const fake = [...env.twilio.calls.values()].filter((c) => c.to === persona.gym.phone).at(-1);
    await Promise.race([Promise.all([fake?.done, receptionistDone]), timeout]);
    const flushed = await env.server.flush(10_000);
    if (!flushed) throw new Error('database writes did not settle within 10 s');
    const pool = env.server.db.pool;
    const facts = await readNormalisedCallFacts(pool, callId);
    const turns = await getTurns(pool, callId);
    const sim = fake?.report;
    const events = receptionist?.events ?? [];
    const json: DemoJson = {
      callId,
      persona: persona.name,
      facts,
      transcript: turns.map((t) => ({
        speaker: t.speaker,
        text: t.text,
        heard: t.heard_text ?? t.text,
        interrupted: t.interrupted,
        startMs: t.start_ms,
        endMs: t.end_ms,
      })),
      metrics: {
        responseGapsMs: responseGaps(sim, events),
        bargeIns: result.metrics.bargeIns,
        falseBargeIns: result.metrics.falseBargeIns,
        goodbyeCompleted: AGENT_ENDED.has(result.endReason) ? (sim?.lastUtteranceFinished ?? false) : null,
        repeatedQuestions: result.metrics.repeatedQuestions,
        greetings: result.metrics.greetings,
        durationMs: result.durationMs,
        endReason: result.endReason,
      },
    };
    return {
      json,
      result,
      sim,
      receptionist: events,
      wav: fake?.stream?.wav(),
      where: {
        database: env.server.db.location,
        callId,
        tables: ['calls', 'turns', 'fact_hours', 'fact_plans', 'fact_classes'],
      },
    };
  } finally {
    clearTimeout(timer);
    // The receptionist closes its ears when it ends; if the call never reached it, close them here.
    if (receptionist === undefined) await ears.close();
    env.routing.callees.delete(persona.gym.phone);
    env.routing.unwatch(callId);
  }
}

/**
 * Her voice's active level, measured on a sentence she could say, sets the bed's level; the bed is made and
 * measured here, before the phone rings, so none of that work lands in the middle of the call. Without a
 * background this is only the warm-up: her voice compiles before the call.
 */
async function lineBackground(
  o: PersonaCallOptions,
  spec: BackgroundSpec | undefined,
): Promise<LineBackground | undefined> {
  const sample = await synthesizePhoneAudio(o.tts, o.dsp, spec ? 'Hello, we are open from six to ten.' : 'Hello.');
  if (spec === undefined) return undefined;
  const level = activeSpeechLevelDbfs(sample.pcm, 8000);
  if (level === undefined) throw new Error("the receptionist's voice is silent: no level to set the background by");
  return new LineBackground(spec, level);
}

/**
 * The simulator measures, per burst of caller audio, the time from its last frame to the first agent frame that
 * followed. Only bursts that were answers (or small talk the agent should answer) count: a backchannel or a
 * cough is not a turn, and a filler before a thinking pause must NOT be answered.
 */
function responseGaps(sim: SimReport | undefined, events: readonly ReceptionistEvent[]): number[] {
  if (!sim) return [];
  const out: number[] = [];
  for (const e of events) {
    if (e.kind !== 'said' || (e.what !== 'answer' && e.what !== 'small-talk')) continue;
    const ms = sim.turns[e.simTurn]?.responseMs;
    if (ms !== undefined) out.push(Math.round(ms));
  }
  return out;
}
