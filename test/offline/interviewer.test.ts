import t from 'tap';
import { emptyFacts, mergeFacts, missingTopics, type GymFacts, type Topic } from '../../src/facts/model.js';
import { detectTopics } from '../../src/facts/topics.js';
import type { ConversationInput, HistoryTurn, LlmChunk } from '../../src/providers/llm/types.js';
import { OfflineInterviewer } from '../../src/providers/llm/offline.js';

// The offline interviewer driven turn by turn the way the call machine does: facts, asked topics and history
// are carried over from each reply's chunks.

interface Conversation {
  facts: GymFacts;
  asked: Topic[];
  history: HistoryTurn[];
  agentLines: string[];
  ended?: string;
  /** The machine's lastQuestion: the question as it was to be said. */
  lastQuestion?: string;
}

async function agentTurn(c: Conversation, reason: ConversationInput['reason']): Promise<LlmChunk[]> {
  const llm = new OfflineInterviewer();
  const input: ConversationInput = {
    gymName: 'Iron Temple',
    direction: 'outbound',
    facts: c.facts,
    missing: missingTopics(c.facts),
    asked: [...c.asked],
    history: [...c.history],
    lastQuestion: c.lastQuestion,
    reason,
  };
  const chunks: LlmChunk[] = [];
  for await (const ch of llm.respond(input, new AbortController().signal)) chunks.push(ch);
  let text = '';
  for (const ch of chunks) {
    if (ch.type === 'text') text += ch.delta;
    if (ch.type === 'facts') c.facts = mergeFacts(c.facts, ch.facts);
    if (ch.type === 'asked') c.asked.push(ch.topic);
    if (ch.type === 'end-call') c.ended = ch.reason;
  }
  c.history.push({ speaker: 'agent', text });
  c.agentLines.push(text);
  return chunks;
}

function caller(c: Conversation, text: string): void {
  c.history.push({ speaker: 'caller', text });
}

function fresh(): Conversation {
  return { facts: emptyFacts(), asked: [], history: [], agentLines: [] };
}

/** A conversation asked hours and pricing, answered with `hours` and `price`, and now asked about classes. */
async function askedClasses(hours: string, price: string): Promise<Conversation> {
  const c = fresh();
  await agentTurn(c, 'greeting');
  caller(c, hours);
  await agentTurn(c, 'reply');
  caller(c, price);
  await agentTurn(c, 'reply');
  return c;
}

t.test('cooperative call: hours, then pricing, then classes, then goodbye', async (t) => {
  const c = fresh();
  const g = await agentTurn(c, 'greeting');
  t.match(c.agentLines[0], /Iron Temple/);
  t.same(
    g.filter((x) => x.type === 'asked'),
    [{ type: 'asked', topic: 'hours' }],
  );
  t.equal(g[g.length - 1]?.type, 'done', 'ends with done');
  caller(c, "we're open five a.m. to eleven p.m. monday through saturday and closed on sundays");
  await agentTurn(c, 'reply');
  t.same(c.facts.hours.mon, { opens: '05:00', closes: '23:00' });
  t.same(detectTopics(c.agentLines[1] as string).topics, ['pricing'], 'asks about pricing next');
  caller(c, 'membership is forty nine dollars a month');
  await agentTurn(c, 'reply');
  t.same(detectTopics(c.agentLines[2] as string).topics, ['classes']);
  caller(c, 'we have yoga and spin');
  const last = await agentTurn(c, 'reply');
  t.equal(c.ended, 'facts-complete');
  t.ok(detectTopics(c.agentLines[3] as string).goodbye, 'says goodbye');
  t.same(
    last.map((x) => x.type),
    ['facts', 'text', 'text', 'end-call', 'done'],
  );
  t.same(c.asked, ['hours', 'pricing', 'classes'], 'each topic asked exactly once');
});

