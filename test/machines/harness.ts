import { createActor, fromCallback, fromPromise, SimulatedClock, type StateValue } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import { publishHeardLog } from '../../machines/heard.js';
import type {
  AsrCommand,
  CallEmitted,
  CallInput,
  CallDirection,
  HangupInput,
  KeypadInput,
  ReplyInput,
  SpeakerCommand,
  TransferInput,
  TransferOutput,
} from '../../machines/events.js';
import { DEFAULT_TIMING, type TurnTiming } from '../../machines/timing.js';
import { replyActor } from '../../src/call/reply-actor.js';
import { createLogger } from '../../src/log.js';
import type { LlmProvider } from '../../src/providers/llm/types.js';

/**
 * The call machine with actors that do nothing: for tests that only walk the chart (model, invariants, inspector)
 * and play every actor's part themselves by sending events.
 */
export function inertMachine() {
  return callMachine.provide({
    actors: {
      asr: fromCallback(() => {}),
      speaker: fromCallback(() => {}),
      reply: fromCallback(() => {}),
      hangup: fromPromise(async () => {}),
      keypad: fromPromise(async () => {}),
      transfer: fromPromise<TransferOutput, TransferInput>(async () => ({ to: null, dialled: false })),
    },
  });
}

// Drives one call actor with fake actors and a SimulatedClock. The fakes only record what the machine asks of
// them; tests play the part of Twilio, the recogniser and the LLM by sending the events those actors would send.

export interface ReplyCall {
  input: ReplyInput;
  stopped: boolean;
  /** Events the machine sent to this reply actor (REPLY.ADOPTED). */
  received: string[];
}

export function valueString(v: StateValue): string {
  if (typeof v === 'string') return v;
  return Object.entries(v)
    .map(([k, sub]) => {
      const s = valueString(sub as StateValue);
      return s.includes(',') || s.includes('(') ? `${k}(${s})` : `${k}.${s}`;
    })
    .join(',');
}

