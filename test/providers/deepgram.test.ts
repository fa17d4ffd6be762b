import t, { type Test } from 'tap';
import { DeepgramAsr } from '../../src/providers/asr/deepgram.js';
import type { AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FakeDeepgram } from '../../src/fakes/deepgram.js';
import { encodeCodedSpeech, silenceMulaw } from '../../src/fakes/audio.js';
import { SpelledReader, spellInto } from '../../src/fakes/spelled.js';
import type { ProviderMetric } from '../../src/providers/metrics.js';
import { ProviderError } from '../../src/providers/retry.js';
import { CLASS_KEYTERMS, MAX_KEYTERMS, MAX_KEYTERM_TOKENS, keytermTokens } from '../../src/providers/asr/keyterms.js';
import { waitFor } from '../support/wait.js';
import { chunks } from './helpers.js';

const VOCAB = ['we', 'open', 'at', 'six', 'am', 'and', 'close', 'ten', 'pm', 'on', 'weekdays', 'yes'];
const KEY = 'dg-test-key';

async function setup(
  t: Test,
  fakeOpts: ConstructorParameters<typeof FakeDeepgram>[0] = {},
  keepAliveMs = 4000,
  asrOpts: { quietAfterMs?: number; model?: string } = {},
) {
  const fake = await new FakeDeepgram({ apiKey: KEY, vocabulary: VOCAB, ...fakeOpts }).start();
  const events: AsrStreamEvent[] = [];
  const metrics: ProviderMetric[] = [];
  const asr = new DeepgramAsr({
    apiKey: KEY,
    baseUrl: fake.url,
    model: 'nova-3',
    endpointingMs: 300,
    utteranceEndMs: 1000,
    keepAliveMs,
    reconnect: { attempts: 4, baseMs: 10, maxMs: 50 },
    onMetric: (m) => metrics.push(m),
    ...asrOpts,
  });
  // What the stream's own sink hears (a call's trace): the same as the process-wide one.
  const streamMetrics: ProviderMetric[] = [];
  const stream = await asr.open({ onEvent: (e) => events.push(e), onMetric: (m) => streamMetrics.push(m) });
  t.teardown(async () => {
    await stream.close();
    await fake.close();
  });
  const finals = () => events.filter((e): e is Extract<AsrStreamEvent, { type: 'final' }> => e.type === 'final');
  return { fake, stream, events, metrics, streamMetrics, finals };
}

async function pushPaced(stream: { push(b: Uint8Array): void }, audio: Uint8Array, every = 20): Promise<void> {
  let n = 0;
  for (const c of chunks(audio, 160)) {
    stream.push(c);
    // Yield now and then so socket events interleave with sending, as on a live call.
    if (++n % every === 0) await new Promise((r) => setTimeout(r, 1));
  }
}

t.test(
  'spelled mode: the words spelled into speech audio come back, in any language, through the real client',
  async (t) => {
    const fake = await new FakeDeepgram({ spelled: true }).start();
    const events: AsrStreamEvent[] = [];
    const asr = new DeepgramAsr({ apiKey: KEY, baseUrl: fake.url, model: 'nova-3', endpointingMs: 100 });
    const stream = await asr.open({ onEvent: (e) => events.push(e), language: 'es', alsoListenFor: ['en'] });
    t.teardown(async () => {
      await stream.close();
      await fake.close();
    });
    // Each word: 250 ms of loud audio with its spelling in it; 30 ms of silence between words.
    const voiced = encodeCodedSpeech(['x'], 'x', { wordMs: 250, gapMs: 0, leadingSilenceMs: 0, trailingSilenceMs: 0 });
    const parts: number[] = [...silenceMulaw(100)];
    for (const w of ['cuarenta', 'y', 'nueve', 'dólares', 'al', 'mes']) {
      parts.push(...spellInto(voiced, w), ...silenceMulaw(30));
    }
    parts.push(...silenceMulaw(800));
    await pushPaced(stream, Uint8Array.from(parts));
    await waitFor(() => events.some((e) => e.type === 'final' && e.text !== ''), { timeoutMs: 3000, what: 'a final' });
    const final = events.find(
      (e): e is Extract<AsrStreamEvent, { type: 'final' }> => e.type === 'final' && e.text !== '',
    );
    t.equal(final?.text, 'cuarenta y nueve dólares al mes');
    t.equal(fake.connections[0]?.query.language, 'multi', 'a call that may switch listens multilingually');
    const reader = new SpelledReader();
    reader.push(Uint8Array.from(parts));
    t.same(reader.take(), ['cuarenta', 'y', 'nueve', 'dólares', 'al', 'mes'], 'the receptionist reads the same words');
  },
);

