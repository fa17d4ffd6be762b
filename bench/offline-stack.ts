import { join } from 'node:path';
import { frames20ms, mulawSilence, synthesizePhoneAudio } from '../src/audio/speech.js';
import { loadDsp } from '../src/dsp/index.js';
import { normalize } from '../src/facts/numbers.js';
import { parseUtterance } from '../src/facts/parse.js';
import { OfflineAsr, modelDir } from '../src/providers/asr/offline.js';
import type { AsrContext, AsrStreamEvent } from '../src/providers/asr/types.js';
import { FliteTts, type FliteVoice } from '../src/providers/tts/flite.js';

// The offline stack's speed and accuracy on this machine, each against a baseline measured in the same run:
//  - flite synthesis time per second of audio, per voice (baseline: real time);
//  - recogniser stream open time with the grammar-sized dictionary vs the model's full dictionary;
//  - decoding real-time factor and word error with our narrowed beams vs pocketsphinx's default beams.
// Speech is the receptionist's voice (slt) through 16→8 kHz resampling and μ-law, as on a call.
// Usage: node dist/bench/offline-stack.js

const SENTENCES: [AsrContext, string][] = [
  ['hours', 'we are open five a.m. to eleven p.m. monday through friday and closed on sundays'],
  ['hours', 'on weekends we open at eight and close at six'],
  ['hours', 'saturday and sunday seven a.m. to seven p.m.'],
  ['pricing', 'membership is forty nine dollars a month'],
  ['pricing', 'the annual plan is four hundred ninety nine dollars a year'],
  ['pricing', 'a day pass is fifteen dollars'],
  ['classes', 'we offer hiit crossfit barre and tai chi'],
  ['classes', 'we have yoga, pilates, spin and zumba'],
  ['classes', 'there is kickboxing and boxing'],
];

/** CPU milliseconds of this process since `from` (the machine is shared, so wall time would measure the others). */
const cpuMs = (from?: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function editDistance(a: string[], b: string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

async function benchTts(voice: FliteVoice): Promise<number> {
  const tts = new FliteTts({ voice, mode: 'inline' });
  await tts.synthesize('warm up', new AbortController().signal);
  const ratios: number[] = [];
  for (const [, text] of SENTENCES) {
    const t0 = process.cpuUsage();
    const a = await tts.synthesize(text, new AbortController().signal);
    const ms = cpuMs(t0);
    let bytes = 0;
    for await (const c of a.chunks) bytes += c.length;
    ratios.push(ms / ((bytes / 2 / a.sampleRate) * 1000));
  }
  return median(ratios);
}

interface AsrRun {
  openMs: number[];
  rtf: number;
  wer: number;
  facts: number;
}

const heardLog: string[] = [];

async function benchAsr(label: string, asr: OfflineAsr, audio: Uint8Array[]): Promise<AsrRun> {
  const openMs: number[] = [];
  const rtfs: number[] = [];
  let errors = 0;
  let words = 0;
  let facts = 0;
  for (const [i, [ctx, text]] of SENTENCES.entries()) {
    const events: AsrStreamEvent[] = [];
    const t0 = process.cpuUsage();
    const stream = await asr.open({ onEvent: (e) => events.push(e) });
    openMs.push(cpuMs(t0));
    stream.setContext?.(ctx);
    const mulaw = audio[i] as Uint8Array;
    const t1 = process.cpuUsage();
    for (const f of frames20ms(mulaw)) stream.push(f);
    stream.finalize();
    rtfs.push(cpuMs(t1) / (mulaw.length / 8));
    await stream.close();
    const heard = events.flatMap((e) => (e.type === 'final' ? [e.text] : [])).join(' ');
    errors += editDistance(normalize(text), normalize(heard));
    words += normalize(text).length;
    if (JSON.stringify(parseUtterance(text).facts) === JSON.stringify(parseUtterance(heard).facts)) facts++;
    heardLog.push(`${label}: "${text}" → "${heard}"`);
  }
  return { openMs, rtf: median(rtfs), wer: errors / words, facts };
}

async function main(): Promise<void> {
  const dsp = loadDsp();
  const kal = await benchTts('kal16');
  const slt = await benchTts('slt');
  // A caller's voice at flite's own level, as the recognition figures in docs/benchmarks were measured.
  const speaker = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const audio: Uint8Array[] = [];
  for (const [, text] of SENTENCES) {
    const { mulaw } = await synthesizePhoneAudio(speaker, dsp, text);
    audio.push(new Uint8Array([...mulawSilence(300), ...mulaw, ...mulawSilence(900)]));
  }
  // A fresh provider per sentence so every open loads a decoder (the pool would hide the dictionary cost).
  const ours = await benchAsr('ours', new OfflineAsr({ dsp, maxIdleDecoders: 0 }), audio);
  const baseline = await benchAsr(
    'baseline',
    new OfflineAsr({
      maxIdleDecoders: 0,
      dsp,
      decoderConfig: {
        dict: join(modelDir(), 'en-us', 'dict.txt'),
        beam: 1e-48,
        pbeam: 1e-48,
        wbeam: 7e-29,
        maxhmmpf: 30000,
      },
    }),
    audio,
  );
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  console.log(`sentences: ${SENTENCES.length}, speech through 8 kHz μ-law, receptionist voice slt`);
  console.log('| measure | ours | baseline | ratio |');
  console.log('|---|---|---|---|');
  console.log(
    `| flite kal16, synthesis time / audio time (median) | ${kal.toFixed(4)} | real time 1.0 | ${(1 / kal).toFixed(0)}× faster than real time |`,
  );
  console.log(
    `| flite slt, synthesis time / audio time (median) | ${slt.toFixed(4)} | real time 1.0 | ${(1 / slt).toFixed(0)}× faster than real time |`,
  );
  const o1 = median(ours.openMs.slice(1));
  const b1 = median(baseline.openMs.slice(1));
  console.log(
    `| ASR stream open, CPU ms (median of later opens) | ${o1.toFixed(0)} (grammar dictionary) | ${b1.toFixed(0)} (full dictionary) | ${(b1 / o1).toFixed(1)}× |`,
  );
  console.log(
    `| ASR decode, CPU time / audio time (median) | ${ours.rtf.toFixed(3)} (narrow beams) | ${baseline.rtf.toFixed(3)} (default beams) | ${(baseline.rtf / ours.rtf).toFixed(1)}× |`,
  );
  console.log(`| ASR word error rate | ${pct(ours.wer)} | ${pct(baseline.wer)} | |`);
  console.log(
    `| utterances with every fact right | ${ours.facts}/${SENTENCES.length} | ${baseline.facts}/${SENTENCES.length} | |`,
  );
  for (const l of heardLog) console.log(l);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
