import type { Topic } from '../src/facts/model.js';
import type { FlowScript } from '../src/flows/script.js';
import { sayGymName } from '../src/facts/say.js';
import type { Language } from '../src/language/index.js';
import { packFor } from '../src/language/packs.js';
import { questionFor } from './text.js';

// Lines the machine says itself in the line's situations: no LLM round trip (a screening assistant and a
// voicemail do not wait, and hold, phone tree and voicemail never reach the LLM at all). Worded in the call's
// language (src/language/).

/**
 * An E.164 number as said on a voicemail, digit by digit in groups (+1 201 555 0123 → "two zero one, five five
 * five, zero one two three"); the country code is left out for North American numbers, as people say them.
 */
export function sayPhoneNumber(e164: string, language?: Language): string {
  const digits = e164.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const groups =
    national.length === 10
      ? [national.slice(0, 3), national.slice(3, 6), national.slice(6)]
      : (national.match(/.{1,3}/g) ?? []);
  const words = packFor(language).digits;
  return groups.map((g) => [...g].map((d) => words[Number(d)]).join(' ')).join(', ');
}

const about = (gymName: string, language: Language | undefined) => sayGymName(gymName) ?? packFor(language).theGym;

/** To a call-screening assistant: who and why, in one short sentence. */
export function screeningLine(gymName: string, language?: Language): string {
  return packFor(language).screening(about(gymName, language));
}

/** To a new voice after a transfer: one sentence of who and why (not a second greeting), then what is missing. */
export function reintroductionLines(
  gymName: string,
  next: Topic | undefined,
  flow?: FlowScript,
  language?: Language,
): string[] {
  const intro = packFor(language).reintroduction(about(gymName, language));
  return next === undefined ? [intro] : [intro, questionFor(next, undefined, flow, language)];
}

/** The message left after a voicemail's beep: who, why, how to call back, goodbye. */
export function voicemailLines(gymName: string, callbackNumber: string | undefined, language?: Language): string[] {
  const said = callbackNumber === undefined ? undefined : sayPhoneNumber(callbackNumber, language);
  return packFor(language).voicemail(about(gymName, language), said);
}
