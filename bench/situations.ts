// `npm run -s build && node dist/bench/situations.js [--rounds 15]`: what reading the line's situation costs per
// recogniser final (src/situations), against the same run's baseline: the work every final already gets (the
// turn-taking text checks of machines/text.ts and the offline fact parser). Alternating rounds, medians.
//  - situations: parseMenu + chooseOption, every cue, isAutomatedSpeech, refusalsIn, isCallbackRequest;
//  - callback: callbackIn (chrono-node) on the finals that ask for a callback, the only ones that run it.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { isCompleteUtterance, questionTopics } from '../machines/text.js';
import { parseFacts } from '../src/facts/parse.js';
import { callbackIn, isCallbackRequest } from '../src/situations/callback.js';
import { cuesIn, isAutomatedSpeech } from '../src/situations/cues.js';
import { parseMenu } from '../src/situations/menu.js';
import { chooseOption } from '../src/situations/menu-choice.js';
import { refusalsIn } from '../src/situations/refusal.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const ROUNDS = Number(values.rounds);

// What recognisers hand the call: cloud-formatted and offline lower-case, menus, holds, greetings and answers.
const FINALS = [
  'Thank you for calling Iron Temple. For hours and directions, press 1. For membership, press 2. For all other inquiries, press 0.',
  'thank you for calling iron temple fitness for class schedules press one for membership press two for the front desk press three',
  "If you know your party's extension, dial it now.",
  'Please hold.',
  'Your call is important to us. Please stay on the line and the next available team member will be with you shortly.',
  'Hi, thanks for holding, this is Sarah, how can I help?',
  "Hi, you've reached Iron Temple. We can't take your call right now. Please leave a message after the beep.",
  'The mailbox is full and cannot accept any new messages.',
  "Hi, the person you're calling is using a screening service from Google. Go ahead and say your name and why you're calling.",
  'Let me transfer you to the manager.',
  "We don't give prices over the phone, it's all on iron temple dot com slash prices.",
  'Call back after two and ask for Mike.',
  'the manager is in tomorrow morning',
  "we're open five a m to eleven p m monday through friday and seven to seven on weekends",
  'a monthly membership is forty nine ninety nine and the annual is four hundred ninety nine',
  'We have yoga, spin, pilates and boxing classes every day.',
  'Sure, what would you like to know?',
  'yeah',
  "Sorry, you've got the wrong number.",
  'We closed for good last year.',
];
const CALLBACKS = FINALS.filter(isCallbackRequest);
const NOW = new Date('2026-12-05T15:30:00Z');

let sink = 0;
function baseline(s: string): void {
  sink += Number(isCompleteUtterance(s)) + questionTopics(s).length + Object.keys(parseFacts(s)).length;
}
function situations(s: string): void {
  const menu = parseMenu(s);
  sink += menu.options.length + (chooseOption(menu).option ? 1 : 0) + cuesIn(s).length;
  sink += Number(isAutomatedSpeech(s)) + refusalsIn(s, 'pricing').length + Number(isCallbackRequest(s));
}
function callback(s: string): void {
  sink += callbackIn(s, ['pricing'], NOW, 'America/New_York')?.topics.length ?? 0;
}

/** Microseconds per final of `fn` over `texts`, repeated until at least 50 ms have passed. */
function measure(fn: (s: string) => void, texts: readonly string[]): number {
  let n = 0;
  const start = performance.now();
  do {
    for (const s of texts) fn(s);
    n += texts.length;
  } while (performance.now() - start < 50);
  return ((performance.now() - start) * 1000) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

for (let w = 0; w < 3; w++) {
  measure(baseline, FINALS);
  measure(situations, FINALS);
  measure(callback, CALLBACKS);
}
const r = { baseline: [] as number[], situations: [] as number[], callback: [] as number[] };
for (let i = 0; i < ROUNDS; i++) {
  r.baseline.push(measure(baseline, FINALS));
  r.situations.push(measure(situations, FINALS));
  r.callback.push(measure(callback, CALLBACKS));
}
const b = median(r.baseline);
const s = median(r.situations);
const c = median(r.callback);
console.log(
  `finals: ${FINALS.length} (${CALLBACKS.length} ask for a callback), rounds: ${ROUNDS}, node ${process.version}`,
);
console.log(`baseline (text checks + fact parser): ${b.toFixed(1)} µs per final`);
console.log(`situations (menu, cues, refusals):    ${s.toFixed(1)} µs per final (${(s / b).toFixed(2)}× baseline)`);
console.log(
  `callback (chrono-node), when asked:   ${c.toFixed(1)} µs per callback final (${(c / b).toFixed(2)}× baseline)`,
);
if (sink === 0.5) console.log('');
