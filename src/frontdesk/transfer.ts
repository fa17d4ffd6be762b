import { fromPromise } from 'xstate';
import type { TransferInput, TransferOutput } from '../../machines/events.js';
import type { Logger } from '../log.js';
import { dialTwiml } from '../telephony/twiml.js';
import { deskLines } from './lines.js';

// The `transfer` actor: puts a front-desk caller through to the gym's staff. Twilio is asked over REST to replace
// the call's TwiML with <Dial> of the staff number (the same twilio SDK call as the keypad's redirect, against the
// real API or the fake one in src/sim/); Twilio then ends our media stream and rings the staff (for an incoming
// call <Dial> shows them the caller's own number). No staff number, no Twilio account or a redirect Twilio refused:
// nothing is dialled (`dialled: false`, with the staff number when there is one, so the call shows the failed
// transfer), and the machine says so.

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
    try {
      await rest.redirect(callSid, dialTwiml(to, unanswered));
    } catch (e) {
      // Twilio refused the redirect (the call ended meanwhile, an outage): the transfer is still the call's, stored
      // as failed with the number it was for, and the caller is offered a message.
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'front desk: Twilio refused the transfer');
      return { to, dialled: false };
    }
    log.info('front desk: caller put through to the staff');
    return { to, dialled: true };
  });
}
