import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EspeakTts } from '../src/providers/tts/espeak.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import type { TtsProvider } from '../src/providers/tts/types.js';

// The offline Spanish voice (espeak-ng, WebAssembly) against the offline English one (flite) in the same run:
//  - CPU ms per second of speech (inline, process CPU time; median of the sentences);
//  - first byte in the worker (wall ms from synthesize() to the first chunk), the first request (engine load) apart,
//    then the sentences' first pass and their second (steady state: V8 has compiled the engine's hot code);
//  - the event loop's worst delay while the worker speaks (what a call's 20 ms frame pacing would feel).
// `npm run bench:espeak` after a build. docs/offline-stack.md keeps the figures.

const SPANISH = [
  'Hola, le llamo de parte de un asistente automático para confirmar el horario del gimnasio.',
  '¿A qué hora abren los sábados?',
  '¿Cuánto cuesta la membresía mensual?',
  'Perfecto, muchas gracias por su ayuda. Que tenga un buen día.',
  '¿Tienen clases de yoga, spinning o zumba por la mañana?',
  'Entendido: de lunes a viernes de seis de la mañana a diez de la noche.',
];
const ENGLISH = [
  'Hi, this is an automated assistant calling to confirm the gym’s opening hours.',
  'What time do you open on Saturdays?',
  'How much is a monthly membership?',
  'Perfect, thank you very much for your help. Have a good day.',
  'Do you have yoga, spin or zumba classes in the morning?',
  'Got it: Monday to Friday from six a.m. to ten p.m.',
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const cpuMs = (t0: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
};

async function speechSeconds(tts: TtsProvider, text: string, language: string): Promise<number> {
  const a = await tts.synthesize(text, new AbortController().signal, { language });
  let bytes = 0;
  for await (const c of a.chunks) bytes += c.length;
  return bytes / 2 / a.sampleRate;
}

/** Median over the sentences' second pass: the first runs while V8 still compiles the engine's hot code (tier-up). */
async function cpuPerSecond(tts: TtsProvider, sentences: string[], language: string): Promise<number> {
  for (const text of sentences) await speechSeconds(tts, text, language);
  const ratios: number[] = [];
  for (const text of sentences) {
    const t0 = process.cpuUsage();
    const s = await speechSeconds(tts, text, language);
    ratios.push(cpuMs(t0) / s);
  }
  return median(ratios);
}

async function firstBytes(
  tts: TtsProvider,
  sentences: string[],
  language: string,
): Promise<{ load: number; cold: number; median: number; max: number; loopMaxMs: number }> {
  const times: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let load = 0;
  // The first pass is the worker's first minute: its engine compiled by V8's baseline tier; the second, steady state.
  const passes = [...sentences, ...sentences];
  for (const [i, text] of ['Hola.', ...passes].entries()) {
    if (i === sentences.length + 1) loop.enable();
    const t0 = performance.now();
    const a = await tts.synthesize(text, new AbortController().signal, { language });
    const it = a.chunks[Symbol.asyncIterator]();
    await it.next();
    const ms = performance.now() - t0;
    await it.return?.();
    if (i === 0) load = ms;
    else times.push(ms);
  }
  loop.disable();
  const cold = times.slice(0, sentences.length);
  const warm = times.slice(sentences.length);
  return { load, cold: median(cold), median: median(warm), max: Math.max(...warm), loopMaxMs: loop.max / 1e6 };
}

async function main(): Promise<void> {
  const inlineEs = new EspeakTts({ mode: 'inline' });
  const loadT0 = process.cpuUsage();
  await speechSeconds(inlineEs, 'Hola.', 'es-ES');
  const loadCpu = cpuMs(loadT0);
  const es = await cpuPerSecond(inlineEs, SPANISH, 'es-ES');
  const es419 = await cpuPerSecond(inlineEs, SPANISH, 'es-MX');
  const en = await cpuPerSecond(inlineEs, ENGLISH, 'en-US');
  const flite = await cpuPerSecond(new FliteTts({ mode: 'inline' }), ENGLISH, 'en-US');

  const worker = new EspeakTts();
  const fb = await firstBytes(worker, SPANISH, 'es-ES');
  await worker.close();
  const fliteWorker = new FliteTts();
  const ffb = await firstBytes(fliteWorker, ENGLISH, 'en-US');
  await fliteWorker.close();

  const rss = process.memoryUsage().rss / 2 ** 20;
  process.stdout.write(
    [
      `sentences: ${SPANISH.length} Spanish, ${ENGLISH.length} English; process CPU time`,
      '| measure | espeak-ng | baseline: flite kal16 (English) |',
      '|---|---|---|',
      `| CPU ms per second of speech, Spanish (es) | ${es.toFixed(1)} | ${flite.toFixed(1)} |`,
      `| CPU ms per second of speech, Latin American Spanish (es-419) | ${es419.toFixed(1)} | |`,
      `| CPU ms per second of speech, English (en-US) | ${en.toFixed(1)} | ${flite.toFixed(1)} |`,
      `| engine load (first synthesis, inline), CPU ms | ${loadCpu.toFixed(0)} | |`,
      `| worker: first request incl. worker start and data load, wall ms | ${fb.load.toFixed(0)} | ${ffb.load.toFixed(0)} |`,
      `| worker: first byte of a sentence in its first pass, wall ms (median) | ${fb.cold.toFixed(1)} | ${ffb.cold.toFixed(1)} |`,
      `| worker: first byte of a sentence, steady state, wall ms (median / max) | ${fb.median.toFixed(1)} / ${fb.max.toFixed(1)} | ${ffb.median.toFixed(1)} / ${ffb.max.toFixed(1)} |`,
      `| event loop's worst delay while the worker speaks (steady state), ms | ${fb.loopMaxMs.toFixed(1)} | ${ffb.loopMaxMs.toFixed(1)} |`,
      `process RSS after both engines: ${rss.toFixed(0)} MB`,
      '',
    ].join('\n'),
  );
}

await main();
