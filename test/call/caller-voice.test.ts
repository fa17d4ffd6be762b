import t from 'tap';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { ulawLevelDbfs } from '../../src/audio/ulaw-level.js';
import { sharedSileroModel } from '../../src/audio/silero.js';
import { createVad, DEFAULT_VAD } from '../../src/audio/vad.js';
import { CallerVoice, type LineEvidence } from '../../src/call/caller-voice.js';
import { loadDsp } from '../../src/dsp/index.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { trimSilence } from '../../src/demo/receptionist.js';
import { LineBackground, type BackgroundKind } from '../../src/sim/noise/index.js';

// Is it the caller, on the simulator's noise beds: the agent talks (its frames go to the evidence as the player
// would send them), the room plays under the line, and she says nothing, a backchannel, or interrupts. Physics
// only: the bed's level is set against her voice as the simulator does it (ITU-T P.56 active level, snrDb under),
// at SNRs and seeds other than the personas'. Runs in a few seconds: no server, no real time.

const dsp = loadDsp();
const FRAME = 160;
const thresholds = { bargeInEvidenceMs: 200, bargeInMinMs: 600, bargeInMarginDb: 4, lineNoisySnrDb: 20 };

// Her voice as the simulator's receptionist speaks (flite's own level), the agent's at its telephone level. Each
// sentence is synthesised once, up front (a loaded machine makes flite slow).
const say = async (voice: FliteTts, text: string) => trimSilence((await synthesizePhoneAudio(voice, dsp, text)).pcm);
const tts = new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null });
const agentTts = new FliteTts({ voice: 'kal16', mode: 'inline' });
const HER = {
  answer: await say(tts, 'Hello, we are open from six to ten.'),
  sorry: await say(tts, 'Sorry, what was that?'),
  okay: await say(tts, 'okay'),
  whoIsThis: await say(tts, 'Sorry, yes, hello, who is this?'),
};
const AGENT = await say(agentTts, 'We would like to know your opening hours and the price of a membership.');
await tts.close();
await agentTts.close();

interface Run {
  events: LineEvidence[];
  /** Stream time her speech started on the line. */
  onsetMs: number | undefined;
}

/**
 * `seconds` of a call: the agent talks all along (its speech repeated, with its echo on the line at `echo` if
 * given), the bed under her line, and her `speech` starting at `atS` seconds.
 */
async function run(o: {
  kind?: BackgroundKind;
  snrDb?: number;
  seed?: number;
  seconds: number;
  speech?: Int16Array;
  atS?: number;
  echo?: { delayMs: number; lossDb: number };
  /** The agent says nothing (an outbound call before its greeting). */
  agentSilent?: boolean;
}): Promise<Run> {
  const agent = AGENT;
  const bed = o.kind
    ? new LineBackground({ kind: o.kind, snrDb: o.snrDb ?? 12, seed: o.seed }, levelOf(HER.answer))
    : undefined;
  // The detector every call runs by default; Silero's shared session answers between frames, as live audio has it.
  const vad = await createVad(dsp, { kind: DEFAULT_VAD });
  const silero = DEFAULT_VAD === 'silero' ? await sharedSileroModel() : undefined;
  const events: LineEvidence[] = [];
  const voice = new CallerVoice(thresholds, (e) => events.push(e));
  const frames = (o.seconds * 1000) / 20;
  const speechAt = o.speech ? Math.round(((o.atS ?? 0) * 1000) / 20) : Infinity;
  const echoFrames = o.echo ? Math.round(o.echo.delayMs / 20) : 0;
  const echoGain = o.echo ? 10 ** (-o.echo.lossDb / 20) : 0;
  const agentFrame = (i: number) =>
    agent.subarray(((i * FRAME) % (agent.length - FRAME)) | 0, ((i * FRAME) % (agent.length - FRAME)) + FRAME);
  const probs: number[] = [];
  for (let i = 0; i < frames; i++) {
    const atMs = i * 20;
    if (!o.agentSilent) voice.agentFrame(atMs, ulawLevelDbfs(dsp.ulawEncode(agentFrame(i))));
    const line = new Int16Array(FRAME);
    const k = i - speechAt;
    if (o.speech && k >= 0 && (k + 1) * FRAME <= o.speech.length)
      line.set(o.speech.subarray(k * FRAME, (k + 1) * FRAME));
    if (o.echo && i >= echoFrames) {
      const back = agentFrame(i - echoFrames);
      for (let s = 0; s < FRAME; s++) line[s] = (line[s] as number) + Math.round((back[s] as number) * echoGain);
    }
    bed?.addTo(line);
    const mulaw = dsp.ulawEncode(line);
    probs.length = 0;
    vad.push(dsp.ulawDecode(mulaw), undefined, probs);
    await silero?.idle();
    voice.lineFrame(atMs, probs[0] ?? 0, ulawLevelDbfs(mulaw));
  }
  vad.close();
  return { events, onsetMs: o.speech ? speechAt * 20 : undefined };
}

