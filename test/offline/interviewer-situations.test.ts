import t from 'tap';
import { emptyFacts } from '../../src/facts/model.js';
import { OfflineInterviewer, planTurn } from '../../src/providers/llm/offline.js';
import type { ConversationInput, HistoryTurn } from '../../src/providers/llm/types.js';

// The offline interviewer on a person's refusals, deferrals and wrong numbers (issue 16): what it reports to the
// machine (refusal, callback, outcome) and what it says.

const NOW = new Date('2026-12-05T15:00:00Z'); // 10:00 in New York

function after(question: string, answer: string, extra: Partial<ConversationInput> = {}) {
  const history: HistoryTurn[] = [
    { speaker: 'agent', text: question },
    { speaker: 'caller', text: answer },
  ];
  const asked = question.includes('cost') ? (['hours', 'pricing'] as const) : (['hours'] as const);
  return planTurn(
    {
      gymName: 'Iron Temple',
      direction: 'outbound',
      facts: question.includes('cost')
        ? { ...emptyFacts(), hours: { mon: { opens: '06:00', closes: '22:00' } } }
        : emptyFacts(),
      missing: question.includes('cost') ? ['pricing', 'classes'] : ['hours', 'pricing', 'classes'],
      asked: [...asked],
      history,
      reason: 'reply',
      timeZone: 'America/New_York',
      ...extra,
    },
    NOW,
  );
}

t.test('a refused topic is reported with its website and not asked again; the next topic is', async (t) => {
  const p = after(
    'And how much does a membership cost?',
    "We don't give prices over the phone, it's all on irontemple.com.",
  );
  t.match(p.refusals, [{ topic: 'pricing', website: /irontemple\.com/ }]);
  t.notMatch(p.text.join(' '), /cost|price/i, 'not asked again');
  t.match(p.text.join(' '), /classes/, 'the next topic');
  t.equal(p.asked, 'classes');
});

t.test('nothing left but refused topics: a polite goodbye that ends the call', async (t) => {
  const p = after('And how much does a membership cost?', "Sorry, we don't give that out over the phone.", {
    refused: ['classes'],
  });
  t.equal(p.refusals?.[0]?.topic, 'pricing');
  t.match(p.text.at(-1), /goodbye/i);
  t.equal(p.endCall, 'other');
});

t.test('a callback request is structured in the gym’s local time, thanked and the call ends', async (t) => {
  const p = after(
    'What are your opening hours?',
    "The manager isn't in right now, call back after two and ask for Mike.",
  );
  t.equal(p.callback?.person, 'Mike');
  t.equal(p.callback?.earliestLocal, '2026-12-05T14:00');
  t.match(p.text.join(' '), /call back then and ask for Mike/);
  t.equal(p.endCall, 'other');
});

t.test("the interviewer reads a callback's time against the server's clock, not the machine's date", async (t) => {
  // A campaign demo's simulated Monday: "after two" is that Monday's two o'clock, whatever today really is.
  const llm = new OfflineInterviewer({ now: () => new Date('2027-03-01T15:00:00Z') });
  const input: ConversationInput = {
    gymName: 'Iron Temple',
    direction: 'outbound',
    facts: emptyFacts(),
    missing: ['hours', 'pricing', 'classes'],
    asked: ['hours'],
    history: [
      { speaker: 'agent', text: 'What are your opening hours?' },
      { speaker: 'caller', text: 'Call back after two and ask for Mike.' },
    ],
    reason: 'reply',
    timeZone: 'America/New_York',
  };
  const chunks = [];
  for await (const c of llm.respond(input, new AbortController().signal)) chunks.push(c);
  t.match(chunks, [{ type: 'callback', request: { earliestLocal: '2027-03-01T14:00', person: 'Mike' } }]);
});

t.test('wrong number, not a gym, permanently closed: an outcome each and a polite end, no facts', async (t) => {
  for (const [words, outcome] of [
    ['You have the wrong number.', 'wrong-number'],
    ["This is a pizzeria, we're not a gym.", 'not-a-gym'],
    ['The gym closed for good last year.', 'permanently-closed'],
  ] as const) {
    const p = after('What are your opening hours?', words);
    t.equal(p.outcome, outcome, words);
    t.equal(p.endCall, 'other');
    t.equal(p.facts, undefined);
    t.match(p.text.join(' '), /goodbye/i);
  }
});

t.test('an ordinary answer reports no refusal, callback or outcome', async (t) => {
  const p = after('What are your opening hours?', 'We are open six a.m. to ten p.m. every day.');
  t.same(p.refusals, []);
  t.equal(p.callback, undefined);
  t.equal(p.outcome, undefined);
});

t.test(
  '"let me transfer you" with a topic never asked: that question first, then "go ahead", no goodbye',
  async (t) => {
    const p = after(
      'And how much does a membership cost?',
      "I don't know the prices, let me transfer you to the manager.",
    );
    t.match(p.text.join(' '), /^Sure, before you transfer me, one quick question\. Which fitness classes/);
    t.equal(p.asked, 'classes');
    t.equal(p.endCall, undefined);
    // She answered; only the prices are left, which the manager will give.
    const history: HistoryTurn[] = [
      { speaker: 'agent', text: 'And how much does a membership cost?' },
      { speaker: 'caller', text: "I don't know the prices, let me transfer you to the manager." },
      { speaker: 'agent', text: p.text.join(' ') },
      { speaker: 'caller', text: 'We have yoga and spin.' },
    ];
    const q = planTurn(
      {
        gymName: 'Iron Temple',
        direction: 'outbound',
        facts: { ...emptyFacts(), hours: { mon: { opens: '06:00', closes: '22:00' } } },
        missing: ['pricing', 'classes'],
        asked: ['hours', 'pricing', 'classes'],
        history,
        reason: 'reply',
        awaitingTransfer: true,
      },
      NOW,
    );
    t.match(q.text.join(' '), /yoga|thank|great|perfect|got it/i);
    t.match(q.text.at(-1), /Go ahead and transfer me, I'll hold\./);
    t.equal(q.endCall, undefined, 'no goodbye: the manager is next');
    // Nothing left to ask of anyone: the transfer's words alone get no question.
    const none = after('And how much does a membership cost?', 'Let me transfer you to the manager.', {
      asked: ['hours', 'pricing', 'classes'],
    });
    t.notMatch(none.text.join(' '), /before you transfer me/);
  },
);
