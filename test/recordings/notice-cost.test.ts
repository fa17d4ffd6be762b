import t from 'tap';
import { FakeOpenAi } from '../../src/fakes/openai.js';
import { OpenAiLlm } from '../../src/providers/llm/openai.js';
import { emptyFacts } from '../../src/facts/model.js';
import { greetingLines } from '../../machines/text.js';
import { UsageMeter, priceCall } from '../../src/costs/meter.js';
import { DEFAULT_PRICES, loadPriceTable } from '../../src/costs/prices.js';
import { RECORDING_NOTICE_LINE, jurisdictionOf, recordingNotice } from '../../src/recordings/notice.js';

t.test('the recording notice by jurisdiction', async (t) => {
  t.same(jurisdictionOf('+14155550123'), { region: 'US', state: 'CA' });
  t.same(jurisdictionOf('+15125550123'), { region: 'US', state: undefined }, 'Texas: one-party consent');
  t.equal(recordingNotice(true, 'two-party', '+14155550123'), RECORDING_NOTICE_LINE, 'California: all parties');
  t.equal(recordingNotice(true, 'two-party', '+12155550123'), RECORDING_NOTICE_LINE, 'Pennsylvania: all parties');
  t.equal(recordingNotice(true, 'two-party', '+15125550123'), undefined, 'Texas: no notice under two-party');
  t.equal(recordingNotice(true, 'two-party', '+442079460123'), RECORDING_NOTICE_LINE, 'UK: notice');
  t.equal(recordingNotice(true, 'two-party', '+6495550123'), undefined, 'New Zealand: one-party');
  t.equal(recordingNotice(true, 'two-party', undefined), RECORDING_NOTICE_LINE, 'unknown number: told');
  t.equal(recordingNotice(true, 'always', '+15125550123'), RECORDING_NOTICE_LINE);
  t.equal(recordingNotice(true, 'never', '+14155550123'), undefined);
  t.equal(recordingNotice(false, 'always', '+14155550123'), undefined, 'not recorded: no notice');
});

t.test('the notice ends the introduction; without it the greeting is unchanged', async (t) => {
  const [plain, q] = greetingLines('outbound', 'Iron Gym');
  const [noticed, q2] = greetingLines('outbound', 'Iron Gym', RECORDING_NOTICE_LINE);
  t.equal(noticed, `${plain} ${RECORDING_NOTICE_LINE}`);
  t.equal(q2, q, 'the question stays its own utterance');
});

t.test('a call priced from its usage', async (t) => {
  const meter = new UsageMeter({ asr: 'deepgram', llm: 'openai' });
  for (let i = 0; i < 3000; i++) meter.audio(20); // 60 s
  meter.llmUsage({ inputTokens: 10_000, outputTokens: 1_000 });
  meter.tts('elevenlabs', 1500);
  meter.tts('flite:kal16', 500);
  const c = priceCall(meter.usage(61_000), DEFAULT_PRICES);
  t.equal(c.twilioMinutes, 2, '61 s is two started minutes');
  t.equal(c.asrSeconds, 60);
  t.same(c.usd, { twilio: 0.036, asr: 0.0077, llm: 0.0021, tts: 0.15 });
  t.equal(c.totalUsd, 0.1958);
  t.equal(c.ttsCharacters, 2000);
  t.same(c.unpriced, []);
  const odd = priceCall(new UsageMeter({ asr: 'whisper', llm: 'openai' }).usage(0), DEFAULT_PRICES);
  t.equal(odd.twilioMinutes, 0, 'never connected: not billed');
  t.same(odd.unpriced, ['whisper'], 'a provider without a price is named');
});

t.test('COST_PRICES merges over the defaults and is validated', async (t) => {
  const p = loadPriceTable(
    '{"twilio":{"perMinute":0.02},"llm":{"openai":{"inputPerMillion":2.5,"outputPerMillion":10}}}',
  );
  t.same(p.twilio, { perMinute: 0.02, streamPerMinute: 0.004 });
  t.same(p.llm.openai, { inputPerMillion: 2.5, outputPerMillion: 10 });
  t.same(p.tts, DEFAULT_PRICES.tts);
  t.throws(() => loadPriceTable('{"twilio":{"perMinute":-1}}'), /COST_PRICES\.twilio\.perMinute/);
  t.throws(() => loadPriceTable('{"tts":{"x":{"perChar":1}}}'), /invalid price table/);
  t.throws(() => loadPriceTable('/nonexistent/prices.json'), /cannot read/);
});

t.test("the OpenAI API's usage reaches the call's meter (the fake reports it)", async (t) => {
  const fake = await new FakeOpenAi({
    apiKey: 'oa-key',
    replies: [{ text: 'What are your opening hours?' }, { toolCalls: [{ name: 'record_facts', arguments: '{}' }] }],
  }).start();
  t.teardown(() => fake.close());
  const llm = new OpenAiLlm({ apiKey: 'oa-key', baseURL: fake.url, model: 'gpt-4o-mini' });
  const meter = new UsageMeter({ asr: 'deepgram', llm: llm.name });
  const watched = meter.watchLlm(llm);
  const input = {
    gymName: 'Iron Gym',
    direction: 'outbound' as const,
    facts: emptyFacts(),
    missing: [],
    asked: [],
    history: [{ speaker: 'caller' as const, text: 'Hello?' }],
    reason: 'reply' as const,
  };
  for await (const _ of watched.respond(input, new AbortController().signal)) void _;
  const first = meter.usage(0);
  t.ok(first.llmInputTokens > 50, `prompt tokens counted (${first.llmInputTokens})`);
  t.equal(first.llmOutputTokens, 7, 'completion tokens as the fake counted them');
  t.same((fake.chatRequests[0]?.body as { stream_options?: unknown }).stream_options, { include_usage: true });
  await watched.extractFacts?.({ ...input, extractFrom: 0 }, new AbortController().signal);
  t.ok(meter.usage(0).llmInputTokens > first.llmInputTokens, 'the wrap-up pass is counted too');
});
