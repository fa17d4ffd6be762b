import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  createActor,
  createMachine,
  fromCallback,
  fromPromise,
  SimulatedClock,
  type AnyActorRef,
  type EventObject,
  type InspectionEvent,
} from 'xstate';
import { callMachine } from '../machines/call.machine.js';
import type {
  AsrCommand,
  HangupInput,
  KeypadInput,
  MachineEvent,
  ReplyInput,
  SpeakerCommand,
  TransferInput,
  TransferOutput,
} from '../machines/events.js';
import { DEFAULT_TIMING } from '../machines/timing.js';
import { createCallActor, type CallPorts } from '../src/call/call-actor.js';
import { CALL_CPU_PERCENT, callShare, cpuNow, describeShare, median, shapeFloors } from './machine-cost.js';
import {
  checkReplay,
  eventsFor,
  loadRecording,
  replay,
  ReplayClock,
  type CallRecording,
  type ReplayTarget,
} from './machine-replay.js';

// Call-machine cost: heap per idle call actor, and CPU per event with 1,000 live call actors, against a named
// baseline measured in the same run: a minimal two-state XState machine (the floor any XState actor costs).
// Usage: npm run bench:machine [-- --actors 1000 --rounds 20 --repeats 5 --json --recording FILE --replay-only
// --dense-only --call-cpu-percent 0.33]
// Two event mixes: one dense synthetic conversational turn (every event does work), and a real call's recorded
// event stream (bench/fixtures/, recorded by bench/machine-record.ts) replayed into every actor. The replay gives
// the machine's budget figure: its CPU per second of call, and its share of a whole call's CPU (≤ 10 %).

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const ACTORS = arg('actors', 1000);
const ROUNDS = arg('rounds', 20);
const REPEATS = arg('repeats', 5);
const CALL_CPU = arg('call-cpu-percent', CALL_CPU_PERCENT);
const JSON_OUT = process.argv.includes('--json');
/** Only the replayed call (a quick A/B of the machine on a real call's events). */
const REPLAY_ONLY = process.argv.includes('--replay-only');
/** Only the dense turn in the session wiring (for instruction counts: bench/machine-callgrind.sh). */
const DENSE_ONLY = process.argv.includes('--dense-only');
const RECORDING = (() => {
  const i = process.argv.indexOf('--recording');
  return i >= 0 ? process.argv[i + 1]! : 'bench/fixtures/cooperative.call-events.json';
})();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

interface Live {
  actor: AnyActorRef & { stop(): void };
  clock: SimulatedClock;
  lastSay: { id: string };
  now: number;
}

// Fake providers that only remember the last utterance id per call (the benchmark plays it back).
const lastSays = new Map<string, { id: string }>();
const fakeActors = {
  asr: fromCallback<AsrCommand, { callId: string }>(() => {}),
  speaker: fromCallback<SpeakerCommand, { callId: string }>(({ receive, input }) => {
    receive((e) => {
      if (e.type === 'SPEAKER.SAY') lastSays.get(input.callId)!.id = e.utteranceId;
    });
  }),
  reply: fromCallback<EventObject, ReplyInput>(() => {}),
  hangup: fromPromise<void, HangupInput>(async () => {}),
};

/** Per-call fake logic, as CallSession builds per-call logic (closures over the call's own state). */
function fakePorts(lastSay: { id: string }): CallPorts {
  return {
    asr: fromCallback<AsrCommand, { callId: string }>(() => {}),
    speaker: fromCallback<SpeakerCommand, { callId: string }>(({ receive }) => {
      receive((e) => {
        if (e.type === 'SPEAKER.SAY') lastSay.id = e.utteranceId;
      });
    }),
    reply: fromCallback<EventObject, ReplyInput>(() => {}),
    hangup: fromPromise<void, HangupInput>(async () => {}),
    keypad: fromPromise<void, KeypadInput>(async () => {}),
    transfer: fromPromise<TransferOutput, TransferInput>(async () => ({ to: null, dialled: false })),
  };
}

/**
 * `call-machine-session`: what src/call/session.ts does (createCallActor: one process-wide provided machine whose
 * actors delegate to per-call logic found through the call's actor system), default config (preemptive generation
 * on). `call-machine-session-no-preemptive`: the same with PREEMPTIVE_GENERATION=false (the reply actor starts at
 * the end of the turn instead of on the final). `call-machine-per-call`: a machine.provide() per call (the
 * session's wiring before createCallActor).
 */
