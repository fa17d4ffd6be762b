import type { Situation } from '../../../machines/outcomes.js';
import type { GymFacts, Topic } from '../../facts/model.js';
import { sayGymName } from '../../facts/say.js';
import type { FlowScript } from '../../flows/script.js';
import type { ConversationBrief, ConversationInput, FactsOnlyInput, HistoryTurn } from './types.js';
import { LANGUAGE_NAMES, type Language } from '../../language/index.js';
import { packFor } from '../../language/packs.js';
import { flowIn } from '../../language/flow-wording.js';

// The prompt: who the agent is, which gym, what is still missing, and the conversation AS HEARD. Agent
// turns carry only what the caller actually heard; an interrupted turn is marked so the model does not
// assume the rest was said (and repeats what matters).

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const TOPIC_WORDS: Record<Topic, string> = {
  hours: 'opening hours for each day of the week',
  pricing: 'membership prices (plan name, amount, period)',
  classes: 'fitness classes offered',
};

const REASON_HINT: Record<ConversationInput['reason'], string> = {
  greeting:
    'Start the call: greet briefly, say you are an automated assistant collecting gym information, ask the first question.',
  reply: 'Answer the staff member’s last words and continue.',
  reprompt: 'The staff member has been silent. Gently repeat your last question in different words.',
  clarify: 'You could not understand the last answer. Ask once, briefly, for that detail again.',
  closing: 'Every fact is collected or the call must end. Thank them, say goodbye, and call end_call.',
};

function describeFacts(f: GymFacts): string {
  const parts: string[] = [];
  const days = Object.entries(f.hours);
  if (days.length > 0) {
    parts.push(
      'hours: ' +
        days
          .map(([d, h]) => `${d} ${'opens' in h ? `${h.opens}-${h.closes}` : 'closed' in h ? 'closed' : '24h'}`)
          .join(', '),
    );
  }
  if (f.pricing.length > 0) {
    parts.push(
      'pricing: ' +
        f.pricing.map((p) => `${p.plan} ${(p.amountMinor / 100).toFixed(2)} ${p.currency}/${p.period}`).join(', '),
    );
  }
  if (f.classes.length > 0) parts.push('classes: ' + f.classes.map((c) => c.name).join(', '));
  return parts.length > 0 ? parts.join('; ') : 'nothing yet';
}

/** The gym as the prompt names it; an unknown name (inbound from a number we have no name for) is said so. */
function whichGym(name: string): string {
  const said = sayGymName(name);
  return said === undefined ? 'a gym whose name you do not know yet' : `the gym "${said}"`;
}

const SITUATION_LABEL: Record<Situation, string> = {
  'phone-tree': 'automated phone menu',
  hold: 'hold announcement',
  voicemail: 'voicemail greeting',
  screening: 'call-screening assistant',
};

// What to do when the line is not a cooperative person; the tools are in situation-tools.ts.
const SITUATION_RULES = [
  'Lines marked [automated phone menu], [hold announcement], [voicemail greeting] or [call-screening assistant] are',
  'not a person: never record facts from them, even if they state hours or prices. On a phone menu call',
  'press_keys with the option that reaches a person (front desk, membership or sales, operator, 0) and say nothing;',
  'when asked to hold, or on hold music, call wait_on_hold and say nothing; on a voicemail greeting call',
  'leave_voicemail and say nothing; to a screening assistant say in one sentence who you are and why you call.',
  'After a transfer to a new person, introduce yourself in one sentence (no second greeting) and ask only for',
  'what is still missing. When they say they will transfer you and a topic you never asked about is still missing,',
  'ask it first in one sentence ("before you transfer me, …"). If the staff will not give a topic on the phone, call record_refusal and never ask about',
  'it again; if they ask you to call back later or to ask for someone, call request_callback with their words.',
  'On a wrong number, a business that is not a gym, or a gym closed for good, apologise, say goodbye and call',
  'end_call_with_outcome. If they ask not to be called again, say we will not call again, say goodbye and call',
  'end_call_with_outcome with do-not-call.',
].join('\n');

/**
 * The call's goal: every topic, or a planned call's own (a campaign's follow-up asks only what is missing and
 * confirms, in one sentence each, what may have changed; a "yes" is recorded as the same facts again).
 */
function goal(brief: ConversationBrief | undefined): string[] {
  if (brief === undefined)
    return ['Goal: learn the opening hours, membership pricing and fitness classes, then end the call politely.'];
  const ask = brief.topicsToAsk.map((t) => TOPIC_WORDS[t]).join('; ');
  return [
    'Goal: a short follow-up call. Ask about nothing beyond what is listed here, then end the call politely.',
    ...(ask === '' ? [] : [`Ask only about: ${ask}.`]),
    ...brief.factsToConfirm.map(
      (f) =>
        `Confirm ${f.topic} with this one question: "${f.question}" If they say it still holds, call record_facts with ` +
        `${JSON.stringify(f.facts)}; if it changed, ask what it is now and record that.`,
    ),
    ...(brief.askFor === undefined ? [] : [`Ask for ${brief.askFor}: the gym asked us to call back for them.`]),
  ];
}

