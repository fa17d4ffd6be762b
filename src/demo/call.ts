import type { CallEmitted } from '../../machines/events.js';
import type { Topic } from '../facts/model.js';
import { activeSpeechLevelDbfs } from '../audio/level.js';
import { synthesizePhoneAudio } from '../audio/speech.js';
import type { CallResult } from '../call/quality.js';
import { readNormalisedCallFacts, type NormalisedFacts } from '../db/normalise.js';
import { getTurns } from '../db/repositories/turns.js';
import type { Dsp } from '../dsp/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { SimReport } from '../sim/stream-report.js';
import { LineBackground, type BackgroundSpec } from '../sim/noise/index.js';
import type { DemoEnvironment } from './environment.js';
import { bargeTruth } from './barge-truth.js';
import type { Persona } from './persona.js';
import { FliteTts } from '../providers/tts/flite.js';
import { KeyEars, keysOf, type ToneDetections } from '../sim/keys.js';
import { Receptionist, type AgentEars, type ReceptionistEvent } from './receptionist.js';
import { Switchboard, type VoicemailReport } from './switchboard.js';

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
    /** Interruptions the call machine confirmed (by her words, or on a quiet line by their length). */
    bargeIns: number;
    /**
     * Times the agent stopped with none of her sound on the line, as the simulator saw it (barge-truth.ts): the
     * room, the echo, noise recognised as words. Not the machine's own count, which misses those.
     */
    falseBargeIns: number;
    /** Times the agent's audio was stopped before its goodbye (Twilio `clear`), for whatever reason. */
    stops: number;
    /** Her onset → the agent's audio stopping, for each stop her sound caused (ms). */
    onsetToStopMs: number[];
    /** Agent hung up after its goodbye played completely (null when the caller hung up first). */
    goodbyeCompleted: boolean | null;
    repeatedQuestions: number;
    greetings: number;
    durationMs: number;
    endReason: string;
  };
  /** What the call came to, as GET /v1/calls/{id} reports it (null when the server stores none). */
  outcome?: string | null;
  /** The gym's phone line, for personas with a flow: what it heard and measured. */
  line?: LineJson | undefined;
}

export interface LineJson {
  /** Keys the line's DTMF detector heard in the agent's audio, in order. */
  keys: string;
  holdMs: number;
  /** Call time a person first spoke (after a menu, hold or screening). */
  personAtMs: number | null;
  /** The flow's nodes in the order the call went through them, and the call time each began. */
  path: string[];
  pathAtMs: number[];
  /** Topics a person on the line refused or deferred to a callback in this call (she said so). */
  asked: Topic[];
  voicemail: VoicemailReport | null;
  /** Call-time stretches [from, to] (ms) in which the agent's side made sound. */
  agentSoundMs: [number, number][];
  screenedText: string | null;
  /** As GET /v1/calls/{id} reports them. */
  refusals: unknown;
  callback: unknown;
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
  /** A new DTMF detector (the DSP addon's), for the gym's line to hear the agent's keys. */
  readonly keyDetector?: () => ToneDetections;
  readonly speed?: number;
  readonly agentQuietMs?: number;
  /** The agent's audio comes back on her line this late and this much quieter (an echo; SimulatedStream.setEcho). */
  readonly echo?: { delayMs: number; lossDb: number } | undefined;
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
  let party: Receptionist | Switchboard | undefined;
  let keys: KeyEars | undefined;
  let partyDone: Promise<unknown> = Promise.resolve();
  const voices = new Map<number, FliteTts>();
  // The recogniser loads its model and the voice compiles before the phone rings, so the receptionist can say
  // hello at once, like a person at the desk.
  o.watch?.phase?.('getting the receptionist ready…');
  const ears = await o.ears();
  const noise = await lineBackground(o, o.background ?? persona.background);
  env.routing.callees.set(persona.gym.phone, async (stream, { line }) => {
    if (noise) line.setLineNoise(noise);
    if (o.echo) stream.setEcho(o.echo);
    const common = {
      persona,
      line,
      dsp: o.dsp,
      ears,
      speed: o.speed ?? 1,
      ...(o.agentQuietMs === undefined ? {} : { agentQuietMs: o.agentQuietMs }),
      onEvent: (e: ReceptionistEvent) => o.watch?.receptionist?.(e),
      onError: (e: Error) => env.log.warn({ err: e.message }, 'simulated receptionist problem'),
    };
    if (persona.flow !== undefined && o.keyDetector === undefined)
      throw new Error(`persona ${persona.name} has a phone line (flow) but the call has no DTMF detector`);
    if (persona.flow === undefined || o.keyDetector === undefined) {
      party = new Receptionist({ ...common, tts: o.tts, answersFirst: true });
    } else {
      keys = new KeyEars(line, o.dsp.ulawDecode, keysOf(o.keyDetector()));
      party = new Switchboard({
        ...common,
        flow: persona.flow,
        keys,
        voice: (pitchHz) => (pitchHz === undefined ? o.tts : secondVoice(voices, pitchHz)),
      });
    }
    partyDone = party.run();
    await partyDone;
  });