function levelOf(pcm: Int16Array): number {
  let e = 0;
  let n = 0;
  for (let o = 0; o + 80 <= pcm.length; o += 80) {
    let f = 0;
    for (let i = o; i < o + 80; i++) f += (pcm[i] as number) ** 2;
    if (f / 80 > 32768 ** 2 * 1e-5) {
      e += f / 80;
      n++;
    }
  }
  return 10 * Math.log10(e / n / 32768 ** 2);
}

const firstAt = (r: Run, v: 'present' | 'held') =>
  r.events.find((e) => e.voice === v || (v === 'present' && e.voice === 'held'))?.atMs;

const BEDS: { kind: BackgroundKind; snrDb: number; seed: number }[] = [
  { kind: 'music', snrDb: 12, seed: 11 },
  { kind: 'music', snrDb: 8, seed: 12 },
  { kind: 'music-vocals', snrDb: 10, seed: 13 },
  { kind: 'chatter', snrDb: 10, seed: 14 },
  { kind: 'street', snrDb: 10, seed: 15 },
  { kind: 'hvac', snrDb: 10, seed: 16 },
];

for (const b of BEDS)
  t.test(
    `${b.kind} at ${b.snrDb} dB (seed ${b.seed}): the room never holds the floor; her interruption does`,
    async (t) => {
      const quiet = await run({ ...b, seconds: 40 });
      t.equal(firstAt(quiet, 'held'), undefined, 'no held voice in 40 s of the bed under the agent');
      const present = quiet.events.filter((e) => e.voice === 'present').length;
      t.ok(present <= 1, `the bed alone was "present" ${present} time(s) in 40 s`);
      t.ok(quiet.events.at(-1)?.noisy === true, 'the line is measured as noisy');
      t.equal(quiet.events.at(-1)?.roomSpeaks, b.kind === 'chatter', 'the detector takes only chatter for speech');
      const cut = await run({ ...b, seconds: 8, speech: HER.sorry, atS: 5 });
      const onset = cut.onsetMs as number;
      const p = firstAt(cut, 'present');
      const h = firstAt(cut, 'held');
      t.ok(
        p !== undefined && p - onset <= 360,
        `present ${p === undefined ? 'never' : `${p - onset} ms`} after her onset`,
      );
      // When it lets go, it says where her voice last stood out: within her sentence, before the event (a hangover
      // after it, or less where her last words stood out only now and then).
      const gone = cut.events.find((e) => e.voice === 'absent' && p !== undefined && e.atMs > p);
      const end = onset + HER.sorry.length / 8;
      t.ok(
        gone?.hersToMs !== undefined && gone.hersToMs > onset && gone.hersToMs <= Math.min(end, gone.atMs),
        `let go at ${gone?.atMs} ms, her last frame over the room at ${gone?.hersToMs} ms (her sentence ${onset}–${end})`,
      );
      // By its length alone (no words): at 10 dB SNR and better. Under that her words must carry the interruption.
      if (b.snrDb >= 10)
        t.ok(
          h !== undefined && h - onset <= 1200,
          `held ${h === undefined ? 'never' : `${h - onset} ms`} after her onset`,
        );
    },
  );

t.test('before the agent says anything: her hellos are not the room, a room of talkers is speech', async (t) => {
  // Picked up, "Hello?" and 4 s of waiting, twice more: what an outbound call hears before its greeting.
  const gap = new Int16Array(4 * 8000);
  const hellos = Int16Array.from([...HER.okay, ...gap, ...HER.sorry, ...gap, ...HER.okay]);
  for (const b of BEDS) {
    const r = await run({ ...b, seconds: 14, speech: hellos, atS: 0.5, agentSilent: true });
    const told = r.events.map((e) => e.roomSpeaks).filter((v) => v !== undefined);
    if (b.kind === 'chatter')
      t.ok(told.length > 0 && told.every((v) => v), `${b.kind} ${b.snrDb} dB: the room is speech before the greeting`);
    else
      t.ok(
        told.every((v) => !v),
        `${b.kind} ${b.snrDb} dB: the room is never taken for speech`,
      );
    t.ok(
      r.events.some((e) => e.voice !== 'absent'),
      `${b.kind} ${b.snrDb} dB: her voice stood out`,
    );
  }
  const quiet = await run({ seconds: 14, speech: hellos, atS: 0.5, agentSilent: true });
  t.ok(
    quiet.events.every((e) => e.roomSpeaks !== true),
    'a quiet line with her hellos: the room is not speech',
  );
  // Music nearly as loud as she is: her hellos hardly stand out, and the detector's speech in them is not the room's.
  for (const snrDb of [2, 4]) {
    const loud = await run({
      kind: 'music',
      snrDb,
      seed: 21,
      seconds: 14,
      speech: hellos,
      atS: 0.5,
      agentSilent: true,
    });
    t.ok(
      loud.events.every((e) => e.roomSpeaks !== true),
      `music at ${snrDb} dB with her hellos: the room is not speech`,
    );
  }
});

