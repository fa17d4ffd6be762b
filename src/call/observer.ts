import type { CallDirection, CallEmitted } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { CallLine } from './call-line.js';
import type { CallResult, ServerStages } from './quality.js';

/** Watches calls from outside (the demo's live view, the live monitor, tests, benchmarks). Every hook is optional and guarded. */
export interface CallObserver {
  started?(info: CallStartInfo): void;
  emitted?(callId: string, e: CallEmitted): void;
  state?(callId: string, state: string): void;
  /** The recogniser's words as they come: interim ones (`final: false`) may still change, a final stays. */
  recognised?(callId: string, words: { text: string; final: boolean }): void;
  /** The first frame of an agent utterance left for the line: the agent starts saying `text`. */
  utteranceStarted?(callId: string, u: { utteranceId: string; text: string }): void;
  /** A reply's latency, measured when its first frame left (src/call/quality.ts). */
  latency?(callId: string, l: ReplyLatency): void;
  ended?(result: CallResult): void;
}

export interface CallStartInfo {
  callId: string;
  direction: CallDirection;
  callSid: string;
  gymName: string;
  /** The providers this call runs on (as recorded on the call). */
  providers: { asr: string; llm: string; tts: string };
  /** The live call's line: levels, listening in, hanging up (src/call/call-line.ts). */
  line: CallLine;
}

export interface ReplyLatency {
  /** The caller's last word → the reply's first frame (media time); absent for a reply to no caller turn. */
  responseGapMs?: number | undefined;
  /** The end-of-turn decision → the first frame, and where that time went. */
  endOfTurnToFirstAudioMs?: number | undefined;
  stages?: ServerStages | undefined;
}

/** Runs an observer hook; one that throws is logged and never ends the call. */
export function notifyObserver(log: Logger, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'call observer threw');
  }
}

/** Several observers as one (the server's live monitor beside the one its caller gave); each is called in turn. */
export function observers(...list: readonly (CallObserver | undefined)[]): CallObserver | undefined {
  const all = list.filter((o): o is CallObserver => o !== undefined);
  if (all.length <= 1) return all[0];
  const each = (fn: (o: CallObserver) => void): void => {
    let failure: unknown;
    for (const o of all) {
      try {
        fn(o);
      } catch (e) {
        failure ??= e;
      }
    }
    // One observer's bug does not keep the others from hearing of the call; notifyObserver logs it.
    if (failure !== undefined) throw failure;
  };
  return {
    started: (info) => each((o) => o.started?.(info)),
    emitted: (id, e) => each((o) => o.emitted?.(id, e)),
    state: (id, s) => each((o) => o.state?.(id, s)),
    recognised: (id, w) => each((o) => o.recognised?.(id, w)),
    utteranceStarted: (id, u) => each((o) => o.utteranceStarted?.(id, u)),
    latency: (id, l) => each((o) => o.latency?.(id, l)),
    ended: (r) => each((o) => o.ended?.(r)),
  };
}
