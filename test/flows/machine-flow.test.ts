import t from 'tap';
import { greetingLines, questionFor } from '../../machines/text.js';
import type { FlowScript } from '../../src/flows/script.js';
import { flowIn } from '../../src/language/flow-wording.js';
import { systemPrompt } from '../../src/providers/llm/prompt.js';
import { emptyFacts, TOPICS } from '../../src/facts/model.js';
import type { ConversationInput } from '../../src/providers/llm/types.js';
import { greeted } from '../machines/harness.js';

// A flow variant in the call machine: its greeting and first question, its topic order for the next question, its
// filler policy on a slow reply (an earlier holding line, its own wording, or none), and a control variant that
// changes nothing.

const pricingFirst: FlowScript = {
  experiment: 'exp',
  variant: 'pricing-first',
  topicOrder: ['pricing', 'classes', 'hours'],
  greeting: { inbound: 'Hello! I am an automated assistant for {gym}, asking about your {topics}.' },
  questions: { pricing: 'What does a monthly membership cost?' },
};
const control: FlowScript = { experiment: 'exp', variant: 'control' };

t.test('the greeting and the first question come from the variant, in its order', async (t) => {
  const h = greeted({ flow: pricingFirst });
  t.same(h.saidTexts().slice(0, 2), [
    'Hello! I am an automated assistant for Iron Temple, asking about your prices, classes and hours.',
    'What does a monthly membership cost?',
  ]);
  t.same(h.ctx().asked, ['pricing'], 'the variant question counts as asking pricing');
  h.callerSays('Forty dollars a month.');
  h.advance(400);
  t.same(h.reply()?.input.missing, ['pricing', 'classes', 'hours'], 'the LLM sees the topics in the flow order');
  t.equal(h.reply()?.input.flow, pricingFirst, 'and the flow itself');
});

t.test('control: word for word the built-in greeting and prompt', async (t) => {
  for (const d of ['inbound', 'outbound'] as const)
    t.same(greetingLines(d, 'Iron Temple', undefined, undefined, control), greetingLines(d, 'Iron Temple'));
  for (const topic of TOPICS) t.equal(questionFor(topic, undefined, control), questionFor(topic));
  const input: ConversationInput = {
    gymName: 'Iron Temple',
    direction: 'outbound',
    facts: emptyFacts(),
    missing: [...TOPICS],
    asked: [],
    history: [],
    reason: 'reply',
  };
  t.equal(systemPrompt({ ...input, flow: control }), systemPrompt(input));
  const prompt = systemPrompt({ ...input, flow: pricingFirst, missing: ['pricing', 'classes', 'hours'] });
  t.match(prompt, /Still missing: membership prices \(plan name, amount, period\); fitness classes offered; opening/);
  t.match(prompt, /Ask about the missing topics in the order they are listed\./);
  t.match(prompt, /pricing: "What does a monthly membership cost\?"/);
});

t.test('a callback for a person keeps the variant greeting and names the person', async (t) => {
  const [intro, question] = greetingLines(
    'inbound',
    'Iron Temple',
    undefined,
    {
      topicsToAsk: ['hours', 'pricing'],
      factsToConfirm: [],
      askFor: 'Mike',
    },
    pricingFirst,
  );
  t.equal(
    intro,
    "Hello! I am an automated assistant for Iron Temple, asking about your prices and hours. I'm calling back for Mike.",
  );
  t.equal(question, 'What does a monthly membership cost?');
});

t.test('filler policy: the configured holding line, an earlier own one, or none', async (t) => {
  const think = (flow: FlowScript) => {
    const h = greeted({ flow });
    h.callerSays('We are open six to ten every day.');
    // The recogniser closed a complete sentence: the turn ends after the semantic wait (250 ms).
    h.advance(250);
    t.equal(h.turn(), 'thinking');
    return h;
  };
  const c = think(control);
  c.advance(2499);
  const before = c.saidTexts().length;
  c.advance(1);
  t.equal(c.saidTexts().length, before + 1, 'control: the holding line at PROVIDER_DEADLINE_MS');
  t.match(c.saidTexts().at(-1), /One moment|Just a second/);

  const early = think({
    ...control,
    variant: 'early',
    filler: { mode: 'holding-line', afterMs: 900, lines: ['Let me note that.'] },
  });
  early.advance(899);
  t.notOk(early.saidTexts().includes('Let me note that.'), 'not before 900 ms');
  early.advance(1);
  t.equal(early.saidTexts().at(-1), 'Let me note that.', 'its own line at 900 ms');
  t.equal(early.ctx().metrics.holdingLines, 1);

  const quiet = think({ ...control, variant: 'quiet', filler: { mode: 'none' } });
  const said = quiet.saidTexts().length;
  quiet.advance(5000);
  t.equal(quiet.saidTexts().length, said, 'none: silence while the reply is late');
  t.equal(quiet.ctx().metrics.holdingLines, 0);
  quiet.llm('Thanks for waiting.');
  t.equal(quiet.turn(), 'speaking.flowing', 'the reply still comes through');
});

t.test('a Spanish call keeps the variant topic order and filler policy but says its own lines', async (t) => {
  const own: FlowScript = { ...pricingFirst, filler: { mode: 'holding-line', afterMs: 500, lines: ['Hang on.'] } };
  const [intro, question] = greetingLines('inbound', 'Iron Temple', undefined, undefined, own, 'es');
  t.match(intro, /^Hola, ¡gracias por llamar! .*precios, clases y horario de Iron Temple\.$/, 'the order, in Spanish');
  t.equal(question, '¿Cuánto cuesta una membresía?');
  t.same(flowIn(own, 'es')?.filler, { mode: 'holding-line', afterMs: 500 }, 'when to hold stays; the words go');
  t.equal(flowIn(own, 'en'), own, 'an English call runs the variant as written');
  const input: ConversationInput = {
    gymName: 'Iron Temple',
    direction: 'inbound',
    facts: emptyFacts(),
    missing: [...TOPICS],
    asked: [],
    history: [],
    flow: own,
    language: 'es',
    reason: 'greeting',
  };
  t.notMatch(systemPrompt(input), /What does a monthly membership cost/);
});
