import t from 'tap';
import { SITUATION_TOOLS, SITUATION_TOOL_NAMES, type ToolContext } from '../../src/providers/llm/situation-tools.js';
import { interpretToolCall } from '../../src/providers/llm/tools.js';

// Saturday 5 December 2026, 10:30 in New York.
const CTX: ToolContext = {
  now: new Date('2026-12-05T15:30:00Z'),
  timeZone: 'America/New_York',
  missing: ['pricing', 'classes'],
};

t.test('the schemas offered name exactly the situation tools interpreted, each strict', async (t) => {
  t.same(
    SITUATION_TOOLS.map((x) => x.function.name),
    [...SITUATION_TOOL_NAMES],
  );
  for (const tool of SITUATION_TOOLS) t.equal(tool.function.parameters.additionalProperties, false, tool.function.name);
});

t.test('valid calls become chunks', async (t) => {
  t.same(interpretToolCall('press_keys', '{"digits":"2"}', CTX), {
    chunk: { type: 'press-keys', digits: '2' },
    result: 'pressing 2',
  });
  t.same(interpretToolCall('press_keys', '{"digits":"0#"}', CTX).chunk, { type: 'press-keys', digits: '0#' });
  t.same(interpretToolCall('wait_on_hold', '{}', CTX).chunk, { type: 'hold' });
  t.same(interpretToolCall('wait_on_hold', '', CTX).chunk, { type: 'hold' });
  t.same(interpretToolCall('leave_voicemail', '{}', CTX).chunk, { type: 'voicemail', full: false });
  t.same(interpretToolCall('leave_voicemail', '{"mailbox_full":true}', CTX).chunk, { type: 'voicemail', full: true });
  t.same(
    interpretToolCall(
      'record_refusal',
      JSON.stringify({
        topic: 'pricing',
        words: "It's all on our website, IronTemple.com slash prices.",
        website: 'IronTemple.com/prices',
      }),
      CTX,
    ),
    {
      chunk: {
        type: 'refusal',
        refusal: {
          topic: 'pricing',
          words: "It's all on our website, IronTemple.com slash prices.",
          website: 'irontemple.com/prices',
        },
      },
      result: 'recorded; do not ask about pricing again',
    },
  );
  t.same(
    interpretToolCall('record_refusal', JSON.stringify({ topic: 'hours', words: "you'd have to come in" }), CTX).chunk,
    { type: 'refusal', refusal: { topic: 'hours', words: "you'd have to come in" } },
  );
  t.same(interpretToolCall('end_call_with_outcome', '{"outcome":"wrong-number"}', CTX), {
    chunk: { type: 'outcome', outcome: 'wrong-number' },
    result: 'the call will end after your goodbye',
  });
});

t.test("a callback's time is read from the staff's words in the gym's zone, never from the model's date", async (t) => {
  t.same(
    interpretToolCall(
      'request_callback',
      JSON.stringify({ words: 'Call back after two and ask for Mike.', when: 'after two', person: 'Mike' }),
      CTX,
    ).chunk,
    {
      type: 'callback',
      request: {
        earliestLocal: '2026-12-05T14:00',
        timeZone: 'America/New_York',
        person: 'Mike',
        topics: ['pricing', 'classes'],
        words: 'Call back after two and ask for Mike.',
      },
    },
  );
  // No `when`: the words are read; no person given: the words name one; topics given: kept.
  t.same(
    interpretToolCall(
      'request_callback',
      JSON.stringify({ words: 'the manager is in tomorrow morning', topics: ['pricing'] }),
      CTX,
    ).chunk,
    {
      type: 'callback',
      request: {
        earliestLocal: '2026-12-06T09:00',
        timeZone: 'America/New_York',
        person: 'the manager',
        topics: ['pricing'],
        words: 'the manager is in tomorrow morning',
      },
    },
  );
  // No time in the words: no earliest time; the words are kept for the reviewer.
  const odd = interpretToolCall('request_callback', JSON.stringify({ words: 'call back later' }), CTX).chunk;
  t.same(odd, {
    type: 'callback',
    request: {
      earliestLocal: undefined,
      timeZone: 'America/New_York',
      person: undefined,
      topics: ['pricing', 'classes'],
      words: 'call back later',
    },
  });
});

t.test('invalid arguments become invalid-tool and ask again', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['press_keys', '{"digits":"two"}', /digits must be/],
    ['press_keys', '{"digits":""}', /digits must be/],
    ['press_keys', '{"digits":"1234567890123"}', /digits must be/],
    ['press_keys', '{"digits":"2","why":"x"}', /Unrecognized key/],
    ['wait_on_hold', '{"minutes":5}', /Unrecognized key/],
    ['leave_voicemail', '{"mailbox_full":"yes"}', /mailbox_full/],
    ['record_refusal', '{"topic":"parking","words":"no"}', /topic/],
    ['record_refusal', '{"topic":"pricing","words":""}', /words/],
    ['record_refusal', '{"topic":"pricing","words":"see the site","website":"the website"}', /not a web address/],
    ['request_callback', '{"when":"after two"}', /words/],
    ['request_callback', `{"words":"${'x'.repeat(501)}"}`, /words/],
    ['end_call_with_outcome', '{"outcome":"completed"}', /outcome/],
  ];
  for (const [name, args, why] of cases) {
    const o = interpretToolCall(name, args, CTX);
    t.equal(o.chunk.type, 'invalid-tool', `${name} ${args.slice(0, 60)}`);
    t.match((o.chunk as { error: string }).error, why);
    t.match(o.result, /ask the staff again/);
  }
  // Without a call's context (the wrap-up) the situation tools are not offered at all.
  t.match(interpretToolCall('press_keys', '{"digits":"2"}').chunk, { type: 'invalid-tool', error: /unknown tool/ });
});
