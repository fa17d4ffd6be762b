import { greeted, type Harness } from '../machines/harness.js';
import type { Language } from '../../src/language/index.js';
import { FakeOpenAi, type ScriptedReply } from '../../src/fakes/openai.js';
import { OpenAiDesk } from '../../src/frontdesk/openai-desk.js';
import { deskKnowledge, type DeskKnowledge } from '../../src/frontdesk/knowledge.js';
import { FrontDeskLlm } from '../../src/frontdesk/provider.js';
import type { DeskBrain } from '../../src/frontdesk/receptionist.js';
import { createLogger } from '../../src/log.js';

// The front-desk tests' gym (its facts and clock) and their way of driving the desk through the call machine:
// shared by the English (desk.test.ts) and Spanish (desk-es.test.ts) tests.

export const PLACE = { name: 'Iron Temple', timeZone: 'America/New_York', region: 'US', subdivision: 'NY' };
export const FACTS = {
  hours: {
    mon: { opens: '06:00', closes: '22:00' },
    tue: { opens: '06:00', closes: '22:00' },
    wed: { opens: '06:00', closes: '22:00' },
    thu: { opens: '06:00', closes: '22:00' },
    fri: { opens: '06:00', closes: '21:30' },
    sat: { opens: '08:00', closes: '18:00' },
    sun: { closed: true as const },
  },
  pricing: [
    { plan: 'monthly', amountMinor: 4900, currency: 'USD', period: 'month' as const },
    { plan: 'day pass', amountMinor: 1500, currency: 'USD', period: 'day' as const },
  ],
  classes: [{ name: 'yoga' }, { name: 'spin', schedule: 'tuesdays at six p.m.' }],
  stale: [] as const,
};
// Monday 7 December 2026, 10:00 in New York (15:00 UTC); 23:30 UTC on the Saturday is still Saturday there.
export const MONDAY = new Date('2026-12-07T15:00:00Z');
export const known = (now = MONDAY, facts: Parameters<typeof deskKnowledge>[1] = FACTS): DeskKnowledge =>
  deskKnowledge(PLACE, facts, { now, defaultTimeZone: 'UTC' });

const silent = createLogger('silent');

export function desk(brain: DeskBrain, k: DeskKnowledge | undefined = known(), staff = true) {
  const blocked: string[][] = [];
  const llm = new FrontDeskLlm({
    brain,
    knowledge: Promise.resolve(k),
    staff: Promise.resolve(staff),
    log: silent,
    onBlocked: (p) => blocked.push(p),
  });
  return { llm, blocked };
}

/** The caller says `text`; the desk's reply is written and played; what it said comes back. */
export async function ask(h: Harness, text: string): Promise<string> {
  const before = h.saidTexts().length;
  h.callerSays(text);
  h.advance(1500);
  for (let i = 0; i < 20 && h.ctx().agentTurn === undefined; i++) await h.settle();
  await h.settle();
  h.playAll(100);
  await h.settle();
  return h.saidTexts().slice(before).join(' ');
}

/**
 * The caller asks `text` and the reply runs to its end (`last` heard): every text the speaker was given for it, in
 * order (each SPEAKER.SAY, what text-to-speech would synthesise), joined.
 */
export async function spokenFor(h: Harness, text: string, last: string): Promise<string> {
  const before = h.says().length;
  const said = await ask(h, text);
  for (let i = 0; i < 50 && !said.includes(last); i++) await h.settle();
  return h
    .says()
    .slice(before)
    .map((s) => s.text)
    .join(' ');
}

/**
 * The OpenAI desk against the fake, scripted to look up the monthly price and then say `text` (what it invents):
 * the fake (its requests) and the desk as `desk()` gives it.
 */
export async function inventingDesk(t: Teardown, text: string) {
  return scriptedDesk(t, [
    { toolCalls: [{ name: 'lookup_facts', arguments: '{"topic":"prices","plan":"monthly"}' }] },
    { text },
  ]);
}

type Teardown = { teardown(fn: () => unknown): void };

/** The OpenAI desk against the fake answering `replies` in turn: the fake (its requests) and the desk. */
export async function scriptedDesk(t: Teardown, replies: ScriptedReply[]) {
  const fake = await new FakeOpenAi({ apiKey: 'oa-key', replies }).start();
  t.teardown(() => fake.close());
  const brain = new OpenAiDesk({
    apiKey: 'oa-key',
    baseURL: fake.url,
    model: 'gpt-4o-mini',
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
  });
  return { fake, ...desk(brain) };
}

/**
 * The OpenAI desk against the fake, scripted to call lookup_facts with `lookup` and then write `said` in one reply,
 * through the call machine: what the speaker was given for the caller's `question` (until `last` is heard), each
 * sentence the guard stopped (its problems), and the fake (its requests).
 */
export async function inventedReply(
  t: Teardown,
  o: { lookup: string; said: string; question: string; last: string; language?: Language },
) {
  const { fake, llm, blocked } = await scriptedDesk(t, [
    { toolCalls: [{ name: 'lookup_facts', arguments: o.lookup }] },
    { text: o.said },
  ]);
  const h = greeted({ mode: 'front-desk', llm, ...(o.language === undefined ? {} : { language: o.language }) });
  return { fake, blocked, spoken: await spokenFor(h, o.question, o.last) };
}