/**
 * A flow variant's wording and topic order (src/flows/), as instructions; nothing for a call without one, so the
 * control variant's prompt is the built-in one word for word.
 */
function flowRules(flow: FlowScript | undefined): string[] {
  const rules: string[] = [];
  if (flow?.topicOrder !== undefined) rules.push('Ask about the missing topics in the order they are listed.');
  const questions = Object.entries(flow?.questions ?? {});
  if (questions.length > 0)
    rules.push(
      `When you ask about a topic, use exactly these words: ${questions.map(([t, q]) => `${t}: "${q}"`).join('; ')}.`,
    );
  return rules;
}

/** The language to speak; nothing for English, so an English call's prompt is the original word for word. */
function languageRule(language: Language | undefined): string[] {
  return language === undefined || language === 'en' ? [] : [packFor(language).promptRule];
}

export function systemPrompt(input: ConversationInput): string {
  const refused = new Set(input.refused ?? []);
  const open = input.missing.filter((t) => !refused.has(t));
  const missing = open.length > 0 ? open.map((t) => TOPIC_WORDS[t]).join('; ') : 'nothing';
  const asked = input.asked.length > 0 ? input.asked.join(', ') : 'none';
  return [
    `You are a polite phone assistant on an ${input.direction} call with staff of ${whichGym(input.gymName)}.`,
    ...goal(input.brief),
    `Already known: ${describeFacts(input.facts)}.`,
    `Still missing: ${missing}.`,
    ...(refused.size > 0 ? [`Refused on the phone, never ask again: ${[...refused].join(', ')}.`] : []),
    `Topics already asked about: ${asked}. Never ask the same question twice; if an answer was unclear, ask only for the unclear detail.`,
    ...(input.lastQuestion === undefined
      ? []
      : [
          `If they ask you to say it again ("sorry, what was that?"), ask your last question again: "${input.lastQuestion}"`,
        ]),
    ...flowRules(flowIn(input.flow, input.language)),
    'Rules: this is a phone call. Speak in one to two short sentences, plain words, no lists, no markdown, no emoji.',
    'Ask one thing at a time. Say numbers and times the way people speak them.',
    ...languageRule(input.language),
    'Whenever the staff states a fact, call record_facts in the same response (times as 24-hour HH:MM, prices in',
    'major units). When you ask a question, also call asking_about with its topic. Always include your spoken',
    'words as text in the same response as any tool call. When nothing is missing or the staff wants to stop,',
    'say thank you and goodbye and call end_call.',
    'If a tool result says the arguments were invalid, nothing was recorded: ask again for that detail.',
    SITUATION_RULES,
    ...(input.awaitingTransfer === true
      ? [
          'They said they will transfer the call: ask nothing they were already asked; if nothing else is left to ask them, say you will hold. Do not say goodbye.',
        ]
      : []),
    `Now: ${REASON_HINT[input.reason]}`,
  ].join('\n');
}

function historyMessage(turn: HistoryTurn): ChatMessage {
  if (turn.speaker === 'caller') {
    const mark = turn.situation === undefined ? '' : `[${SITUATION_LABEL[turn.situation]}] `;
    return { role: 'user', content: `${mark}${turn.text}` };
  }
  // What was cut off was never heard; the marker tells the model so.
  const text = turn.interrupted ? `${turn.text.trimEnd()}— [interrupted by the staff here]` : turn.text;
  return { role: 'assistant', content: text };
}

export function buildMessages(input: ConversationInput): ChatMessage[] {
  return [{ role: 'system', content: systemPrompt(input) }, ...input.history.map(historyMessage)];
}

/** The marker placed before the turns of a wrap-up that were never through extraction. */
export const WRAP_UP_MARKER = '[Not recorded yet: the staff words from here on. The call ended after them.]';

/**
 * The facts-only pass after a hang-up: the same conversation, a system prompt that says the call is over and
 * asks for record_facts only, and a marker before the words no reply went through (the earlier ones are context).
 */
export function wrapUpMessages(input: FactsOnlyInput): ChatMessage[] {
  const system = [
    `You take notes on an ${input.direction} phone call with staff of ${whichGym(input.gymName)} about its opening`,
    'hours, membership pricing and fitness classes. The call has ENDED: nobody hears anything now, so write no',
    'reply text. Your only job is to call record_facts once.',
    `Already recorded: ${describeFacts(input.facts)}.`,
    `Topics the assistant asked about: ${input.asked.length > 0 ? input.asked.join(', ') : 'none'}.`,
    ...(input.language === undefined || input.language === 'en'
      ? []
      : [`The call was in ${LANGUAGE_NAMES[input.language].english}: read the staff's words in that language.`]),
    'Record every fact the staff stated after the "Not recorded yet" marker that is not already recorded (times as',
    '24-hour HH:MM, prices in major units); earlier messages are only context. Never invent or guess: if those',
    'words state no fact, call record_facts with an empty object {}.',
  ].join('\n');
  const from = Math.max(0, Math.min(input.extractFrom, input.history.length));
  return [
    { role: 'system', content: system },
    ...input.history.slice(0, from).map(historyMessage),
    { role: 'system', content: WRAP_UP_MARKER },
    ...input.history.slice(from).map(historyMessage),
  ];
}
