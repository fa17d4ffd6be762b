import type { CallEndedEvent } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { HangupPort } from './hangup-actor.js';

/**
 * The phone call may still be up when a call ends without the machine hanging up: after a failure (hang up and
 * close the stream) or after the media stream closed under it. Best effort; a failed REST call is logged.
 */
export function hangUpAtEnd(
  error: Error | undefined,
  ended: CallEndedEvent | undefined,
  rest: HangupPort | undefined,
  callSid: string,
  closeSocket: (reason: string) => void,
  log: Logger,
): void {
  if (error) {
    rest?.hangUp(callSid).catch((e: unknown) => {
      log.warn({ err: (e as Error).message }, 'hang-up after a failed call failed');
    });
    closeSocket('call failed');
  } else if (ended?.socketClosed && ended.reason !== 'transferred') {
    // (A transferred caller is on Twilio's <Dial> now: hanging up would cut them off from the staff.)
    rest?.hangUp(callSid).catch((e: unknown) => {
      log.warn({ err: (e as Error).message }, 'hang-up after the media stream closed failed');
    });
  }
}
