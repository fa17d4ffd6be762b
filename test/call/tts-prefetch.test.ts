import t from 'tap';
import { TtsPrefetch } from '../../src/call/tts-prefetch.js';
import { FallbackTts } from '../../src/providers/tts/fallback.js';
import { waitFor } from '../support/wait.js';
import { collect, MockTts, startSpeaker } from './tts-prefetch-helpers.js';

const say = (utteranceId: string, text: string) => ({ type: 'SPEAKER.SAY' as const, utteranceId, text });

t.test('hit: a SAY of prefetched text plays the prefetched audio, no second request', async (t) => {
  const tts = new MockTts();
  const prefetch = new TtsPrefetch(tts);
  prefetch.start('Thanks.');
  await waitFor(() => tts.calls[0]?.pulled === 3, { intervalMs: 0, what: 'the prefetch to buffer its audio' });
  t.equal(prefetch.bufferedBytes, 3 * 320, 'the audio waits in the cache');
  const { actor, player } = startSpeaker(tts, prefetch);
  actor.send(say('u1', 'Thanks.'));
  await waitFor(() => player.played.has('u1'), { intervalMs: 0, what: 'u1 to play' });
  t.equal(tts.calls.length, 1, 'one TTS request in all');
  t.same(player.played.get('u1'), new Array(3 * 320).fill(1), 'every prefetched byte, in order');
  t.equal(prefetch.size, 0, 'taken out of the cache');
  t.equal(prefetch.bufferedBytes, 0);
  t.match(prefetch.stats, { started: 1, hits: 1 });
  actor.stop();
});

t.test('hit while the prefetched request is still waiting for its audio: it is joined, not repeated', async (t) => {
  const tts = new MockTts();
  let open!: () => void;
  tts.gate = new Promise((r) => (open = r));
  const prefetch = new TtsPrefetch(tts);
  prefetch.start('Hi, is this Bench Gym?');
  const { actor, player } = startSpeaker(tts, prefetch);
  actor.send(say('u1', 'Hi, is this Bench Gym?'));
  open();
  await waitFor(() => player.played.has('u1'), { intervalMs: 0, what: 'u1 to play' });
  t.equal(tts.calls.length, 1);
  t.same(player.played.get('u1'), new Array(3 * 320).fill(1));
  actor.stop();
});

t.test('miss: changed text makes its own request; the unused entry is freed when released', async (t) => {
  const tts = new MockTts();
  const prefetch = new TtsPrefetch(tts);
  const h = prefetch.start('Thanks.');
  const { actor, player } = startSpeaker(tts, prefetch);
  actor.send(say('u1', 'Thanks!'));
  await waitFor(() => player.played.has('u1'), { intervalMs: 0, what: 'u1 to play' });
  t.equal(tts.calls.length, 2, 'a normal request for the text actually said');
  t.same(player.played.get('u1'), new Array(3 * 320).fill(2), 'the audio of that request');
  t.ok(prefetch.has('Thanks.'), 'the prefetch is still held by its owner');
  h?.release();
  t.notOk(prefetch.has('Thanks.'));
  t.equal(prefetch.bufferedBytes, 0, 'its buffered audio freed');
  t.ok(tts.calls[0]?.signal.aborted, 'its request aborted');
  t.match(prefetch.stats, { misses: 1, cancelled: 1, hits: 0 });
  actor.stop();
});

t.test('cancel: releasing an untaken entry aborts the request mid-stream and frees it', async (t) => {
  const tts = new MockTts();
  tts.chunks = 100;
  const prefetch = new TtsPrefetch(tts, { maxEntryBytes: 640 });
  const a = prefetch.start('What are your opening hours?');
  const b = prefetch.start('What are your opening hours?');
  t.equal(tts.calls.length, 1, 'two owners of the same text share one request');
  await waitFor(() => prefetch.bufferedBytes >= 640, { intervalMs: 0, what: 'the prefetch to fill its share' });
  a?.release();
  t.ok(prefetch.has('What are your opening hours?'), 'kept while another owner holds it');
  b?.release();
  t.equal(prefetch.size, 0);
  t.equal(prefetch.bufferedBytes, 0);
  const call = tts.calls[0];
  t.ok(call?.signal.aborted, 'the TTS request is aborted');
  await waitFor(() => call?.closed === true, { intervalMs: 0, what: 'the provider stream to be released' });
  t.ok((call?.pulled ?? 0) < 100, 'the stream was not read to its end');
  t.equal(prefetch.take('What are your opening hours?', new AbortController().signal), undefined, 'nothing to take');
});