t.test('follows what the caller volunteers and never asks it again', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  caller(c, "we're open twenty four hours and we have crossfit and yoga");
  await agentTurn(c, 'reply');
  t.same(c.facts.classes.map((x) => x.name).sort(), ['crossfit', 'yoga']);
  t.same(c.asked, ['hours', 'pricing'], 'skips classes, asks pricing');
  caller(c, 'thirty dollars a month');
  await agentTurn(c, 'reply');
  t.equal(c.ended, 'facts-complete');
  t.same(c.asked, ['hours', 'pricing']);
});

t.test('everything at once in the first answer ends the call right away', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  caller(
    c,
    'monday through friday six a.m. to ten p.m. weekends eight to six membership is forty nine dollars a month and we offer zumba and pilates',
  );
  await agentTurn(c, 'reply');
  t.equal(c.ended, 'facts-complete');
  t.same(c.asked, ['hours']);
});

t.test('a stray single mention of an unasked topic does not answer it', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  // "five p.m. sunday" misrecognised as "five dance sunday": the hours answer carries a "dance" class.
  caller(c, 'monday through saturday five a.m. to ten p.m. and eight a.m. to five dance sunday');
  const r = await agentTurn(c, 'reply');
  t.same(c.facts.classes, [], 'no class recorded from the stray word');
  t.ok(
    r.some((x) => x.type === 'facts' && x.facts.hours !== undefined && x.facts.classes === undefined),
    'the hours answer is still recorded',
  );
  t.same(c.asked, ['hours', 'pricing'], 'pricing asked next');
  caller(c, 'fifty five dollars a month');
  await agentTurn(c, 'reply');
  t.same(c.asked, ['hours', 'pricing', 'classes'], 'classes get their own question');
  caller(c, 'we have spin and kickboxing');
  await agentTurn(c, 'reply');
  t.same(c.facts.classes.map((x) => x.name).sort(), ['kickboxing', 'spin'], 'the real answer, without "dance"');
  t.equal(c.ended, 'facts-complete');
});

t.test('a volunteered mention with a cue counts, even a single item', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  caller(c, "we're open twenty four hours and we also offer yoga classes");
  await agentTurn(c, 'reply');
  t.same(
    c.facts.classes.map((x) => x.name),
    ['yoga'],
  );
  t.same(c.asked, ['hours', 'pricing'], 'classes not asked: the caller clearly answered them');
  // A single price without a cue word other than "dollars" still counts: "dollars" is explicit.
  caller(c, 'thirty dollars a month');
  await agentTurn(c, 'reply');
  t.equal(c.ended, 'facts-complete');
});

t.test('a topic already asked accepts a late answer, even a single item', async (t) => {
  const c = await askedClasses('every day six a.m. to ten p.m.', 'forty dollars a month');
  t.same(c.asked, ['hours', 'pricing', 'classes']);
  caller(c, 'zumba');
  await agentTurn(c, 'reply');
  t.same(
    c.facts.classes.map((x) => x.name),
    ['zumba'],
  );
  t.equal(c.ended, 'facts-complete');
});

