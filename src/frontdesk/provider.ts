import type { Logger } from '../log.js';
import type { ConversationInput, LlmChunk, LlmProvider } from '../providers/llm/types.js';
import { SentenceSplitter } from '../providers/sentences.js';
import { normalize } from '../facts/numbers.js';
import { spanishTokens } from '../facts/spanish.js';
import { checkSentence, sentenceKeys, type GuardProblem } from './guard.js';
import type { DeskKnowledge } from './knowledge.js';
import { deskLines } from './lines.js';
import type { DeskBrain } from './receptionist.js';

// A front-desk call's conversation behind the LlmProvider interface the reply actor speaks to: the desk's brain
// (offline receptionist or model) answers, and every sentence it writes passes the guard (guard.ts) before it can
// reach the speaker, read in the language the agent speaks now; the sentences the desk built in this call (its
// lookups' answers, the message read back) and the name of a message it stored are given to the guard, which passes
// them as they are. A sentence with a claim the stored facts do not back, or a word off the guard's closed
// vocabulary, is replaced by "I don't have that information" in that language (once per reply). Facts are never
// recorded from a front-desk call (its caller is not the gym), and the interview's line tools (keys, hold,
// voicemail, refusals, callbacks) mean nothing here: both are dropped.

export interface FrontDeskOptions {
  readonly brain: DeskBrain;
  /** The gym's knowledge, read once when the call starts (undefined: it could not be read). */
  readonly knowledge: Promise<DeskKnowledge | undefined>;
  /** Whether a staff number is set for the number called (read with the knowledge). */
  readonly staff: Promise<boolean>;
  readonly log: Logger;
  /** Each sentence the guard stopped, by the kinds of claim it could not back (metrics; never the words). */
  readonly onBlocked?: ((problems: GuardProblem[]) => void) | undefined;
}

export class FrontDeskLlm implements LlmProvider {
  readonly name: string;
  readonly model: string | undefined;
  readonly capabilities = { streaming: true, tools: true } as const;
  readonly #o: FrontDeskOptions;
  /** The sentences the desk built in this call (its lookups' answers, the message read back), as keys. */
  readonly #built = new Set<string>();
  /** Words the desk stored in this call: the name of a message taken, which it may say back. */
  readonly #stored = new Set<string>();

  constructor(o: FrontDeskOptions) {
    this.#o = o;
    this.name = `front-desk:${o.brain.name}`;
    this.model = o.brain.model;
  }

  warm(signal?: AbortSignal): Promise<void> {
    return this.#o.brain.warm?.(signal) ?? Promise.resolve();
  }

  async *respond(input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk> {
    const knowledge = await this.#o.knowledge.catch(() => undefined);
    const staff = await this.#o.staff.catch(() => false);
    const language = input.language ?? 'en';
    const built = (sentences: readonly string[]) => {
      for (const x of sentences) for (const key of sentenceKeys(x)) this.#built.add(key);
    };
    const turn = { history: input.history, knowledge, staff, language, built };
    // The caller's words: a phone number read back from them ("we'll call you back on ...") is theirs, not the gym's.
    const callerSaid = input.history
      .filter((h) => h.speaker === 'caller' && h.situation === undefined)
      .map((h) => h.text)
      .join(' ; ');
    // Sentence ends only (no clause cuts): the guard reads whole claims.
    const splitter = new SentenceSplitter({ firstClauseMinChars: 10_000, clauseMinChars: 10_000, maxChars: 600 });
    let replaced = false;
    const held: LlmChunk[] = [];
    // The splitter keeps "six a.m. to ten p.m. On sunday ..." together (a.m./p.m. are abbreviations to it): a
    // meridiem before a capital letter ends a sentence here, so each sentence is judged, and spoken, on its own.
    const pass = (text: string): LlmChunk[] => text.split(MERIDIEM_END).flatMap(passOne);
    const passOne = (sentence: string): LlmChunk[] => {
      const verdict = checkSentence(sentence, knowledge ?? EMPTY, language, {
        callerSaid,
        built: this.#built,
        stored: this.#stored,
      });
      if (verdict.ok) return [{ type: 'text', delta: `${sentence} ` }];
      this.#o.onBlocked?.(verdict.problems);
      this.#o.log.warn(
        { problems: verdict.problems },
        'front desk: a sentence the stored facts do not back was stopped',
      );
      if (replaced) return [];
      replaced = true;
      return [{ type: 'text', delta: `${deskLines(language).unknown} ` }];
    };
    for await (const c of this.#o.brain.respond(turn, signal, input)) {
      if (signal.aborted) return;
      switch (c.type) {
        case 'text':
          for (const s of splitter.push(c.delta)) yield* pass(s);
          break;
        case 'done': {
          const rest = splitter.flush();
          if (rest !== undefined) yield* pass(rest);
          // Message and transfer events after the words that go with them ("I'll put you through now").
          yield* held.splice(0);
          yield c;
          return;
        }
        case 'desk':
          if (c.event.type === 'REPLY.MESSAGE')
            for (const w of [...normalize(c.event.message.name), ...spanishTokens(c.event.message.name)])
              this.#stored.add(w);
          held.push(c);
          break;
        case 'end-call':
          held.push(c);
          break;
        case 'invalid-tool':
          yield c;
          break;
        default:
          // facts, asked, press-keys, hold, voicemail, refusal, callback, outcome: not a front desk's.
          break;
      }
    }
    const rest = splitter.flush();
    if (rest !== undefined) yield* pass(rest);
    yield* held.splice(0);
  }
}

const MERIDIEM_END = /(?<=\b[ap]\.m\.)\s+(?=[A-Z¿¡])/;

/** What a gym whose facts could not be read is known to be: nothing, so every claim is blocked. */
const EMPTY: DeskKnowledge = {
  gymName: '',
  timeZone: 'UTC',
  hours: {},
  pricing: [],
  classes: [],
  stale: [],
  today: { day: 'mon', date: '', hours: undefined, holiday: undefined },
  tomorrow: { day: 'tue', date: '', hours: undefined, holiday: undefined },
  week: [],
  holidays: [],
  country: undefined,
};
