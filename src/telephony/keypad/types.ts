// The keypad: how the agent presses keys on a call (a phone tree's "press 2"). Two ways, one port:
//   inband — the addon renders ITU-T Q.23 tones into the call's own audio, sent by the paced player like speech
//            (keypad/inband.ts). The media stream stays up; the far end hears exactly what a handset sends.
//   twilio — Twilio plays them: the call is redirected over REST to <Play digits> and then to a new
//            <Connect><Stream> (keypad/twilio.ts). Twilio's tones are clean whatever our audio path does, but the
//            redirect ENDS the media stream and opens another one: about a second without audio either way, while
//            a person or a menu may be talking, and the new stream must be admitted like any (stream-token.ts).
// KEYPAD_MODE picks the first; the other, when it can work on this call, is its fallback (keypad/fallback.ts).

export const KEYPAD_MODES = ['inband', 'twilio'] as const;
export type KeypadMode = (typeof KEYPAD_MODES)[number];

/** Keys a press may hold: 0-9 * # A-D, and 'w' (a half-second pause), at most 32. */
export const KEYS_PATTERN = /^[0-9*#A-Dw]{1,32}$/;

export interface KeypadPort {
  readonly mode: KeypadMode;
  /**
   * Presses `keys` in order. Resolves once they have been played to the far end (inband: Twilio echoed the mark
   * after the last tone; twilio: the new media stream is up again). Rejects with the reason otherwise; aborting
   * `signal` stops waiting (tones already sent still play).
   */
  pressKeys(keys: string, signal?: AbortSignal): Promise<void>;
}

/** A press refused before anything was sent (bad keys): no fallback can do better. */
export class KeysRejected extends Error {
  override readonly name = 'KeysRejected';
}

export function checkKeys(keys: string): void {
  if (typeof keys !== 'string' || !KEYS_PATTERN.test(keys))
    throw new KeysRejected(`keys must be 1-32 of 0-9 * # A-D w, got ${JSON.stringify(String(keys).slice(0, 40))}`);
}
