import { fromPromise } from 'xstate';
import type { TransferInput, TransferOutput } from '../../machines/events.js';
import type { Logger } from '../log.js';
import { dialTwiml } from '../telephony/twiml.js';
import { deskLines } from './lines.js';

// The `transfer` actor: puts a front-desk caller through to the gym's staff. Twilio is asked over REST to replace
// the call's TwiML with <Dial> of the staff number (the same twilio SDK call as the keypad's redirect, against the
// real API or the fake one in src/sim/); Twilio then ends our media stream and rings the staff (for an incoming
// call <Dial> shows them the caller's own number). No staff number, or no Twilio account: nothing is dialled, and
// the machine says so.

export interface TransferPort {
  redirect(callSid: string, twiml: string): Promise<void>;
}

export function transferActor(
  rest: TransferPort | undefined,
  callSid: string,
  /** The staff number (E.164) of the number called; undefined: none is set. */
  staffNumber: () => Promise<string | undefined>,
  log: Logger,
) {
  return fromPromise<TransferOutput, TransferInput>(async ({ input }) => {
    const to = await staffNumber();
    if (to === undefined || rest === undefined) {
      log.warn(
        { staff: to !== undefined, twilio: rest !== undefined },
        'front desk: nobody to put the caller through to',
      );
      return { to: to ?? null, dialled: false };
    }
    const unanswered = { text: deskLines(input.language).transferUnanswered, language: input.language };
    await rest.redirect(callSid, dialTwiml(to, unanswered));
    log.info('front desk: caller put through to the staff');
    return { to, dialled: true };
  });
}
