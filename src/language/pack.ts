import type { Day, Topic } from '../facts/model.js';
import type { CallDirection, EndReason } from '../../machines/events.js';
import type { SpokenOutcome } from '../../machines/outcomes.js';
import type { Language } from './index.js';

// A language pack: every fixed line the agent says on a call in one language, and the few words its own
// heuristics need to hear (goodbye, confirmation). The call machine (machines/text.ts, situation-lines.ts), the
// offline interviewer (src/providers/llm/offline.ts) and the recording notice take their words from here, so a
// call never says an English line in a Spanish conversation. Lines are plain text for a TTS: no markup.

export interface LanguagePack {
  readonly language: Language;
  /** The call machine's own question per topic, and the topic's name in "a few questions about your …". */
  readonly questions: Readonly<Record<Topic, string>>;
  readonly topicNames: Readonly<Record<Topic, string>>;
  /** "a, b and c". */
  list(items: readonly string[]): string;
  /** The greeting's first utterance; `name` undefined: a gym we have no name for. */
  introduction(direction: CallDirection, name: string | undefined, about: string, askFor: string | undefined): string;
  /** Appended to a flow variant's own introduction when the gym asked us to call back for someone. */
  callingBackFor(askFor: string): string;
  /** The idle re-prompt, `n` counting from 1, naming the topic last asked. */
  reprompt(n: number, topic: Topic | undefined): string;
  readonly holdingLines: readonly string[];
  readonly apologyLines: readonly string[];
  readonly clarifyLines: readonly string[];
  goodbye(reason: EndReason): string;
  /** Digits as said one by one (a callback number on a voicemail). */
  readonly digits: readonly string[];
  /** A gym we have no name for, in "calling …". */
  readonly theGym: string;
  /** To a call-screening assistant: who and why. */
  screening(gym: string): string;
  /** To a new voice after a transfer (not a second greeting). */
  reintroduction(gym: string): string;
  /** After a voicemail's beep: who and why, how to call back (`number` already said digit by digit), goodbye. */
  voicemail(gym: string, number: string | undefined): string[];
  readonly recordingNotice: string;
  /** The offline interviewer's lines and the words it listens for (src/providers/llm/offline.ts). */
  readonly interviewer: InterviewerLines;
  /** What the LLM is told about the language it must speak (src/providers/llm/prompt.ts). */
  readonly promptRule: string;
}

export interface InterviewerLines {
  readonly question: Readonly<Record<Topic, string>>;
  readonly clarify: Readonly<Record<Topic, string>>;
  readonly reprompt: Readonly<Record<Topic, string>>;
  readonly stillThere: string;
  /** "What about saturday and sunday?", and a test that recognises any such line. */
  otherDays(days: readonly Day[]): string;
  readonly otherDaysAsked: RegExp;
  readonly acks: readonly string[];
  readonly goodbyeDone: string;
  readonly goodbyePartial: string;
  readonly goodbyeCaller: string;
  readonly changed: Readonly<Record<Topic, string>>;
  /** The interviewer's own greeting; `about` is the gym's name or `yourGym`. */
  greeting(direction: CallDirection, about: string, forWhom: string | undefined): string;
  readonly yourGym: string;
  readonly outcome: Readonly<Record<SpokenOutcome, string>>;
  callback(person: string | undefined): string;
  readonly refusalAck: string;
  /** "Let me transfer you" with a topic never asked: that question first, said before the transfer. */
  beforeTransfer(question: string): string;
  /** Nothing left to ask this person before the transfer: wait for it. */
  readonly holdForTransfer: string;
  /** A confirmation's answer, as word phrases on normalised tokens. */
  readonly yes: readonly string[];
  readonly no: readonly string[];
  readonly unchanged: readonly string[];
  /** Words of a caller correcting herself ("actually", "I mean"): what she says again then replaces what was heard. */
  readonly corrections: readonly string[];
}
