import {
  DAYS,
  type Day,
  gymFactsSchema,
  mergeFacts,
  missingTopics,
  planKey,
  type GymFacts,
  type Topic,
} from '../../facts/model.js';
import { normalize } from '../../facts/numbers.js';
import { parseUtterance } from '../../facts/parse.js';
import { sayGymName } from '../../facts/say.js';
import type { Language } from '../../language/index.js';
import type { InterviewerLines } from '../../language/pack.js';
import { packFor } from '../../language/packs.js';
import { detectTopics } from '../../facts/topics.js';
import type { SpokenOutcome } from '../../../machines/outcomes.js';
import { asksToHearAgain } from '../../../machines/hear-again.js';
import { greetingLines, questionTopics } from '../../../machines/text.js';
import type { CallbackFound } from '../../situations/callback.js';
import type { RefusalFound } from '../../situations/refusal.js';
import { isTransferCue } from '../../situations/cues.js';
import { readSituation } from './offline-situations.js';
import {
  briefTopics,
  type ConversationBrief,
  type ConversationInput,
  type FactToConfirm,
  type FactsOnlyInput,
  type FactsOnlyResult,
  type HistoryTurn,
  type LlmCapabilities,
  type LlmChunk,
  type LlmProvider,
} from './types.js';
import { flowIn } from '../../language/flow-wording.js';

// The offline conversation policy: a deterministic interviewer behind the LLM interface. It asks about hours,
// then pricing, then classes (skipping whatever the caller already answered; see answeredIn for when a
// volunteered statement counts), parses each answer into facts, asks one clarifying question per topic when an
// answer gave nothing usable (and one follow-up when an hours answer leaves days of the week unaccounted for),
// never asks a topic twice, and says goodbye and ends the call once every topic is answered or has had its one
// clarification.
// It keeps no state of its own: everything is derived from the ConversationInput (facts, asked topics and the
// history as heard), so one instance serves any number of calls.

// Every line, and the yes / no words of a confirmation, are the call's language pack's (src/language/).
const lines = (language: Language | undefined): InterviewerLines => packFor(language).interviewer;

/** A planned call's confirmation of `topic` ("Are you still open ...?"), else the flow's or the open question. */
function question(topic: Topic, input: Pick<ConversationInput, 'brief' | 'flow' | 'language'>): string {
  const confirm = confirmationFor(topic, input.brief);
  if (confirm !== undefined) return confirm.question.charAt(0).toUpperCase() + confirm.question.slice(1);
  return flowIn(input.flow, input.language)?.questions?.[topic] ?? lines(input.language).question[topic];
}

function confirmationFor(topic: Topic | undefined, brief: ConversationBrief | undefined): FactToConfirm | undefined {
  return topic === undefined ? undefined : brief?.factsToConfirm.find((f) => f.topic === topic);
}

// A confirmation's answer: "yes, still the same" keeps the known value (recorded again by this call, which is what
// makes it confirmed); "no, it changed" without the new value asks for it. A statement naming the topic, then a
// question naming none (the `changed` lines): the machine's repeat guard drops a second question about a topic
// already asked (as with `clarify`).
function confirmationAnswer(text: string, words: InterviewerLines): 'yes' | 'no' | undefined {
  const tokens = normalize(text);
  const has = (w: string): boolean => phraseIn(tokens, w);
  if (words.unchanged.some(has)) return 'yes';
  if (words.no.some(has)) return 'no';
  return words.yes.some(has) ? 'yes' : undefined;
}

function phraseIn(tokens: readonly string[], phrase: string): boolean {
  const w = phrase.split(' ');
  return tokens.some((_, i) => w.every((x, k) => tokens[i + k] === x));
}