t.test('byte cap: an untaken entry stops reading at its share; taken, the rest streams', async (t) => {
  const tts = new MockTts();
  tts.chunks = 50;
  const prefetch = new TtsPrefetch(tts, { maxEntryBytes: 1000, maxBytes: 1500 });
  prefetch.start('One.');
  prefetch.start('Two.');
  await waitFor(() => prefetch.bufferedBytes >= 1500, { intervalMs: 0, what: 'both entries to buffer' });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  t.ok(prefetch.bufferedBytes < 1500 + 2 * 320, `the call's buffered bytes stay bounded (${prefetch.bufferedBytes})`);
  t.ok((tts.calls[0]?.pulled ?? 0) < 5, 'the first stream paused');
  const audio = await prefetch.take('One.', new AbortController().signal);
  t.ok(audio);
  const bytes = await collect(audio!.chunks);
  t.equal(bytes.length, 50 * 320, 'taken, the whole sentence arrives');
  t.equal(tts.calls.length, 2);
  prefetch.close();
  t.ok(tts.calls[1]?.signal.aborted, 'close aborts what is left');
});

t.test('entry cap: one entry more than the cap evicts the oldest (aborted)', async (t) => {
  const tts = new MockTts();
  const prefetch = new TtsPrefetch(tts, { maxEntries: 2 });
  prefetch.start('A.');
  prefetch.start('B.');
  prefetch.start('C.');
  t.equal(prefetch.size, 2);
  t.notOk(prefetch.has('A.'));
  t.ok(tts.calls[0]?.signal.aborted, "the evicted entry's request is aborted");
  t.equal(prefetch.stats.evicted, 1);
  prefetch.close();
});

t.test('TTL: text never said is aborted and freed', async (t) => {
  const tts = new MockTts();
  const prefetch = new TtsPrefetch(tts, { ttlMs: 5 });
  prefetch.start('Sorry, could you repeat that?');
  await waitFor(() => prefetch.size === 0, { intervalMs: 0, what: 'the entry to expire' });
  t.equal(prefetch.stats.expired, 1);
  t.equal(prefetch.bufferedBytes, 0);
  t.ok(tts.calls[0]?.signal.aborted);
});

t.test('a prefetch that fails before its SAY is dropped; the SAY makes a normal request', async (t) => {
  const tts = new MockTts();
  tts.fail = (_text, n) => (n === 1 ? 'accept' : undefined);
  const prefetch = new TtsPrefetch(tts);
  prefetch.start('Thanks.');
  await waitFor(() => prefetch.size === 0, { intervalMs: 0, what: 'the failed entry to be dropped' });
  t.equal(prefetch.stats.failed, 1);
  const { actor, player } = startSpeaker(tts, prefetch);
  actor.send(say('u1', 'Thanks.'));
  await waitFor(() => player.played.has('u1'), { intervalMs: 0, what: 'u1 to play' });
  t.same(player.played.get('u1'), new Array(3 * 320).fill(2), 'the audio of the normal request');
  t.same(player.errors, []);
  actor.stop();
});

t.test('a taken prefetch that fails before its audio falls back to a normal request', async (t) => {
  const tts = new MockTts();
  let open!: () => void;
  tts.gate = new Promise((r) => (open = r));
  tts.fail = (_text, n) => (n === 1 ? 'accept' : undefined);
  const prefetch = new TtsPrefetch(tts);
  prefetch.start('Thanks.');
  const { actor, player } = startSpeaker(tts, prefetch);
  actor.send(say('u1', 'Thanks.'));
  open();
  await waitFor(() => player.played.has('u1'), { intervalMs: 0, what: 'u1 to play' });
  t.equal(tts.calls.length, 2);
  t.same(player.played.get('u1'), new Array(3 * 320).fill(2));
  actor.stop();
});

