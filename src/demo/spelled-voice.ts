import { synthesizePhoneAudio } from '../audio/speech.js';
import type { Dsp } from '../dsp/types.js';
import { foldSpanish } from '../facts/spanish.js';
import { FRAME_10MS, SpelledReader, spellInto } from '../fakes/spelled.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { AgentEars } from './receptionist.js';
import { trimSilence } from './receptionist.js';

// Calls in a language the offline recogniser cannot hear (Spanish) run with spelled speech (src/fakes/spelled.ts):
// both voices, the agent's and the receptionist's, are the real offline voices (espeak-ng for Spanish, flite for
// English) speaking word by word, each word spelled into its own audio; the agent hears the receptionist through
// the Deepgram fake's spelled mode (its real Deepgram client, over the fake's WebSocket), the receptionist hears the
// agent through spelled ears. Each side gets exactly the words the other said, and only from the audio that
// crossed the wire: what is tested is the conversation in that language (parsing, questions, the switch), not a
// recogniser.

const GAP_MS = 30;
const SILENCE = 0xff;

type PhoneDsp = Pick<Dsp, 'createResampler' | 'ulawEncode' | 'ulawDecode'>;

/** `text` said word by word by `tts` in `language`, each word spelled into its 8 kHz μ-law audio. */
export async function spelledSpeech(
  tts: TtsProvider,
  dsp: PhoneDsp,
  text: string,
  language: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const gap = new Uint8Array(GAP_MS * 8).fill(SILENCE);
  for (const word of text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w))) {
    const audio = await synthesizePhoneAudio(tts, dsp, word, signal, { language });
    const voiced = trimSilence(audio.pcm);
    const spelled = spellInto(
      dsp.ulawEncode(voiced.length > 0 ? voiced : audio.pcm),
      word.replace(/[^\p{L}\p{N}']/gu, ''),
    );
    if (parts.length > 0) parts.push(gap);
    parts.push(spelled);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  // Whole 10 ms: the next utterance starts on a boundary too.
  const out = new Uint8Array(Math.ceil(total / FRAME_10MS) * FRAME_10MS).fill(SILENCE);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A voice that speaks spelled speech at 8 kHz: the telephony path encodes it to μ-law unchanged (μ-law's decode and
 * encode are inverse), so the spelling reaches the other side. `language`: what it speaks when not told.
 */
export function spelledVoice(tts: TtsProvider, dsp: PhoneDsp, language: string): TtsProvider {
  return {
    name: `spelled>${tts.name}`,
    capabilities: { sampleRate: 8000, streaming: false },
    speaks: () => true,
    async synthesize(text, signal, options) {
      const mulaw = await spelledSpeech(tts, dsp, text, options?.language ?? language, signal);
      const pcm = dsp.ulawDecode(mulaw);
      const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      return {
        sampleRate: 8000,
        provider: `spelled>${tts.name}`,
        chunks: (async function* () {
          yield bytes;
        })(),
      };
    },
  };
}

/** The receptionist's ears on a spelled call: the agent's words read from its audio, accents folded. */
export function spelledEars(): AgentEars {
  const reader = new SpelledReader();
  return {
    push: (mulaw) => reader.push(mulaw),
    finish: () => Promise.resolve(reader.take().map(foldSpanish).join(' ')),
    close: () => Promise.resolve(),
  };
}
