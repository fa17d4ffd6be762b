import { fromPromise } from 'xstate';
import type { KeypadInput } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { KeypadPort } from '../telephony/keypad/types.js';

// The `keypad` actor: one press of one or more keys through the call's keypad (src/telephony/keypad/: in-band tones
// on the paced player, or Twilio's <Play digits>, with the other as fallback). Resolves when the keys were played to
// the far end; rejects with the reason (the machine decides what a failed press means). Stopping the actor (the
// machine left the state) aborts the wait; tones already sent still play.

export function keypadActor(keypad: KeypadPort | undefined, log: Logger) {
  return fromPromise<void, KeypadInput>(async ({ input, signal }) => {
    if (keypad === undefined) throw new Error('this call has no keypad (its transport cannot send keys)');
    log.info({ keys: input.digits.length, mode: keypad.mode }, 'pressing keys');
    await keypad.pressKeys(input.digits, signal);
  });
}
