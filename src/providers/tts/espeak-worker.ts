import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { normaliseSpeechLevel } from '../../audio/level.js';
import { serveSyntheses, type Synthesised } from './synthesis-worker.js';

// Worker side of EspeakTts: espeak-ng compiled to WebAssembly by Emscripten (@echogarden/espeak-ng-emscripten). Its
// 24 MB of voice data is read once per worker; synthesis is synchronous, so it runs here, off the event loop.

export interface EspeakRequest {
  /** espeak-ng's voice name: a language file ("es-419") with an optional variant ("es-419+f3"). */
  voice: string;
  text: string;
  wordsPerMinute: number;
  pitch: number;
  /** Active-speech level to bring the utterance to (dBFS), or null for espeak-ng's own. */
  levelDbfs: number | null;
}

/** The part of the Emscripten module's eSpeakNGWorker class this provider uses. */
interface EspeakEngine {
  set_voice(name: string): number;
  set_rate(wordsPerMinute: number): number;
  set_pitch(pitch: number): number;
  /** Calls back with each piece of audio as it is made; returning true from the callback stops the synthesis. */
  synthesize(text: string, onAudio: (samples: Int16Array | undefined) => boolean): void;
}
type EspeakFactory = (module?: object) => Promise<{ eSpeakNGWorker: new () => EspeakEngine }>;

/** espeak-ng's own sample rate (fixed; the call path resamples whatever rate a provider declares). */
export const ESPEAK_SAMPLE_RATE = 22050;

async function loadEngine(gluePath: string): Promise<EspeakEngine> {
  const glue = (await import(pathToFileURL(gluePath).href)) as { default: EspeakFactory };
  // Its print hooks would write to this process's stdout/stderr; the errors that matter come back as codes.
  const m = await glue.default({ print: () => undefined, printErr: () => undefined });
  return new m.eSpeakNGWorker();
}

/** The engine's text mode reads SSML-like markup: what the agent says is text, never markup. */
const asText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One synthesis on an engine: the voice set (kept when the same), the audio gathered, then levelled. */
export function synthesizeEspeak(engine: EspeakEngine, req: EspeakRequest, current: { voice?: string }): Synthesised {
  if (current.voice !== req.voice) {
    const code = engine.set_voice(req.voice);
    if (code !== 0) throw new Error(`espeak-ng has no voice "${req.voice}" (error ${code})`);
    current.voice = req.voice;
  }
  engine.set_rate(req.wordsPerMinute);
  engine.set_pitch(req.pitch);
  const parts: Int16Array[] = [];
  let length = 0;
  engine.synthesize(asText(req.text), (samples) => {
    if (samples && samples.length > 0) {
      parts.push(samples);
      length += samples.length;
    }
    return false;
  });
  let pcm: Int16Array = new Int16Array(length);
  let at = 0;
  for (const p of parts) {
    pcm.set(p, at);
    at += p.length;
  }
  if (req.levelDbfs !== null) pcm = normaliseSpeechLevel(pcm, ESPEAK_SAMPLE_RATE, req.levelDbfs);
  return { sampleRate: ESPEAK_SAMPLE_RATE, pcm: new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength) };
}

/** The engine, loaded on first use (one per worker, or per process for inline use). */
export function espeakEngine(gluePath: string): () => Promise<EspeakEngine> {
  let engine: Promise<EspeakEngine> | undefined;
  return () => (engine ??= loadEngine(gluePath));
}

const { gluePath } = (workerData ?? {}) as { gluePath?: string };
if (gluePath !== undefined) {
  const engine = espeakEngine(gluePath);
  const current: { voice?: string } = {};
  serveSyntheses<EspeakRequest>(async (req) => synthesizeEspeak(await engine(), req, current));
}
