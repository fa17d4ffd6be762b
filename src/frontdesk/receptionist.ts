import type { DeskMessage, DeskReplyEvent } from '../../machines/events.js';
import { normalize } from '../facts/numbers.js';
import { spanishTokens } from '../facts/spanish.js';
import { UNITS } from '../facts/vocabulary.js';
import type { Language } from '../language/index.js';
import type { ConversationInput, HistoryTurn, LlmChunk } from '../providers/llm/types.js';
import {
  amenityAnswer,
  classesAnswer,
  holidayAnswer,
  hoursAnswer,
  namedHoliday,
  priceAnswer,
  type DeskAnswer,
} from './answers.js';
import { deskIntent } from './intent.js';
import type { DeskKnowledge } from './knowledge.js';
import { deskLines, type DeskLines } from './lines.js';
import { e164 } from './store.js';
import type { CountryCode } from 'libphonenumber-js';

// The offline front desk: a deterministic receptionist behind the desk brain interface (provider.ts wraps it in
// the guard, like the OpenAI desk). Each turn it reads the caller's last words (intent.ts) and answers from the
// gym's knowledge (answers.ts); a message is taken over three turns (name, number, reason), each step known from
// the question the agent last asked, so it keeps no state of its own and one instance serves every call.

/** One turn of a front-desk conversation, as the desk's brains get it. */
export interface DeskTurn {
  readonly history: readonly HistoryTurn[];
  /** The gym's stored facts; undefined: they could not be read (everything is then unknown). */
  readonly knowledge: DeskKnowledge | undefined;
  /** A staff number is set: the caller can be put through. */
  readonly staff: boolean;
  /** The language the agent speaks now (the call's, or the one the caller switched to). */
  readonly language: Language;
  /**
   * Tells the guard the sentences the desk built in this call from the stored facts or the caller's own values
   * (its lookups' answers, the message read back): those may be spoken as they are (guard.ts, built).
   */
  readonly built?: ((sentences: readonly string[]) => void) | undefined;
}

/** A front desk's conversation: the offline receptionist or a model with the desk's tools. */
export interface DeskBrain {
  readonly name: string;
  readonly model?: string | undefined;
  /** `input`: the machine's reply input (its usage and metric sinks; the history is the turn's). */
  respond(turn: DeskTurn, signal: AbortSignal, input: ConversationInput): AsyncIterable<LlmChunk>;
  warm?(signal?: AbortSignal): Promise<void>;
}

/** Digit words, with what a recogniser writes for them in a number ("to" for two, "for" for four). */
const DIGIT: Readonly<Record<string, string>> = {
  ...Object.fromEntries(UNITS.slice(0, 10).map((word, d) => [word, String(d)])),
  oh: '0',
  o: '0',
  to: '2',
  too: '2',
  for: '4',
  won: '1',
};

/**
 * The digits said ("five five five, one two three..." or "555 123 4567"), "double five" included; Spanish digit
 * words ("cinco cinco cinco") are read as spanish.ts writes them, as digits.
 */
export function digitsIn(text: string, language?: Language): string {
  const tokens = language === 'es' ? spanishTokens(text) : normalize(text);
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (/^\d+$/.test(t)) out += t;
    else if (DIGIT[t] !== undefined) out += DIGIT[t];
    else if ((t === 'double' || t === 'triple') && DIGIT[tokens[i + 1] ?? ''] !== undefined) {
      out += (DIGIT[tokens[i + 1] as string] as string).repeat(t === 'double' ? 2 : 3);
      i++;
    }
  }
  return out;
}

/**
 * A callback number from its digits: E.164 when it reads as one, else the digits. Callers say their number as it
 * is dialled in the gym's country (`country`; unknown: the US), so that reading comes first (a Mexican caller's ten
 * digits are +52, not +1); then the digits as an international number whose + was not said.
 */
export function callbackNumber(digits: string, country: CountryCode = 'US'): string | undefined {
  if (digits.length < 7 || digits.length > 15) return undefined;
  return e164(digits, country) ?? e164(`+${digits}`) ?? digits;
}

const NAME_LEADS =
  /^(?:(?:hi|hello|yes|yeah|sure|okay|ok|um|uh|hola|sí|si|claro|bueno|este)[,.!]?\s+)*(?:(?:my name is|my name's|the name is|this is|it's|it is|i'm|i am|name's|me llamo|mi nombre es|soy|habla)\s+)?(?:(?:the|a|um|uh)\s+)*/i;

