import { readFile } from 'node:fs/promises';
import type { CallContext } from '../machines/context.js';
import type { CallInput, EndReason, InternalEvent, MachineEvent } from '../machines/events.js';

// A real call's event stream (recorded by bench/machine-record.ts) replayed into call actors whose invoked actors
// do nothing: the recorded events are what those actors said during the real call, so the machine takes the same
// path and the benchmark measures the statechart alone, on a real call's mix of events (mostly interim transcripts,
// VAD edges and the reply's sentences) rather than on one synthetic turn.

export interface RecordedEvent {
  /** Milliseconds since the first recorded event. */
  atMs: number;
  event: MachineEvent;
}

export interface CallRecording {
  recordedWith: string;
  /** How the recording was changed after it was made, if it was (e.g. events the machine no longer takes). */
  edited?: string;
  persona: string;
  callId: string;
  input: Omit<CallInput, 'callId'>;
  /** What the recorded call ended with; a replay that differs has diverged (and the benchmark fails). */
  expect: { endReason: EndReason; utterances: number };
  events: RecordedEvent[];
}

// Raised by the machine itself: a replaying actor raises them again. (A Record, so a new internal event that is
// not listed here fails to compile.)
const INTERNAL: Record<InternalEvent['type'], true> = {
  'CALLER.SPEECH_START': true,
  'REPLY.REQUEST': true,
  'REPLY.CANCEL': true,
  'REPLY.ENDED': true,
  'CALLER.GOODBYE': true,
  'REPLY.SPECULATE': true,
  'AGENT.SAID': true,
  'AGENT.CLEARED': true,
  WRAP_UP: true,
  'SITUATION.AWAY': true,
  'TURN.LINE_SOUNDING': true,
  'SITUATION.BACK': true,
  'SITUATION.END': true,
  'CALL.ABORT': true,
};

/** Events from outside the actor that a replay must send; XState's own (init, done, error, after) are excluded. */
export function isReplayableEvent(e: { type: string }): boolean {
  return !e.type.startsWith('xstate.') && !Object.hasOwn(INTERNAL, e.type);
}

export async function loadRecording(file: string): Promise<CallRecording> {
  const r = JSON.parse(await readFile(file, 'utf8')) as Partial<CallRecording>;
  if (typeof r.callId !== 'string' || !Array.isArray(r.events) || r.events.length === 0 || r.input === undefined)
    throw new Error(`${file}: not a call recording (callId, input and a non-empty events array expected)`);
  let prev = 0;
  for (const [i, e] of r.events.entries()) {
    if (typeof e.atMs !== 'number' || e.atMs < prev || typeof e.event?.type !== 'string')
      throw new Error(`${file}: event ${i} needs a type and a non-decreasing atMs`);
    prev = e.atMs;
  }
  return r as CallRecording;
}

/** The recording's events addressed to call `callId` (utterance ids carry the call id). */
export function eventsFor(r: CallRecording, callId: string): RecordedEvent[] {
  const json = JSON.stringify(r.events).replaceAll(`"${r.callId}:`, `"${callId}:`);
  return JSON.parse(json) as RecordedEvent[];
}

/**
 * XState's clock for a replaying actor. XState's SimulatedClock sorts all its timeouts on every advance, which
 * would cost more than a server's timers (libuv keeps them in a heap) on an event stream that advances the
 * clock before nearly every event; this one does work only when a timer is due. A call has a handful of timers.
 */
interface Timer {
  at: number;
  fn: () => void;
}

export class ReplayClock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();
  /** Earliest due time, or Infinity; may be stale-low after a clearTimeout (the next advance rescans). */
  #earliest = Infinity;

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#nextId++;
    const at = this.#now + ms;
    this.#timers.set(id, { at, fn });
    if (at < this.#earliest) this.#earliest = at;
    return id;
  }

  clearTimeout(id: number): void {
    this.#timers.delete(id);
  }

  /** Moves time to `t`, firing every timer due by then in due order (timers they set included). */
  advanceTo(t: number): void {
    if (this.#earliest <= t) {
      for (let next = this.#due(); next !== undefined && next[1].at <= t; next = this.#due()) {
        this.#timers.delete(next[0]);
        this.#now = next[1].at;
        next[1].fn();
      }
      this.#earliest = this.#due()?.[1].at ?? Infinity;
    }
    this.#now = t;
  }

  /** The earliest timer; among timers due together, the first set (the Map keeps insertion order). */
  #due(): [number, Timer] | undefined {
    let due: [number, Timer] | undefined;
    for (const entry of this.#timers) if (due === undefined || entry[1].at < due[1].at) due = entry;
    return due;
  }
}

export interface ReplayTarget {
  actor: { send(e: MachineEvent): void; getSnapshot(): { status: string; context: CallContext } };
  clock: ReplayClock;
  events: RecordedEvent[];
}

/**
 * Plays the recording into every target in lockstep (event i goes to every call before event i + 1, as
 * concurrent calls interleave in a server): each call's clock is advanced to the event's time first, so the
 * timers the real call saw fire in between.
 */
export function replay(targets: readonly ReplayTarget[], count: number): void {
  for (let i = 0; i < count; i++) {
    for (const t of targets) {
      const e = t.events[i]!;
      t.clock.advanceTo(e.atMs);
      t.actor.send(e.event);
    }
  }
}

/** Throws unless the replayed call ended as the recorded one did. */
export function checkReplay(r: CallRecording, t: ReplayTarget): void {
  const s = t.actor.getSnapshot();
  const got = { endReason: s.context.endReason, utterances: s.context.utteranceSeq };
  if (s.status !== 'done' || got.endReason !== r.expect.endReason || got.utterances !== r.expect.utterances)
    throw new Error(
      `replay diverged from the recorded call: ${s.status}, ${JSON.stringify(got)} vs ${JSON.stringify(r.expect)}`,
    );
}