function callActor(i: number, v: Variant, clock?: SimulatedClock): Live {
  const callId = `bench-${i}`;
  const lastSay = { id: '' };
  lastSays.set(callId, lastSay);
  const c = clock ?? new SimulatedClock();
  const timing = v === 'call-machine-session-no-preemptive' ? NO_PREEMPTIVE : DEFAULT_TIMING;
  const input = { callId, direction: 'inbound' as const, gymName: 'Iron Temple', timing };
  const actor =
    v === 'call-machine-per-call'
      ? createActor(callMachine.provide({ actors: fakeActors }), { clock: c, input })
      : createCallActor(fakePorts(lastSay), { clock: c, input });
  actor.subscribe({ error: (e) => console.error('actor error', e) });
  actor.start();
  return { actor, clock: c, lastSay, now: 0 };
}

/** Greeting sent and played: the actor idles in listening.waiting, as most of a call's life is spent. */
function toIdle(l: Live): void {
  l.actor.send({ type: 'MEDIA.START' });
  const last = Number(l.lastSay.id.split(':u')[1]);
  for (let u = 1; u <= last; u++)
    l.actor.send({ type: 'SPEAKER.PLAYED', utteranceId: `${l.actor.getSnapshot().context.callId}:u${u}`, atMs: 0 });
}

/** The 10 events of one conversational turn (timer events included), in order. */
const REPLIES = ['Thanks, noted.', 'Great, got it.'];
const TURN: Array<[string, (l: Live, k: number) => void]> = [
  ['VAD.VOICE', (l) => l.actor.send({ type: 'VAD.VOICE', atMs: l.now })],
  ['timer VAD_MIN_SPEECH', (l) => l.clock.increment(150)], // caller speaking
  ['ASR.PARTIAL', (l) => l.actor.send({ type: 'ASR.PARTIAL', text: 'we open at' })],
  [
    'ASR.FINAL',
    (l) =>
      l.actor.send({
        type: 'ASR.FINAL',
        text: 'we open at six.',
        confidence: 0.9,
        speechFinal: true,
        startMs: 0,
        endMs: 0,
      }),
  ],
  ['VAD.SILENCE', (l) => l.actor.send({ type: 'VAD.SILENCE', atMs: l.now })],
  ['timer ENDPOINT_SHORT', (l) => l.clock.increment(400)], // end of turn, thinking, reply requested
  ['REPLY.SENTENCE', (l, k) => l.actor.send({ type: 'REPLY.SENTENCE', text: REPLIES[k % 2]! })],
  ['REPLY.DONE', (l) => l.actor.send({ type: 'REPLY.DONE' })],
  ['SPEAKER.STARTED', (l) => l.actor.send({ type: 'SPEAKER.STARTED', utteranceId: l.lastSay.id, atMs: 0 })],
  ['SPEAKER.PLAYED', (l) => l.actor.send({ type: 'SPEAKER.PLAYED', utteranceId: l.lastSay.id, atMs: 0 })],
];

/** One conversational turn; returns the number of events the machine processed. */
function turn(l: Live, k: number): number {
  for (const [, step] of TURN) step(l, k);
  return TURN.length;
}

const toggle = createMachine({ id: 'toggle', initial: 'a', states: { a: { on: { T: 'b' } }, b: { on: { T: 'a' } } } });

function measureMemory(make: (i: number) => { stop(): void }): {
  bytesPerActor: number;
  keep: Array<{ stop(): void }>;
} {
  const before = heapAfterGc();
  const keep: Array<{ stop(): void }> = [];
  for (let i = 0; i < ACTORS; i++) keep.push(make(i));
  const after = heapAfterGc();
  return { bytesPerActor: (after - before) / ACTORS, keep };
}

type Variant =
  'call-machine-session' | 'call-machine-session-no-preemptive' | 'call-machine-per-call' | 'xstate-toggle';
const VARIANTS: Variant[] = [
  'call-machine-session',
  'call-machine-session-no-preemptive',
  'call-machine-per-call',
  'xstate-toggle',
];
const NO_PREEMPTIVE = { ...DEFAULT_TIMING, preemptiveGeneration: false };

function memoryOf(v: Variant): number {
  // Real idle actors: greeting played, waiting for the caller, MAX_CALL and IDLE_REPROMPT timers armed.
  const clock = new SimulatedClock();
  const m = measureMemory((i) => {
    if (v === 'xstate-toggle') return createActor(toggle).start();
    const l = callActor(i, v, clock);
    toIdle(l);
    return l.actor;
  });
  m.keep.forEach((a) => a.stop());
  return m.bytesPerActor;
}

