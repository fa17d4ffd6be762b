import t from 'tap';
import { websiteIn } from '../../src/situations/website.js';
import { offlineHearing } from './hearing.js';

// A gym that gives no prices on the phone names its web address; the offline recogniser can only write the words
// its grammar has, and an address is a name. Said by the receptionist's voice through μ-law in the pricing step,
// the address must come out as said (website.ts reads it; it ends a host at an article, so none is said here).
// Without the address phrase (line-words.ts HOST_WORDS) none did: "peak fitness dot com" came out as "speak say
// that's dot com". The misses are the decoder's: a host word lost or another written for it.

const SAID: [string, string][] = [
  ["We don't give prices over the phone. It's on our website, peak fitness dot com.", 'peakfitness.com'],
  ['Check our website, iron temple gym dot com.', 'irontemplegym.com'],
  ['Prices are on our website, anytime fitness dot com.', 'anytimefitness.com'],
  ['See our site, strength lab dot com.', 'strengthlab.com'],
  ['Our website is iron temple gym dot com.', 'irontemplegym.com'],
  ['Everything is on our website, summit strength dot com.', 'summitstrength.com'],
  ['Our prices are online at urban yoga studio dot com.', 'urbanyogastudio.com'],
  ['Go to river city athletics dot com for the prices.', 'rivercityathletics.com'],
  ["We don't do prices on the phone, visit core power yoga dot com.", 'corepoweryoga.com'],
  ["It's on our website, north park fitness dot net.", 'northparkfitness.net'],
  ["You'd have to check the website, ladies fitness club dot com.", 'ladiesfitnessclub.com'],
];

t.test('a web address said on the phone is heard by the offline recogniser', async (t) => {
  const hear = await offlineHearing(t, 'pricing');
  let right = 0;
  for (const [said, site] of SAID) {
    const heard = websiteIn(await hear(said));
    if (heard === site) right++;
    t.comment(`said: ${said}  address heard: ${heard ?? '(none)'}${heard === site ? '' : '  (missed)'}`);
  }
  t.ok(right >= 6, `addresses heard as said: ${right}/${SAID.length}`);
});