t.test('a prefetched stream that breaks before its SAY is dropped; the SAY loses nothing', async (t) => {
  const tts = new MockTts();
  tts.fail = (_text, n) => (n === 1 ? 'stream' : undefined);
  const prefetch = new TtsPrefetch(tts);
  prefetch.start('Thanks.');
  await waitFor(() => prefetch.stats.failed === 1, { intervalMs: 0, what: 'the stream to break' });
  const audio = prefetch.take('Thanks.', new AbortController().signal);
  t.equal(audio, undefined, 'nothing half-said is handed out');
  t.equal(prefetch.bufferedBytes, 0);
});

t.test('failover applies to prefetched requests (FallbackTts)', async (t) => {
  const primary = new MockTts('primary');
  primary.fail = () => 'accept';
  const secondary = new MockTts('secondary');
  const tts = new FallbackTts({
    providers: [primary, secondary],
    firstByteTimeoutMs: 1000,
    breaker: { failureThreshold: 1 },
  });
  const prefetch = new TtsPrefetch(tts);
  prefetch.start('Thanks.');
  await waitFor(() => secondary.calls[0]?.pulled === 3, {
    intervalMs: 0,
    what: 'the secondary to answer the prefetch',
  });
  t.equal(tts.breakerState('primary'), 'open', 'the failed prefetch counts against the breaker');
  const { actor, player } = startSpeaker(tts, prefetch);
  actor.send(say('u1', 'Thanks.'));
  await waitFor(() => player.played.has('u1'), { intervalMs: 0, what: 'u1 to play' });
  t.equal(primary.calls.length + secondary.calls.length, 2, 'no request at the SAY');
  t.same(player.played.get('u1'), new Array(3 * 320).fill(1));
  actor.stop();
});

t.test('the greeting is used once: a second SAY of the same text is a normal request', async (t) => {
  const tts = new MockTts();
  const prefetch = new TtsPrefetch(tts);
  const [intro, question] = ['Hi, thanks for calling!', 'What are your opening hours?'];
  prefetch.start(intro);
  prefetch.start(question);
  const { actor, player } = startSpeaker(tts, prefetch);
  actor.send(say('u1', intro));
  actor.send(say('u2', question));
  await waitFor(() => player.played.has('u2'), { intervalMs: 0, what: 'the greeting to play' });
  t.equal(tts.calls.length, 2, 'both greeting lines from the prefetch');
  actor.send(say('u3', question));
  await waitFor(() => player.played.has('u3'), { intervalMs: 0, what: 'the repeated question to play' });
  t.equal(tts.calls.length, 3, 'asked again later: a request of its own');
  t.same(player.played.get('u3'), new Array(3 * 320).fill(3));
  actor.stop();
});

t.test('the end of the call (speaker stopped) aborts and frees every untaken entry', async (t) => {
  const tts = new MockTts();
  tts.chunks = 100;
  const prefetch = new TtsPrefetch(tts, { maxEntryBytes: 640 });
  prefetch.start('Hi, is this Bench Gym?');
  const { actor } = startSpeaker(tts, prefetch);
  actor.stop();
  t.equal(prefetch.size, 0);
  t.ok(tts.calls[0]?.signal.aborted);
  t.equal(prefetch.start('Late.'), undefined, 'nothing starts after the call ended');
  t.equal(tts.calls.length, 1);
});

t.test('stopping the consumer of a taken entry (barge-in) aborts its request', async (t) => {
  const tts = new MockTts();
  tts.chunks = 100;
  const prefetch = new TtsPrefetch(tts);
  prefetch.start('A long sentence.');
  const ac = new AbortController();
  const audio = await prefetch.take('A long sentence.', ac.signal);
  t.ok(audio);
  const it = audio!.chunks[Symbol.asyncIterator]();
  t.equal((await it.next()).done, false, 'the first chunk arrives');
  ac.abort();
  await it.return?.();
  await waitFor(() => tts.calls[0]?.closed === true, { intervalMs: 0, what: 'the provider stream to be released' });
  t.ok(tts.calls[0]?.signal.aborted);
  t.ok((tts.calls[0]?.pulled ?? 0) < 100);
});
