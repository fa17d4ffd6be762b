import t from 'tap';
import { cuesIn, isDoNotCall } from '../../src/situations/cues.js';
import { readSituation } from '../../src/providers/llm/offline-situations.js';
import { en } from '../../src/language/en.js';

// "Please don't call us again" ends the call politely with the outcome do-not-call (the number is then listed);
// a refused topic, a busy moment or a callback request is not that.

const asks = [
  "Please don't call us again.",
  'Take us off your list, please.',
  'Can you remove this number from your call list?',
  'Put us on your do not call list.',
  'We do not want any more calls.',
  'Never call this number again',
  'Stop calling us!',
  "Wrong number, and don't call me again",
];
const nearMisses = [
  "We don't give prices over the phone.",
  "I can't talk right now, call back after two.",
  "Don't call before nine, we're not open yet.",
  'Call us again tomorrow.',
  'Please call back later.',
  "We don't have a list of classes, check the website.",
  'You can call us any time.',
];

t.test('the cue: asked not to be called again, and near misses', async (t) => {
  for (const s of asks) t.ok(isDoNotCall(s), s);
  for (const s of nearMisses) t.notOk(isDoNotCall(s), s);
  t.ok(cuesIn('Please stop calling us').includes('do-not-call'));
});

t.test('the offline interviewer ends with do-not-call and a polite goodbye', async (t) => {
  const now = new Date('2026-02-02T15:00:00Z');
  for (const s of asks)
    t.equal(readSituation(s, 'hours', ['hours'], now, 'America/New_York').outcome, 'do-not-call', s);
  for (const s of nearMisses)
    t.not(readSituation(s, 'pricing', ['pricing'], now, 'America/New_York').outcome, 'do-not-call', s);
  t.match(en.interviewer.outcome['do-not-call'], /won't call you again.*goodbye/i);
});
