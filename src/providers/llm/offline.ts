import { gymFactsSchema, mergeFacts, missingTopics, type Topic } from '../../facts/model.js';
import { parseUtterance } from '../../facts/parse.js';
import type { ConversationInput, HistoryTurn, LlmCapabilities, LlmChunk, LlmProvider } from './types.js';

// The offline conversation policy: a deterministic interviewer behind the LLM interface. It asks about hours,
// then pricing, then classes (skipping whatever the caller already volunteered), parses each answer into facts,
// asks one clarifying question per topic when an answer gave nothing usable, never asks a topic twice, and says
// goodbye and ends the call once every topic is answered or has had its one clarification.
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
  const gained = parsed.topics.length > 0;
  const merged = mergeFacts(input.facts, parsed.facts);
  const missing = missingTopics(merged);
  const facts = gained ? parsed.facts : undefined;

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
