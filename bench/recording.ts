// `npm run bench:recording [-- --minutes 3 --reps 5 --json]`
// What recording a call costs: the capture on the media path (two CallTracks writes per 20 ms), and the FLAC
// encoding after the call (src/recordings/flac.ts, the same code the encoder's worker thread runs), per call-minute
// of CPU time, with the file size. The call: both sides speech-like (src/fakes/audio.ts synthSpeech) taking turns,
// over a line's faint noise (a real line is never digital silence, and silence would flatter FLAC). Process CPU time
// per rep (one thread busy); medians over reps.
import { encodeFlac } from '../src/recordings/flac.js';
import { CallTracks } from '../src/recordings/tracks.js';
import { ulawEncode } from '../src/dsp/reference/ulaw.js';
import { synthSpeech } from '../src/fakes/audio.js';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const MINUTES = opt('--minutes', 3);
const REPS = opt('--reps', 5);
const RATE = 8000;
const FRAME = 160;

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** One side of the call: 4 s turns of speech, every other turn (the other side's turns are this side's gaps). */
function side(samples: number, speaksFirst: boolean, seed: number): Uint8Array {
  const pcm = new Int16Array(samples);
  const turn = 4 * RATE;
  const sentence = 'we are open from six in the morning until ten at night on weekdays and classes are included';
  const speech = synthSpeech(sentence, { sampleRate: RATE });
  const words = new Int16Array(speech.buffer, speech.byteOffset, speech.length / 2);
  let x = seed;
  for (let i = 0; i < samples; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const noise = ((x >>> 16) % 61) - 30; // about -60 dBFS
    const talking = (Math.floor(i / turn) % 2 === 0) === speaksFirst;
    pcm[i] = noise + (talking ? (words[(i % turn) % words.length] ?? 0) : 0);
  }
  return ulawEncode(pcm);
}

const samples = MINUTES * 60 * RATE;
const gym = side(samples, false, 1);
const agent = side(samples, true, 2);

function capture(): CallTracks {
  const tracks = new CallTracks(MINUTES * 60_000 + 1000);
  for (let at = 0; at < samples; at += FRAME) {
    tracks.caller(gym.subarray(at, at + FRAME), at / 8);
    tracks.agent(agent.subarray(at, at + FRAME), at / 8);
  }
  return tracks;
}

await encodeFlac(capture().finish()); // warm-up: JIT and libFLAC's start-up
const captureUs: number[] = [];
const encodeUs: number[] = [];
let bytes = 0;
for (let r = 0; r < REPS; r++) {
  const c0 = cpuUs();
  const tracks = capture();
  captureUs.push(cpuUs() - c0);
  const audio = tracks.finish();
  const e0 = cpuUs();
  bytes = (await encodeFlac(audio)).length;
  encodeUs.push(cpuUs() - e0);
}
const result = {
  minutes: MINUTES,
  reps: REPS,
  captureMsPerCallMinute: median(captureUs) / 1000 / MINUTES,
  encodeMsPerCallMinute: median(encodeUs) / 1000 / MINUTES,
  kbPerCallMinute: bytes / 1024 / MINUTES,
  kbitPerSecond: (bytes * 8) / 1000 / (MINUTES * 60),
};
if (json) console.log(JSON.stringify(result));
else
  console.log(
    `capture ${result.captureMsPerCallMinute.toFixed(2)} ms CPU per call-minute; FLAC encoding ` +
      `${result.encodeMsPerCallMinute.toFixed(0)} ms CPU per call-minute (${((result.encodeMsPerCallMinute / 60_000) * 100).toFixed(2)} % of a core ` +
      `per concurrent call); ${result.kbPerCallMinute.toFixed(0)} KB per call-minute (${result.kbitPerSecond.toFixed(0)} kbit/s)`,
  );
