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
