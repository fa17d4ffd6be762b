import { join } from 'node:path';
import { frames20ms, synthesizePhoneAudio } from '../src/audio/speech.js';
import { activeSpeechLevelDbfs } from '../src/audio/level.js';
import { sharedSileroModel } from '../src/audio/silero.js';
import { ReceptionistBrain } from '../src/demo/brain.js';
import { loadScenarios } from '../src/demo/scenarios.js';
import type { Persona } from '../src/demo/persona.js';
import { expectedFacts } from '../src/demo/score.js';
import { loadDsp, packageRoot } from '../src/dsp/index.js';
import { TOPICS, type GymFacts, type Topic } from '../src/facts/model.js';
import { normalize } from '../src/facts/numbers.js';
import { parseFacts } from '../src/facts/parse.js';
import { thisThreadTranscriber } from '../src/providers/asr/moonshine.js';
import { OfflineAsr, type OfflineAsrOptions } from '../src/providers/asr/offline.js';
import type { AsrContext } from '../src/providers/asr/types.js';
import { LineSnr } from '../src/providers/asr/line-snr.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import { BACKGROUND_KINDS, LineBackground, type BackgroundKind } from '../src/sim/noise/index.js';

// The embedded recogniser on noisy front-desk lines, with and without noise suppression in front of the decoder.
// Each persona's answers (what the simulated receptionist says to each question, in her voice, slt at flite's own
// level) are laid out as one caller leg: a hello, then each answer after the agent's question (1.5 s of line in
// between), with a generated bed (src/sim/noise) mixed under the whole leg at the persona-style SNR, μ-law encoded
// as Twilio carries it. One OfflineAsr stream per leg, the grammar set to each answer's topic as the call machine
// does, and a finalize() 600 ms after each answer (the end of turn). Scored per answer: word error, and facts
// (per day of hours, per price, per class, as the scenario suite scores; anything heard that was not said counts
// as wrong). Every policy decodes exactly the same audio in the same run; CPU is this process's, per second of
// caller audio, because the machine is shared.
// Usage: node dist/bench/asr-noise.js [--snr 15,10] [--beds music,chatter] [--policies never,always,noisy]
//        [--dir scenarios] [--personas a,b] [--verbose]

interface Answer {
  topic: Topic;
  /** The topics the answer gives (all of them for a persona who volunteers everything at once). */
  topics: readonly Topic[];
  text: string;
  startSample: number;
  endSample: number;
}

interface Leg {
  persona: Persona;
  pcm: Int16Array;
  answers: Answer[];
  helloEnd: number;
  /** Her active speech level (dBFS), which sets the bed's level. */
  levelDbfs: number;
}

interface Condition {
  label: string;
  kind?: BackgroundKind;
  snrDb?: number;
}

interface Tally {
  words: number;
  wordErrors: number;
  facts: number;
  factsRight: number;
  factsWrong: number;
  decodeCpuMs: number;
  audioMs: number;
  denoiserCpuMs: number;
}

/** What is compared: the recogniser as it is, with RNNoise in front of the decoder, and decoder settings. */
const GRAMMAR: Partial<OfflineAsrOptions> = { moonshine: 'never' };
const VARIANTS: Record<string, Partial<OfflineAsrOptions>> = {
  'as-is': { ...GRAMMAR, denoise: 'never' },
  rnnoise: { ...GRAMMAR, denoise: 'always' },
  'rnnoise-seg': { ...GRAMMAR, denoise: 'always', vadHears: 'denoised' },
  noisy: { ...GRAMMAR, denoise: 'noisy' },
  'hybrid-seg': { ...GRAMMAR, denoise: 'never', vad: { kind: 'hybrid' } },
  'fill-4': { ...GRAMMAR, denoise: 'never', decoderConfig: { fillprob: 1e-4 } },
  'fill-2': { ...GRAMMAR, denoise: 'never', decoderConfig: { fillprob: 1e-2 } },
  // The search's cost per frame capped lower (the default is SEARCH_DEFAULTS' maxhmmpf 5000), denoiser as default.
  'hmm-2000': { ...GRAMMAR, denoise: 'noisy', decoderConfig: { maxhmmpf: 2000 } },
  'hmm-1000': { ...GRAMMAR, denoise: 'noisy', decoderConfig: { maxhmmpf: 1000 } },
  'rnnoise-seg-fill-2': { ...GRAMMAR, denoise: 'always', vadHears: 'denoised', decoderConfig: { fillprob: 1e-2 } },
  // Moonshine's finals (moonshine.ts): on noisy lines only (the default), or on every line.
  default: {},
  moonshine: { moonshine: 'always' },
  // The decoder's search not capped on noisy lines (before NOISY_MAX_HMMPF).
  'noisy-uncapped': { noisyMaxHmmpf: 5000 },
  // Moonshine not told what the agent asked: no nudge towards class names (moonshine-bias.ts); built in optionsOf.
  unnudged: {},
};