function greeting(input: ConversationInput, first: Topic | undefined): string {
  // A flow variant's introduction is the call machine's own (the machine says the greeting itself).
  if (flowIn(input.flow, input.language)?.greeting?.[input.direction] !== undefined) {
    const [intro] = greetingLines(input.direction, input.gymName, undefined, input.brief, input.flow, input.language);
    return first ? `${intro} ${question(first, input)}` : intro;
  }
  // An unknown gym (an inbound call from a number we have no name for) is "your gym", never an empty slot.
  const words = lines(input.language);
  const who = words.greeting(input.direction, sayGymName(input.gymName) ?? words.yourGym, input.brief?.askFor);
  return first ? `${who} ${question(first, input)}` : who;
}

/** Whether an agent turn (possibly cut short by a barge-in) was this template. */
function said(turn: HistoryTurn, template: string): boolean {
  const a = turn.text.trim().toLowerCase();
  const b = template.toLowerCase();
  return a === b || (a.length >= 20 && (b.startsWith(a) || a.startsWith(b)));
}

function lastAgentIndex(history: readonly HistoryTurn[]): number {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]?.speaker === 'agent') return i;
  return -1;
}

/** Cue words beyond the topic keywords of detectTopics that show a volunteered statement is meant as an answer. */
const EXTRA_CUES: Readonly<Record<Topic, readonly string[]>> = {
  // English, then Spanish (accents folded).
  hours: ['every day', 'daily', 'weekdays', 'weekends', 'todos los dias', 'entre semana', 'fines de semana'],
  pricing: ['dollars', 'bucks', 'dolares', 'euros', 'pesos'],
  classes: ['offer', 'we offer', 'group', 'ofrecemos', 'tenemos'],
};

function itemCount(facts: Partial<GymFacts>, topic: Topic): number {
  if (topic === 'hours') return Object.keys(facts.hours ?? {}).length;
  return (topic === 'pricing' ? facts.pricing : facts.classes)?.length ?? 0;
}

/**
 * Which of the topics an utterance gave facts for were really answered. A topic the agent asked is answered by
 * whatever the caller said. An unasked one only counts when the statement is strong: several items, or a cue
 * that the caller meant it ("we offer", "classes", "membership"). A stray single mention is more often a
 * misrecognition ("five p.m. sunday" heard as "five dance sunday" is not a dance class) and is left out: its
 * topic stays missing and gets its own question, where the caller's real answer is heard.
 */
export function answeredIn(text: string, parsed: ReturnType<typeof parseUtterance>, asked: readonly Topic[]): Topic[] {
  const cued = new Set(detectTopics(text).topics);
  const tokens = normalize(text);
  return parsed.topics.filter(
    (t) =>
      asked.includes(t) ||
      itemCount(parsed.facts, t) >= 2 ||
      cued.has(t) ||
      EXTRA_CUES[t].some((cue) => phraseIn(tokens, cue)),
  );
}

export interface InterviewPlan {
  text: string[];
  facts: ReturnType<typeof parseUtterance>['facts'] | undefined;
  asked: Topic | undefined;
  endCall: 'facts-complete' | 'caller-request' | 'other' | undefined;
  /** Topics the caller refused in these words (never asked again). */
  refusals?: RefusalFound[];
  callback?: CallbackFound | undefined;
  outcome?: SpokenOutcome | undefined;
}

