import type { DeskMessage, DeskReplyEvent } from '../../machines/events.js';
import { normalize } from '../facts/numbers.js';
import type { ConversationInput, HistoryTurn, LlmChunk } from '../providers/llm/types.js';
import { amenityAnswer, classesAnswer, hoursAnswer, priceAnswer, type DeskAnswer } from './answers.js';
import { deskIntent } from './intent.js';
import type { DeskKnowledge } from './knowledge.js';
import { DESK_LINES, messageTakenLine } from './lines.js';
import { e164 } from './store.js';

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
const DIGIT: Record<string, string> = {
  to: '2',
  too: '2',
  for: '4',
  won: '1',
  zero: '0',
  oh: '0',
  o: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

/** The digits said ("five five five, one two three..." or "555 123 4567"), "double five" included. */
export function digitsIn(text: string): string {
  const tokens = normalize(text);
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

/** A callback number from its digits: E.164 when it reads as one (a US number without its +1 too), else the digits. */
export function callbackNumber(digits: string): string | undefined {
  if (digits.length < 7 || digits.length > 15) return undefined;
  return e164(digits.length === 10 ? digits : `+${digits}`) ?? e164(digits) ?? digits;
}

const NAME_LEADS =
  /^(?:(?:hi|hello|yes|yeah|sure|okay|ok|um|uh)[,.!]?\s+)*(?:(?:my name is|my name's|the name is|this is|it's|it is|i'm|i am|name's)\s+)?(?:(?:the|a|um|uh)\s+)*/i;

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

const CANCEL = /\b(never ?mind|forget it|cancel|no thanks|don't bother)\b/i;

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

function answered(a: DeskAnswer): string[] {
  return [...a.sentences, a.known ? DESK_LINES.anythingElse : DESK_LINES.offerMessage];
}

export class OfflineReceptionist implements DeskBrain {
  readonly name = 'offline-receptionist';

  async *respond(turn: DeskTurn): AsyncIterable<LlmChunk> {
    yield* this.#turn(turn);
  }

  *#turn(turn: DeskTurn): Generator<LlmChunk> {
    const { asked, said } = lastExchange(turn.history);
    // Taking a message: the step is the question just asked.
    const inMessage =
      asked.includes(DESK_LINES.messageName) ||
      asked.includes(DESK_LINES.messageNumber) ||
      asked.includes(DESK_LINES.messageNumberAgain) ||
      asked.includes(DESK_LINES.messageReason);
    if (inMessage && CANCEL.test(said))
      return yield* say([DESK_LINES.messageCancelled, DESK_LINES.anythingElse], [{ type: 'REPLY.MESSAGE_CANCELLED' }]);
    if (asked.includes(DESK_LINES.messageName)) {
      return yield* say(nameFrom(said) === undefined ? [DESK_LINES.messageName] : [DESK_LINES.messageNumber]);
    }
    if (asked.includes(DESK_LINES.messageNumber) || asked.includes(DESK_LINES.messageNumberAgain)) {
      const number = callbackNumber(digitsIn(said));
      if (number === undefined) return yield* say([DESK_LINES.messageNumberAgain]);
      return yield* say([DESK_LINES.messageReason]);
    }
    if (asked.includes(DESK_LINES.messageReason)) {
      const message = this.#message(turn.history, said);
      if (message === undefined) return yield* say([DESK_LINES.messageName]);
      return yield* say(
        [messageTakenLine(message.name, message.callbackNumber), DESK_LINES.anythingElse],
        [{ type: 'REPLY.MESSAGE', message }],
      );
    }
    const k = turn.knowledge;
    const intent = deskIntent(said);
    switch (intent.kind) {
      case 'hours':
        return yield* say(
          k ? answered(hoursAnswer(k, intent.day)) : [DESK_LINES.hoursUnknown, DESK_LINES.offerMessage],
        );
      case 'price':
        return yield* say(
          k
            ? answered(priceAnswer(k, intent.plan, intent.period))
            : [DESK_LINES.pricesUnknown, DESK_LINES.offerMessage],
        );
      case 'classes':
        return yield* say(
          k ? answered(classesAnswer(k, intent.name)) : [DESK_LINES.classesUnknown, DESK_LINES.offerMessage],
        );
      case 'amenity':
        return yield* say(answered(amenityAnswer(intent.thing)));
      case 'person':
        return turn.staff
          ? yield* say([DESK_LINES.transferring], [{ type: 'REPLY.TRANSFER' }])
          : yield* say([DESK_LINES.noStaff, DESK_LINES.offerMessage]);
      case 'message':
        return yield* say([DESK_LINES.messageName], [{ type: 'REPLY.MESSAGE_STARTED' }]);
      case 'goodbye':
        yield { type: 'end-call', reason: 'caller-request' };
        return yield* say([]);
      case 'no':
        if (asked.includes(DESK_LINES.anythingElse)) {
          yield { type: 'end-call', reason: 'caller-request' };
          return yield* say([]);
        }
        return yield* say([DESK_LINES.notUnderstood]);
      case 'unclear':
        // "Yes" to the offer of a message starts one.
        if (asked.includes(DESK_LINES.offerMessage) && /^\s*(yes|yeah|sure|please|okay|ok)\b/i.test(said))
          return yield* say([DESK_LINES.messageName], [{ type: 'REPLY.MESSAGE_STARTED' }]);
        return yield* say([DESK_LINES.notUnderstood]);
    }
  }

  /** The message from the answers to the three questions (the reason is the caller's last words). */
  #message(history: readonly HistoryTurn[], reason: string): DeskMessage | undefined {
    const name = nameFrom(answerTo(history, DESK_LINES.messageName) ?? '');
    const numberWords = answerTo(history, DESK_LINES.messageNumberAgain) ?? answerTo(history, DESK_LINES.messageNumber);
    const number = callbackNumber(digitsIn(numberWords ?? ''));
    const why = reason.trim().replace(/^(it's|it is)\s+/i, '');
    if (name === undefined || number === undefined || why === '') return undefined;
    return { name, callbackNumber: number, reason: why.slice(0, 2000) };
  }
}
