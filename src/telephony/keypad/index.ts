import type { Dsp } from '../../dsp/types.js';
import type { Logger } from '../../log.js';
import type { StartInfo } from '../call-handler.js';
import type { OutboundPlayer } from '../outbound-player.js';
import { FallbackKeypad } from './fallback.js';
import { InbandKeypad } from './inband.js';
import { TwilioKeypad, type TwilioKeypadOptions } from './twilio.js';
import type { KeypadMode, KeypadPort } from './types.js';

// One call's keypad: KEYPAD_MODE's way first, the other as its fallback, each only where it can work (in-band needs
// the addon's DTMF renderer; Twilio needs REST credentials and the handoff registry).

export interface CallKeypadOptions {
  readonly mode: KeypadMode;
  readonly dsp: Partial<Pick<Dsp, 'dtmfRender'>>;
  /** Without it (no Twilio account configured) there is no Twilio keypad. */
  readonly twilio: Omit<TwilioKeypadOptions, 'start'> | undefined;
  readonly log: Logger;
}

export function createCallKeypad(
  o: CallKeypadOptions,
  start: StartInfo,
  player: OutboundPlayer,
): KeypadPort | undefined {
  const render = o.dsp.dtmfRender;
  const inband = render && new InbandKeypad(player, { dtmfRender: (k, tone, gap) => render(k, tone, gap) });
  const twilio = o.twilio && new TwilioKeypad({ ...o.twilio, start });
  const ordered = (o.mode === 'twilio' ? [twilio, inband] : [inband, twilio]).filter(
    (k): k is InbandKeypad | TwilioKeypad => k !== undefined,
  );
  if (ordered.length === 0) return undefined;
  return ordered.length === 1 ? ordered[0] : new FallbackKeypad(ordered, o.log);
}