/** The whole decision for one turn, pure but for `now` (a callback's "after two" is read against it; for tests). */
export function planTurn(input: ConversationInput, now: Date = new Date()): InterviewPlan {
  const asked = new Set(input.asked);
  // A planned call collects only its own topics (asked or confirmed); every topic otherwise. A flow variant may
  // order them.
  const order = input.flow?.topicOrder;
  const among = briefTopics(input.brief, order);
  const nextTopic = (missing: readonly Topic[]): Topic | undefined => missing.find((t) => !asked.has(t));
  if (input.reason === 'greeting') {
    const first = nextTopic(missingTopics(input.facts, among, order));
    return { text: [greeting(input, first)], facts: undefined, asked: first, endCall: undefined };
  }
  const current = input.asked[input.asked.length - 1];
  const say = lines(input.language);
  if (input.reason === 'closing') {
    const done = missingTopics(input.facts, among).length === 0;
    return {
      text: [done ? say.goodbyeDone : say.goodbyePartial],
      facts: undefined,
      asked: undefined,
      endCall: 'other',
    };
  }
  if (input.reason === 'reprompt') {
    return {
      text: [current ? say.reprompt[current] : say.stillThere],
      facts: undefined,
      asked: undefined,
      endCall: undefined,
    };
  }

  const callerText = callerWords(input.history, lastAgentIndex(input.history) + 1);
  const heard = factsIn(callerText, input);
  const { parsed } = heard;
  let { gained, facts } = heard;
  const clarified = (t: Topic): boolean => clarifiedTopic(input.history, t, say);
  const confirming = confirmationFor(current, input.brief);
  const answer = confirming !== undefined && current !== undefined ? confirmationAnswer(callerText, say) : undefined;
  if (confirming !== undefined && answer === 'yes' && !(parsed.topics as Topic[]).includes(confirming.topic)) {
    facts = { ...facts, ...confirming.facts };
    gained = true;
  }
  const merged = mergeFacts(input.facts, facts ?? {});
  const known = new Set(input.refused ?? []);
  const open = missingTopics(merged, among).filter((t) => !known.has(t));
  const line = readSituation(callerText, current, open, now, input.timeZone ?? 'UTC', input.language);
  if (line.outcome !== undefined) {
    return {
      text: [say.outcome[line.outcome]],
      facts: undefined,
      asked: undefined,
      endCall: 'other',
      outcome: line.outcome,
    };
  }
  if (line.callback !== undefined) {
    const text = [say.callback(line.callback.person)];
    return { text, facts, asked: undefined, endCall: 'other', callback: line.callback, refusals: line.refusals };
  }
  // Refused topics are not missing any more: never asked again, and the call closes when nothing else is left.
  const refused = new Set([...known, ...line.refusals.map((r) => r.topic)]);
  const missing = missingTopics(merged, among, order).filter((t) => !refused.has(t));
  const situation = { refusals: line.refusals };

  // "Let me transfer you" to someone else: what this person may still know is asked first; then the transfer.
  if (isTransferCue(callerText) && missing.length > 0) {
    const first = nextTopic(missing);
    const text = first === undefined ? say.holdForTransfer : say.beforeTransfer(question(first, input));
    return { text: [text], facts, asked: first, endCall: undefined, ...situation };
  }
  if (parsed.goodbye && !gained) {
    return { text: [say.goodbyeCaller], facts, asked: undefined, endCall: 'caller-request', ...situation };
  }
  // "Sorry, what was that?": the question again, whole (she may have heard only its start), not the next one; a
  // topic's question in the language spoken now (she may have asked in another: "perdón, ¿qué dijo?").
  if (asksToHearAgain(callerText) && !gained && line.refusals.length === 0 && input.lastQuestion !== undefined) {
    const [topic, ...more] = questionTopics(input.lastQuestion);
    const again = topic !== undefined && more.length === 0 ? question(topic, input) : input.lastQuestion;
    return { text: [again], facts, asked: undefined, endCall: undefined, ...situation };
  }
  // "No, that changed" without the new value: ask for it, once, before the usual clarification.
  if (current && answer === 'no' && missing.includes(current) && !changedAsked(input.history, current, say)) {
    return { text: [say.changed[current]], facts, asked: undefined, endCall: undefined };
  }
  if (current && missing.includes(current) && !clarified(current)) {
    return { text: [say.clarify[current]], facts, asked: undefined, endCall: undefined };
  }
  const agentTurns = input.history.filter((h) => h.speaker === 'agent').length;
  const ack = gained
    ? [say.acks[agentTurns % say.acks.length] as string]
    : line.refusals.length > 0
      ? [say.refusalAck]
      : [];
  const followedUp = input.history.some(
    (h) => h.speaker === 'agent' && sentences(h.text).some((x) => say.otherDaysAsked.test(x)),
  );
  const unaccounted = DAYS.filter((d) => merged.hours[d] === undefined);
  // Only while the call goes on: once every topic has facts the machine says goodbye after this reply.
  if (facts?.hours && unaccounted.length > 0 && missing.length > 0 && !followedUp && !clarified('hours'))
    return { text: [...ack, say.otherDays(unaccounted)], facts, asked: undefined, endCall: undefined, ...situation };
  const next = nextTopic(missing);
  if (next === undefined && missing.length > 0 && input.awaitingTransfer === true)
    return { text: [...ack, say.holdForTransfer], facts, asked: undefined, endCall: undefined, ...situation };
  if (next) return { text: [...ack, question(next, input)], facts, asked: next, endCall: undefined, ...situation };
  const complete = missingTopics(merged, among).length === 0;
  return {
    text: [...ack, complete ? say.goodbyeDone : say.goodbyePartial],
    facts,
    asked: undefined,
    endCall: complete ? 'facts-complete' : 'other',
    ...situation,
  };
}