t.test('hours that leave days unaccounted for get one follow-up naming those days', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  // "…and eight thirty a.m. to six p.m. saturday and sunday" as the recogniser heard it: the weekend is lost.
  caller(c, 'six a.m. to ten p.m. monday through friday and eight thirty a.m. to sixty dance');
  const first = await agentTurn(c, 'reply');
  t.same(Object.keys(c.facts.hours), ['mon', 'tue', 'wed', 'thu', 'fri'], 'the weekdays are kept');
  t.match(c.agentLines[1], /What about saturday and sunday\?$/, 'asks about the days it did not hear');
  t.same(detectTopics(c.agentLines[1] as string).topics, [], 'not the hours question again');
  t.notOk(
    first.some((x) => x.type === 'asked'),
    'not a new question (no asked chunk)',
  );
  // She says the whole week again, the weekdays heard worse this time: the days asked about are taken, the
  // weekdays already heard are kept.
  caller(c, 'monday through friday seven to ten and saturday and sunday it is from eight thirty a.m. to six p.m.');
  await agentTurn(c, 'reply');
  t.same(c.facts.hours.sun, { opens: '08:30', closes: '18:00' });
  t.same(c.facts.hours.mon, { opens: '06:00', closes: '22:00' }, 'the first reading of monday stands');
  t.same(detectTopics(c.agentLines[2] as string).topics, ['pricing'], 'then moves on');
  // A gym that really is open only on weekdays: the follow-up is asked once, never again.
  const d = fresh();
  await agentTurn(d, 'greeting');
  caller(d, 'monday through friday seven a.m. to nine p.m.');
  await agentTurn(d, 'reply');
  caller(d, 'monday through friday seven a.m. to nine p.m.');
  await agentTurn(d, 'reply');
  t.same(detectTopics(d.agentLines[2] as string).topics, ['pricing'], 'no second follow-up');
  t.same(d.asked, ['hours', 'pricing']);
});

t.test('a topic said again while another is asked only adds what is not known yet', async (t) => {
  const c = await askedClasses('we are open six a.m. to nine p.m. every day', 'fifty nine dollars a month');
  t.same(c.asked, ['hours', 'pricing', 'classes']);
  // Asked about classes, she says everything again, heard worse on a noisy line, and a day pass that is new.
  caller(c, 'three to nine every day it is nine dollars a month and a day pass is ten dollars we offer yoga');
  await agentTurn(c, 'reply');
  t.same(c.facts.hours.mon, { opens: '06:00', closes: '21:00' }, 'the hours heard first stand');
  t.same(
    c.facts.pricing.map((p) => [p.period, p.amountMinor]),
    [
      ['month', 5900],
      ['day', 1000],
    ],
    'the monthly price heard first stands; the new plan is added',
  );
  t.same(
    c.facts.classes.map((x) => x.name),
    ['yoga'],
  );
});

t.test('a caller correcting herself is heard, whatever is asked now', async (t) => {
  const c = await askedClasses('we are open six a.m. to nine p.m. every day', 'fifty nine dollars a month');
  t.same(c.asked, ['hours', 'pricing', 'classes']);
  caller(c, 'we offer yoga and actually i misspoke the monthly is sixty nine dollars a month');
  await agentTurn(c, 'reply');
  t.same(
    c.facts.pricing.map((p) => p.amountMinor),
    [6900],
    'the corrected price replaces the first',
  );
});

t.test('hours for a single day are not taken as the answer: one clarification, then the real answer', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  // "Seven days a week we're open from six a.m. to nine p.m. …" as the recogniser heard it.
  caller(
    c,
    'that monday the only plan open from six a.m. to nine p.m. membership to fifty nine dollars per month for classes we have crossfit and hiit',
  );
  const first = await agentTurn(c, 'reply');
  t.same(c.facts.hours, {}, 'the lone monday is not recorded');
  t.equal(c.facts.pricing.length, 1, 'the rest of the answer is');
  t.equal(c.facts.classes.length, 2);
  t.match(c.agentLines[1], /didn't quite catch your opening hours/);
  t.notOk(
    first.some((x) => x.type === 'end-call'),
    'the call goes on',
  );
  caller(c, 'every day we are open from six a.m. to nine p.m.');
  await agentTurn(c, 'reply');
  t.equal(Object.keys(c.facts.hours).length, 7);
  t.equal(c.ended, 'facts-complete');
  // After the clarification a single day is accepted: it is what the caller said twice.
  const d = fresh();
  await agentTurn(d, 'greeting');
  caller(d, 'monday six a.m. to nine p.m.');
  await agentTurn(d, 'reply');
  caller(d, 'monday six a.m. to nine p.m.');
  await agentTurn(d, 'reply');
  t.same(Object.keys(d.facts.hours), ['mon']);
  t.same(d.asked, ['hours', 'pricing']);
});

