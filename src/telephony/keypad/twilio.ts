import type { StartInfo } from '../call-handler.js';
import { STREAM_TOKEN_PARAM, type StreamTokens } from '../stream-token.js';
import { playDigitsTwiml } from '../twiml.js';
import { HANDOFF_PARAM, type StreamHandoffs } from './handoff.js';
import { checkKeys, type KeypadPort } from './types.js';

// Keys played by Twilio: the live call is redirected over REST to <Play digits="…"/> followed by a new
// <Connect><Stream> to us. Twilio stops the current media stream first (its `stop` parks the call: handoff.ts),
// plays the tones at its edge, then opens the new stream, whose start carries the call's parameters, a mark that it
// continues a call, and a token minted for exactly that (stream-token.ts): the gate admits it only for the call
// parked here for this CallSid, and the call goes on in the same actor. The press resolves when the new stream has
// taken the call over, about a second plus the keys' length after the request.

export interface TwilioKeypadOptions {
  readonly rest: { redirect(callSid: string, twiml: string): Promise<void> };
  readonly handoffs: StreamHandoffs;
  readonly tokens: StreamTokens;
  /** The media stream URL our TwiML names (wss://…/twilio/media-stream). */
  readonly streamUrl: string;
  /** The call's first stream: its CallSid, account and parameters. */
  readonly start: StartInfo;
  /** How long the new stream may take after the redirect was accepted (default handoff.ts PARK_MS). */
  readonly timeoutMs?: number;
}

export class TwilioKeypad implements KeypadPort {
  readonly mode = 'twilio' as const;
  readonly #o: TwilioKeypadOptions;

  constructor(o: TwilioKeypadOptions) {
    this.#o = o;
  }

  async pressKeys(keys: string, signal?: AbortSignal): Promise<void> {
    checkKeys(keys);
    // Not KeysRejected: the in-band keypad can still press these.
    if (/[A-D]/.test(keys)) throw new Error('<Play digits> cannot play the keys A-D');
    signal?.throwIfAborted();
    const { start, tokens, handoffs } = this.#o;
    const callId = start.customParameters.callId ?? '';
    const { [STREAM_TOKEN_PARAM]: _old, [HANDOFF_PARAM]: _mark, ...callParams } = start.customParameters;
    const parameters: Record<string, string> = { ...callParams, [HANDOFF_PARAM]: '1' };
    parameters[STREAM_TOKEN_PARAM] = tokens.mint({ callSid: start.callSid, accountSid: start.accountSid, parameters });
    const resumed = handoffs.expect(callId, this.#o.timeoutMs);
    resumed.catch(() => undefined); // observed below; a failed redirect cancels it first
    try {
      await this.#o.rest.redirect(start.callSid, playDigitsTwiml(keys, this.#o.streamUrl, parameters));
    } catch (e) {
      handoffs.cancel(callId, e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
    await resumed;
  }
}