t.test(
  'a quiet line: her backchannel is present but never held; her interruption is held at BARGE_IN_MIN',
  async (t) => {
    const ok = await run({ seconds: 5, speech: HER.okay, atS: 3 });
    t.equal(firstAt(ok, 'held'), undefined, '"okay" does not hold the floor');
    t.ok(firstAt(ok, 'present') !== undefined, 'but it is her voice');
    t.notOk(ok.events.at(-1)?.noisy, 'a quiet line');
    const cut = await run({ seconds: 6, speech: HER.sorry, atS: 3 });
    const h = firstAt(cut, 'held') as number;
    // BARGE_IN_MIN after her first frame, or at her next word when the comma's pause falls on it.
    t.ok(h - 3000 >= 580 && h - 3000 <= 900, `held ${h - 3000} ms after her onset`);
  },
);

t.test(
  'her interruption in the first second of the call, before the room is measured, is held, and never becomes the room',
  async (t) => {
    // The outbound greeting starts as her hello ends: the room has no measured frames yet when she talks over it.
    const r = await run({ seconds: 6, speech: HER.whoIsThis, atS: 0.9 });
    const h = firstAt(r, 'held');
    const endMs = 900 + HER.whoIsThis.length / 8;
    t.ok(
      h !== undefined && h < endMs,
      `held ${h === undefined ? 'never' : `${h - 900} ms after her onset`}, while she still speaks (to ${endMs - 900} ms)`,
    );
    t.notOk(
      r.events.some((e) => e.noisy),
      'a quiet line stays quiet: her early frames were not taken for the room',
    );
  },
);

t.test(
  "the agent's own echo (250 ms, 10 to 20 dB down) never becomes her voice; her speech over it still does",
  async (t) => {
    for (const lossDb of [10, 15, 20]) {
      const r = await run({ seconds: 30, echo: { delayMs: 250, lossDb } });
      t.equal(firstAt(r, 'present'), undefined, `echo ${lossDb} dB down: never present`);
    }
    const r = await run({ seconds: 12, echo: { delayMs: 250, lossDb: 10 }, speech: HER.sorry, atS: 9 });
    const h = firstAt(r, 'held');
    t.ok(
      h !== undefined && h - 9000 <= 1000,
      `her interruption over the echo held after ${h === undefined ? 'never' : h - 9000} ms`,
    );
  },
);

t.test(
  'an answer still going when the agent starts over it stays hers: the overlap, not her whole answer, is what may become the room',
  async (t) => {
    // Frame levels only: a room of music around -30 dBFS (its beat between -36 and -24), her answer at -12 dBFS
    // (a gap between words every fifth frame). On a line that is never quiet the turn can end while she is still
    // talking, so the agent begins 2.5 s into her answer and talks on over her for 3 s.
    const events: LineEvidence[] = [];
    const voice = new CallerVoice(thresholds, (e) => events.push(e));
    const answerFrom = 3000;
    const agentFrom = answerFrom + 2500;
    for (let atMs = 0; atMs < agentFrom + 3000; atMs += 20) {
      const k = atMs / 20;
      voice.agentFrame(atMs, atMs >= agentFrom ? -18 : -90);
      const room = -30 + 6 * Math.sin(k / 3);
      const hers = atMs >= answerFrom && k % 5 !== 0;
      voice.lineFrame(atMs, hers ? 0.99 : 0, hers ? -12 : room);
    }
    const held = events.find((e) => e.voice === 'held');
    t.ok(held !== undefined && held.atMs < agentFrom, 'her answer was held before the agent began');
    const absent = events.find((e) => e.voice === 'absent' && e.atMs > answerFrom);
    t.ok(
      absent === undefined || absent.atMs >= agentFrom + 2500,
      `still hers over the agent (absent ${absent === undefined ? 'never' : `${absent.atMs - agentFrom} ms after the agent began`})`,
    );
  },
);

t.test('the overlap ends when the agent pauses: its next sentence over her answer starts a new one', async (t) => {
  // She talks on through a pause of the agent's (it stopped for her, then began again): the first overlap's
  // clock must not make her the room the moment the agent starts again.
  const events: LineEvidence[] = [];
  const voice = new CallerVoice(thresholds, (e) => events.push(e));
  const answerFrom = 3000;
  const agentTalks = (atMs: number) =>
    (atMs >= answerFrom + 500 && atMs < answerFrom + 2500) || atMs >= answerFrom + 4500;
  for (let atMs = 0; atMs < answerFrom + 7000; atMs += 20) {
    const k = atMs / 20;
    voice.agentFrame(atMs, agentTalks(atMs) ? -18 : -90);
    const hers = atMs >= answerFrom && k % 5 !== 0;
    voice.lineFrame(atMs, hers ? 0.99 : 0, hers ? -12 : -30 + 6 * Math.sin(k / 3));
  }
  const absent = events.find((e) => e.voice === 'absent' && e.atMs > answerFrom);
  t.ok(
    absent === undefined || absent.atMs >= answerFrom + 4500 + 2500,
    `still hers when the agent begins again (absent ${absent === undefined ? 'never' : `at +${absent.atMs - answerFrom} ms`})`,
  );
});
