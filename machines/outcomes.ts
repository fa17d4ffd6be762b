import type { Topic } from '../src/facts/model.js';

// What a call came to: the one list of outcome names every layer uses (the call machine decides it, the call's end
// report carries it, the database, the API, the review page, the export and `gym-agent call --wait` show it).
// An outcome is not an end reason: `EndReason` says why the line was closed (facts complete, the caller hung up,
// ...), the outcome what the call achieved or ran into (a voicemail, a phone tree that never reached a person).

export const CALL_OUTCOMES = [
  /** A person answered every topic. */
  'completed',
  /** A person talked; some topics are still missing (and not all of them refused). */
  'partial',
  /** A person talked; every topic still missing was refused ("check our website"). */
  'refused',
  /** The person asked to be called back (a callback request is stored on the call). */
  'callback-requested',
  /** Nobody spoke: the line stayed silent until the agent gave up, or the call ended before anyone answered. */
  'no-answer',
  /** The phone tree never reached a person: its menu looped or did not understand our keys. */
  'ivr-stuck',
  /** On hold longer than HOLD_MAX_MS. */
  'hold-timeout',
  /** A voicemail greeting: a message was left after the beep. */
  'voicemail-left',
  /** A voicemail greeting said the mailbox is full: nothing could be left. */
  'voicemail-full',
  /** A voicemail greeting: hung up without a message (VOICEMAIL=hangup). */
  'voicemail-skipped',
  /** The number is not the gym's. */
  'wrong-number',
  /** The business that answered is not a gym. */
  'not-a-gym',
  /** The gym has closed for good. */
  'permanently-closed',
  /** The gym asked not to be called again: the number goes on the do-not-call list (src/compliance/). */
  'do-not-call',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Outcomes the conversation itself decides (the LLM's end-with-outcome tool, the offline interviewer). */
export const SPOKEN_OUTCOMES = ['wrong-number', 'not-a-gym', 'permanently-closed', 'do-not-call'] as const;
export type SpokenOutcome = (typeof SPOKEN_OUTCOMES)[number];

export function isCallOutcome(s: string): s is CallOutcome {
  return (CALL_OUTCOMES as readonly string[]).includes(s);
}

/** A topic the gym would not answer on the phone: never asked again in this call. */
export interface Refusal {
  topic: Topic;
  /** The caller's words that refused it. */
  words: string;
  /** The web address they pointed to, if they gave one ("it's on ironTemple.com"). */
  website?: string | undefined;
}

/** "Call back after two and ask for Mike": when, whom and about what, as the gym said it. */
export interface CallbackRequest {
  /** Earliest time to call back, ISO 8601 local time of the gym without offset ("2026-12-06T14:00"), if said. */
  earliestLocal?: string | undefined;
  /** The person to ask for, if named. */
  person?: string | undefined;
  /** Topics the callback is for (default: the ones still missing when it was asked). */
  topics: Topic[];
  /** The caller's words. */
  words: string;
}

/** Where on the line the caller's words came from, when not a person in conversation. */
export const SITUATIONS = ['phone-tree', 'hold', 'voicemail', 'screening'] as const;
export type Situation = (typeof SITUATIONS)[number];

/** One level of a phone tree as pressed: the keys and what the menu said before them. */
export interface IvrStep {
  digits: string;
  /** The menu's words as normalised for comparison (machines/situation-words.ts menuFingerprint). */
  fingerprint: string;
}