  let resolveEnded!: (r: CallResult) => void;
  const ended = new Promise<CallResult>((r) => (resolveEnded = r));
  o.watch?.phase?.('placing the call: POST /v1/calls…');
  const callLanguage = persona.callLanguage ?? persona.language;
  const callId = await env.placeCall(
    persona.gym.phone,
    persona.gym.name,
    callLanguage === 'en' ? undefined : callLanguage,
  );
  // When the agent began to close (stream time): its goodbye clears what was left, and that is no barge-in.
  let closingAtMs: number | undefined;
  const streamNow = () =>
    [...env.twilio.calls.values()]
      .filter((c) => c.to === persona.gym.phone)
      .at(-1)
      ?.stream?.nowMs();
  env.routing.watch(callId, {
    state: (_id, s) => {
      if (closingAtMs === undefined && s.includes('turn.closing')) closingAtMs = streamNow();
      o.watch?.state?.(s);
    },
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
    await Promise.race([Promise.all([fake?.done, partyDone]), timeout]);
    const flushed = await env.server.flush(10_000);
    if (!flushed) throw new Error('database writes did not settle within 10 s');
    const pool = env.server.db.pool;
    const facts = await readNormalisedCallFacts(pool, callId);
    const turns = await getTurns(pool, callId);
    const sim = fake?.report;
    const truth = sim ? bargeTruth(sim, closingAtMs) : { stops: 0, falseStops: 0, onsetToStopMs: [] };
    const events = party?.events ?? [];
    const stored = await storedCall(env, callId);
    const line = party instanceof Switchboard ? party.report() : undefined;
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
        falseBargeIns: truth.falseStops,
        stops: truth.stops,
        onsetToStopMs: truth.onsetToStopMs,
        goodbyeCompleted: AGENT_ENDED.has(result.endReason) ? (sim?.lastUtteranceFinished ?? false) : null,
        repeatedQuestions: result.metrics.repeatedQuestions,
        greetings: result.metrics.greetings,
        durationMs: result.durationMs,
        endReason: result.endReason,
      },
      outcome: stored.outcome,
      line: line && {
        keys: keys?.keys ?? '',
        holdMs: line.holdMs,
        personAtMs: line.personAtMs === undefined ? null : Math.round(line.personAtMs),
        path: line.path.map((p) => p.node),
        pathAtMs: line.path.map((p) => Math.round(p.atMs)),
        asked: withheldTopics(persona, events),
        voicemail: line.voicemail ?? null,
        agentSoundMs: line.agentSound.map(([a, b]) => [Math.round(a), Math.round(b)] as [number, number]),
        screenedText: line.screenedText ?? null,
        refusals: stored.refusals,
        callback: stored.callback,
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
    keys?.close();
    await ears.close();
    for (const v of voices.values()) await v.close();
    env.routing.callees.delete(persona.gym.phone);
    env.routing.unwatch(callId);
  }
}

/** Topics whose refusal or callback sentence a person on the line said. */
function withheldTopics(persona: Persona, events: readonly ReceptionistEvent[]): Topic[] {
  const said = events.flatMap((e) => (e.kind === 'said' ? [e.text] : []));
  const out = new Set<Topic>();
  for (const n of Object.values(persona.flow?.nodes ?? {})) {
    if (n.kind !== 'person') continue;
    for (const r of n.refuses) if (said.some((t) => t.includes(r.says))) out.add(r.topic);
    const cb = n.callback;
    if (cb && said.some((t) => t.includes(cb.says))) for (const t of cb.topics) out.add(t);
  }
  return [...out];
}

/** A second person's voice: slt at another pitch, one synthesiser per pitch for the call. */
function secondVoice(voices: Map<number, FliteTts>, pitchHz: number): FliteTts {
  let v = voices.get(pitchHz);
  if (v === undefined) {
    v = new FliteTts({ voice: 'slt', levelDbfs: null, pitchHz });
    voices.set(pitchHz, v);
  }
  return v;
}

interface StoredCall {
  outcome: string | null;
  refusals: unknown;
  callback: unknown;
}

/** The call as an API client reads it back: GET /v1/calls/{id}. */
async function storedCall(env: DemoEnvironment, callId: string): Promise<StoredCall> {
  const res = await fetch(`${env.baseUrl}/v1/calls/${encodeURIComponent(callId)}`, {
    headers: { authorization: `Bearer ${env.apiToken}` },
  });
  if (res.status !== 200) throw new Error(`GET /v1/calls/${callId} answered ${res.status}`);
  const body = (await res.json()) as Record<string, unknown>;
  return {
    outcome: typeof body.outcome === 'string' ? body.outcome : null,
    refusals: body.refusals ?? null,
    callback: body.callback ?? null,
  };
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
 * followed. Only bursts that were answers (or small talk or an interruption the agent should answer) count: a backchannel or a
 * cough is not a turn, and a filler before a thinking pause must NOT be answered.
 */
function responseGaps(sim: SimReport | undefined, events: readonly ReceptionistEvent[]): number[] {
  if (!sim) return [];
  const out: number[] = [];
  for (const e of events) {
    if (e.kind !== 'said' || !(e.what === 'answer' || e.what === 'small-talk' || e.what === 'interruption')) continue;
    const ms = sim.turns[e.simTurn]?.responseMs;
    if (ms !== undefined) out.push(Math.round(ms));
  }
  return out;
}
