import type { Topic } from '../src/facts/model.js';
import { sayGymName } from '../src/facts/say.js';
import type { AsrContext } from '../src/providers/asr/types.js';
import { briefTopics, type ConversationBrief } from '../src/providers/llm/types.js';
import { renderGreeting, type FlowScript } from '../src/flows/script.js';
import type { Language } from '../src/language/index.js';
import { packFor } from '../src/language/packs.js';
import type { CallDirection, EndReason } from './events.js';
import { topicMentions } from './topic-words.js';
import { flowIn } from '../src/language/flow-wording.js';

// Text helpers the statechart's guards use: is an utterance complete, is it a backchannel, which topic does a
// question ask about, is a sentence a duplicate. Heuristic on purpose (no model call on the turn-taking path),
// deterministic, and tested on their own in test/machines/text.test.ts. Their word lists hold English and Spanish
// together (src/language/): the words of one rarely mean something else in the other, and a guard need not know
// which language the call is in at the moment a person switches.

/** Lower case without accents ("¿Cuál?" → "cual?"): the Spanish word lists below are written that way. */
function folded(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
}

/** Lower-case word tokens without accents; keeps apostrophes and hyphens inside words ("uh-huh", "we're"). */
export function words(text: string): string[] {
  return folded(text)
    .replace(/[^a-z0-9'\-\s]/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^[-']+|[-']+$/g, ''))
    .filter((w) => w.length > 0);
}

/** Same words, same order: what "the same utterance" means for the duplicate guard. */
export function normalize(text: string): string {
  return words(text).join(' ');
}

// Backchannels acknowledge without taking the turn. Multi-word ones are removed as phrases first.
const BACKCHANNEL_PHRASES = [
  /\buh[\s-]?huh\b/g,
  /\bmm[\s-]?hmm+\b/g,
  /\bgot it\b/g,
  /\bi see\b/g,
  /\ball right\b/g,
  /\bde acuerdo\b/g,
  /\bya veo\b/g,
];
const BACKCHANNEL_WORDS = new Set([
  'okay',
  'ok',
  'kay',
  'yeah',
  'yes',
  'yep',
  'yup',
  'right',
  'sure',
  'alright',
  'mhm',
  'mm',
  'hmm',
  'hm',
  'uh',
  'um',
  'oh',
  'ah',
  'huh',
  'cool',
  'great',
  'nice',
  'exactly',
  'correct',
  // Spanish (accents folded).
  'si',
  'vale',
  'claro',
  'aja',
  'bueno',
  'listo',
  'perfecto',
  'entiendo',
  'exacto',
  'correcto',
  'eh',
]);

/** Words that are not backchannels or hesitation sounds. */
export function realWords(text: string): string[] {
  let t = folded(text);
  for (const re of BACKCHANNEL_PHRASES) t = t.replace(re, ' ');
  return words(t).filter((w) => !BACKCHANNEL_WORDS.has(w));
}

export function isBackchannelOnly(text: string): boolean {
  return words(text).length > 0 && realWords(text).length === 0;
}

const FILLERS = new Set(['um', 'uh', 'er', 'erm', 'hmm', 'like', 'well', 'so', 'eh', 'este', 'pues', 'em']);
const CONJUNCTIONS = new Set([
  'and',
  'or',
  'but',
  'because',
  'cause',
  'plus',
  'also',
  'then',
  'nor',
  'except',
  'y',
  'o',
  'pero',
  'porque',
  'tambien',
  'entonces',
  'excepto',
  'menos',
]);
const DANGLING = new Set([
  'to',
  'from',
  'at',
  'until',
  'till',
  'til',
  'through',
  'thru',
  'of',
  'with',
  'for',
  'on',
  'in',
  'about',
  'around',
  'between',
  'a',
  'an',
  'the',
  'is',
  'are',
  'our',
  'we',
  "we're",
  "it's",
  'its',
  // Spanish prepositions and articles a sentence does not end on ("de lunes a…", "cuesta unos…").
  'de',
  'del',
  'al',
  'hasta',
  'desde',
  'en',
  'con',
  'para',
  'por',
  'el',
  'la',
  'los',
  'las',
  'un',
  'una',
  'unos',
  'es',
  'son',
  'que',
  'entre',
  'nuestro',
  'nuestra',
]);
const TRAILING_PHRASES = [
  /\byou know$/,
  /\bi mean$/,
  /\blet me (see|check|think)$/,
  /\bhold on$/,
  /\bone (sec|second)$/,
  /\bdejeme (ver|revisar|pensar)$/,
  /\bdejame (ver|revisar|pensar)$/,
  /\bun (momento|segundo)$/,
  /\bo sea$/,
];

/**
 * Does the utterance look finished? False when it ends on a filler, a conjunction, a dangling preposition or
 * article, a "let me check", a trailing comma/dash, or mid-list (two or more comma-separated items and no
 * "and"/"or" yet). The machine waits the long endpoint for those, the short one otherwise.
 */
export function isCompleteUtterance(text: string): boolean {
  const trimmed = text.trim();
  const ws = words(trimmed);
  const last = ws[ws.length - 1];
  if (last === undefined) return false;
  if (/[,\-–—:]$|\.\.\.$/.test(trimmed)) return false;
  if (FILLERS.has(last) || CONJUNCTIONS.has(last) || DANGLING.has(last)) return false;
  const joined = ws.join(' ');
  if (TRAILING_PHRASES.some((re) => re.test(joined))) return false;
  const clauses = trimmed.split(/[.?!]/).filter((c) => c.trim().length > 0);
  const lastClause = clauses[clauses.length - 1] ?? '';
  const items = lastClause.split(',');
  if (items.length >= 3 && !/\b(and|or|y|o)\b/i.test(items[items.length - 1] ?? '')) return false;
  return true;
}

// A period after these is the abbreviation's, not the end of a sentence ("we open at 6 a.m." may go on).
const ABBREVIATION_END = /(?:\b(?:[a-z]\.){2,}|\b(?:mr|mrs|ms|dr|st|ave|etc|vs|approx|jr|sr)\.)$/i;

/**
 * Did the recogniser close the utterance as a sentence? Cloud recognisers punctuate with a language model, so a
 * final period, question or exclamation mark is its judgement that the words form a finished sentence; an
 * ellipsis, a comma or an abbreviation's period is not. Recognisers without punctuation never say yes.
 */
export function endsSentence(text: string): boolean {
  const t = text.trim().replace(/["')\]]+$/, '');
  if (!/[.?!]$/.test(t) || /\.\.\.$|…$/.test(t)) return false;
  return !ABBREVIATION_END.test(t);
}

function isQuestion(sentence: string): boolean {
  const t = folded(sentence.trim());
  return (
    t.endsWith('?') ||
    t.startsWith('¿') ||
    /^(what|when|which|how|do|does|could|can|would|are|is|may|tell me|please tell|que|cual|cuales|cuanto|cuanta|cuando|como|tienen|ofrecen|podria|puede|me dice|digame)\b/.test(
      t.replace(/^(and|so|now|great|thanks|okay|ok|y|bueno|gracias|perfecto)[, ]+/, ''),
    )
  );
}

/** Topics a sentence asks about (empty when it is not a question). */
export function questionTopics(sentence: string): Topic[] {
  if (!isQuestion(sentence)) return [];
  return topicMentions(words(sentence)).map((m) => m.topic);
}

/** The line's last sentence that asks something ("Got it. And how much is it?" → "And how much is it?"). */
export function questionIn(text: string): string | undefined {
  return text
    .split(/(?<=[.!?])\s+/)
    .findLast((s) => s.trim().endsWith('?') || questionTopics(s).length > 0)
    ?.trim();
}

export function isGreeting(sentence: string): boolean {
  const t = folded(sentence.trim()).replace(/^[¡¿]/, '');
  return (
    /^(hi|hello|hey|good (morning|afternoon|evening)|hola|buen(os|as) (dias|tardes|noches))\b/.test(t) ||
    /\b(i'?m|i am|this is) (an? )?(automated |virtual |ai )?(assistant|calling)\b/.test(t) ||
    /\b(soy|le habla) (un |una )?asistente\b/.test(t)
  );
}

export function isGoodbye(sentence: string): boolean {
  return /\b(good-?bye|bye|have a (great|good|nice|wonderful) (day|evening|night|one|afternoon)|adios|hasta luego|que tenga (un )?buen dia)\b/i.test(
    folded(sentence),
  );
}

/** The caller says they want to stop talking. */
export function callerWantsToEnd(text: string): boolean {
  return /\b(good-?bye|bye( bye)?|gotta go|got to go|have to go|need to go|hang up|not interested|stop calling|no time|adios|tengo que (irme|colgar)|me tengo que ir|no me interesa|no (nos )?(vuelva|vuelvan) a llamar|no tengo tiempo)\b/i.test(
    folded(text),
  );
}

/** Rough speaking time, for the goodbye fallback when the speaker has not reported a duration (~14 chars/s). */
export function estimateSpeechMs(text: string): number {
  return Math.max(600, Math.round(text.length * 70));
}

export function asrContextFor(topics: readonly Topic[], sentence: string): AsrContext {
  const first = topics[0];
  if (first !== undefined) return first;
  return /^[¿]?(do|does|is|are|can|could|would|tienen|tiene|es|son|sigue|siguen|abren|puede|podria)\b/i.test(
    folded(sentence.trim()),
  )
    ? 'yes-no'
    : 'open';
}

// ---- Lines the machine says itself (no LLM round-trip: they must be instant and can't be repeats) ------------
// The words are the call's language pack (src/language/); a call without a language speaks English.

/**
 * The question for `topic`: a planned call's confirmation of it ("Are you still open ...?"), else the flow variant's
 * wording, else the built-in one.
 */
export function questionFor(topic: Topic, brief?: ConversationBrief, flow?: FlowScript, language?: Language): string {
  const confirm = brief?.factsToConfirm.find((f) => f.topic === topic)?.question;
  if (confirm !== undefined) return confirm.charAt(0).toUpperCase() + confirm.slice(1);
  return flowIn(flow, language)?.questions?.[topic] ?? packFor(language).questions[topic];
}

/**
 * The greeting is two utterances so a cut during the introduction leaves the question un-asked. An unknown gym
 * name (an inbound call from a number we have no name for) gets its own wording, never an empty slot. A recorded
 * call's notice ends the introduction, before any question, so it is said before the gym says anything of substance.
 * A flow variant's introduction (src/flows/) replaces the built-in one; its first question follows the flow's order.
 */
export function greetingLines(
  direction: CallDirection,
  gymName: string,
  recordingNotice?: string,
  brief?: ConversationBrief,
  flow?: FlowScript,
  language?: Language,
): [string, string] {
  // A planned call names only its own topics, and the person the gym told us to ask for.
  const pack = packFor(language);
  const topics = briefTopics(brief, flow?.topicOrder);
  const about = pack.list(topics.map((t) => pack.topicNames[t]));
  const name = sayGymName(gymName);
  const variant = renderGreeting(flowIn(flow, language), direction, name, about);
  const askFor = brief?.askFor;
  const intro =
    variant === undefined
      ? pack.introduction(direction, name, about, askFor)
      : askFor === undefined
        ? variant
        : `${variant} ${pack.callingBackFor(askFor)}`;
  return [
    recordingNotice === undefined ? intro : `${intro} ${recordingNotice}`,
    questionFor(topics[0] ?? 'hours', brief, flow, language),
  ];
}

export function repromptLine(n: number, topic: Topic | undefined, language?: Language): string {
  return packFor(language).reprompt(n, topic);
}

/** The holding lines of the call's filler policy (a flow variant may word its own). */
export function holdingLines(flow: FlowScript | undefined, language?: Language): readonly string[] {
  const filler = flowIn(flow, language)?.filler;
  return filler?.mode === 'holding-line' && filler.lines !== undefined ? filler.lines : packFor(language).holdingLines;
}

export function apologyLines(language?: Language): readonly string[] {
  return packFor(language).apologyLines;
}

export function clarifyLines(language?: Language): readonly string[] {
  return packFor(language).clarifyLines;
}

export function goodbyeLine(reason: EndReason, language?: Language): string {
  return packFor(language).goodbye(reason);
}

/** First line of `lines` whose normalized text differs from `last` (so fallbacks never repeat themselves). */
export function pickFresh(lines: readonly string[], last: string): string {
  return lines.find((l) => normalize(l) !== last) ?? lines[0] ?? '';
}

/** `parts` then `a` then `b`, blank ones left out, joined by spaces. Guards run this per event: no temporaries. */
export function joinNonBlank(parts: readonly string[], a: string, b = ''): string {
  let out = '';
  for (const p of parts) if (p.trim().length > 0) out = out.length > 0 ? `${out} ${p}` : p;
  if (a.trim().length > 0) out = out.length > 0 ? `${out} ${a}` : a;
  if (b.trim().length > 0) out = out.length > 0 ? `${out} ${b}` : b;
  return out;
}