t.test('streams μ-law 8 kHz with the configured options and reports partials, finals and VAD events', async (t) => {
  const { fake, stream, events, finals, metrics } = await setup(t);
  const said = 'we open at six am';
  await pushPaced(stream, encodeCodedSpeech(VOCAB, said, { trailingSilenceMs: 1200 }));
  await waitFor(() => events.some((e) => e.type === 'utterance-end'), { timeoutMs: 3000, what: 'utterance end' });
  const q = fake.connections[0]?.query ?? {};
  t.match(q, {
    model: 'nova-3',
    encoding: 'mulaw',
    sample_rate: '8000',
    interim_results: 'true',
    endpointing: '300',
    utterance_end_ms: '1000',
    vad_events: 'true',
  });
  t.same(
    finals().map((f) => f.text),
    [said],
  );
  const f = finals()[0]!;
  t.equal(f.speechFinal, true);
  t.equal(f.flushed, undefined, 'an endpoint, not the answer to a flush');
  t.equal(f.startMs, 100, 'word timing is in call-audio milliseconds');
  t.ok(
    events.some((e) => e.type === 'partial'),
    'interim results arrive',
  );
  t.ok(events.some((e) => e.type === 'speech-started'));
  t.ok(
    metrics.some((m) => m.kind === 'asr-final-latency' && m.ms >= 0),
    'final latency measured',
  );
  t.ok(f.latencyMs !== undefined && f.latencyMs >= 0, 'and carried on the final event for the per-turn record');
});

t.test(
  'a socket dropped mid-utterance is reconnected and the unacknowledged audio replayed: no word lost',
  async (t) => {
    const { fake, stream, finals, metrics } = await setup(t);
    const first = 'yes';
    const second = 'we open at six am and close at ten pm on weekdays';
    const a1 = encodeCodedSpeech(VOCAB, first, { trailingSilenceMs: 500 });
    const a2 = encodeCodedSpeech(VOCAB, second, { leadingSilenceMs: 0, trailingSilenceMs: 600 });
    // Drop the first socket in the middle of the second utterance (after "six", before "am").
    fake.dropAfterBytes.push(a1.length + 8 * 1000);
    await pushPaced(stream, a1);
    await waitFor(() => finals().length === 1, { timeoutMs: 3000, what: 'first final' });
    await pushPaced(stream, a2);
    await waitFor(() => finals().length === 2, { timeoutMs: 5000, what: 'second final after reconnect' });
    t.equal(fake.connections.length, 2, 'reconnected exactly once');
    t.same(
      finals().map((f) => f.text),
      [first, second],
      'every word arrives once, in order',
    );
    t.ok(fake.connections[1]!.bytes < a1.length + a2.length, 'only unacknowledged audio was replayed');
    t.ok(metrics.some((m) => m.kind === 'asr-reconnect' && m.replayedMs > 0));
    t.ok(finals()[1]!.startMs >= a1.length / 8, 'times after the reconnect stay in call-audio time');
  },
);

t.test("the gym's class names go as Nova-3 keyterms, one parameter each, within Deepgram's limits", async (t) => {
  const { fake, stream } = await setup(t);
  stream.push(silenceMulaw(100));
  await waitFor(() => fake.connections.length > 0, { timeoutMs: 3000, what: 'a connection' });
  const sent = fake.connections[0]?.keyterms ?? [];
  t.same(sent, [...CLASS_KEYTERMS], 'every class term, each its own keyterm=… (not one JSON string)');
  for (const term of ['Zumba', 'HIIT', 'barre', 'Pilates', 'CrossFit', 'bootcamp', 'kickboxing', 'tai chi'])
    t.ok(sent.includes(term), `${term} is prompted, spelled as a transcript writes it`);
  t.notOk(sent.includes('hit'), "a mishearing the parser reads is not prompted (it would make 'hit' out of 'HIIT')");
  t.ok(sent.length <= MAX_KEYTERMS, `${sent.length} keyterms`);
  t.ok(keytermTokens(sent) <= MAX_KEYTERM_TOKENS, `≤ ${keytermTokens(sent)} tokens`);
});

