import t from 'tap';
import { TOOLS, TOOL_NAMES, interpretToolCall } from '../../src/providers/llm/tools.js';

t.test('the JSON schemas offered to the model name exactly the tools we interpret', async (t) => {
  t.same(
    TOOLS.map((x) => x.function.name),
    [...TOOL_NAMES],
  );
});

t.test('valid calls become chunks in GymFacts units', async (t) => {
  t.same(
    interpretToolCall(
      'record_facts',
      JSON.stringify({
        hours: [{ days: ['sat', 'sun'], open24h: true }],
        pricing: [{ plan: 'Day pass', amount: 15, currency: 'usd', period: 'visit' }],
        classes: [{ name: 'Yoga', schedule: 'mornings' }, { name: 'HIIT' }],
      }),
    ).chunk,
    {
      type: 'facts',
      facts: {
        hours: { sat: { open24h: true }, sun: { open24h: true } },
        pricing: [{ plan: 'Day pass', amountMinor: 1500, currency: 'USD', period: 'visit' }],
        classes: [{ name: 'yoga', schedule: 'mornings' }, { name: 'hiit' }],
      },
    },
  );
  t.same(interpretToolCall('asking_about', '{"topic":"pricing"}').chunk, { type: 'asked', topic: 'pricing' });
  t.same(interpretToolCall('end_call', '{"reason":"facts-complete"}').chunk, {
    type: 'end-call',
    reason: 'facts-complete',
  });
});

t.test(
  'anything invalid becomes invalid-tool with a reason, and a tool result telling the model to ask again',
  async (t) => {
    const cases: [string, string, RegExp][] = [
      ['record_facts', '{}', /at least one/],
      ['record_facts', '{"hours":[{"days":["mon"],"opens":"25:00","closes":"22:00"}]}', /opens/],
      ['record_facts', '{"hours":[{"days":["mon"]}]}', /opens and closes/],
      ['record_facts', '{"pricing":[{"plan":"monthly","amount":-5,"period":"month"}]}', /amount/],
      ['record_facts', '{"pricing":[{"plan":"monthly","amount":5,"period":"fortnight"}]}', /period/],
      ['record_facts', '{"pricing":[{"plan":"x","amount":5,"currency":"dollars","period":"month"}]}', /currency/],
      ['asking_about', '{"topic":"parking"}', /topic/],
      ['end_call', '{"reason":"bored"}', /reason/],
      ['transfer_call', '{}', /unknown tool/],
      ['record_facts', '{"hours": [', /JSON/],
    ];
    for (const [name, args, why] of cases) {
      const o = interpretToolCall(name, args);
      t.equal(o.chunk.type, 'invalid-tool', `${name} ${args}`);
      t.match((o.chunk as { error: string }).error, why);
      t.match(o.result, /ask the staff again/);
    }
  },
);
