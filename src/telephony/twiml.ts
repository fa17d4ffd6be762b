import twilio from 'twilio';
import type { Language } from '../language/index.js';

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

/** Twilio's <Say> voices by the call's language (they have Mexican Spanish, not the packs' Latin-American tag). */
const SAY_LANGUAGE: Readonly<Record<Language, 'en-US' | 'es-MX'>> = { en: 'en-US', es: 'es-MX' };

/** How long the staff's phone rings before the caller hears `unanswered` and the call ends. */
export const DIAL_TIMEOUT_S = 25;

/**
 * The front desk's transfer (src/frontdesk/transfer.ts): the caller leaves our media stream and Twilio dials `to`.
 * Nobody answers, the line is busy or it fails: Twilio goes on to the next verb, so the caller hears why in the
 * call's language and the call ends, instead of silence and a dead line.
 */
export function dialTwiml(to: string, unanswered: { text: string; language: Language }): string {
  return sayDialTwiml(unanswered.language, undefined, { to, unanswered: unanswered.text });
}

/**
 * An inbound call the server cannot hold (its language is one the recogniser does not hear): `apology` said in
 * that language, then `dial` (the staff) as the transfer's, else the call ends.
 */
export function sayDialTwiml(
  language: Language,
  apology: string | undefined,
  dial?: { to: string; unanswered: string },
): string {
  const vr = new twilio.twiml.VoiceResponse();
  const say = { language: SAY_LANGUAGE[language] };
  if (apology !== undefined) vr.say(say, apology);
  if (dial !== undefined) {
    vr.dial({ timeout: DIAL_TIMEOUT_S }, dial.to);
    vr.say(say, dial.unanswered);
  }
  vr.hangup();
  return vr.toString();
}
