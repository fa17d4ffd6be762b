import t from 'tap';
import {
  createActor,
  createEmptyActor,
  SimulatedClock,
  type AnyActorLogic,
  type AnyActorScope,
  type EventObject,
} from 'xstate';
import { getStateNodes, TestModel } from 'xstate/graph';
import type { MachineEvent } from '../../machines/events.js';
import type { CallInput } from '../../machines/events.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { eventsFor, serialize, type Snap } from './model.events.js';
import { prefixes } from './model.plans.js';
import { inertMachine } from './harness.js';

// Model-based test. xstate/graph walks the call machine breadth-first (TestModel.getShortestPaths) with a sample
// of every event the outside world can send, timers and actor completions included. Each walk step that took
// a transition not taken before is then replayed on a REAL actor (fake actors, SimulatedClock): the shortest
// path to its source state, then the step; the actor must land in the state the model predicts. Coverage is
// counted from the real actors' microsteps: every transition definition must have been taken.
// Counters that the abstract state cannot carry (third reply failure, second re-prompt, ...) are reached by
// walking again from a scripted prefix (model.plans.ts).

// Every region is walked, the line's situations (phone tree, hold, voicemail, screening, transfer) included, in plans
// of their own (model.situations.ts) whose abstract state adds only the context their guards read: a plan walks
// one situation from the point where the line enters it, so the situations' walks add up instead of multiplying
// the conversation's.

const machine = inertMachine();
type AnyTransition = object;

/** Every transition definition of the machine (each guarded alternative counts on its own). */
function allTransitions(): Map<AnyTransition, string> {
  const all = new Map<AnyTransition, string>();
  for (const node of getStateNodes(machine.root)) {
    for (const [type, list] of node.transitions) list.forEach((tr, i) => all.set(tr, `${node.id} ${type} #${i}`));
    (node.always ?? []).forEach((tr, i) => all.set(tr, `${node.id} always #${i}`));
  }
  return all;
}

function mockScope(): AnyActorScope {
  const empty = createEmptyActor();
  return {
    self: empty,
    logger: () => {},
    id: '',
    sessionId: 'model',
    defer: () => {},
    system: empty.system,
    stopChild: () => {},
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as AnyActorScope;
}

t.test('every transition of the call machine is taken, on real actors, as the model predicts', async (t) => {
  const all = allTransitions();
  // The walk's own cost, told apart from the machine's load (wall time) and from tap's start-up.
  const started = { at: Date.now(), cpu: process.cpuUsage() };
  const base: CallInput = { callId: 'c1', direction: 'inbound', gymName: 'Iron Temple', timing: DEFAULT_TIMING };

  // The walk records, per transition, the first (state, event) step that took it and where it led.
  type Step = { from: string; event: MachineEvent; next: Snap };
  const firstStep = new Map<AnyTransition, Step>();
  // The abstract state: model.events.ts's, plus what the plan walking now adds (plan.key).
  let stateKey = (s: Snap) => serialize(s);
  let current: AnyTransition[] = [];
  const logic = Object.create(machine) as typeof machine;
  logic.transition = (snap, event, scope) => {
    current = [];
    const system = {
      ...scope.system,
      _sendInspectionEvent: (e: { type: string; _transitions?: AnyTransition[] }) => {
        if (e.type === '@xstate.microstep') current.push(...(e._transitions ?? []));
      },
    };
    const next = machine.transition(snap, event, { ...scope, system } as AnyActorScope);
    const from = stateKey(snap as unknown as Snap);
    for (const tr of current) if (!firstStep.has(tr)) firstStep.set(tr, { from, event, next: next as unknown as Snap });
    return next;
  };

  const covered = new Set<AnyTransition>();
  let explored = 0;
  let replayed = 0;
  function replay(input: CallInput, events: MachineEvent[], expected: Snap | undefined, label: string) {
    const actor = createActor(machine, {
      input,
      clock: new SimulatedClock(),
      inspect: (e) => {
        if (e.type === '@xstate.microstep')
          for (const tr of (e as unknown as { _transitions: AnyTransition[] })._transitions) covered.add(tr);
      },
    });
    const errors: unknown[] = [];
    actor.subscribe({ error: (err) => errors.push(err) });
    actor.start();
    for (const e of events) actor.send(e);
    const value = JSON.stringify(actor.getSnapshot().value);
    if (errors.length > 0 || (expected !== undefined && value !== JSON.stringify(expected.value))) {
      t.fail(`replay diverged (${label}) after ${events.map((e) => e.type).join(' → ')}`, {
        expected: expected?.value,
        actual: value,
        errors,
      });
    }
    actor.stop();
    replayed += 1;
  }

  for (const plan of prefixes(base)) {
    const scope = mockScope();
    let seed = logic.getInitialSnapshot(scope, plan.input);
    for (const e of plan.prefix) seed = logic.transition(seed, e, scope);
    replay(plan.input, plan.prefix, seed as unknown as Snap, `${plan.name} prefix`);
    firstStep.clear();
    // Each snapshot's key is asked for again and again (the step that reached it, the steps leaving it): once.
    const keys = new WeakMap<Snap, string>();
    stateKey = (s: Snap) => {
      let key = keys.get(s);
      if (key === undefined) keys.set(s, (key = serialize(s) + (plan.key?.(s) ?? '')));
      return key;
    };
    // TestModel's logic type does not accept a machine with input and emitted types; the logic is the machine.
    const model = new TestModel(logic as unknown as AnyActorLogic, {
      input: plan.input,
      fromState: seed,
      events: (s) => {
        const snap = s as unknown as Snap;
        return plan.events?.(snap) ?? [...eventsFor(snap), ...(plan.extra?.(snap) ?? [])];
      },
      serializeState: (s) => stateKey(s as unknown as Snap),
      serializeEvent: (e: EventObject) => JSON.stringify(e),
      stopWhen: (s) => s.status !== 'active' || (plan.stopWhen?.(s as unknown as Snap) ?? false),
    });
    const paths = model.getShortestPaths({ allowDuplicatePaths: true });
    explored += paths.length;
    const pathTo = new Map(paths.map((p) => [stateKey(p.state as unknown as Snap), p]));
    const todo = new Map<string, Step>();
    for (const step of firstStep.values()) todo.set(step.from + JSON.stringify(step.event), step);
    for (const { from, event, next } of todo.values()) {
      const path = pathTo.get(from);
      if (path === undefined) {
        t.fail(`no path to explored state ${from}`);
        continue;
      }
      const walk = path.steps
        .map((s) => s.event as MachineEvent)
        .filter((e) => (e as EventObject).type !== 'xstate.init');
      replay(plan.input, [...plan.prefix, ...walk, event], next, plan.name);
    }
  }

  const missing = [...all].filter(([tr]) => !covered.has(tr)).map(([, name]) => name);
  const cpu = process.cpuUsage(started.cpu);
  t.comment(
    `explored ${explored} abstract states, replayed ${replayed} paths on real actors in ` +
      `${((Date.now() - started.at) / 1000).toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU)`,
  );
  console.log(`transitions covered: ${all.size - missing.length}/${all.size}`);
  for (const name of missing) t.comment(`not covered: ${name}`);
  t.same(missing, [], 'every transition covered');
});
