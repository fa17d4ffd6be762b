import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { activeSpeechLevelDbfs } from '../src/audio/level.js';
import { synthesizePhoneAudio } from '../src/audio/speech.js';
import { ulawLevelDbfs } from '../src/audio/ulaw-level.js';
import { createVad, DEFAULT_VAD, type VadKind } from '../src/audio/vad.js';
import { CallerVoice, type LineEvidence } from '../src/call/caller-voice.js';
import { DEFAULT_TIMING } from '../machines/timing.js';
import { trimSilence } from '../src/demo/receptionist.js';
import { loadDsp, packageRoot } from '../src/dsp/index.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import { LineBackground, type BackgroundKind } from '../src/sim/noise/index.js';

// `npm run bench:barge-in`: the barge-in decision on noisy lines, measured off line (no real time, no server):
// the agent talks (its kal16 sentences at -18 dBFS, back to back), the bed of a persona (or of other seeds and
// SNRs) plays under the gym's line, the agent's echo comes back if asked, and she now and then says "okay" or
// interrupts ("Sorry, what was that?"). Each 20 ms frame goes through the default detector, then both rules:
//  - before: the VAD's voice (its edges) lasting BARGE_IN_MIN_MS over the agent pauses it (the machine of before);
//  - after: src/call/caller-voice.ts's evidence: `held` pauses it; `present` pauses it if a real word comes (the
//    recogniser on a noisy line decodes the room too, so every `present` is counted as a possible pause).
// A pause is false when none of her sound was on the line within 600 ms (src/demo/barge-truth.ts's rule).
// Output: a markdown table (docs/benchmarks/barge-in.md).

const FRAME = 160;
const dsp = loadDsp();

interface Condition {
  name: string;
  kind?: BackgroundKind;
  snrDb?: number;
  seed?: number;
  echo?: { delayMs: number; lossDb: number };
}

interface Row {
  condition: Condition;
  minutes: number;
  beforeFalse: number;
  afterFalseHeld: number;
  afterFalsePresent: number;
  backchannelsHeld: number;
  interruptions: number;
  presentMs: number[];
  heldMs: number[];
}

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 120) || 120;
const kind = (args.includes('--vad') ? args[args.indexOf('--vad') + 1] : DEFAULT_VAD) as VadKind;
const numberArg = (name: string): number | undefined =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined;
/** The thresholds measured: the defaults, or --margin DB / --evidence MS to try others. */
const timing = {
  ...DEFAULT_TIMING,
  bargeInMarginDb: numberArg('--margin') ?? DEFAULT_TIMING.bargeInMarginDb,
  bargeInEvidenceMs: numberArg('--evidence') ?? DEFAULT_TIMING.bargeInEvidenceMs,
};
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : undefined;

async function personaConditions(): Promise<Condition[]> {
  const dir = join(packageRoot(), 'scenarios', 'noisy');
  const out: Condition[] = [];
  for (const f of (await readdir(dir)).filter((x) => x.endsWith('.json')).sort()) {
    const p = JSON.parse(await readFile(join(dir, f), 'utf8')) as {
      name: string;
      background: { kind: BackgroundKind; snrDb: number; seed?: number };
    };
    out.push({ name: p.name, ...p.background });
  }
  return out;
}

/** Beds, seeds and SNRs the personas do not use, and the agent's echo. */
const OTHERS: Condition[] = [
  { name: 'music seed 21 @ 6 dB', kind: 'music', snrDb: 6, seed: 21 },
  { name: 'music seed 22 @ 9 dB', kind: 'music', snrDb: 9, seed: 22 },
  { name: 'music-vocals seed 23 @ 8 dB', kind: 'music-vocals', snrDb: 8, seed: 23 },
  { name: 'chatter seed 24 @ 6 dB', kind: 'chatter', snrDb: 6, seed: 24 },
  { name: 'street seed 25 @ 8 dB', kind: 'street', snrDb: 8, seed: 25 },
  { name: 'quiet line', kind: undefined },
  { name: 'quiet, echo 250 ms 10 dB down', echo: { delayMs: 250, lossDb: 10 } },
  {
    name: 'music @ 12 dB, echo 400 ms 15 dB down',
    kind: 'music',
    snrDb: 12,
    seed: 26,
    echo: { delayMs: 400, lossDb: 15 },
  },
];

