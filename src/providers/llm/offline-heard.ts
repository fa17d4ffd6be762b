import { type Day, planKey, type GymFacts, type Topic } from '../../facts/model.js';
import { normalize } from '../../facts/numbers.js';
import { hasPhrase, parseUtterance } from '../../facts/parse.js';
import { detectTopics } from '../../facts/topics.js';
import type { Language } from '../../language/index.js';
import type { InterviewerLines } from '../../language/pack.js';
import { packFor } from '../../language/packs.js';
import type { ConversationInput, HistoryTurn } from './types.js';

// What the caller's words give the offline interviewer (offline.ts): the facts a turn records, by the same rules
// for a reply and for the wrap-up after a hang-up, which topics they answered, and what the agent said before.

// Every line, and the yes / no words of a confirmation, are the call's language pack's (src/language/).
export const lines = (language: Language | undefined): InterviewerLines => packFor(language).interviewer;

/** Whether an agent turn (possibly cut short by a barge-in) was this template. */
export function said(turn: HistoryTurn, template: string): boolean {
  const a = turn.text.trim().toLowerCase();
  const b = template.toLowerCase();
  return a === b || (a.length >= 20 && (b.startsWith(a) || a.startsWith(b)));
}

export function lastAgentIndex(history: readonly HistoryTurn[]): number {
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
      EXTRA_CUES[t].some((cue) => hasPhrase(tokens, cue)),
  );
}

/** The caller's turns from `from` on, as one text. */
export function callerWords(history: readonly HistoryTurn[], from: number): string {
  return history
    .slice(from)
    .filter((t) => t.speaker === 'caller')
    .map((t) => t.text)
    .join(' ');
}

export function clarifiedTopic(history: readonly HistoryTurn[], t: Topic, say: InterviewerLines): boolean {
  return history.some((h) => h.speaker === 'agent' && said(h, say.clarify[t]));
}

/**
 * The facts a caller's words give, by the same rules for a reply turn and for the wrap-up after a hang-up: only
 * topics answered (answeredIn), and a lone day of hours held back unless the hours were already clarified.
 */
export function factsIn(
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
  const corrects = said.corrections.some((c) => hasPhrase(parsed.tokens, c));
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
export function sentences(text: string): string[] {
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