t.test('a model other than Nova-3 is sent no keyterms (Deepgram refuses them there)', async (t) => {
  const { fake, stream } = await setup(t, {}, 4000, { model: 'nova-2' });
  stream.push(silenceMulaw(100));
  await waitFor(() => fake.connections.length > 0, { timeoutMs: 3000, what: 'a connection' });
  t.same(fake.connections[0]?.keyterms, []);
  t.equal(fake.connections[0]?.query.model, 'nova-2');
});

t.test('20 ms frames go out in 100 ms chunks; Finalize sends the partial chunk first', async (t) => {
  const { fake, stream, finals } = await setup(t);
  const audio = encodeCodedSpeech(VOCAB, 'close at ten', { trailingSilenceMs: 0 });
  await pushPaced(stream, audio);
  await new Promise((r) => setTimeout(r, 50));
  const c = fake.connections[0]!;
  const whole = Math.floor(audio.length / 800) * 800;
  t.equal(c.bytes, whole, 'only whole 100 ms chunks sent while audio flows');
  t.equal(c.audioMessages, whole / 800, `one message per 100 ms (${c.audioMessages} for ${audio.length / 160} frames)`);
  stream.finalize();
  await waitFor(() => finals().length === 1, { timeoutMs: 2000, what: 'final after Finalize' });
  t.equal(c.bytes, audio.length, 'the partial chunk went out before Finalize');
  t.equal(finals()[0]!.text, 'close at ten');
});

t.test(
  'silence the VAD calls quiet goes in 250 ms chunks; voice flushes at once and chunks are 100 ms again',
  async (t) => {
    const { fake, stream, finals } = await setup(t, {}, 4000, { quietAfterMs: 0 });
    const c = () => fake.connections[0]!;
    const settle = () => new Promise((r) => setTimeout(r, 50));
    stream.voiceActivity?.(false);
    await pushPaced(stream, silenceMulaw(1060)); // 1 s + 3 frames
    await settle();
    t.equal(c().audioMessages, 4, 'four 250 ms chunks for a second of silence');
    t.equal(c().bytes, 8000);
    stream.voiceActivity?.(true);
    await settle();
    t.equal(c().audioMessages, 5, 'the voice edge sent the gathered 60 ms at once');
    t.equal(c().bytes, 8480);
    const words = encodeCodedSpeech(VOCAB, 'we open at six', { trailingSilenceMs: 0 });
    await pushPaced(stream, words);
    await settle();
    const whole = Math.floor(words.length / 800);
    t.equal(c().audioMessages, 5 + whole, 'speech in 100 ms chunks');
    stream.voiceActivity?.(false);
    stream.finalize();
    await waitFor(() => finals().length === 1, { timeoutMs: 2000, what: 'final after Finalize' });
    t.equal(c().bytes, 8480 + words.length, 'nothing held back');
    t.equal(finals()[0]!.text, 'we open at six', 'the words came through whole');
  },
);

t.test('after the voice ends, chunks stay short for quietAfterMs (Deepgram endpointing is not delayed)', async (t) => {
  const { fake, stream } = await setup(t, {}, 4000, { quietAfterMs: 60_000 });
  stream.voiceActivity?.(false);
  await pushPaced(stream, silenceMulaw(1000));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(fake.connections[0]!.audioMessages, 10, '100 ms chunks inside the window');
});

t.test('KeepAlive is sent while no audio flows, so the server does not close the idle socket', async (t) => {
  const { fake } = await setup(t, { idleTimeoutMs: 400 }, 40);
  await new Promise((r) => setTimeout(r, 900));
  const c = fake.connections[0]!;
  t.ok(c.keepAlives >= 3, `keepalives sent (${c.keepAlives})`);
  t.equal(c.closeCode, undefined, 'socket still open');
  t.equal(fake.connections.length, 1);
});