async function main(): Promise<void> {
  const her = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
  const agentVoice = new FliteTts({ voice: 'kal16', mode: 'inline' });
  const say = async (tts: FliteTts, text: string) => trimSilence((await synthesizePhoneAudio(tts, dsp, text)).pcm);
  const agentLines = [
    'Hi, this is an automated assistant calling for Iron Temple. What are your opening hours?',
    'Great, thank you. And how much does a monthly membership cost?',
    'Thanks. Which fitness classes do you offer during the week?',
  ];
  const agent: Int16Array[] = [];
  for (const l of agentLines) agent.push(await say(agentVoice, l));
  const sorry = await say(her, 'Sorry, what was that?');
  const okay = await say(her, 'okay');
  const level = activeSpeechLevelDbfs(await say(her, 'Hello, we are open from six to ten.'), 8000) as number;
  await her.close();
  await agentVoice.close();
  const rows: Row[] = [];
  for (const c of [...(await personaConditions()), ...OTHERS].filter(
    (x) => only === undefined || only.includes(x.name),
  ))
    rows.push(await measure(c, { agent, sorry, okay, level }));
  const sileroNote = kind === 'silero' ? ' (Silero behind its energy gate)' : '';
  process.stdout.write(
    `detector: ${kind}${sileroNote}; margin ${timing.bargeInMarginDb} dB, evidence ${timing.bargeInEvidenceMs} ms; ${seconds} s of the agent talking per line; her "okay" and "Sorry, what was ` +
      `that?" every 6 s in turn\n\n` +
      '| line | before: false pauses/min | after: false held/min | after: false present/min | "okay" held | ' +
      'interruptions | onset → present (median, max) | onset → held (median) |\n' +
      '| --- | --- | --- | --- | --- | --- | --- | --- |\n',
  );
  for (const r of rows) {
    const perMin = (n: number) => (n / r.minutes).toFixed(1);
    const med = (xs: number[]) =>
      xs.length === 0 ? '-' : `${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]} ms`;
    process.stdout.write(
      `| ${r.condition.name} | ${perMin(r.beforeFalse)} | ${perMin(r.afterFalseHeld)} | ${perMin(r.afterFalsePresent)} | ` +
        `${r.backchannelsHeld} | ${r.presentMs.length}/${r.interruptions} present, ${r.heldMs.length} held | ` +
        `${med(r.presentMs)}, ${r.presentMs.length ? Math.max(...r.presentMs) : '-'} ms | ${med(r.heldMs)} |\n`,
    );
  }
  const us = costPerFrameUs();
  process.stdout.write(
    `\nevidence cost: ${us.toFixed(2)} µs of CPU per 20 ms frame, ${(us * 50).toFixed(0)} µs per call-second\n`,
  );
}

/**
 * CPU per 20 ms frame of the evidence (both legs' levels from μ-law, the echo path, the room's level, the window):
 * what every call pays on top of its detector, while the agent talks (the echo path's busiest case).
 */
function costPerFrameUs(): number {
  const v = new CallerVoice(DEFAULT_TIMING, () => {});
  const mulaw = new Uint8Array(160).map((_, i) => (i * 37) & 0xff);
  let x = 1;
  const rnd = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const frame = (i: number) => {
    v.agentFrame(i * 20, ulawLevelDbfs(mulaw) - 20 * rnd());
    v.lineFrame(i * 20, rnd(), ulawLevelDbfs(mulaw) - 40 + 20 * rnd());
  };
  for (let i = 0; i < 5000; i++) frame(i);
  const n = 100_000;
  const t0 = process.cpuUsage();
  for (let i = 5000; i < 5000 + n; i++) frame(i);
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / n;
}

