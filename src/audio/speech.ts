import type { Dsp } from '../dsp/types.js';
import { joinPcm } from './pcm.js';
import type { SynthesisOptions, TtsProvider } from '../providers/tts/types.js';

// Text → what a phone line carries: TTS PCM, resampled to 8 kHz with the DSP addon, μ-law encoded. Used by the
// offline-stack tests, the VAD benchmark and the simulated receptionist, so all of them hear exactly what a
// Twilio media stream would deliver.

export interface PhoneAudio {
  /** 8 kHz linear PCM (μ-law decoded again, i.e. with the codec's quantisation). */
  pcm: Int16Array;
  mulaw: Uint8Array;
}

export async function synthesizePhoneAudio(
  tts: TtsProvider,
  dsp: Pick<Dsp, 'createResampler' | 'ulawEncode' | 'ulawDecode'>,
  text: string,
  signal: AbortSignal = new AbortController().signal,
  options?: SynthesisOptions,
): Promise<PhoneAudio> {
  const audio = await tts.synthesize(text, signal, options);
  const rs = audio.sampleRate === 8000 ? undefined : dsp.createResampler(audio.sampleRate, 8000);
  const parts: Int16Array[] = [];
  let odd: number | undefined;
  for await (const chunk of audio.chunks) {
    if (rs) parts.push(rs.pushBytes(chunk));
    else {
      // 8 kHz already: just reassemble samples across chunk boundaries.
      const bytes = odd === undefined ? chunk : Uint8Array.from([odd, ...chunk]);
      const even = bytes.length - (bytes.length % 2);
      odd = even < bytes.length ? bytes[even] : undefined;
      parts.push(new Int16Array(bytes.slice(0, even).buffer));
    }
  }
  if (rs) parts.push(rs.flush());
  const mulaw = dsp.ulawEncode(joinPcm(parts));
  return { pcm: dsp.ulawDecode(mulaw), mulaw };
}

/** Silence as μ-law (0xff is digital zero). */
export function mulawSilence(ms: number): Uint8Array {
  return new Uint8Array(Math.round((ms * 8000) / 1000)).fill(0xff);
}

/** Splits μ-law into Twilio-sized 20 ms frames (160 bytes; the last may be shorter). */
export function* frames20ms(mulaw: Uint8Array): Generator<Uint8Array> {
  for (let o = 0; o < mulaw.length; o += 160) yield mulaw.subarray(o, Math.min(mulaw.length, o + 160));
}