export function harness(
  opts: {
    direction?: CallDirection;
    timing?: Partial<TurnTiming>;
    hangupFails?: boolean;
    keypadFails?: boolean;
    voicemail?: CallInput['voicemail'];
    /** This invoked actor throws when started (a provider bug). */
    crash?: 'asr' | 'speaker' | 'reply';
    /** A planned call's brief (CallInput.brief). */
    brief?: CallInput['brief'];
    /** A flow variant (CallInput.flow). */
    flow?: CallInput['flow'];
    /** A real LLM provider answers (through the call's reply actor) instead of the test playing the LLM. */
    llm?: LlmProvider;
    /** Interview (default) or front desk (CallInput.mode). */
    mode?: CallInput['mode'];
    /** The call's language (CallInput.language); none: English. */
    language?: CallInput['language'];
    /** What Twilio answers the front desk's transfer (default: it dials the staff number). */
    transfer?: TransferOutput | 'fails';
  } = {},
) {
  const crash = (name: string) => {
    if (opts.crash === name) throw new Error(`${name} blew up`);
  };
  const clock = new SimulatedClock();
  const speaker: SpeakerCommand[] = [];
  const asr: AsrCommand[] = [];
  const replies: ReplyCall[] = [];
  const hangups: HangupInput[] = [];
  const keys: string[] = [];
  const transfers: TransferInput[] = [];
  const emitted: CallEmitted[] = [];
  const errors: unknown[] = [];
  const stopped = { asr: false, speaker: false };
  // What the fake speaker's mark echoes say the caller heard (h.hear), as the real speaker publishes it.
  const heard = new Map<string, string>();
  const machine = callMachine.provide({
    actors: {
      asr: fromCallback<AsrCommand, { callId: string }>(({ receive }) => {
        crash('asr');
        receive((e) => asr.push(e));
        return () => {
          stopped.asr = true;
        };
      }),
      speaker: fromCallback<SpeakerCommand, { callId: string }>(({ receive, system }) => {
        crash('speaker');
        const withdraw = publishHeardLog(system, { heardText: (id) => heard.get(id) });
        receive((e) => speaker.push(e));
        return () => {
          withdraw();
          stopped.speaker = true;
        };
      }),
      reply: fromCallback<{ type: string }, ReplyInput>(({ input, receive }) => {
        crash('reply');
        const r: ReplyCall = { input, stopped: false, received: [] };
        receive((e) => r.received.push(e.type));
        replies.push(r);
        return () => {
          r.stopped = true;
        };
      }),
      hangup: fromPromise<void, HangupInput>(async ({ input }) => {
        hangups.push(input);
        if (opts.hangupFails === true) throw new Error('REST said no');
      }),
      keypad: fromPromise<void, KeypadInput>(async ({ input }) => {
        keys.push(input.digits);
        if (opts.keypadFails === true) throw new Error('no keypad');
      }),
      transfer: fromPromise<TransferOutput, TransferInput>(async ({ input }) => {
        transfers.push(input);
        if (opts.transfer === 'fails') throw new Error('REST said no');
        return opts.transfer ?? { to: '+15550009999', dialled: true };
      }),
    },
  });
  const actor = createActor(
    opts.llm === undefined
      ? machine
      : machine.provide({ actors: { reply: replyActor(opts.llm, createLogger('silent')) } }),
    {
      clock,
      input: {
        callId: 'c1',
        direction: opts.direction ?? 'inbound',
        gymName: 'Iron Temple',
        timing: { ...DEFAULT_TIMING, ...opts.timing },
        voicemail: opts.voicemail,
        brief: opts.brief,
        flow: opts.flow,
        mode: opts.mode,
        language: opts.language,
      },
    },
  );
  actor.on('*', (e) => emitted.push(e as CallEmitted));
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  let played = 0;

  const h = {
    actor,
    clock,
    speaker,
    asr,
    replies,
    hangups,
    keys,
    transfers,
    emitted,
    errors,
    stopped,
    /** Media time the fake pipeline reports; advanced together with the clock. */
    now: 0,
    send: actor.send.bind(actor),
    state: () => valueString(actor.getSnapshot().value),
    turn: () => {
      const v = actor.getSnapshot().value;
      if (typeof v === 'string') return v;
      const live = (v as Record<string, StateValue>).live as Record<string, StateValue>;
      return valueString(live.turn as StateValue);
    },
    ctx: () => actor.getSnapshot().context,
    /**
     * Advance time, stopping at every due timer: SimulatedClock.increment() jumps straight to the end, so a timer
     * armed by another timer's transition would start late. Stepping keeps timer chains exact.
     */
    advance(ms: number) {
      const target = clock.now() + ms;
      const pendingTimers = (clock as unknown as { timeouts: Map<number, { start: number; timeout: number }> })
        .timeouts;
      for (;;) {
        let next = Infinity;
        for (const { start, timeout } of pendingTimers.values()) next = Math.min(next, start + timeout);
        if (next > target) break;
        clock.set(Math.max(next, clock.now()));
        h.now = clock.now();
      }
      clock.set(target);
      h.now = target;
    },
    says: () =>
      speaker.filter((c) => c.type === 'SPEAKER.SAY') as Array<Extract<SpeakerCommand, { type: 'SPEAKER.SAY' }>>,
    saidTexts: () => h.says().map((s) => s.text),
    clears: () => speaker.filter((c) => c.type === 'SPEAKER.CLEAR').length,
    /** Twilio plays every utterance sent so far and still pending (cleared ones are skipped). */
    playAll(msEach = 0) {
      const live = new Set(
        (h.ctx().agentTurn?.utterances ?? [])
          .filter((u) => u.status === 'queued' || u.status === 'playing')
          .map((u) => u.id),
      );
      for (const s of h.says().slice(played)) {
        if (!live.has(s.utteranceId)) continue;
        actor.send({ type: 'SPEAKER.STARTED', utteranceId: s.utteranceId, atMs: h.now });
        if (msEach > 0) h.advance(msEach);
        actor.send({ type: 'SPEAKER.PLAYED', utteranceId: s.utteranceId, atMs: h.now });
      }
      played = h.says().length;
    },
    startSpeaking(id: string) {
      actor.send({ type: 'SPEAKER.STARTED', utteranceId: id, atMs: h.now });
    },
    /** A mark of utterance `id` came back: the caller has heard `text` of it (kept by the speaker, no event). */
    hear(id: string, text: string) {
      heard.set(id, text);
    },
    /** The caller speaks for `ms` (VAD edges), then is silent. */
    voice(ms: number) {
      actor.send({ type: 'VAD.VOICE', atMs: h.now });
      h.advance(ms);
      actor.send({ type: 'VAD.SILENCE', atMs: h.now });
    },
    voiceOn() {
      actor.send({ type: 'VAD.VOICE', atMs: h.now });
    },
    voiceOff() {
      actor.send({ type: 'VAD.SILENCE', atMs: h.now });
    },
    final(text: string, confidence = 0.9) {
      actor.send({ type: 'ASR.FINAL', text, confidence, speechFinal: true, startMs: h.now - 500, endMs: h.now });
    },
    /** A final of the audio from `startMs` to `endMs`; `flushed`: it answers ASR.FINALIZE. */
    finalOver(text: string, startMs: number, endMs: number, flushed = false) {
      const at = { startMs, endMs, ...(flushed ? { flushed } : {}) };
      actor.send({ type: 'ASR.FINAL', text, confidence: 0.9, speechFinal: true, ...at });
    },
    /** The recogniser's answer to ASR.FINALIZE: the final of everything it was given before the flush. */
    flushed(text: string) {
      h.finalOver(text, h.now - 500, h.now, true);
    },
    /** Interim words; `endMs`: where their audio ends, when the recogniser says. */
    partial(text: string, endMs?: number) {
      actor.send(endMs === undefined ? { type: 'ASR.PARTIAL', text } : { type: 'ASR.PARTIAL', text, endMs });
    },
    /** The caller says `text`: speech edges, then the final, then endpointing runs. */
    callerSays(text: string, speechMs = 800) {
      h.voiceOn();
      h.advance(speechMs);
      h.final(text);
      h.voiceOff();
    },
    reply: () => replies[replies.length - 1],
    /** The LLM answers with these sentences. */
    llm(...sentences: string[]) {
      for (const text of sentences) actor.send({ type: 'REPLY.SENTENCE', text });
      actor.send({ type: 'REPLY.DONE' });
    },
    ofType<K extends CallEmitted['type']>(type: K): Array<Extract<CallEmitted, { type: K }>> {
      return emitted.filter((e) => e.type === type) as Array<Extract<CallEmitted, { type: K }>>;
    },
    /** Let promise-based actors (hangup) settle. */
    async settle() {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    },
  };
  return h;
}

export type Harness = ReturnType<typeof harness>;

/** Inbound call, greeting played, now listening. */
export function greeted(opts: Parameters<typeof harness>[0] = {}): Harness {
  const h = harness(opts);
  h.send({ type: 'MEDIA.START' });
  h.playAll(1000);
  return h;
}

/** Deterministic PRNG (mulberry32) so a failure names a seed that reproduces it. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
