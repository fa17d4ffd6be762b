import { createActor, fromCallback, fromPromise, type Actor, type ActorOptions, type AnyActorLogic } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import type { CallInput } from '../../machines/events.js';
import { AppError } from '../errors.js';
import type { asrActor } from './asr-actor.js';
import type { hangupActor } from './hangup-actor.js';
import type { keypadActor } from './keypad-actor.js';
import type { replyActor } from './reply-actor.js';
import type { speakerActor } from './speaker-actor.js';
import type { transferActor } from '../frontdesk/transfer.js';

// The process-wide call machine: provided once, its invoked actors delegating to the logic of the call they run
// in (CallSession and bench:machine create every call actor through createCallActor).

type AnyActorSystem = Actor<typeof callMachine>['system'];

/**
 * The invoked actors' logic of one call: closures over that call's providers, audio tap, transport and metrics.
 * (Exported for bench:machine, which supplies fakes.)
 */
export interface CallPorts {
  readonly asr: ReturnType<typeof asrActor>;
  readonly reply: ReturnType<typeof replyActor>;
  readonly speaker: ReturnType<typeof speakerActor>;
  readonly hangup: ReturnType<typeof hangupActor>;
  readonly keypad: ReturnType<typeof keypadActor>;
  /** The front desk's transfer to the staff (an interview call's never dials anybody). */
  readonly transfer: ReturnType<typeof transferActor>;
}

// Every call actor runs in its own actor system (a root actor's children share it), so the system identifies
// the call: no key to collide, nothing to clean up (the entry goes with the system).
const portsBySystem = new WeakMap<AnyActorSystem, CallPorts>();

/**
 * Process-wide actor logic that hands every step to the logic of the call it runs in. `provide()` rebuilds the
 * machine's whole state-node tree, so one provide per call costs ~85 KB per idle call (docs/benchmarks/machine.md);
 * with these delegates the process provides once. `kind` supplies the parts that do not depend on the call: the
 * initial snapshot (the root actor's constructor creates its children's snapshots before the session can register
 * the call's ports; for callback and promise logic it is only `{status, input}`) and persisted-snapshot handling.
 */
function perCall<L extends AnyActorLogic>(kind: L, pick: (p: CallPorts) => L): L {
  const logicOf = (system: AnyActorSystem): L => {
    const ports = portsBySystem.get(system);
    if (ports === undefined)
      throw new AppError('INTERNAL', 'call actor not created by createCallActor (no ports for its invoked actors)');
    return pick(ports);
  };
  const delegate: AnyActorLogic = {
    ...kind,
    start: (snapshot, scope) => logicOf(scope.system).start?.(snapshot, scope),
    transition: (snapshot, event, scope) => logicOf(scope.system).transition(snapshot, event, scope),
  };
  return delegate as L;
}

let wiredMachine: ReturnType<typeof wireMachine> | undefined;
function wireMachine() {
  return callMachine.provide({
    actors: {
      asr: perCall(fromCallback(() => {}) as CallPorts['asr'], (p) => p.asr),
      reply: perCall(fromCallback(() => {}) as CallPorts['reply'], (p) => p.reply),
      speaker: perCall(fromCallback(() => {}) as CallPorts['speaker'], (p) => p.speaker),
      hangup: perCall(fromPromise(async () => {}) as CallPorts['hangup'], (p) => p.hangup),
      keypad: perCall(fromPromise(async () => {}) as CallPorts['keypad'], (p) => p.keypad),
      transfer: perCall(
        fromPromise(async () => ({ to: null, dialled: false })) as CallPorts['transfer'],
        (p) => p.transfer,
      ),
    },
  });
}
/**
 * A call actor on the process-wide machine (built on first use: no import-time work), its invoked actors running
 * `ports`. Not started. Every call actor of the process goes through here (CallSession, bench:machine).
 */
export function createCallActor(
  ports: CallPorts,
  options: ActorOptions<ReturnType<typeof wireMachine>> & { input: CallInput },
) {
  wiredMachine ??= wireMachine();
  const actor = createActor(wiredMachine, options);
  portsBySystem.set(actor.system, ports);
  return actor;
}