function cpuOf(v: Variant): number {
  if (v === 'xstate-toggle') {
    const toggles = Array.from({ length: ACTORS }, () => createActor(toggle).start());
    const t1 = cpuNow();
    for (let k = 0; k < ROUNDS * TURN.length; k++) for (const a of toggles) a.send({ type: 'T' });
    const us = (cpuNow() - t1) / (ROUNDS * TURN.length * ACTORS);
    toggles.forEach((a) => a.stop());
    return us;
  }
  const live = Array.from({ length: ACTORS }, (_, i) => callActor(i, v));
  live.forEach(toIdle);
  let events = 0;
  const t0 = cpuNow();
  for (let k = 0; k < ROUNDS; k++) for (const l of live) events += turn(l, k);
  const us = (cpuNow() - t0) / events;
  const stray = live.filter((l) => !JSON.stringify(l.actor.getSnapshot().value).includes('waiting'));
  if (stray.length > 0) throw new Error(`${stray.length} actors left the conversation loop`);
  live.forEach((l) => l.actor.stop());
  return us;
}

/**
 * Where the time goes: CPU per event kind of the turn (each kind sent to all actors in turn, so the actors stay
 * in step), and two floors on the same idle call actors: an event no state handles (XState's transition
 * selection over the four regions) and an event whose only effect is one context assign (ASR.PARTIAL in
 * listening.waiting: every assign clones the whole machine snapshot, state value included).
 */
function breakdown(): { perKind: Map<string, number>; unhandled: number; oneAssign: number } {
  const live = Array.from({ length: ACTORS }, (_, i) => callActor(i, 'call-machine-session'));
  live.forEach(toIdle);
  const perKind = new Map<string, number>(TURN.map(([name]) => [name, 0]));
  for (let k = 0; k < ROUNDS; k++) {
    for (const [name, step] of TURN) {
      const t = cpuNow();
      for (const l of live) step(l, k);
      perKind.set(name, perKind.get(name)! + cpuNow() - t);
    }
  }
  for (const [name, us] of perKind) perKind.set(name, us / (ROUNDS * ACTORS));
  const floor = (event: MachineEvent): number => {
    const t = cpuNow();
    for (let k = 0; k < ROUNDS * TURN.length; k++) for (const l of live) l.actor.send(event);
    return (cpuNow() - t) / (ROUNDS * TURN.length * ACTORS);
  };
  // SPEAKER.CLEARED is only handled in playback.draining; these actors idle in listening.waiting.
  const unhandled = floor({ type: 'SPEAKER.CLEARED' });
  const oneAssign = floor({ type: 'ASR.PARTIAL', text: 'we' });
  live.forEach((l) => l.actor.stop());
  return { perKind, unhandled, oneAssign };
}

function replayTarget(rec: CallRecording, i: number, inspect?: (e: InspectionEvent) => void): ReplayTarget {
  const callId = `replay-${i}`;
  const clock = new ReplayClock();
  const actor = createCallActor(fakePorts({ id: '' }), {
    clock,
    input: { callId, ...rec.input },
    ...(inspect ? { inspect } : {}),
  });
  actor.subscribe({ error: (e) => console.error('actor error', e) });
  actor.start();
  return { actor, clock, events: eventsFor(rec, callId) };
}

/**
 * Events one replayed call processes: the recorded ones plus the timers that fire in between (counted on one
 * inspected actor, outside the timed run; raised events are part of the event that raised them, as in turn()).
 */
function eventsPerReplayedCall(rec: CallRecording): number {
  let n = 0;
  const t = replayTarget(rec, -1, (e) => {
    if (e.type === '@xstate.event' && e.actorRef.sessionId === e.rootId && e.event.type !== 'xstate.init') n++;
  });
  replay([t], rec.events.length);
  checkReplay(rec, t);
  return n;
}

/** CPU per event with ACTORS calls replaying the recorded call in lockstep. */
function replayCpu(rec: CallRecording, perCall: number): number {
  const targets = Array.from({ length: ACTORS }, (_, i) => replayTarget(rec, i));
  const t0 = cpuNow();
  replay(targets, rec.events.length);
  const us = (cpuNow() - t0) / (perCall * ACTORS);
  for (const t of targets) checkReplay(rec, t);
  return us;
}