/** The caller's turns from `from` on, as one text. */
function callerWords(history: readonly HistoryTurn[], from: number): string {
  return history
    .slice(from)
    .filter((t) => t.speaker === 'caller')
    .map((t) => t.text)
    .join(' ');
}

function changedAsked(history: readonly HistoryTurn[], t: Topic, say: InterviewerLines): boolean {
  return history.some((h) => h.speaker === 'agent' && said(h, say.changed[t]));
}

function clarifiedTopic(history: readonly HistoryTurn[], t: Topic, say: InterviewerLines): boolean {
  return history.some((h) => h.speaker === 'agent' && said(h, say.clarify[t]));
}

/**
 * The facts a caller's words give, by the same rules for a reply turn and for the wrap-up after a hang-up: only
 * topics answered (answeredIn), and a lone day of hours held back unless the hours were already clarified.
 */
function factsIn(
  callerText: string,
  input: Pick<ConversationInput, 'facts' | 'asked' | 'history' | 'language'>,
): { parsed: ReturnType<typeof parseUtterance>; gained: boolean; facts: Partial<GymFacts> | undefined } {
  const parsed = parseUtterance(callerText, input.language);
  const answered = answeredIn(callerText, parsed, input.asked);
  const gained = answered.length > 0;
  let facts = gained ? pick(parsed.facts, answered) : undefined;
  const said = lines(input.language);
  if (facts?.hours && singleDayAnswer(facts.hours, input.facts) && !clarifiedTopic(input.history, 'hours', said)) {
    // Hours for one day of the week and nothing else known: no gym is open one day a week, so this is a partial
    // answer or a misrecognition ("seven days a week" heard as "that monday"). It is not recorded; the hours
    // stay missing and get their one clarification, where the caller says them again (after a hang-up there is
    // none, and a wrong fact is worse than a missing one).
    const { hours: _held, ...rest } = facts;
    facts = Object.keys(rest).length > 0 ? rest : undefined;
  }
  // "Actually, it's sixty-nine": a caller correcting herself is taken whole, whatever is asked now.
  const corrects = said.corrections.some((c) => phraseIn(parsed.tokens, c));
  if (facts && !corrects) facts = newItemsOfRestatedTopics(facts, input, answersOtherDays(input.history, said));
  return { parsed, gained, facts };
}

/**
 * Callers often say again what they said before: the whole week when asked "What about saturday and sunday?", the
 * hours and the price again when asked about classes. What was heard before is then heard a second time, not
 * corrected, and its first reading is kept: a second reading of the same words is no likelier to be right, and on a
 * noisy line a worse one replaced right facts ("fifty-nine a month" became "nine"). So a topic that is not the
 * question now, and the days the follow-up did not ask about, only add what is not known yet. The topic asked now
 * is taken whole, and so is what she says as a correction ("actually", the language pack's `corrections`).
 */