t.test('Finalize flushes the words heard so far at turn end', async (t) => {
  const { fake, stream, finals } = await setup(t);
  await pushPaced(stream, encodeCodedSpeech(VOCAB, 'close at ten', { trailingSilenceMs: 0 }));
  stream.push(silenceMulaw(20));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(finals().length, 0, 'no endpoint yet');
  stream.finalize();
  await waitFor(() => finals().length === 1, { timeoutMs: 2000, what: 'final after Finalize' });
  t.equal(finals()[0]!.text, 'close at ten');
  t.equal(finals()[0]!.flushed, true, "from_finalize: it says it answers the flush (a hang-up's drain ends on it)");
  t.equal(fake.connections[0]!.finalizes, 1);
});

t.test('close() sends CloseStream, receives the last final and closes normally', async (t) => {
  const { fake, stream, finals } = await setup(t);
  await pushPaced(stream, encodeCodedSpeech(VOCAB, 'yes', { trailingSilenceMs: 0 }));
  await stream.close();
  t.equal(fake.connections[0]!.closeStreams, 1);
  await waitFor(() => fake.connections[0]!.closeCode !== undefined, { timeoutMs: 2000, what: 'server-side close' });
  t.equal(fake.connections[0]!.closeCode, 1000);
  t.same(
    finals().map((f) => f.text),
    ['yes'],
  );
});

t.test('a wrong key fails at once with a permanent error (no retry storm)', async (t) => {
  const fake = await new FakeDeepgram({ apiKey: KEY, vocabulary: VOCAB }).start();
  t.teardown(() => fake.close());
  const asr = new DeepgramAsr({ apiKey: 'wrong', baseUrl: fake.url, model: 'nova-3' });
  const err = await asr.open({ onEvent: () => undefined }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProviderError);
  t.equal((err as ProviderError).status, 401);
  t.equal((err as ProviderError).retryable, false);
});

t.test(
  'energy mode (real speech from a simulator): each utterance is transcribed as the next script line',
  async (t) => {
    const fake = await new FakeDeepgram({ lines: ['hello this is the front desk', 'we open at six'] }).start();
    const events: AsrStreamEvent[] = [];
    const asr = new DeepgramAsr({ apiKey: 'k', baseUrl: fake.url, model: 'nova-3' });
    const stream = await asr.open({ onEvent: (e) => events.push(e) });
    t.teardown(async () => {
      await stream.close();
      await fake.close();
    });
    const loud = (ms: number) => Uint8Array.from({ length: ms * 8 }, (_, i) => (i % 2 ? 0x80 : 0x00));
    for (let u = 0; u < 2; u++) {
      await pushPaced(stream, loud(600));
      await pushPaced(stream, silenceMulaw(500));
    }
    await waitFor(() => events.filter((e) => e.type === 'final').length === 2, { timeoutMs: 3000, what: 'two finals' });
    t.same(
      events.filter((e) => e.type === 'final').map((e) => (e as { text: string }).text),
      ['hello this is the front desk', 'we open at six'],
    );
  },
);

t.test('when reconnecting keeps failing, a fatal error event says so', async (t) => {
  const { fake, stream, events } = await setup(t);
  fake.dropAfterBytes.push(800);
  await fake.close(); // nothing to reconnect to once the socket drops
  stream.push(encodeCodedSpeech(VOCAB, 'yes'));
  await waitFor(() => events.some((e) => e.type === 'error'), { timeoutMs: 3000, what: 'fatal error' });
  const err = events.find((e) => e.type === 'error') as Extract<AsrStreamEvent, { type: 'error' }>;
  t.equal(err.fatal, true);
  t.ok(err.error instanceof ProviderError);
});

t.test('a reconnect that first meets a 503 retries with backoff and still loses nothing', async (t) => {
  const { fake, stream, finals, metrics, streamMetrics } = await setup(t);
  fake.dropAfterBytes.push(8 * 500);
  fake.rejectUpgrades.push(503);
  const said = 'we open at six am and close at ten pm';
  await pushPaced(stream, encodeCodedSpeech(VOCAB, said, { trailingSilenceMs: 600 }));
  await waitFor(() => finals().length === 1, { timeoutMs: 5000, what: 'final after reconnect' });
  t.equal(finals()[0]!.text, said);
  t.equal(fake.connections.length, 2, 'the rejected attempt never became a connection');
  t.same(
    streamMetrics.map((m) => m.kind),
    ['provider-error', 'asr-reconnect', 'asr-final-latency'],
    "the stream's own sink: the failed connect, the reconnect, the final",
  );
  t.same(streamMetrics, metrics, 'as the process-wide sink heard them');
});
