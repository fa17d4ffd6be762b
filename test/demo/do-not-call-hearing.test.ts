import t from 'tap';
import { isDoNotCall } from '../../src/situations/cues.js';
import { offlineHearing } from './hearing.js';

// A gym's "don't call us again" reaches the do-not-call cue offline: each request, said by the receptionist's voice
// through μ-law and recognised on the open grammar, is heard as a do-not-call request (cues.ts). Without the
// phrases in the grammar, "take", "list", "remove" and "stop" cannot be recognised at all.

const REQUESTS = [
  "please don't call us again",
  'take us off your list',
  'remove us from your list',
  'stop calling us',
  'never call us again',
];

t.test('a do-not-call request is heard by the offline recogniser', async (t) => {
  const hear = await offlineHearing(t);
  let heard = 0;
  for (const said of REQUESTS) {
    const text = await hear(said);
    const right = isDoNotCall(text);
    if (right) heard++;
    t.comment(`said: ${said}  heard: ${text}${right ? '' : '  (missed)'}`);
  }
  t.ok(heard >= REQUESTS.length - 1, `do-not-call requests heard in ${heard}/${REQUESTS.length}`);
});
