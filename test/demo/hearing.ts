import type { Test } from 'tap';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../../src/audio/speech.js';
import { loadDsp } from '../../src/dsp/index.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import type { AsrContext, AsrStreamEvent } from '../../src/providers/asr/types.js';
import { FliteTts } from '../../src/providers/tts/flite.js';

/**
 * What the offline recogniser makes of a sentence said by the receptionist's voice (flite slt) through μ-law, on a
 * dialogue step's grammar (the open one unless told): lower-case text. A synchronous speech detector, and each
 * sentence decoded at once with finalize(): these tests are about the grammar's words, not about finding speech.
 */
export async function offlineHearing(t: Test, ctx: AsrContext = 'open'): Promise<(said: string) => Promise<string>> {
  const dsp = loadDsp();
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const events: AsrStreamEvent[] = [];
  const asr = new OfflineAsr({ dsp, vad: { kind: 'hybrid' }, denoise: 'never' });
  const stream = await asr.open({ onEvent: (e) => events.push(e) });
  t.teardown(async () => {
    await stream.close();
    await tts.close();
    asr.close();
  });
  stream.setContext?.(ctx);
  return async (said) => {
    const { mulaw } = await synthesizePhoneAudio(tts, dsp, said);
    events.length = 0;
    for (const f of frames20ms(new Uint8Array([...mulawSilence(400), ...mulaw, ...mulawSilence(900)]))) stream.push(f);
    stream.finalize();
    return events
      .flatMap((e) => (e.type === 'final' ? [e.text] : []))
      .join(' ')
      .toLowerCase();
  };
}