async function measure(
  c: Condition,
  a: { agent: Int16Array[]; sorry: Int16Array; okay: Int16Array; level: number },
): Promise<Row> {
  const frames = (seconds * 1000) / 20;
  // The agent's audio, frame by frame: its sentences with 400 ms between them.
  const out: (Int16Array | undefined)[] = [];
  for (let i = 0; out.length < frames; i++) {
    const s = a.agent[i % a.agent.length] as Int16Array;
    for (let o = 0; o + FRAME <= s.length; o += FRAME) out.push(s.subarray(o, o + FRAME));
    for (let k = 0; k < 20; k++) out.push(undefined);
  }
  // Her sounds: every 6 s, alternately "okay" and the interruption, from 4 s on.
  const hersAt = new Map<number, { pcm: Int16Array; what: 'okay' | 'sorry' }>();
  const her: { from: number; to: number; what: 'okay' | 'sorry' }[] = [];
  for (let t = 4000, k = 0; t + 2000 < seconds * 1000; t += 6000, k++) {
    const what = k % 2 === 0 ? 'okay' : 'sorry';
    const pcm = what === 'okay' ? a.okay : a.sorry;
    hersAt.set(t / 20, { pcm, what });
    her.push({ from: t, to: t + (pcm.length / 8000) * 1000, what });
  }
  const bed = c.kind ? new LineBackground({ kind: c.kind, snrDb: c.snrDb ?? 12, seed: c.seed }, a.level) : undefined;
  const vad = await createVad(dsp, { kind });
  const silero = kind === 'silero' ? await (await import('../src/audio/silero.js')).sharedSileroModel() : undefined;
  const events: LineEvidence[] = [];
  // Changes of her voice only (an event that only says the line's class changed is no new evidence).
  const voice = new CallerVoice(timing, (e) => {
    if (e.voice !== events.at(-1)?.voice) events.push(e);
  });
  const echoFrames = c.echo ? Math.round(c.echo.delayMs / 20) : 0;
  const echoGain = c.echo ? 10 ** (-c.echo.lossDb / 20) : 0;
  let speaking: { pcm: Int16Array; k: number } | undefined;
  const probs: number[] = [];
  // The rule of before: VAD voice lasting BARGE_IN_MIN over the agent pauses it.
  let voiceOnMs: number | undefined;
  const beforePauses: number[] = [];
  const agentAudible = (i: number) => out.slice(Math.max(0, i - 5), i + 1).some((f) => f !== undefined);
  for (let i = 0; i < frames; i++) {
    const atMs = i * 20;
    const o = out[i];
    voice.agentFrame(atMs, o ? ulawLevelDbfs(dsp.ulawEncode(o)) : -90);
    const line = new Int16Array(FRAME);
    const start = hersAt.get(i);
    if (start) speaking = { pcm: start.pcm, k: 0 };
    if (speaking) {
      line.set(speaking.pcm.subarray(speaking.k * FRAME, (speaking.k + 1) * FRAME));
      speaking.k++;
      if ((speaking.k + 1) * FRAME > speaking.pcm.length) speaking = undefined;
    }
    const back = c.echo && i >= echoFrames ? out[i - echoFrames] : undefined;
    if (back)
      for (let s = 0; s < FRAME; s++) line[s] = (line[s] as number) + Math.round((back[s] as number) * echoGain);
    bed?.addTo(line);
    const mulaw = dsp.ulawEncode(line);
    probs.length = 0;
    for (const e of vad.push(dsp.ulawDecode(mulaw), undefined, probs))
      voiceOnMs = e.kind === 'voice' ? e.atMs : undefined;
    await silero?.idle();
    voice.lineFrame(atMs, probs[0] ?? 0, ulawLevelDbfs(mulaw));
    if (voiceOnMs !== undefined && atMs - voiceOnMs >= DEFAULT_TIMING.bargeInMinMs && agentAudible(i)) {
      beforePauses.push(atMs);
      voiceOnMs = undefined; // the agent paused; the next pause needs a new onset
    }
  }
  vad.close();
  const isFalse = (t: number) => !her.some((h) => h.from <= t && h.to >= t - 600);
  const audibleAt = (t: number) => agentAudible(Math.floor(t / 20));
  const after = (v: 'present' | 'held') =>
    events.filter((e) => (v === 'held' ? e.voice === 'held' : e.voice === 'present') && audibleAt(e.atMs));
  const firstAfter = (from: number, v: 'present' | 'held') =>
    events.find(
      (e) => e.atMs >= from && e.atMs <= from + 2000 && (e.voice === v || (v === 'present' && e.voice === 'held')),
    );
  const row: Row = {
    condition: c,
    minutes: seconds / 60,
    beforeFalse: beforePauses.filter(isFalse).length,
    afterFalseHeld: after('held').filter((e) => isFalse(e.atMs)).length,
    afterFalsePresent: after('present').filter((e) => isFalse(e.atMs)).length,
    backchannelsHeld: her.filter(
      (h) =>
        h.what === 'okay' &&
        firstAfter(h.from, 'held') !== undefined &&
        (firstAfter(h.from, 'held')?.atMs ?? 0) <= h.to + 600,
    ).length,
    interruptions: her.filter((h) => h.what === 'sorry').length,
    presentMs: [],
    heldMs: [],
  };
  for (const h of her.filter((x) => x.what === 'sorry')) {
    const p = firstAfter(h.from, 'present');
    const held = firstAfter(h.from, 'held');
    if (p) row.presentMs.push(p.atMs - h.from);
    if (held) row.heldMs.push(held.atMs - h.from);
  }
  return row;
}

await main();
