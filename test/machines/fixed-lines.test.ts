import t from 'tap';
import type { EndReason } from '../../machines/events.js';
import {
  apologyLines,
  clarifyLines,
  goodbyeLine,
  greetingLines,
  holdingLines,
  questionFor,
  repromptLine,
} from '../../machines/text.js';
import { reintroductionLines, screeningLine, voicemailLines } from '../../machines/situation-lines.js';
import { LANGUAGES } from '../../src/language/index.js';
import { es } from '../../src/language/es.js';
import { emptyFacts, TOPICS, type Topic } from '../../src/facts/model.js';
import { OfflineInterviewer } from '../../src/providers/llm/offline.js';
import { systemPrompt, wrapUpMessages } from '../../src/providers/llm/prompt.js';
import type { ConversationInput } from '../../src/providers/llm/types.js';

// Every line the agent says by itself, rendered with every slot empty or unknown as well as filled: no sentence
// may have a hole ("…classes for ." was the greeting of an inbound call from a number with no gym name).

const NAMES = ['', '   ', 'Iron Temple', 'Iron Temple Inc.', '  Flex  Hub  '];
const DIRECTIONS = ['inbound', 'outbound'] as const;
const END_REASONS: EndReason[] = [
  'facts-complete',
  'caller-request',
  'max-duration',
  'idle',
  'caller-hangup',
  'agent-ended',
  'operator-hangup',
  'error',
];

/** What a hole looks like once the slot is empty. */
function holes(line: string): string[] {
  const found: string[] = [];
  if (/\s[.,!?;:]/.test(line)) found.push('space before punctuation');
  if (/\b(for|about|of|is this|with|at|called)\s*[.,!?]/i.test(line)) found.push('a sentence ends on a preposition');
  if (/\s{2,}/.test(line)) found.push('double space');
  if (/\.\.|,,|\?\?|[.!?]\s*[,.]/.test(line)) found.push('doubled punctuation');
  if (/""|''/.test(line)) found.push('empty quotes');
  if (/\b(undefined|null|NaN)\b/.test(line)) found.push('a missing value printed');
  if (line !== line.trim() || line === '') found.push('blank or padded');
  return found;
}

async function interviewerSays(input: ConversationInput): Promise<string> {
  let text = '';
  for await (const c of new OfflineInterviewer().respond(input, new AbortController().signal))
    if (c.type === 'text') text += c.delta;
  return text;
}

t.test('the hole detector finds the holes this test is about', async (t) => {
  t.not(holes('collecting the hours, prices and classes for .').length, 0);
  t.not(holes('Hi, is this ? I am').length, 0);
  t.not(holes('about  your gym.').length, 0);
  t.not(holes('the gym "" about').length, 0);
  t.same(holes('Hi, thanks for calling! What are your opening hours?'), []);
});

t.test('every fixed line, every slot empty or filled, in every language, has no hole', async (t) => {
  const lines: string[] = [];
  for (const language of LANGUAGES) {
    for (const d of DIRECTIONS)
      for (const n of NAMES) {
        lines.push(...greetingLines(d, n, undefined, undefined, undefined, language));
        lines.push(screeningLine(n, language), ...reintroductionLines(n, 'hours', undefined, language));
        lines.push(...voicemailLines(n, '+12015550123', language), ...voicemailLines(n, undefined, language));
      }
    for (const topic of [...TOPICS, undefined] as (Topic | undefined)[])
      for (const n of [1, 2, 3]) lines.push(repromptLine(n, topic, language));
    for (const topic of TOPICS) lines.push(questionFor(topic, undefined, undefined, language));
    for (const r of END_REASONS) lines.push(goodbyeLine(r, language));
    lines.push(...holdingLines(undefined, language), ...apologyLines(language), ...clarifyLines(language));
    for (const direction of DIRECTIONS)
      for (const gymName of NAMES) {
        const input: ConversationInput = {
          gymName,
          direction,
          facts: emptyFacts(),
          missing: [...TOPICS],
          asked: [],
          history: [],
          language,
          reason: 'greeting',
        };
        lines.push(await interviewerSays(input));
        lines.push(systemPrompt(input));
        for (const m of wrapUpMessages({ ...input, history: [], extractFrom: 0 })) lines.push(m.content);
      }
  }
  for (const line of lines) t.same(holes(line), [], line);
  t.ok(lines.length > 120, `${lines.length} lines checked`);
});

t.test('an unknown gym gets its own wording; a known one is named once, cleanly', async (t) => {
  const [inbound] = greetingLines('inbound', '');
  t.match(inbound, /collecting the hours, prices and classes of your gym\.$/);
  const [outbound] = greetingLines('outbound', ' ');
  t.match(outbound, /^Hi, is this the gym\? /);
  t.match(greetingLines('inbound', 'Iron Temple Inc.')[0], /classes for Iron Temple Inc\.$/);
  t.match(greetingLines('outbound', '  Flex  Hub ')[0], /^Hi, is this Flex Hub\? /);
});

t.test('a Spanish call says no English line: greeting, question, re-prompt, goodbye, voicemail', async (t) => {
  const [intro, question] = greetingLines('outbound', 'Gimnasio Fuerza', undefined, undefined, undefined, 'es');
  t.match(intro, /^Hola, ¿hablo con Gimnasio Fuerza\? Soy un asistente automático/);
  t.equal(question, '¿Cuál es su horario de apertura?');
  t.match(repromptLine(1, 'pricing', 'es'), /^¿Sigue ahí\? Le preguntaba por sus precios\.$/);
  t.match(goodbyeLine('facts-complete', 'es'), /adiós!$/);
  t.same(voicemailLines('', '+12015550123', 'es').slice(1), [
    'Por favor, devuélvanos la llamada al dos cero uno, cinco cinco cinco, cero uno dos tres.',
    'Gracias, ¡adiós!',
  ]);
  const other = es.interviewer.otherDays(['mon', 'tue', 'wed', 'sat', 'sun']);
  t.equal(other, '¿Y de lunes a miércoles, el sábado y el domingo?');
  t.match(other, es.interviewer.otherDaysAsked, 'the interviewer knows its own follow-up');
  for (const q of Object.values(es.interviewer.question))
    t.notMatch(q, es.interviewer.otherDaysAsked, `a topic's question is not the follow-up: ${q}`);
  t.notMatch('¿Y cuánto cuesta una membresía?', es.interviewer.otherDaysAsked);
  const english = /\b(the|you|your|what|how|thank|hours|please|goodbye)\b/i;
  for (const line of [intro, question, repromptLine(2, 'classes', 'es'), goodbyeLine('idle', 'es')])
    t.notMatch(line, english, line);
});
