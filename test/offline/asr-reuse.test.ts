import t from 'tap';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { AsrContext, AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { testDsp } from './helpers.js';

// A pooled decoder must decode a call exactly as a fresh one would: pocketsphinx adapts its cepstral mean (live
// CMN) to the audio it hears, and a decoder reused without a reset starts the next call with the previous
// caller's channel estimate, which changes what it recognises.

const { dsp, note } = testDsp();
if (note) t.comment(note);

// Without its latency: that is wall-clock time (how long decoding took here), not what was recognised.
type Final = Omit<Extract<AsrStreamEvent, { type: 'final' }>, 'latencyMs'>;

async function decode(asr: OfflineAsr, ctx: AsrContext, mulaw: Uint8Array): Promise<Final[]> {
  const events: AsrStreamEvent[] = [];
  const stream = await asr.open({ onEvent: (e) => events.push(e) });
  stream.setContext?.(ctx);
  for (const f of frames20ms(new Uint8Array([...mulawSilence(400), ...mulaw, ...mulawSilence(900)]))) stream.push(f);
  await stream.close();
  return events.flatMap((e) => {
    if (e.type !== 'final') return [];
    const { latencyMs: _wallClock, ...f } = e;
    return [f];
  });
}

t.test('a reused decoder recognises a call exactly like a fresh one', async (t) => {
  const tts = new FliteTts({ voice: 'slt', mode: 'inline' });
  const first = await synthesizePhoneAudio(tts, dsp, 'we are open five a.m. to eleven p.m. monday through friday');
  const second = await synthesizePhoneAudio(tts, dsp, 'we offer yoga, pilates, spin and zumba');
  // The first call is quiet (a different line level), so live CMN has something to adapt to.
  const quiet = dsp.ulawEncode(dsp.ulawDecode(first.mulaw).map((s) => Math.round(s / 8)));

  const fresh = new OfflineAsr({ dsp, maxIdleDecoders: 1 });
  t.teardown(() => fresh.close());
  const want = await decode(fresh, 'classes', second.mulaw);

  const pooled = new OfflineAsr({ dsp, maxIdleDecoders: 1 });
  t.teardown(() => pooled.close());
  await decode(pooled, 'hours', quiet);
  await decode(pooled, 'hours', first.mulaw);
  const got = await decode(pooled, 'classes', second.mulaw);
  t.comment(`fresh: ${JSON.stringify(want)}\n# reused: ${JSON.stringify(got)}`);
  t.ok(want.length > 0 && want.some((f) => f.text !== ''), 'the fresh decoder recognised something');
  t.same(got, want, 'same finals (text, confidence, timing) from the reused decoder');
});