/** A variant's options that need the run's DSP. */
function optionsOf(variant: string, dsp: ReturnType<typeof loadDsp>): Partial<OfflineAsrOptions> {
  if (variant !== 'unnudged') return VARIANTS[variant] ?? {};
  const own = thisThreadTranscriber(dsp);
  return { transcriber: { load: () => own.load(), transcribe: (pcm) => own.transcribe(pcm) } };
}

const RATE = 8000;
/** Samples per pushed frame (20 ms). */
const FRAME = 160;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
/** The line between her answers (the agent's question in a call: a few seconds of the room alone). */
const GAP_MS = Number(arg('gap-ms') ?? 1500);
/** Her answer's end → finalize() (a call's end of turn; over a room that never goes quiet it comes late). */
const TURN_END_MS = Number(arg('turn-end-ms') ?? 600);
const list = (name: string, dflt: readonly string[]): string[] => arg(name)?.split(',') ?? [...dflt];

const cpuMs = (from?: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Fact items (a day's hours, a price, a class) as strings, so the persona's and the heard ones compare as sets. */
function factItems(f: Partial<GymFacts>): Set<string> {
  const items = new Set<string>();
  for (const [d, h] of Object.entries(f.hours ?? {})) items.add(`${d}=${JSON.stringify(h)}`);
  for (const p of f.pricing ?? []) items.add(`price=${p.amountMinor}/${p.period}`);
  for (const c of f.classes ?? []) items.add(`class=${c.name}`);
  return items;
}

/** What the persona knows about `topics`: the truth an answer is scored against (not a parse of her words). */
function personaFacts(p: Persona, topics: readonly Topic[]): Partial<GymFacts> {
  const e = expectedFacts(p);
  return {
    hours: topics.includes('hours') ? (e.hours as GymFacts['hours']) : {},
    pricing: topics.includes('pricing')
      ? e.pricing.map((x) => ({
          plan: x.plan,
          amountMinor: Math.round(x.amount * 100),
          currency: x.currency,
          period: x.period,
        }))
      : [],
    classes: topics.includes('classes') ? e.classes.map((name) => ({ name })) : [],
  };
}

/** What the receptionist answers to each topic she knows, as the scenario suite's receptionist says it. */
function answersOf(p: Persona): { topic: Topic; topics: readonly Topic[]; text: string }[] {
  // Her words only: no pauses, silences, key presses or hang-ups (the call-level behaviours are the suite's).
  const b = { ...p.behaviour, thinkingPauseMs: 0, silentOnceMs: 0, hangUpAfterTurn: null, dtmf: null };
  const brain = new ReceptionistBrain({ ...p, behaviour: b });
  brain.opening();
  const out: { topic: Topic; topics: readonly Topic[]; text: string }[] = [];
  for (const topic of b.volunteerAllAtOnce ? (['hours'] as const) : TOPICS) {
    const q =
      topic === 'hours'
        ? 'What are your opening hours?'
        : topic === 'pricing'
          ? 'How much is a membership?'
          : 'Which classes do you offer?';
    const said = brain
      .onAgentUtterance(q)
      .flatMap((a) => (a.type === 'say' && a.kind === 'answer' ? [a.text] : []))
      .join(' ');
    if (said && !/don't know|not sure/i.test(said))
      out.push({ topic, topics: b.volunteerAllAtOnce ? TOPICS : [topic], text: said });
  }
  return out;
}

async function buildLeg(p: Persona, tts: FliteTts, dsp: ReturnType<typeof loadDsp>): Promise<Leg> {
  const parts: Int16Array[] = [new Int16Array((RATE * 500) / 1000)];
  const hello = await synthesizePhoneAudio(tts, dsp, 'Hello, the gym.');
  parts.push(hello.pcm, new Int16Array((RATE * GAP_MS) / 1000));
  const helloEnd = parts[0]!.length + hello.pcm.length;
  let at = parts.reduce((n, x) => n + x.length, 0);
  const answers: Answer[] = [];
  const voiced: Int16Array[] = [hello.pcm];
  for (const a of answersOf(p)) {
    const audio = await synthesizePhoneAudio(tts, dsp, a.text);
    answers.push({ ...a, startSample: at, endSample: at + audio.pcm.length });
    parts.push(audio.pcm, new Int16Array((RATE * GAP_MS) / 1000));
    voiced.push(audio.pcm);
    at += audio.pcm.length + (RATE * GAP_MS) / 1000;
  }
  const pcm = new Int16Array(at);
  let o = 0;
  for (const x of parts) {
    pcm.set(x, o);
    o += x.length;
  }
  const all = new Int16Array(voiced.reduce((n, x) => n + x.length, 0));
  o = 0;
  for (const x of voiced) {
    all.set(x, o);
    o += x.length;
  }
  return { persona: p, pcm, answers, helloEnd, levelDbfs: activeSpeechLevelDbfs(all, RATE) ?? -20 };
}

async function decodeLeg(
  asr: OfflineAsr,
  leg: Leg,
  mulaw: Uint8Array,
  tally: Tally,
  verbose: boolean,
  label: string,
): Promise<void> {
  const finals: { text: string; atSample: number }[] = [];
  let pushed = 0;
  const stream = await asr.open({
    onEvent: (e) => {
      // By the audio it ends at: Moonshine's finals arrive after more audio was pushed.
      if (e.type === 'final' && e.text) finals.push({ text: e.text, atSample: (e.endMs * RATE) / 1000 });
    },
  });
  // The hello is a turn of its own (the agent answers it), so it is finalized before the first answer.
  const turnEnds = [leg.helloEnd, ...leg.answers.map((a) => a.endSample)].map((x) => x + (RATE * TURN_END_MS) / 1000);
  const starts = leg.answers.map((a) => a.startSample - (RATE * 400) / 1000);
  let next = 0;
  let nextEnd = 0;
  const detector = await sharedSileroModel();
  const t0 = process.cpuUsage();
  for (const f of frames20ms(mulaw)) {
    if (next < starts.length && pushed >= (starts[next] as number)) {
      stream.setContext?.(leg.answers[next]!.topic as AsrContext);
      next++;
    }
    stream.push(f);
    pushed += f.length;
    // The default detector classifies on the event loop (batched across calls, silero.ts): on a call the next
    // frame is 20 ms away; here it waits until what was pushed has been classified.
    await detector.idle();
    if (nextEnd < turnEnds.length && pushed >= (turnEnds[nextEnd] as number)) {
      stream.finalize();
      nextEnd++;
    }
  }
  tally.decodeCpuMs += cpuMs(t0);
  tally.audioMs += (mulaw.length / RATE) * 1000;
  await stream.close();
  for (const [i, a] of leg.answers.entries()) {
    const heard = finals
      // finalize() runs on the first whole frame at or past a turn's end, so its final ends up to a frame later.
      .filter((f) => f.atSample > (turnEnds[i] as number) + FRAME && f.atSample <= (turnEnds[i + 1] as number) + FRAME)
      .map((f) => f.text)
      .join(' ');
    const said = normalize(a.text);
    tally.words += said.length;
    tally.wordErrors += editDistance(said, normalize(heard));
    const want = factItems(personaFacts(leg.persona, a.topics));
    const got = factItems(parseFacts(heard));
    tally.facts += want.size;
    for (const x of want) if (got.has(x)) tally.factsRight++;
    for (const x of got) if (!want.has(x)) tally.factsWrong++;
    if (verbose) console.error(`${label} ${leg.persona.name}: "${a.text}" → "${heard}"`);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const pct = (x: number, of: number): string => (of === 0 ? '–' : `${((100 * x) / of).toFixed(1)} %`);

async function main(): Promise<void> {
  const dsp = loadDsp();
  const dir = join(packageRoot(), arg('dir') ?? 'scenarios');
  const only = arg('personas')?.split(',');
  const personas = await loadScenarios(dir, only);
  const snrs = list('snr', ['15', '10']).map(Number);
  const beds = list('beds', BACKGROUND_KINDS).filter((b) => b !== 'none') as BackgroundKind[];
  const policies = list('variants', ['as-is', 'rnnoise']);
  for (const v of policies)
    if (!(v in VARIANTS)) throw new Error(`unknown variant ${v} (have: ${Object.keys(VARIANTS).join(', ')})`);
  const verbose = process.argv.includes('--verbose');
  const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const legs: Leg[] = [];
  for (const p of personas) legs.push(await buildLeg(p, tts, dsp));
  const conditions: Condition[] = [{ label: 'clean' }];
  for (const kind of beds) for (const snrDb of snrs) conditions.push({ label: `${kind} ${snrDb} dB`, kind, snrDb });

  // Denoiser CPU alone, per second of line audio: RNNoise plus the two resamplers, on one leg.
  const { createDenoiser } = await import('../src/audio/denoise.js');
  const d = await createDenoiser(dsp);
  const probe = legs[0]!.pcm;
  const tD = process.cpuUsage();
  for (let o = 0; o + 160 <= probe.length; o += 160) d.process(probe.subarray(o, o + 160));
  const denoiseUsPerSecond = (cpuMs(tD) * 1000) / (probe.length / RATE);
  d.close();

  console.log(
    `personas: ${personas.length} (${dir}), answers: ${legs.reduce((n, l) => n + l.answers.length, 0)}, ` +
      `caller audio per condition: ${(legs.reduce((n, l) => n + l.pcm.length, 0) / RATE).toFixed(0)} s`,
  );
  console.log(
    `denoiser alone: ${(denoiseUsPerSecond / 1000).toFixed(1)} ms CPU per call-second (${(denoiseUsPerSecond / 50).toFixed(0)} µs per 20 ms frame)\n`,
  );
  const header = ['condition', ...policies.flatMap((p) => [`${p}: facts`, 'wrong', 'WER', 'CPU ms/s'])];
  const rows: string[][] = [];
  for (const c of conditions) {
    const mixes = legs.map((leg) => {
      const pcm = Int16Array.from(leg.pcm);
      if (c.kind !== undefined && c.snrDb !== undefined)
        new LineBackground({ kind: c.kind, snrDb: c.snrDb, seed: 7 }, leg.levelDbfs).addTo(pcm);
      return dsp.ulawEncode(pcm);
    });
    // The line's spread as the recogniser measures it (line-snr.ts), at the end of each leg: median over legs.
    const spreads = mixes.map((mulaw) => {
      const est = new LineSnr();
      const pcm = dsp.ulawDecode(mulaw);
      const e = dsp.frameFeatures(pcm, 160);
      for (let f = 0; f < e.length; f += 3) est.push(e[f] as number);
      return est.snrDb ?? NaN;
    });
    const row = [`${c.label} (${median(spreads).toFixed(0)})`];
    for (const policy of policies) {
      const asr = new OfflineAsr({ dsp, ...optionsOf(policy, dsp) });
      const t: Tally = {
        words: 0,
        wordErrors: 0,
        facts: 0,
        factsRight: 0,
        factsWrong: 0,
        decodeCpuMs: 0,
        audioMs: 0,
        denoiserCpuMs: 0,
      };
      for (const [i, leg] of legs.entries()) await decodeLeg(asr, leg, mixes[i]!, t, verbose, `${c.label} ${policy}`);
      asr.close();
      row.push(
        `${t.factsRight}/${t.facts} (${pct(t.factsRight, t.facts)})`,
        String(t.factsWrong),
        pct(t.wordErrors, t.words),
        ((1000 * t.decodeCpuMs) / t.audioMs).toFixed(0),
      );
    }
    rows.push(row);
    console.error(row.join('  '));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

await main();
