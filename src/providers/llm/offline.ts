import { DAYS, gymFactsSchema, mergeFacts, missingTopics, type Topic } from '../../facts/model.js';
import { normalize } from '../../facts/numbers.js';
import { hasPhrase, parseUtterance } from '../../facts/parse.js';
import { sayGymName } from '../../facts/say.js';
import type { InterviewerLines } from '../../language/pack.js';
import type { SpokenOutcome } from '../../../machines/outcomes.js';
import { asksToHearAgain } from '../../../machines/hear-again.js';
import { greetingLines, questionTopics } from '../../../machines/text.js';
import type { CallbackFound } from '../../situations/callback.js';
import type { RefusalFound } from '../../situations/refusal.js';
import { isTransferCue } from '../../situations/cues.js';
import { callerWords, clarifiedTopic, factsIn, lastAgentIndex, lines, said, sentences } from './offline-heard.js';
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
// then pricing, then classes (skipping whatever the caller already answered; answeredIn in offline-heard.ts says
// when a volunteered statement counts), parses each answer into facts, asks one clarifying question per topic when
// an answer gave nothing usable (and one follow-up when an hours answer leaves days of the week unaccounted for),
// never asks a topic twice, and says goodbye and ends the call once every topic is answered or has had its one
// clarification.
// It keeps no state of its own: everything is derived from the ConversationInput (facts, asked topics and the
// history as heard), so one instance serves any number of calls.

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
  const has = (w: string): boolean => hasPhrase(tokens, w);
  if (words.unchanged.some(has)) return 'yes';
  if (words.no.some(has)) return 'no';
  return words.yes.some(has) ? 'yes' : undefined;
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

function changedAsked(history: readonly HistoryTurn[], t: Topic, say: InterviewerLines): boolean {
  return history.some((h) => h.speaker === 'agent' && said(h, say.changed[t]));
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
