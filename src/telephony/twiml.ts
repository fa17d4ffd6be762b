import twilio from 'twilio';

// TwiML is built with the twilio helper so escaping is never our problem. The Stream URL carries no query
// string (Twilio drops it); call identity travels as <Parameter>s and arrives in start.customParameters.

export function connectStreamTwiml(streamUrl: string, parameters: Readonly<Record<string, string>>): string {
  const vr = new twilio.twiml.VoiceResponse();
  const stream = vr.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  return vr.toString();
}

/** Answered outbound call we no longer want (e.g. the API record is gone): end it politely. */
export function hangupTwiml(): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.hangup();
  return vr.toString();
}

/**
 * The Twilio keypad's redirect (keypad/twilio.ts): play `digits` on the call, then connect a new media stream with
 * `parameters` (the call's, its fresh token and the handoff mark).
 */
export function playDigitsTwiml(
  digits: string,
  streamUrl: string,
  parameters: Readonly<Record<string, string>>,
): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.play({ digits });
  const stream = vr.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  return vr.toString();
}

/** The front desk's transfer (src/frontdesk/transfer.ts): the caller leaves our media stream and Twilio dials `to`. */
export function dialTwiml(to: string): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.dial(to);
  return vr.toString();
}
