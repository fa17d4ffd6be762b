import { monitorEventLoopDelay } from 'node:perf_hooks';
import t from 'tap';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import { OfflineAsrWorkers } from '../../src/providers/asr/offline-workers.js';
import type { AsrContext, AsrProvider, AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { testDsp } from './helpers.js';

// The offline recogniser on worker threads (what the server runs): the same finals as on the calling thread, the
// event loop free while the threads decode and compile grammars, and a thread that dies ends its streams with a
// fatal error instead of leaving them silent.

const { dsp, note } = testDsp();
if (note) t.comment(note);

type Final = Omit<Extract<AsrStreamEvent, { type: 'final' }>, 'latencyMs'>;

/** Decodes one answer in 20 ms frames after setting the context; resolves with its finals once the line is quiet. */
async function decode(asr: AsrProvider, ctx: AsrContext, mulaw: Uint8Array): Promise<Final[]> {
  const finals: Final[] = [];
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const stream = await asr.open({
    onEvent: (e) => {
      if (e.type === 'final') {
        const { latencyMs: _wallClock, ...f } = e;
        finals.push(f);
      }
      if (e.type === 'utterance-end') ended();
    },
  });
  stream.setContext?.(ctx);
  for (const f of frames20ms(new Uint8Array([...mulawSilence(400), ...mulaw, ...mulawSilence(900)]))) stream.push(f);
  await done;
  await stream.close();
  return finals;
}

t.test('on a worker thread: the finals of the calling thread, and the event loop free', async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline' });
  const answer = await synthesizePhoneAudio(tts, dsp, 'we are open six a.m. to ten p.m. monday through friday');
  const inline = new OfflineAsr({ dsp });
  t.teardown(() => inline.close());
  const workers = new OfflineAsrWorkers({ threads: 1 });
  t.teardown(() => workers.close());

  const want = await decode(inline, 'hours', answer.mulaw);
  const got = await decode(workers, 'hours', answer.mulaw);
  t.ok(
    want.some((f) => f.text.includes('six')),
    `the calling thread heard the hours: ${JSON.stringify(want)}`,
  );
  t.same(got, want, 'the worker thread gives the same finals (text, confidence, timing)');

  // A new grammar per dialogue step: on the calling thread the compile holds the event loop; on a worker the
  // loop's longest gap meanwhile stays under one such compile, measured here in the same run.
  const stream = await inline.open({ onEvent: () => {} });
  const started = performance.now();
  stream.setContext?.('pricing');
  const compileMs = performance.now() - started;
  await stream.close();
  let answered!: () => void;
  const flushed = new Promise<void>((r) => (answered = r));
  const onThread = await workers.open({ onEvent: (e) => e.type === 'final' && answered() });
  const loop = monitorEventLoopDelay({ resolution: 2 });
  loop.enable();
  for (const ctx of ['pricing', 'classes', 'yes-no', 'open', 'hours'] as const) onThread.setContext?.(ctx);
  // The thread answers finalize() after the five compiles (a stream's messages keep their order).
  onThread.finalize();
  await flushed;
  loop.disable();
  const longest = loop.max / 1e6;
  await onThread.close();
  t.comment(
    `one grammar compile on the calling thread: ${compileMs.toFixed(0)} ms; longest event-loop gap while a worker compiled five: ${longest.toFixed(0)} ms`,
  );
  t.ok(compileMs > 20, 'a compile is long enough to measure against');
  t.ok(longest < compileMs, 'the event loop never waited for a compile');
});

t.test("Moonshine's finals on every decoding thread, from the process's one Moonshine thread", async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline' });
  t.teardown(() => tts.close());
  const hours = await synthesizePhoneAudio(tts, dsp, 'we are open six a.m. to ten p.m. monday through friday');
  const price = await synthesizePhoneAudio(tts, dsp, 'a membership is forty nine dollars a month');
  const workers = new OfflineAsrWorkers({ threads: 2, asr: { moonshine: 'always' } });
  t.teardown(() => workers.close());
  const [a, b] = await Promise.all([decode(workers, 'hours', hours.mulaw), decode(workers, 'pricing', price.mulaw)]);
  const words = (finals: Final[] | undefined) => (finals ?? []).map((f) => f.text).join(' ');
  // Moonshine writes sentences, capitalised and with digits; the grammar decoder's words are lower case. Each
  // stream gets the words of its own audio, not the other thread's.
  t.match(words(a), /^[A-Z].*\b(10|[Tt]en)\b/, `Moonshine's words of the hours: ${words(a)}`);
  t.notMatch(words(a), /49|forty/i);
  t.match(words(b), /^[A-Z].*\b(49|[Ff]orty)/, `Moonshine's words of the price: ${words(b)}`);
  t.notMatch(words(b), /\b(ten|10)\b/i);
});

t.test('what the agent asked reaches Moonshine through the threads: asked about classes, it is nudged', async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline' });
  t.teardown(() => tts.close());
  const answer = await synthesizePhoneAudio(tts, dsp, 'We offer pilates and strength.');
  const workers = new OfflineAsrWorkers({ threads: 1, asr: { moonshine: 'always' } });
  t.teardown(() => workers.close());
  const words = async (ctx: AsrContext) => (await decode(workers, ctx, answer.mulaw)).map((f) => f.text).join(' ');
  // Flite's "pilates" is Moonshine's "highlights" unless it is told the answer is about classes (moonshine-bias.ts).
  t.match(await words('classes'), /\bpilates\b/i, 'asked about classes');
  t.notMatch(await words('open'), /\bpilates\b/i, 'asked nothing in particular');
});

t.test('a thread that dies ends its streams with a fatal error; the next stream gets a new thread', async (t) => {
  const workers = new OfflineAsrWorkers({ threads: 1 });
  t.teardown(() => workers.close());
  const errors: AsrStreamEvent[] = [];
  await workers.open({ onEvent: (e) => e.type === 'error' && errors.push(e) });
  t.equal(workers.threads, 1);
  await workers.close();
  await new Promise((r) => setTimeout(r, 50));
  t.match(errors, [{ type: 'error', fatal: true, error: { code: 'PROVIDER_FAILED' } }], 'the open stream hears it');
  t.equal(workers.threads, 0, 'the dead thread is gone');

  const tts = new FliteTts({ voice: 'slt', mode: 'inline' });
  const answer = await synthesizePhoneAudio(tts, dsp, 'we offer yoga and spin');
  const finals = await decode(workers, 'classes', answer.mulaw);
  t.ok(
    finals.some((f) => f.text.includes('yoga')),
    `a new thread decodes: ${JSON.stringify(finals)}`,
  );
});

t.test(
  'a thread without streams for idleMs is stopped, and its memory with it; a new stream starts a new one',
  async (t) => {
    const workers = new OfflineAsrWorkers({ threads: 1, idleMs: 100 });
    t.teardown(() => workers.close());
    const stream = await workers.open({ onEvent: () => {} });
    await new Promise((r) => setTimeout(r, 300));
    t.equal(workers.threads, 1, 'kept while it holds a stream');
    await stream.close();
    await new Promise((r) => setTimeout(r, 400));
    t.equal(workers.threads, 0, 'stopped once idle');
    const again = await workers.open({ onEvent: () => {} });
    t.equal(workers.threads, 1, 'a new thread for the next stream');
    await again.close();
  },
);