function newItemsOfRestatedTopics(
  facts: Partial<GymFacts>,
  input: Pick<ConversationInput, 'facts' | 'asked'>,
  otherDaysAsked: boolean,
): Partial<GymFacts> | undefined {
  const now = input.asked.at(-1);
  const known = input.facts;
  const out = { ...facts };
  if (out.hours && (otherDaysAsked || now !== 'hours')) {
    const fresh = Object.entries(out.hours).filter(([d]) => known.hours[d as Day] === undefined);
    if (fresh.length > 0) out.hours = Object.fromEntries(fresh);
    else delete out.hours;
  }
  if (out.pricing && now !== 'pricing') {
    const fresh = out.pricing.filter((p) => !known.pricing.some((k) => planKey(k) === planKey(p)));
    if (fresh.length > 0) out.pricing = fresh;
    else delete out.pricing;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The agent's last turn ended with the follow-up about the days the hours left out. */
function answersOtherDays(history: readonly HistoryTurn[], say: InterviewerLines): boolean {
  const last = sentences(history[lastAgentIndex(history)]?.text ?? '').at(-1);
  return last !== undefined && say.otherDaysAsked.test(last);
}

/** An agent turn's sentences: the follow-up comes after an acknowledgement. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.?!])\s+/).map((x) => x.trim());
}

/** The hours heard name exactly one day, and no hours were known before. */
function singleDayAnswer(hours: NonNullable<GymFacts['hours']>, known: GymFacts): boolean {
  return Object.keys(hours).length === 1 && Object.keys(known.hours).length === 0;
}

function pick(facts: Partial<GymFacts>, topics: readonly Topic[]): Partial<GymFacts> {
  const out: Partial<GymFacts> = {};
  if (topics.includes('hours') && facts.hours) out.hours = facts.hours;
  if (topics.includes('pricing') && facts.pricing) out.pricing = facts.pricing;
  if (topics.includes('classes') && facts.classes) out.classes = facts.classes;
  return out;
}

export class OfflineInterviewer implements LlmProvider {
  readonly name = 'offline-interviewer';
  readonly capabilities: LlmCapabilities = { streaming: true, tools: true };
  readonly #now: () => Date;

  /** `now`: the server's wall clock, which a callback's "after two" is read against (default: the real one). */
  constructor(o: { now?: (() => Date) | undefined } = {}) {
    this.#now = o.now ?? (() => new Date());
  }

  async *respond(input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk> {
    const plan = planTurn(input, this.#now());
    if (plan.facts) {
      // The parser builds valid facts by construction; checking keeps the LLM and offline paths to one contract.
      const checked = gymFactsSchema.partial().safeParse(plan.facts);
      if (checked.success) yield { type: 'facts', facts: plan.facts };
      else yield { type: 'invalid-tool', name: 'record_facts', error: checked.error.message };
    }
    // Before the words: the machine stores them and its repeat guard then knows the refused topics.
    for (const refusal of plan.refusals ?? []) yield { type: 'refusal', refusal };
    if (plan.callback !== undefined)
      yield { type: 'callback', request: { ...plan.callback, topics: [...plan.callback.topics] } };
    if (plan.outcome !== undefined) yield { type: 'outcome', outcome: plan.outcome };
    for (const [i, sentence] of plan.text.entries()) {
      if (signal.aborted) return;
      yield { type: 'text', delta: i === 0 ? sentence : ` ${sentence}` };
    }
    if (signal.aborted) return;
    if (plan.asked) yield { type: 'asked', topic: plan.asked };
    if (plan.endCall) yield { type: 'end-call', reason: plan.endCall };
    yield { type: 'done', finishReason: 'stop' };
  }

  /** After a hang-up: the parser on the words no reply went through, no question planned. */
  extractFacts(input: FactsOnlyInput, signal: AbortSignal): Promise<FactsOnlyResult> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const { facts } = factsIn(callerWords(input.history, input.extractFrom), input);
    if (!facts) return Promise.resolve({ facts: undefined, invalid: [] });
    const checked = gymFactsSchema.partial().safeParse(facts);
    return Promise.resolve(
      checked.success
        ? { facts, invalid: [] }
        : { facts: undefined, invalid: [{ name: 'record_facts', error: checked.error.message }] },
    );
  }
}
