import { fromPromise } from 'xstate';
import type { HangupInput } from '../../machines/events.js';
import type { Logger } from '../log.js';

// The `hangup` actor: end the phone call through Twilio's REST API (idempotent; a 404 counts as done). Twilio then
// sends `stop` and closes the media stream. Without REST credentials (a locally connected stream) closing the
// socket is the only hang-up there is. Either way the socket is closed if Twilio has not done so shortly after.

export interface HangupPort {
  /** `onRetry` hears each retry of the request (the call's trace). */
  hangUp(callSid: string, onRetry?: () => void): Promise<unknown>;
}

const CLOSE_AFTER_MS = 3000;

export function hangupActor(
  rest: HangupPort | undefined,
  callSid: string,
  closeSocket: (reason: string) => void,
  log: Logger,
) {
  return fromPromise<void, HangupInput>(async ({ input }) => {
    log.info({ reason: input.reason }, 'agent hangs up');
    if (rest === undefined) return closeSocket('agent hung up');
    await rest.hangUp(callSid);
    // closeSocket is idempotent and a no-op once the stream ended, so a late timer is harmless.
    setTimeout(() => closeSocket('agent hung up'), CLOSE_AFTER_MS).unref();
  });
}