async function main(): Promise<void> {
  if (DENSE_ONLY) {
    const runs = Array.from({ length: REPEATS }, () => cpuOf('call-machine-session'));
    console.log(
      `dense turn (session wiring), ${ACTORS} actors, ${ROUNDS} turns: CPU/event median ` +
        `${median(runs).toFixed(2)} µs (runs ${runs.map((v) => v.toFixed(2)).join(' ')})`,
    );
    return;
  }
  const rec = await loadRecording(RECORDING);
  const perCall = eventsPerReplayedCall(rec);
  const replays: number[] = [];
  if (REPLAY_ONLY) {
    for (let r = 0; r < REPEATS; r++) replays.push(replayCpu(rec, perCall));
    const runs = replays.map((v) => v.toFixed(2)).join(' ');
    console.log(
      `replayed call (${rec.persona}, ${perCall} events), ${ACTORS} actors: CPU/event median ` +
        `${median(replays).toFixed(2)} µs, min ${Math.min(...replays).toFixed(2)} µs (runs ${runs})`,
    );
    console.log(describeShare(callShare(rec, perCall, median(replays), CALL_CPU), CALL_CPU));
    return;
  }
  const mem = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  const cpu = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (let r = 0; r < REPEATS; r++) {
    for (const v of VARIANTS) {
      mem.get(v)!.push(memoryOf(v) / 1024);
      cpu.get(v)!.push(cpuOf(v));
    }
    replays.push(replayCpu(rec, perCall));
  }
  const kb = (v: Variant) => median(mem.get(v)!);
  const us = (v: Variant) => median(cpu.get(v)!);
  const b = breakdown();
  const shapes = shapeFloors(ACTORS, ROUNDS * TURN.length);
  if (JSON_OUT) {
    for (const v of VARIANTS) {
      const common = { impl: v, actors: ACTORS, rounds: ROUNDS, repeats: REPEATS };
      console.log(JSON.stringify({ ...common, metric: 'heap-per-idle-actor-kb', median: kb(v) }));
      console.log(JSON.stringify({ ...common, metric: 'cpu-per-event-us', median: us(v) }));
    }
    const common = { impl: 'call-machine-session', actors: ACTORS, rounds: ROUNDS, repeats: 1 };
    for (const [kind, v] of b.perKind) console.log(JSON.stringify({ ...common, metric: 'cpu-us', kind, value: v }));
    console.log(JSON.stringify({ ...common, metric: 'cpu-us', kind: 'floor-unhandled', value: b.unhandled }));
    console.log(JSON.stringify({ ...common, metric: 'cpu-us', kind: 'floor-one-assign', value: b.oneAssign }));
    for (const [shape, v] of shapes)
      console.log(JSON.stringify({ impl: 'synthetic', metric: 'cpu-us-one-assign', shape, value: v }));
    console.log(
      JSON.stringify({
        impl: 'call-machine-session',
        mix: `replay:${rec.persona}`,
        actors: ACTORS,
        repeats: REPEATS,
        eventsPerCall: perCall,
        metric: 'cpu-per-event-us',
        median: median(replays),
      }),
    );
    const share = callShare(rec, perCall, median(replays), CALL_CPU);
    console.log(
      JSON.stringify({
        impl: 'call-machine-session',
        mix: `replay:${rec.persona}`,
        metric: 'share-of-call',
        callCpuPercent: CALL_CPU,
        ...share,
      }),
    );
    return;
  }
  console.log(`call machine benchmark: ${ACTORS} live actors, ${ROUNDS} turns each, ${REPEATS} repeats (medians)`);
  for (const v of VARIANTS) {
    const ratio = (x: number, base: number) => `${(x / base).toFixed(1)}× toggle`;
    console.log(
      `${v.padEnd(35)} heap/idle actor ${kb(v).toFixed(1).padStart(6)} KB (${ratio(kb(v), kb('xstate-toggle'))})` +
        `   CPU/event ${us(v).toFixed(2).padStart(7)} µs (${ratio(us(v), us('xstate-toggle'))})`,
    );
  }
  console.log(
    `${'call-machine-session, replayed call'.padEnd(35)} ${perCall} events per call (${rec.persona}, ` +
      `${(rec.events.at(-1)!.atMs / 1000).toFixed(0)} s)  CPU/event ${median(replays).toFixed(2).padStart(7)} µs ` +
      `(${(median(replays) / us('xstate-toggle')).toFixed(1)}× toggle; runs ${replays.map((v) => v.toFixed(2)).join(' ')})`,
  );
  console.log(describeShare(callShare(rec, perCall, median(replays), CALL_CPU), CALL_CPU));
  console.log("targets: ≤ 100 KB per idle call actor; the machine ≤ 10 % of a call's CPU on the recorded call");
  console.log('breakdown (session wiring, one run): CPU per event kind of the turn, µs');
  for (const [kind, v] of b.perKind) console.log(`  ${kind.padEnd(22)} ${v.toFixed(1).padStart(7)}`);
  console.log(`  ${'floor: unhandled event'.padEnd(22)} ${b.unhandled.toFixed(1).padStart(7)}`);
  console.log(`  ${'floor: one assign'.padEnd(22)} ${b.oneAssign.toFixed(1).padStart(7)}`);
  console.log('one assign on a synthetic machine of a given shape (no call logic), µs');
  for (const [shape, v] of shapes) console.log(`  ${shape.padEnd(28)} ${v.toFixed(1).padStart(7)}`);
  console.log(
    `runs (µs/event, session wiring): ${cpu
      .get('call-machine-session')!
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
