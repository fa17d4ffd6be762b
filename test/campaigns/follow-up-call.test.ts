import t from 'tap';
import { confirmationOf } from '../../src/campaigns/policy/follow-up.js';
import type { GymFactsState } from '../../src/campaigns/types.js';
import type { DayHours } from '../../src/facts/model.js';
import { OfflineInterviewer } from '../../src/providers/llm/offline.js';
import { systemPrompt } from '../../src/providers/llm/prompt.js';
import type { ConversationBrief } from '../../src/providers/llm/types.js';
import { harness, type Harness } from '../machines/harness.js';

// A follow-up call through the call machine with the offline interviewer: the gym's hours are known but old, its
// prices missing. The call asks the price and nothing else, confirms the hours in one sentence, and a "yes"
// records the known hours again (what makes them confirmed); a "no" asks what they are now.

const WEEKDAY: DayHours = { opens: '06:00', closes: '22:00' };
const KNOWN: GymFactsState = {
  topics: {
    hours: {
      missing: false,
      oldestConfirmedAt: new Date('2026-01-01T00:00:00Z'),
      confidence: 'medium',
      value: { mon: WEEKDAY, tue: WEEKDAY, wed: WEEKDAY, thu: WEEKDAY, fri: WEEKDAY },
      missingDays: [],
    },
    pricing: { missing: true, oldestConfirmedAt: null, confidence: null, value: [] },
    classes: { missing: false, oldestConfirmedAt: new Date(), confidence: 'high', value: [{ name: 'Yoga' }] },
  },
};
const CONFIRM = confirmationOf('hours', KNOWN);
const BRIEF: ConversationBrief = { topicsToAsk: ['pricing'], factsToConfirm: CONFIRM ? [CONFIRM] : [], askFor: 'Mike' };

async function turn(h: Harness, words: string): Promise<void> {
  h.callerSays(words);
  h.advance(3000);
  await h.settle();
  h.advance(100);
  h.playAll(500);
}

async function call(answers: string[]): Promise<Harness> {
  const h = harness({ direction: 'outbound', brief: BRIEF, llm: new OfflineInterviewer() });
  h.send({ type: 'MEDIA.START' });
  await turn(h, 'Iron Temple, this is Sam.');
  for (const a of answers) await turn(h, a);
  h.advance(5000);
  await h.settle();
  return h;
}

t.test('a follow-up asks only the missing topic and confirms the stale one', async (t) => {
  const h = await call(['Forty nine dollars a month.', 'Yes, that is still right.']);
  const said = h.saidTexts().join(' | ');
  t.match(said, /calling back for Mike with a few quick questions about your prices and hours/);
  t.match(said, /How much does a membership cost\?/);
  t.match(said, /Are you still open six a\.m\. to ten p\.m\. mondays through fridays\?/);
  t.notMatch(said, /opening hours\?|classes/i, 'neither the open hours question nor classes');
  const facts = h.ctx().facts;
  t.same(facts.hours, { mon: WEEKDAY, tue: WEEKDAY, wed: WEEKDAY, thu: WEEKDAY, fri: WEEKDAY }, 'hours confirmed');
  t.match(facts.pricing, [{ amountMinor: 4900, period: 'month' }]);
  t.same(facts.classes, [], 'classes never asked');
  const ended = h.ofType('call.ended')[0];
  t.equal(ended?.outcome, 'completed', 'complete for the brief, though classes were never asked');
});

t.test('a "no" to a confirmation asks what it is now; the new value is what the call records', async (t) => {
  const h = await call([
    'Forty nine dollars a month.',
    'No, that changed.',
    'We open at five a.m. and close at eleven p.m. monday through friday.',
  ]);
  const said = h.saidTexts().join(' | ');
  t.match(said, /the opening hours have changed\. \| What are they now\?/);
  t.match(h.ctx().facts.hours, { mon: { opens: '05:00', closes: '23:00' } });
});

t.test('the OpenAI prompt carries the brief', async (t) => {
  const prompt = systemPrompt({
    gymName: 'Iron Temple',
    direction: 'outbound',
    facts: { hours: {}, pricing: [], classes: [] },
    missing: ['pricing', 'hours'],
    asked: [],
    history: [],
    brief: BRIEF,
    reason: 'greeting',
  });
  t.match(prompt, /Ask only about: membership prices/);
  t.match(prompt, /are you still open six a\.m\. to ten p\.m\. mondays through fridays\?/);
  t.match(prompt, /Ask for Mike/);
});
