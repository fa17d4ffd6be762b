import t from 'tap';
import { CallDirectory } from '../../src/call/call-directory.js';
import type { HttpRequest } from '../../src/http/types.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { callsRoutes } from '../../src/telephony/calls-api.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';
import { DEFAULT_NUMBER_TYPES, DEFAULT_REGIONS } from '../../src/telephony/destination.js';

// POST /v1/calls with a brief: the call asks only these topics, confirms these facts, asks for this person. The
// brief is checked like every other field, with messages that say what is wrong.

function api() {
  const store = new CallDirectory(new MemoryCallStore());
  const [post] = callsRoutes({
    store,
    placer: { placeCall: async () => ({ sid: 'CA' + '1'.repeat(32), status: 'queued' }) },
    admission: new CallCapacity({ max: 10 }),
    destinations: { regions: DEFAULT_REGIONS, types: DEFAULT_NUMBER_TYPES },
    log: createLogger('silent'),
  });
  const call = async (body: unknown) => {
    const req: HttpRequest = {
      method: 'POST',
      path: '/v1/calls',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
      remoteIp: '127.0.0.1',
    };
    const res = await post!.handler(req, {});
    return {
      status: res.status,
      json: JSON.parse(String(res.body)) as { call_id?: string; error?: { message: string } },
    };
  };
  return { call, store };
}

const CONFIRM = {
  topic: 'hours',
  question: 'are you still open six a.m. to ten p.m. mondays through fridays?',
  facts: { hours: { mon: { opens: '06:00', closes: '22:00' } } },
};

t.test('a brief is stored with the call for its conversation', async (t) => {
  const { call, store } = api();
  const r = await call({
    phone_number: '+12015550123',
    gym_name: 'Iron Temple',
    brief: { topics_to_ask: ['pricing'], facts_to_confirm: [CONFIRM], ask_for: 'Mike' },
  });
  t.equal(r.status, 201);
  t.same(store.peek(r.json.call_id as string)?.brief, {
    topicsToAsk: ['pricing'],
    factsToConfirm: [CONFIRM],
    askFor: 'Mike',
  });
  const plain = await call({ phone_number: '+12015550124', gym_name: 'Flex' });
  t.equal(plain.status, 201);
  t.equal(store.peek(plain.json.call_id as string)?.brief, undefined, 'no brief: every topic');
});

t.test('a bad brief is refused with clear words', async (t) => {
  const { call } = api();
  const bad: [unknown, RegExp][] = [
    [{ topics_to_ask: ['parking'] }, /brief.topics_to_ask.0/],
    [{}, /at least one topic/],
    [{ facts_to_confirm: [{ ...CONFIRM, facts: { pricing: [] } }] }, /confirmed topic's known value/],
    [{ facts_to_confirm: [{ ...CONFIRM, question: 'still open?\u202e' }] }, /control characters/],
    [
      { facts_to_confirm: [{ ...CONFIRM, facts: { hours: { mon: { opens: '6am' } } } }] },
      /brief.facts_to_confirm.0.facts/,
    ],
    [{ topics_to_ask: ['hours'], ask_for: 'x'.repeat(101) }, /ask_for: must be at most 100/],
    [{ topics_to_ask: ['hours'], say: 'anything' }, /brief/],
  ];
  for (const [brief, why] of bad) {
    const r = await call({ phone_number: '+12015550123', gym_name: 'Gym', brief });
    t.equal(r.status, 400, JSON.stringify(brief));
    t.match(r.json.error?.message, why);
  }
});
