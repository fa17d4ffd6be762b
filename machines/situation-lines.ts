import type { Topic } from '../src/facts/model.js';
import type { FlowScript } from '../src/flows/script.js';
import { sayGymName } from '../src/facts/say.js';
import { questionFor } from './text.js';

// Lines the machine says itself in the line's situations: no LLM round trip (a screening assistant and a
// voicemail do not wait, and hold, phone tree and voicemail never reach the LLM at all).

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * An E.164 number as said on a voicemail, digit by digit in groups (+1 201 555 0123 → "two zero one, five five
 * five, zero one two three"); the country code is left out for North American numbers, as people say them.
 */
export function sayPhoneNumber(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const groups =
    national.length === 10
      ? [national.slice(0, 3), national.slice(3, 6), national.slice(6)]
      : (national.match(/.{1,3}/g) ?? []);
  return groups.map((g) => [...g].map((d) => DIGIT_WORDS[Number(d)]).join(' ')).join(', ');
}

const about = (gymName: string) => {
  const name = sayGymName(gymName);
  return name === undefined ? 'the gym' : name;
};

/** To a call-screening assistant: who and why, in one short sentence. */
export function screeningLine(gymName: string): string {
  return `This is an automated assistant calling ${about(gymName)} with a quick question about opening hours, prices and classes.`;
}

/** To a new voice after a transfer: one sentence of who and why (not a second greeting), then what is missing. */
export function reintroductionLines(gymName: string, next: Topic | undefined, flow?: FlowScript): string[] {
  const intro = `Hi, I'm an automated assistant calling ${about(gymName)} about its hours, prices and classes.`;
  return next === undefined ? [intro] : [intro, questionFor(next, undefined, flow)];
}

/** The message left after a voicemail's beep: who, why, how to call back, goodbye. */
export function voicemailLines(gymName: string, callbackNumber: string | undefined): string[] {
  const who = `Hi, this is an automated assistant calling ${about(gymName)} about your opening hours, membership prices and classes.`;
  const back =
    callbackNumber === undefined
      ? "We'll try again another time."
      : `Please call us back at ${sayPhoneNumber(callbackNumber)}.`;
  return [who, back, 'Thank you, goodbye!'];
}
