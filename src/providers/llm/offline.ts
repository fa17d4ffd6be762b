import { gymFactsSchema, mergeFacts, missingTopics, type GymFacts, type Topic } from '../../facts/model.js';
import { normalize } from '../../facts/numbers.js';
import { parseUtterance } from '../../facts/parse.js';
import { detectTopics } from '../../facts/topics.js';
import type { ConversationInput, HistoryTurn, LlmCapabilities, LlmChunk, LlmProvider } from './types.js';

// The offline conversation policy: a deterministic interviewer behind the LLM interface. It asks about hours,
// then pricing, then classes (skipping whatever the caller already answered; see answeredIn for when a
// volunteered statement counts), parses each answer into facts, asks one clarifying question per topic when an
// answer gave nothing usable, never asks a topic twice, and says goodbye and ends the call once every topic is answered or has had its one clarification.
// It keeps no state of its own: everything is derived from the ConversationInput (facts, asked topics and the
// history as heard), so one instance serves any number of calls.

const QUESTION: Readonly<Record<Topic, string>> = {
  hours: 'What are your opening hours?',
  pricing: 'And how much does a membership cost?',
  classes: 'Which fitness classes do you offer?',
};

const CLARIFY: Readonly<Record<Topic, string>> = {
  hours: "Sorry, I didn't quite catch the hours. Which days are you open, and from what time to what time?",
  pricing:
    "Sorry, I didn't quite catch the price. How many dollars is a membership, and is that per month or per year?",
  classes: "Sorry, I didn't quite catch the classes. Could you name a few of them, like yoga or spin?",
};

const REPROMPT: Readonly<Record<Topic, string>> = {
  hours: 'Are you still there? I was asking about your opening hours.',
  pricing: 'Are you still there? I was asking what a membership costs.',
  classes: 'Are you still there? I was asking which classes you offer.',
};

const ACKS = ['Great, thank you.', 'Got it, thanks.', 'Perfect.', 'Thanks, that helps.'];
const GOODBYE_DONE = "Thank you so much, that's everything I needed. Have a great day, goodbye!";
const GOODBYE_PARTIAL = 'Thank you for your time, that was very helpful. Have a great day, goodbye!';
const GOODBYE_CALLER = 'Of course, thanks for your time. Goodbye!';

function greeting(input: ConversationInput, first: Topic | undefined): string {
  const who =
    input.direction === 'outbound'
      ? `Hi! This is an automated assistant calling with a few quick questions about ${input.gymName}.`
      : `Hi, thanks for calling! I'm an automated assistant collecting information about ${input.gymName}.`;
  return first ? `${who} ${QUESTION[first]}` : who;
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
  hours: ['every day', 'daily', 'weekdays', 'weekends'],
  pricing: ['dollars', 'bucks', 'plan', 'plans'],
  classes: ['offer', 'we offer', 'group'],
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
  const has = (phrase: string): boolean => {
    const w = phrase.split(' ');
    return tokens.some((_, i) => w.every((x, k) => tokens[i + k] === x));
  };
  return parsed.topics.filter(
    (t) => asked.includes(t) || itemCount(parsed.facts, t) >= 2 || cued.has(t) || EXTRA_CUES[t].some(has),
  );
}

export interface InterviewPlan {
  text: string[];
  facts: ReturnType<typeof parseUtterance>['facts'] | undefined;
  asked: Topic | undefined;
  endCall: 'facts-complete' | 'caller-request' | 'other' | undefined;
}

/** The whole decision for one turn, pure (exported for tests). */
export function planTurn(input: ConversationInput): InterviewPlan {
  const asked = new Set(input.asked);
  const nextTopic = (missing: readonly Topic[]): Topic | undefined => missing.find((t) => !asked.has(t));
  if (input.reason === 'greeting') {
    const first = nextTopic(missingTopics(input.facts));
    return { text: [greeting(input, first)], facts: undefined, asked: first, endCall: undefined };
  }
  const current = input.asked[input.asked.length - 1];
  if (input.reason === 'closing') {
    const done = missingTopics(input.facts).length === 0;
    return { text: [done ? GOODBYE_DONE : GOODBYE_PARTIAL], facts: undefined, asked: undefined, endCall: 'other' };
  }
  if (input.reason === 'reprompt') {
    return {
      text: [current ? REPROMPT[current] : 'Are you still there?'],
      facts: undefined,
      asked: undefined,
      endCall: undefined,
    };
  }

  const since = lastAgentIndex(input.history);
  const callerText = input.history
    .slice(since + 1)
    .filter((t) => t.speaker === 'caller')
    .map((t) => t.text)
    .join(' ');
  const parsed = parseUtterance(callerText);
  const answered = answeredIn(callerText, parsed, input.asked);
  const gained = answered.length > 0;
  const facts = gained ? pick(parsed.facts, answered) : undefined;
  const missing = missingTopics(mergeFacts(input.facts, facts ?? {}));

  if (parsed.goodbye && !gained) {
    return { text: [GOODBYE_CALLER], facts, asked: undefined, endCall: 'caller-request' };
  }
  const clarified = (t: Topic): boolean => input.history.some((h) => h.speaker === 'agent' && said(h, CLARIFY[t]));
  if (current && missing.includes(current) && !clarified(current)) {
    return { text: [CLARIFY[current]], facts, asked: undefined, endCall: undefined };
  }
  const next = nextTopic(missing);
  const agentTurns = input.history.filter((h) => h.speaker === 'agent').length;
  const ack = gained ? [ACKS[agentTurns % ACKS.length] as string] : [];
  if (next) return { text: [...ack, QUESTION[next]], facts, asked: next, endCall: undefined };
  return {
    text: [...ack, missing.length === 0 ? GOODBYE_DONE : GOODBYE_PARTIAL],
    facts,
    asked: undefined,
    endCall: missing.length === 0 ? 'facts-complete' : 'other',
  };
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

  async *respond(input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk> {
    const plan = planTurn(input);
    if (plan.facts) {
      // The parser builds valid facts by construction; checking keeps the LLM and offline paths to one contract.
      const checked = gymFactsSchema.partial().safeParse(plan.facts);
      if (checked.success) yield { type: 'facts', facts: plan.facts };
      else yield { type: 'invalid-tool', name: 'record_facts', error: checked.error.message };
    }
    for (const [i, sentence] of plan.text.entries()) {
      if (signal.aborted) return;
      yield { type: 'text', delta: i === 0 ? sentence : ` ${sentence}` };
    }
    if (signal.aborted) return;
    if (plan.asked) yield { type: 'asked', topic: plan.asked };
    if (plan.endCall) yield { type: 'end-call', reason: plan.endCall };
    yield { type: 'done', finishReason: 'stop' };
  }
}
