import type { CallDirection, CallEmitted } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { CallResult } from './quality.js';

/** Watches calls from outside (the demo's live view, tests, benchmarks). Every hook is optional and guarded. */
export interface CallObserver {
  started?(info: { callId: string; direction: CallDirection; callSid: string }): void;
  emitted?(callId: string, e: CallEmitted): void;
  state?(callId: string, state: string): void;
  ended?(result: CallResult): void;
}

/** Runs an observer hook; one that throws is logged and never ends the call. */
export function notifyObserver(log: Logger, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'call observer threw');
  }
}