/** "My name is john smith." → "John Smith" (at most four words, letters, apostrophes and hyphens). */
export function nameFrom(text: string): string | undefined {
  const rest = text.trim().replace(NAME_LEADS, '');
  const words = rest
    .replace(/[^\p{L}'\-\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 4);
  if (words.length === 0) return undefined;
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

const CANCEL =
  /\b(never ?mind|forget it|cancel|no thanks|don't bother|olv[ií]delo|d[eé]jelo|cancel[ae]|no gracias|mejor no)\b/i;
const YES = /^\s*(yes|yeah|sure|please|okay|ok|s[ií]|claro|por favor|bueno|dale|de acuerdo)(?=[\s,.!]|$)/i;

/** The last caller words and the agent turn before them (what the caller was answering). */
function lastExchange(history: readonly HistoryTurn[]): { asked: string; said: string; index: number } {
  let i = history.length - 1;
  while (i >= 0 && history[i]?.speaker !== 'caller') i--;
  const said = history[i]?.text ?? '';
  let j = i - 1;
  while (j >= 0 && history[j]?.speaker !== 'agent') j--;
  return { asked: history[j]?.text ?? '', said, index: i };
}

/** The caller's answer to the agent's `line` (the last time it was asked), if they gave one. */
function answerTo(history: readonly HistoryTurn[], line: string): string | undefined {
  for (let i = history.length - 1; i > 0; i--) {
    const t = history[i];
    const before = history[i - 1];
    if (t?.speaker === 'caller' && before?.speaker === 'agent' && before.text.includes(line)) return t.text;
  }
  return undefined;
}

function* say(sentences: readonly string[], events: readonly DeskReplyEvent[] = []): Generator<LlmChunk> {
  for (const s of sentences) yield { type: 'text', delta: `${s} ` };
  for (const e of events) yield { type: 'desk', event: e };
  yield { type: 'done', finishReason: 'stop' };
}

function answered(L: DeskLines, a: DeskAnswer): string[] {
  return [...a.sentences, a.known ? L.anythingElse : L.offerMessage];
}

export class OfflineReceptionist implements DeskBrain {
  readonly name = 'offline-receptionist';

  async *respond(turn: DeskTurn): AsyncIterable<LlmChunk> {
    // Every sentence it says is built here, from lines.ts and answers.ts: the desk's own, said as built.
    for (const c of this.#turn(turn)) {
      if (c.type === 'text') turn.built?.([c.delta]);
      yield c;
    }
  }

  *#turn(turn: DeskTurn): Generator<LlmChunk> {
    const { asked, said } = lastExchange(turn.history);
    const L = deskLines(turn.language);
    const lang = turn.language;
    // Taking a message: the step is the question just asked.
    const inMessage =
      asked.includes(L.messageName) ||
      asked.includes(L.messageNumber) ||
      asked.includes(L.messageNumberAgain) ||
      asked.includes(L.messageReason);
    if (inMessage && CANCEL.test(said))
      return yield* say([L.messageCancelled, L.anythingElse], [{ type: 'REPLY.MESSAGE_CANCELLED' }]);
    if (asked.includes(L.messageName)) {
      return yield* say(nameFrom(said) === undefined ? [L.messageName] : [L.messageNumber]);
    }
    if (asked.includes(L.messageNumber) || asked.includes(L.messageNumberAgain)) {
      const number = callbackNumber(digitsIn(said, lang), turn.knowledge?.country);
      if (number === undefined) return yield* say([L.messageNumberAgain]);
      return yield* say([L.messageReason]);
    }
    if (asked.includes(L.messageReason)) {
      const message = this.#message(L, turn, said);
      if (message === undefined) return yield* say([L.messageName]);
      return yield* say(
        [L.messageTaken(message.name, message.callbackNumber), L.anythingElse],
        [{ type: 'REPLY.MESSAGE', message }],
      );
    }
    const k = turn.knowledge;
    const intent = deskIntent(said, lang);
    // "Are you open on Christmas?": a coming public holiday named is answered as one, whatever day it falls on.
    const holiday =
      k && (intent.kind === 'hours' || intent.kind === 'unclear') ? namedHoliday(k, said, lang) : undefined;
    if (holiday !== undefined) return yield* say(answered(L, holidayAnswer(holiday, lang)));
    switch (intent.kind) {
      case 'hours':
        return yield* say(k ? answered(L, hoursAnswer(k, intent.day, lang)) : [L.hoursUnknown, L.offerMessage]);
      case 'price':
        return yield* say(
          k ? answered(L, priceAnswer(k, intent.plan, intent.period, lang)) : [L.pricesUnknown, L.offerMessage],
        );
      case 'classes':
        return yield* say(k ? answered(L, classesAnswer(k, intent.name, lang)) : [L.classesUnknown, L.offerMessage]);
      case 'amenity':
        return yield* say(answered(L, amenityAnswer(intent.thing, lang)));
      case 'person':
        return turn.staff
          ? yield* say([L.transferring], [{ type: 'REPLY.TRANSFER' }])
          : yield* say([L.noStaff, L.offerMessage]);
      case 'message':
        return yield* say([L.messageName], [{ type: 'REPLY.MESSAGE_STARTED' }]);
      case 'goodbye':
        yield { type: 'end-call', reason: 'caller-request' };
        return yield* say([]);
      case 'no':
        if (asked.includes(L.anythingElse)) {
          yield { type: 'end-call', reason: 'caller-request' };
          return yield* say([]);
        }
        return yield* say([L.notUnderstood]);
      case 'unclear':
        // "Yes" to the offer of a message starts one.
        if (asked.includes(L.offerMessage) && YES.test(said))
          return yield* say([L.messageName], [{ type: 'REPLY.MESSAGE_STARTED' }]);
        return yield* say([L.notUnderstood]);
    }
  }

  /** The message from the answers to the three questions (the reason is the caller's last words). */
  #message(L: DeskLines, turn: DeskTurn, reason: string): DeskMessage | undefined {
    const history = turn.history;
    const name = nameFrom(answerTo(history, L.messageName) ?? '');
    const numberWords = answerTo(history, L.messageNumberAgain) ?? answerTo(history, L.messageNumber);
    const number = callbackNumber(digitsIn(numberWords ?? '', L.language), turn.knowledge?.country);
    const why = reason.trim().replace(/^(it's|it is|es|se trata de)\s+/i, '');
    if (name === undefined || number === undefined || why === '') return undefined;
    return { name, callbackNumber: number, reason: why.slice(0, 2000) };
  }
}