t.test('asks once to clarify, then moves on without repeating the question', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  caller(c, 'um what was that');
  await agentTurn(c, 'reply');
  t.match(c.agentLines[1], /didn't quite catch your opening hours/);
  t.same(c.asked, ['hours'], 'a clarification is not a new question');
  caller(c, 'i am not sure sorry');
  await agentTurn(c, 'reply');
  t.notMatch(c.agentLines[2], /hours/i, 'no second clarification of hours');
  t.same(detectTopics(c.agentLines[2] as string).topics, ['pricing']);
  caller(c, '');
  await agentTurn(c, 'reply');
  t.match(
    c.agentLines[3],
    /didn't quite catch the membership price/,
    'empty (not understood) answer gets a clarification',
  );
  caller(c, 'forty dollars a month');
  await agentTurn(c, 'reply');
  caller(c, 'no classes');
  await agentTurn(c, 'reply');
  caller(c, 'nothing');
  await agentTurn(c, 'reply');
  t.equal(c.ended, 'other', 'ends without every fact once each topic had its chance');
  t.ok(detectTopics(c.agentLines[c.agentLines.length - 1] as string).goodbye);
  const questions = c.agentLines.filter((l) => /\?$/.test(l));
  t.equal(new Set(questions).size, questions.length, 'no line asked twice');
});

t.test('a clarification cut short by a barge-in still counts as asked', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  caller(c, 'what');
  await agentTurn(c, 'reply');
  // The caller heard only the first part.
  const last = c.history[c.history.length - 1] as HistoryTurn;
  last.text = "Sorry, I didn't quite catch your opening hours.";
  last.interrupted = true;
  caller(c, 'hmm');
  await agentTurn(c, 'reply');
  t.notMatch(c.agentLines[2], /catch the hours/);
});

t.test('caller wants to leave: polite goodbye, caller-request', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  caller(c, 'sorry i have to go bye');
  await agentTurn(c, 'reply');
  t.equal(c.ended, 'caller-request');
});

t.test('reprompt and closing', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  const r = await agentTurn(c, 'reprompt');
  t.match(c.agentLines[1], /still there/);
  t.notOk(
    r.some((x) => x.type === 'asked'),
    'a reprompt does not ask a new topic',
  );
  await agentTurn(c, 'closing');
  t.equal(c.ended, 'other');
  t.ok(detectTopics(c.agentLines[2] as string).goodbye);
});

t.test('cancellation stops the stream', async (t) => {
  const llm = new OfflineInterviewer();
  const ac = new AbortController();
  ac.abort();
  const chunks: LlmChunk[] = [];
  const input: ConversationInput = {
    gymName: 'Gym',
    direction: 'inbound',
    facts: emptyFacts(),
    missing: ['hours', 'pricing', 'classes'],
    asked: [],
    history: [],
    reason: 'greeting',
  };
  for await (const ch of llm.respond(input, ac.signal)) chunks.push(ch);
  t.same(chunks, [], 'nothing after abort');
});

t.test('"sorry, what was that?" gets the last question again; "sorry, we don\'t" is an answer', async (t) => {
  const c = fresh();
  await agentTurn(c, 'greeting');
  c.lastQuestion = 'What are your opening hours?';
  // What she heard of the greeting was cut short; the question is the machine's, whole.
  c.history[c.history.length - 1] = { speaker: 'agent', text: "Hi, I'm an automated", interrupted: true };
  caller(c, 'Sorry, what was that?');
  const again = await agentTurn(c, 'reply');
  t.equal(c.agentLines.at(-1), 'What are your opening hours?');
  t.same(
    again.filter((x) => x.type === 'asked'),
    [],
    'asked already: not counted twice',
  );
  caller(c, "sorry, we don't give those out");
  await agentTurn(c, 'reply');
  t.not(c.agentLines.at(-1), 'What are your opening hours?', 'a "sorry" inside an answer asks for nothing');
});
